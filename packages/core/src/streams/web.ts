import { type StreamAdapterOptions, adapterConfig } from './options.js';
import { ChunkPuller, ChunkPusher, type ReadSource, type WriteTarget } from './source.js';

/**
 * A web `ReadableStream` of byte chunks over any binio reader; `pull` reads
 * only when the queue is below its high-water mark (backpressure).
 */
export function toReadableStream(reader: ReadSource, options?: StreamAdapterOptions): ReadableStream<Uint8Array> {
  const config = adapterConfig(options);
  const puller = new ChunkPuller(reader, config);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await puller.next();
          if (chunk === null) {
            await puller.close();
            controller.close();
          } else controller.enqueue(chunk);
        } catch (e) {
          await puller.close().catch(() => {});
          controller.error(e);
        }
      },
      async cancel() {
        await puller.close();
      },
    },
    { highWaterMark: config.highWaterMark, size: (chunk) => chunk.byteLength },
  );
}

/**
 * A web `WritableStream` over any binio writer: each chunk is written fully
 * before the next is taken, so `writer.ready` waits while the device is slow.
 */
export function toWritableStream(writer: WriteTarget, options?: StreamAdapterOptions): WritableStream<Uint8Array> {
  const config = adapterConfig(options);
  const pusher = new ChunkPusher(writer, config);
  return new WritableStream<Uint8Array>(
    {
      write: (chunk) => pusher.push(chunk),
      close: () => pusher.close(),
      abort: () => pusher.close(),
    },
    { highWaterMark: config.highWaterMark, size: (chunk) => chunk.byteLength },
  );
}

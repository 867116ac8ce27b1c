import { Readable, Writable } from 'node:stream';
import { type StreamAdapterOptions, adapterConfig } from './options.js';
import { ChunkPuller, ChunkPusher, type ReadSource, type WriteTarget } from './source.js';

/**
 * A Node `Readable` over any binio reader (file, TCP stream; sync or async
 * engine). Reads happen only when the stream asks for data, so a slow
 * consumer holds reads back (backpressure).
 */
export function toReadable(reader: ReadSource, options?: StreamAdapterOptions): Readable {
  const config = adapterConfig(options);
  const puller = new ChunkPuller(reader, config);
  return new Readable({
    highWaterMark: config.highWaterMark,
    read() {
      puller.next().then(
        (chunk) => this.push(chunk),
        (err: Error) => this.destroy(err),
      );
    },
    destroy(err, cb) {
      puller.close().then(
        () => cb(err),
        (closeErr: Error) => cb(err ?? closeErr),
      );
    },
  });
}

/**
 * A Node `Writable` over any binio writer. Each chunk is written fully
 * (`writeAll`) before the next is taken, so a slow device pushes back on the
 * producer through `write()` returning false.
 */
export function toWritable(writer: WriteTarget, options?: StreamAdapterOptions): Writable {
  const config = adapterConfig(options);
  const pusher = new ChunkPusher(writer, config);
  return new Writable({
    highWaterMark: config.highWaterMark,
    write(chunk: Uint8Array, _encoding, cb) {
      pusher.push(chunk).then(() => cb(), cb);
    },
    final(cb) {
      pusher.close().then(() => cb(), cb);
    },
    destroy(err, cb) {
      pusher.close().then(
        () => cb(err),
        (closeErr: Error) => cb(err ?? closeErr),
      );
    },
  });
}

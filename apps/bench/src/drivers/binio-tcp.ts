import {
  type IoEngine,
  type Mode,
  OutputBuffer,
  type TcpConnect,
  type TcpListen,
  type TcpStream,
} from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { loadEngine, portOf } from './binio-engine.js';
import { Meter, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

type Tcp = IoEngine<Mode> & TcpConnect<Mode> & TcpListen<Mode>;

/** Bytes a ping-pong read asks for: libuv's read size, so both sides read alike. */
const READ_SIZE = 65536;
type Stream = TcpStream<Mode>;

/**
 * A binio engine's TCP streams. Stream: the client `writeAll`s chunks, the
 * server `readInto`s until EOF. Ping-pong: the client `writeAll`s a message
 * and `readInto`s until the echo is complete; the server echoes what it
 * reads. Reads ask for 64 KiB, as libuv does for Node's sockets.
 */
export async function run(ctx: DriverContext): Promise<WorkerResult> {
  const engine = (await loadEngine(required(ctx.spec.engine, 'engine'))) as Tcp;
  const pingpong = ctx.spec.workload.id.includes('pingpong');
  try {
    if (ctx.spec.role === 'server') return await serve(ctx, engine, pingpong);
    const stream = (await engine.connectTcp(
      `127.0.0.1:${required(ctx.spec.port, 'port')}`,
    )) as Stream;
    const result = pingpong ? await ping(ctx, stream) : await blast(ctx, stream);
    await stream.shutdown('write');
    await drain(stream);
    await stream.close();
    return result;
  } finally {
    await engine.close();
  }
}

async function serve(
  { spec, ready }: DriverContext,
  engine: Tcp,
  pingpong: boolean,
): Promise<WorkerResult> {
  const listener = await engine.listenTcp('127.0.0.1:0');
  const meter = new Meter();
  meter.start();
  ready({ port: portOf(listener.localAddress) });
  const stream = (await listener.accept()) as Stream;
  // As Node's echo server does (setNoDelay on the accepted socket): binio's
  // connectTcp sets TCP_NODELAY by default, an accepted stream does not.
  (stream as Partial<{ setOption(name: 'noDelay', on: boolean): void }>).setOption?.(
    'noDelay',
    true,
  );
  const size = spec.workload.blockSize;
  // Reads what has arrived, as Node's echo server does (libuv reads into
  // 64 KiB): a read shorter than the buffer proves the socket empty, so the
  // next one waits without first trying a recv that would say EAGAIN.
  const out = OutputBuffer.alloc(pingpong ? READ_SIZE : 1 << 20);
  let bytes = 0;
  let first = 0;
  for (;;) {
    out.reset();
    const n = await stream.readInto(out);
    if (n === 0) break;
    if (bytes === 0) first = now();
    bytes += n;
    if (pingpong) await stream.writeAll(out);
  }
  const elapsedNs = Math.round((now() - first) * 1e6);
  const cpuUs = meter.cpuUs();
  await stream.close();
  await listener.close();
  return { ops: Math.floor(bytes / size), bytes, elapsedNs, cpuUs };
}

async function blast({ spec }: DriverContext, stream: Stream): Promise<WorkerResult> {
  const chunk = payload(spec.workload.blockSize);
  const deadline = now() + spec.durationMs;
  const meter = new Meter();
  let ops = 0;
  meter.start();
  while (now() < deadline) {
    await stream.writeAll(chunk);
    ops++;
  }
  return meter.stop(ops, ops * chunk.length);
}

async function ping({ spec }: DriverContext, stream: Stream): Promise<WorkerResult> {
  const size = spec.workload.blockSize;
  const message = payload(size);
  // The reply is read as Node's client reads it: whatever has arrived, into
  // 64 KiB, until the whole message is in.
  const out = OutputBuffer.alloc(READ_SIZE);
  const deadline = now() + spec.durationMs;
  const meter = new Meter();
  let ops = 0;
  meter.start();
  while (now() < deadline) {
    await stream.writeAll(message);
    out.reset();
    while (out.initialized < size) {
      if ((await stream.readInto(out)) === 0) throw new Error('the echo server closed early');
    }
    ops++;
  }
  return meter.stop(ops, ops * size);
}

// Reads to EOF so the server's last writes are taken before we close.
async function drain(stream: Stream): Promise<void> {
  const out = OutputBuffer.alloc(65536);
  for (;;) {
    out.reset();
    if ((await stream.readInto(out)) === 0) return;
  }
}

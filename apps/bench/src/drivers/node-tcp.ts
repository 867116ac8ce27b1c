import { connect, createServer, type Socket } from 'node:net';
import type { WorkerResult } from '../protocol.js';
import { Meter, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

/**
 * Node's `net`. Stream: the client writes chunks (respecting backpressure),
 * the server counts what arrives. Ping-pong: the client sends a message and
 * waits for its echo.
 */
export async function run(ctx: DriverContext): Promise<WorkerResult> {
  if (ctx.spec.role === 'server') return serve(ctx);
  const socket = await open(required(ctx.spec.port, 'port'));
  return ctx.spec.workload.id.includes('pingpong') ? pingpong(ctx, socket) : stream(ctx, socket);
}

function serve({ spec, ready }: DriverContext): Promise<WorkerResult> {
  const echo = spec.workload.id.includes('pingpong');
  return new Promise((resolve, reject) => {
    const meter = new Meter();
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      let bytes = 0;
      let first = 0;
      socket.on('data', (chunk) => {
        if (bytes === 0) first = now();
        bytes += chunk.length;
        if (echo) socket.write(chunk);
      });
      socket.on('error', reject);
      socket.on('end', () => {
        const elapsedNs = Math.round((now() - first) * 1e6);
        const cpuUs = meter.cpuUs();
        socket.end();
        server.close();
        resolve({ ops: Math.floor(bytes / spec.workload.blockSize), bytes, elapsedNs, cpuUs });
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      meter.start();
      const address = server.address();
      ready({ port: typeof address === 'object' && address !== null ? address.port : undefined });
    });
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function finish(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end();
    socket.resume();
  });
}

async function stream({ spec }: DriverContext, socket: Socket): Promise<WorkerResult> {
  const chunk = Buffer.from(payload(spec.workload.blockSize));
  const deadline = now() + spec.durationMs;
  const meter = new Meter();
  let ops = 0;
  meter.start();
  while (now() < deadline) {
    ops++;
    if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
  }
  const result = meter.stop(ops, ops * chunk.length);
  await finish(socket);
  return result;
}

async function pingpong({ spec }: DriverContext, socket: Socket): Promise<WorkerResult> {
  const size = spec.workload.blockSize;
  const message = Buffer.from(payload(size));
  const deadline = now() + spec.durationMs;
  const meter = new Meter();
  let ops = 0;
  meter.start();
  await new Promise<void>((resolve, reject) => {
    let pending = size;
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      pending -= chunk.length;
      if (pending > 0) return;
      ops++;
      if (now() >= deadline) {
        socket.removeAllListeners('data');
        resolve();
        return;
      }
      pending = size;
      socket.write(message);
    });
    socket.write(message);
  });
  const result = meter.stop(ops, ops * size);
  await finish(socket);
  return result;
}

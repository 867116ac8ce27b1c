import {
  type IoEngine,
  type Mode,
  type Outgoing,
  OutputBuffer,
  type UdpBatch,
  type UdpBind,
  type UdpRecv,
  type UdpSend,
  type UdpSocket,
  type UdpSocketCreate,
} from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { hasAll, loadEngine, portOf } from './binio-engine.js';
import { Meter, now, sleep } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';
import {
  MARKER_COUNT,
  MARKER_GAP_MS,
  MARKER_LENGTH,
  MARKER_PAUSE_MS,
  UDP_RECEIVE_BUFFER,
  UDP_SLOT,
} from './udp-markers.js';

type Udp<M extends Mode> = IoEngine<M> &
  UdpSocketCreate<M> &
  UdpBind<M> &
  UdpSend<M> &
  UdpRecv<M> &
  Partial<UdpBatch<M>>;

/**
 * A binio engine's UDP: `sendMany`/`recvMany` batches of the workload's size
 * when the engine has `udp.batch`, one datagram per call otherwise. The
 * same code serves sync and async engines: `await` on a sync engine's plain
 * value costs one microtask per batch, a small share of a batch's work.
 */
export async function run(ctx: DriverContext): Promise<WorkerResult> {
  const engine = (await loadEngine(required(ctx.spec.engine, 'engine'))) as Udp<Mode>;
  try {
    return ctx.spec.role === 'server' ? await receive(ctx, engine) : await send(ctx, engine);
  } finally {
    await engine.close();
  }
}

async function open(
  engine: Udp<Mode>,
  receiveBufferSize?: number,
): Promise<[UdpSocket<Mode>, number]> {
  const options = receiveBufferSize === undefined ? undefined : { receiveBufferSize };
  const sock = await engine.createUdpSocket(options);
  const bound = await engine.bindUdp(sock as never, '127.0.0.1:0');
  return [sock, portOf(bound)];
}

async function receive({ spec, ready }: DriverContext, engine: Udp<Mode>): Promise<WorkerResult> {
  const [sock, port] = await open(engine, spec.receiveBufferSize ?? UDP_RECEIVE_BUFFER);
  const batch = hasAll(engine, ['udp.batch']) ? (spec.workload.batch ?? 1) : 1;
  const buffers = Array.from({ length: batch }, () => OutputBuffer.alloc(UDP_SLOT));
  const meter = new Meter();
  let packets = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  meter.start();
  ready({ port });
  for (let done = false; !done; ) {
    for (const b of buffers) b.reset();
    let count = 1;
    if (batch > 1) count = (await engine.recvMany!(sock as never, buffers)).count;
    else await engine.recv(sock as never, buffers[0]!);
    const t = now();
    for (let i = 0; i < count; i++) {
      const n = buffers[i]!.initialized;
      if (n === MARKER_LENGTH) {
        done = true;
        break;
      }
      if (packets === 0) first = t;
      last = t;
      packets++;
      bytes += n;
    }
  }
  const cpuUs = meter.cpuUs();
  await sock.close();
  return { ops: packets, bytes, elapsedNs: Math.round((last - first) * 1e6), cpuUs };
}

/** Connects `sock` to `to` when the engine can (`connectUdp`); false otherwise. */
async function connect(engine: Udp<Mode>, sock: UdpSocket<Mode>, to: string): Promise<boolean> {
  const c = (engine as { connectUdp?: (s: UdpSocket<Mode>, a: string) => unknown }).connectUdp;
  if (typeof c !== 'function') return false;
  await c.call(engine, sock, to);
  return true;
}

async function send({ spec }: DriverContext, engine: Udp<Mode>): Promise<WorkerResult> {
  const to = `127.0.0.1:${required(spec.port, 'port')}`;
  const [sock] = await open(engine);
  // Connected, as the C pair and Node's dgram sender are: the kernel then
  // routes once, not once per datagram that names its destination.
  const dest = (await connect(engine, sock, to)) ? undefined : to;
  const data = payload(spec.workload.blockSize);
  const batch = hasAll(engine, ['udp.batch']) ? (spec.workload.batch ?? 1) : 1;
  const datagrams = Array.from({ length: batch }, () => ({ data, to: dest })) as Outgoing[];
  const deadline = now() + spec.durationMs;
  const meter = new Meter();
  let sent = 0;
  meter.start();
  if (batch > 1) {
    while (now() < deadline) sent += await engine.sendMany!(sock as never, datagrams);
  } else {
    while (now() < deadline) {
      await engine.send(sock as never, data, dest as never);
      sent++;
    }
  }
  const result = meter.stop(sent, sent * data.length);
  await sleep(MARKER_PAUSE_MS);
  const marker = new Uint8Array(MARKER_LENGTH);
  for (let i = 0; i < MARKER_COUNT; i++) {
    try {
      await engine.send(sock as never, marker, dest as never);
    } catch (e) {
      // The receiver closes at the first marker; on a connected socket the
      // later ones come back as ICMP port-unreachable (ECONNREFUSED): expected.
      if ((e as { code?: string }).code !== 'ECONNREFUSED') throw e;
    }
    await sleep(MARKER_GAP_MS);
  }
  await sock.close();
  return result;
}

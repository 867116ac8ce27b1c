import { createSocket, type Socket } from 'node:dgram';
import type { WorkerResult } from '../protocol.js';
import { Meter, nextTurn, now, sleep } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';
import {
  MARKER_COUNT,
  MARKER_GAP_MS,
  MARKER_LENGTH,
  MARKER_PAUSE_MS,
  UDP_RECEIVE_BUFFER,
} from './udp-markers.js';

/** Node's `dgram`: one datagram per call (it has no batch API). */
export async function run(ctx: DriverContext): Promise<WorkerResult> {
  return ctx.spec.role === 'server' ? receive(ctx) : send(ctx);
}

function receive({ spec, ready }: DriverContext): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const sock = createSocket({
      type: 'udp4',
      recvBufferSize: spec.receiveBufferSize ?? UDP_RECEIVE_BUFFER,
    });
    const meter = new Meter();
    let packets = 0;
    let bytes = 0;
    let first = 0;
    let last = 0;
    sock.on('error', reject);
    sock.on('message', (msg) => {
      if (msg.length === MARKER_LENGTH) {
        const cpuUs = meter.cpuUs();
        sock.close();
        resolve({ ops: packets, bytes, elapsedNs: Math.round((last - first) * 1e6), cpuUs });
        return;
      }
      last = now();
      if (packets === 0) first = last;
      packets++;
      bytes += msg.length;
    });
    sock.bind(0, '127.0.0.1', () => {
      meter.start();
      ready({ port: sock.address().port });
    });
  });
}

async function send({ spec }: DriverContext): Promise<WorkerResult> {
  const port = required(spec.port, 'port');
  const sock = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(port, '127.0.0.1', () => resolve());
  });
  const data = Buffer.from(payload(spec.workload.blockSize));
  let sent = 0;
  let failure: Error | null = null;
  let ending = false;
  // Once the receiver has seen a marker it closes, and the later markers come
  // back as ICMP port-unreachable (ECONNREFUSED on a connected socket): expected.
  sock.on('error', (e) => {
    if (!ending) failure = e;
  });
  const onSent = (err: Error | null): void => {
    if (err) failure = err;
    else sent++;
  };
  const deadline = now() + spec.durationMs;
  const meter = new Meter();
  meter.start();
  // Bursts of sends, then one turn of the loop so their callbacks run and
  // nothing piles up: what a Node program blasting datagrams looks like.
  while (now() < deadline && failure === null) {
    for (let i = 0; i < 64; i++) sock.send(data, onSent);
    await nextTurn();
  }
  const result = meter.stop(sent, sent * data.length);
  if (failure) throw failure;
  ending = true;
  await sendMarkers(sock);
  sock.close();
  return result;
}

async function sendMarkers(sock: Socket): Promise<void> {
  const marker = Buffer.alloc(MARKER_LENGTH);
  await sleep(MARKER_PAUSE_MS);
  for (let i = 0; i < MARKER_COUNT; i++) {
    sock.send(marker, () => {});
    await sleep(MARKER_GAP_MS);
  }
}

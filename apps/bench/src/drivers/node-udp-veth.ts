import { createSocket } from 'node:dgram';
import type { WorkerResult } from '../protocol.js';
import { PEER_PORT } from '../run/veth.js';
import { Meter, nextTurn, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

/**
 * Node's dgram sending over a veth to the kernel in another network
 * namespace (`spec.veth`): bursts of `send` calls from the near end's
 * address, then one turn of the loop so their callbacks run, as the
 * loopback sender does. One burst goes before the clock starts (ARP).
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const veth = required(spec.veth, 'veth');
  const sock = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, veth.hostIp, () => resolve());
  });
  const data = Buffer.from(payload(spec.workload.blockSize));
  let sent = 0;
  let failure: Error | null = null;
  const onSent = (err: Error | null): void => {
    if (err) failure = err;
    else sent++;
  };
  const burst = (): void => {
    for (let i = 0; i < 64; i++) sock.send(data, PEER_PORT, veth.peerIp, onSent);
  };
  burst();
  await nextTurn();
  sent = 0;
  const deadline = now() + spec.durationMs;
  const meter = new Meter();
  meter.start();
  while (now() < deadline && failure === null) {
    burst();
    await nextTurn();
  }
  const result = meter.stop(sent, sent * data.length);
  sock.close();
  if (failure) throw failure;
  return result;
}

import type { IoEngine, Mode, Outgoing, UdpBind, UdpSend, UdpSocketCreate } from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { PEER_PORT } from '../run/veth.js';
import { hasAll, loadEngine } from './binio-engine.js';
import { burstSender, hasBurstTx, onVdev } from './dpdk-burst.js';
import { Meter, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

type Tx = IoEngine<Mode> &
  UdpSocketCreate<Mode> &
  UdpBind<Mode> &
  UdpSend<Mode> & {
    sendMany?(socket: unknown, datagrams: readonly Outgoing[]): number | Promise<number>;
  };

/**
 * Datagrams sent over a veth to the kernel in another network namespace
 * (`spec.veth`, made by the parent): a kernel-socket engine from the near
 * end's address, in batches (`sendMany`) when it has them; a kernel-bypass
 * engine (DPDK) attached to the bare near end by af_packet, from that
 * address, in bursts of its own buffers (or packed). One burst goes before
 * the clock starts, so ARP is settled. The figure is datagrams handed to
 * the link per second.
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const ref = required(spec.engine, 'engine');
  const veth = required(spec.veth, 'veth');
  const bypass = ref.udp !== undefined;
  const vdev = `net_af_packet0,iface=${veth.iface}`;
  const address = `${veth.hostIp}/${veth.prefix}`;
  const engine = (await loadEngine(
    bypass ? onVdev(ref, vdev, 'net_af_packet0', address) : ref,
  )) as Tx;
  try {
    const sock = await engine.createUdpSocket();
    await engine.bindUdp(sock as never, `${veth.hostIp}:${bypass ? PEER_PORT : 0}`);
    const to = `${veth.peerIp}:${PEER_PORT}`;
    const data = payload(spec.workload.blockSize);
    const size = spec.workload.batch ?? 32;
    const burst: Outgoing[] = Array.from({ length: size }, () => ({ data, to }));
    let step: () => number | Promise<number>;
    if (bypass && hasBurstTx(engine)) {
      const send = burstSender(engine, ref.udp?.packed === true, data, size);
      step = () => send(sock, to);
    } else if (hasAll(engine, ['udp.batch']) && engine.sendMany) {
      const sendMany = engine.sendMany.bind(engine);
      step = () => sendMany(sock, burst);
    } else {
      step = async () => {
        await engine.send(sock as never, data, to);
        return 1;
      };
    }
    await step();
    const deadline = now() + spec.durationMs;
    const meter = new Meter();
    let sent = 0;
    meter.start();
    while (now() < deadline) sent += await step();
    const result = meter.stop(sent, sent * data.length);
    await sock.close();
    return result;
  } finally {
    await engine.close();
  }
}

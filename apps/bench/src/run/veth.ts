import type { ChildProcess } from 'node:child_process';
import { createNetns, netnsUnavailableReason } from '@binio/testkit';
import type { VethSpec } from '../protocol.js';
import type { Sample } from './subject.js';

/** The workload that needs a veth pair and a network namespace. */
export const VETH_WORKLOAD = 'veth-udp-64';

/** The UDP port the peer listens on. */
export const PEER_PORT = 9000;

// The peer: a socket bound in the namespace that never reads. The kernel
// there takes each datagram up to the socket's buffer and drops the rest
// (no ICMP errors to generate), and no reader competes for the 2 cores.
const SINK = [
  'import socket, sys, time',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  "s.bind(('0.0.0.0', int(sys.argv[1])))",
  "print('ready', flush=True)",
  'time.sleep(600)',
].join('\n');

function sinkReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout?.setEncoding('utf8').once('data', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the peer socket exited (${code}): ${err.trim()}`)),
    );
  });
}

/** Why the veth workload cannot run here (not root, no `ip`), or undefined. */
export function vethUnavailable(): string | undefined {
  const r = netnsUnavailableReason();
  return r === undefined ? undefined : `veth-udp-64 skipped: ${r}`;
}

/** A veth pair into a namespace with its peer socket, kept for the runs of the workload. */
interface Link {
  readonly ns: ReturnType<typeof createNetns>;
  readonly sink: ChildProcess;
  readonly veth: VethSpec;
}

// By `kernelAddress`: one link with the host address, one bare (DPDK).
const links = new Map<boolean, Promise<Link>>();
// The ones made, for closing synchronously (at exit too).
const made = new Set<Link>();

async function makeLink(kernelAddress: boolean): Promise<Link> {
  const ns = createNetns({ ipv6: false, hostAddress: kernelAddress });
  const sink = ns.spawn(['python3', '-c', SINK, String(PEER_PORT)]);
  try {
    await sinkReady(sink);
  } catch (e) {
    sink.kill('SIGKILL');
    ns.destroy();
    throw e;
  }
  // A /30: the near end is .1 and the peer .2 of the block.
  const peer = ns.peerIPv4.split('.').map(Number);
  const hostIp = ns.hostIPv4 ?? [...peer.slice(0, 3), peer[3]! - 1].join('.');
  const link = {
    ns,
    sink,
    veth: { iface: ns.hostInterface, hostIp, peerIp: ns.peerIPv4, prefix: 30 },
  };
  made.add(link);
  return link;
}

// Frames the peer's interface received so far (ARP included). Not the
// peer's UDP counters: Linux counts a datagram delivered when it is read.
function received(link: Link): number {
  const stats = `/sys/class/net/${link.ns.peerInterface}/statistics/rx_packets`;
  return Number(link.ns.exec(['cat', stats]).trim());
}

/**
 * Runs `body` over a veth pair whose far end is in another network
 * namespace with an address and a UDP socket bound on {@link PEER_PORT}
 * (the kernel there is the peer; testkit's fixture). `kernelAddress`: the
 * near end gets the host address for kernel sockets; without it the end is
 * left bare for DPDK (af_packet), which takes that address itself. The pair
 * is made on first use and kept for the next runs (setting one up costs
 * about a third of a second); {@link closeVeth} deletes them.
 */
export async function overVeth(
  kernelAddress: boolean,
  body: (veth: VethSpec) => Promise<Sample>,
): Promise<Sample> {
  let pending = links.get(kernelAddress);
  if (pending === undefined) {
    pending = makeLink(kernelAddress);
    links.set(kernelAddress, pending);
    pending.catch(() => links.delete(kernelAddress));
  }
  const link = await pending;
  const before = received(link);
  const sample = await body(link.veth);
  // What was counted as sent must have reached the peer.
  const arrived = received(link) - before;
  if (!(arrived >= sample.ops)) {
    throw new Error(
      `the peer's interface received ${arrived} frames, fewer than the ${sample.ops} datagrams sent`,
    );
  }
  return sample;
}

/** Deletes the veth pairs and namespaces {@link overVeth} kept (at the end of the bench). */
export function closeVeth(): void {
  links.clear();
  for (const link of made) {
    link.sink.kill('SIGKILL');
    link.ns.destroy();
  }
  made.clear();
}

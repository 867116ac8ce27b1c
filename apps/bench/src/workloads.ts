import type { DriverWorkload } from './protocol.js';

/** How a workload moves data, which decides who can run it and how. */
export type WorkloadKind =
  | 'file'
  | 'udp'
  | 'tcp-stream'
  | 'tcp-pingpong'
  | 'dpdk-tx'
  | 'dpdk-echo'
  | 'veth-udp';

/** One benchmark workload: the same operation for every subject. */
export interface Workload {
  /** Stable id, used by `--only` and in the JSON. */
  readonly id: string;
  /** One line for humans. */
  readonly title: string;
  readonly kind: WorkloadKind;
  /** Bytes per operation. */
  readonly blockSize: number;
  readonly access?: 'random' | 'sequential';
  readonly op?: 'read' | 'write';
  /**
   * Queue depth by subject style: a synchronous subject can only keep one
   * operation in flight; asynchronous ones (and fio's io_uring) keep more.
   */
  readonly queueDepth: { readonly sync: number; readonly async: number };
  /** Datagrams per call for subjects that batch. */
  readonly batch?: number;
  /** What one operation is called in the table. */
  readonly opName: string;
  /** File reads: the page cache is rebuilt before each run (PLATFORM.md). */
  readonly recache?: boolean;
  /** Run by asynchronous subjects only (sync ones already cover it elsewhere). */
  readonly asyncOnly?: boolean;
  /** DPDK workloads: the virtual device sent into (`dpdk-echo` always uses a ring pair). */
  readonly device?: 'net_null' | 'net_ring';
}

/** Every workload, in the order they run and print. */
export const WORKLOADS: readonly Workload[] = [
  {
    id: 'file-randread-4k',
    title: '4 KiB random reads of a cached file',
    kind: 'file',
    blockSize: 4096,
    access: 'random',
    op: 'read',
    queueDepth: { sync: 1, async: 32 },
    opName: 'read',
    recache: true,
  },
  {
    // The issue's "one in flight" figure for Promise APIs: only asynchronous
    // subjects run it (a sync subject's QD1 run is file-randread-4k itself).
    id: 'file-randread-4k-qd1',
    title: '4 KiB random reads of a cached file, one in flight (async APIs)',
    kind: 'file',
    blockSize: 4096,
    access: 'random',
    op: 'read',
    queueDepth: { sync: 1, async: 1 },
    opName: 'read',
    recache: true,
    asyncOnly: true,
  },
  {
    id: 'file-seqread-128k',
    title: '128 KiB sequential reads of a cached file',
    kind: 'file',
    blockSize: 131072,
    access: 'sequential',
    op: 'read',
    queueDepth: { sync: 1, async: 8 },
    opName: 'read',
    recache: true,
  },
  {
    id: 'file-randwrite-4k',
    title: '4 KiB random writes into the page cache (no fsync)',
    kind: 'file',
    blockSize: 4096,
    access: 'random',
    op: 'write',
    queueDepth: { sync: 1, async: 32 },
    opName: 'write',
  },
  {
    id: 'udp-pps-64',
    title: '64-byte UDP datagrams over loopback, received per second',
    kind: 'udp',
    blockSize: 64,
    queueDepth: { sync: 1, async: 1 },
    batch: 32,
    opName: 'datagram',
  },
  {
    id: 'tcp-stream-64k',
    title: 'TCP stream over loopback, 64 KiB writes',
    kind: 'tcp-stream',
    blockSize: 65536,
    queueDepth: { sync: 1, async: 1 },
    opName: '64 KiB',
  },
  {
    id: 'tcp-pingpong-64',
    title: 'TCP ping-pong over loopback, 64-byte messages',
    kind: 'tcp-pingpong',
    blockSize: 64,
    queueDepth: { sync: 1, async: 1 },
    opName: 'round trip',
  },
  {
    id: 'veth-udp-64',
    title: '64-byte UDP datagrams sent over a veth to a kernel peer in another network namespace',
    kind: 'veth-udp',
    blockSize: 64,
    queueDepth: { sync: 1, async: 1 },
    batch: 32,
    opName: 'datagram sent',
  },
  {
    id: 'dpdk-tx-64',
    title: '64-byte UDP datagrams sent through DPDK (net_null)',
    kind: 'dpdk-tx',
    blockSize: 64,
    queueDepth: { sync: 1, async: 1 },
    // 256 per call from JavaScript, handed to the device in bursts of 32
    // (the C reference does the same): one crossing into native code costs
    // as much as a few hundred nanoseconds of packet work.
    batch: 256,
    opName: 'datagram',
    device: 'net_null',
  },
  {
    id: 'dpdk-tx-ring-64',
    title: '64-byte UDP datagrams sent through DPDK (net_ring, its receive ring drained)',
    kind: 'dpdk-tx',
    blockSize: 64,
    queueDepth: { sync: 1, async: 1 },
    // 256 per call from JavaScript, handed to the device in bursts of 32
    // (the C reference does the same): one crossing into native code costs
    // as much as a few hundred nanoseconds of packet work.
    batch: 256,
    opName: 'datagram',
    device: 'net_ring',
  },
  {
    id: 'dpdk-echo-ring-64',
    title:
      '64-byte UDP datagrams echoed over a DPDK net_ring pair (generator and echo in one process)',
    kind: 'dpdk-echo',
    blockSize: 64,
    queueDepth: { sync: 1, async: 1 },
    batch: 32,
    opName: 'echoed datagram',
    device: 'net_ring',
  },
];

/** The parameters a driver needs for `w` at queue depth `queueDepth`. */
export function driverWorkload(w: Workload, queueDepth: number): DriverWorkload {
  return {
    id: w.id,
    blockSize: w.blockSize,
    access: w.access,
    op: w.op,
    queueDepth,
    batch: w.batch,
    device: w.device,
  };
}

/** Workloads selected by `--only` entries: exact ids, or prefixes such as `file` or `tcp`. */
export function selectWorkloads(only: readonly string[] | undefined): Workload[] {
  if (only === undefined || only.length === 0) return [...WORKLOADS];
  const unknown = only.filter((o) => !WORKLOADS.some((w) => matchesWorkload(w.id, o)));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown workload ${unknown.map((u) => `'${u}'`).join(', ')} (known: ${WORKLOADS.map((w) => w.id).join(', ')})`,
    );
  }
  return WORKLOADS.filter((w) => only.some((o) => matchesWorkload(w.id, o)));
}

/** An entry that names a workload exactly selects only it; otherwise it is a prefix. */
function matchesWorkload(id: string, entry: string): boolean {
  if (WORKLOADS.some((w) => w.id === entry)) return id === entry;
  return id.startsWith(`${entry}-`);
}

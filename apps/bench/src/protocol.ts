/**
 * What the parent and a worker process say to each other. A worker gets one
 * {@link WorkerSpec} as a JSON argument and prints tagged lines on stdout:
 * `ready` once it is listening (paired workloads), then one `result` or one
 * `error`. Anything else it prints is ignored, so a runtime's own warnings
 * cannot corrupt a result. The C helper speaks the same lines.
 */

/** The prefix of every protocol line. */
export const TAG = '@@binio-bench:';

/** Which side of a paired workload a process plays. */
export type Role = 'solo' | 'server' | 'client';

/** The workload parameters a driver needs (a flattened {@link Workload}). */
export interface DriverWorkload {
  /** Workload id, for messages. */
  id: string;
  /** Bytes per operation (read/write size, datagram payload, stream chunk, message). */
  blockSize: number;
  /** File workloads: random or sequential offsets. */
  access?: 'random' | 'sequential';
  /** File workloads: read or write. */
  op?: 'read' | 'write';
  /** Operations kept in flight. */
  queueDepth: number;
  /** Datagrams per batch call where the subject can batch. */
  batch?: number;
  /** DPDK workloads: the virtual device. */
  device?: 'net_null' | 'net_ring';
}

/** How a worker finds and makes a binio engine. */
export interface EngineRef {
  /** Package to import, e.g. `@binio/engine-posix`. */
  package: string;
  /** Exported factory, e.g. `createPosixEngine`. */
  factory: string;
  /** Argument of the factory (JSON). */
  options: Record<string, unknown>;
  /**
   * Addresses for engines whose UDP is not the kernel's (DPDK): where to bind
   * and send; `packed` sends each burst's payloads from one array (the
   * engine's `sendPacked`) instead of filling engine buffers one by one.
   */
  udp?: { bind: string; to: string; packed?: boolean };
}

/** A veth pair whose far end is in another network namespace (the `veth-udp` workloads). */
export interface VethSpec {
  /** The end in the worker's namespace (a kernel interface; DPDK attaches to it by af_packet). */
  iface: string;
  /** The address of this end (the kernel's, or DPDK's when the kernel end has none). */
  hostIp: string;
  /** The peer's address, inside the namespace. */
  peerIp: string;
  /** Prefix length of the link's subnet. */
  prefix: number;
}

/** Everything one worker process needs. */
export interface WorkerSpec {
  /** Driver module name (see `drivers/index.ts`). */
  driver: string;
  role: Role;
  workload: DriverWorkload;
  /** How long the measured loop runs. */
  durationMs: number;
  /** Data file (file workloads). */
  file?: string;
  /** Port of the server (clients of paired workloads). */
  port?: number;
  /** Socket receive buffer to ask for (UDP receivers), the same for every subject. */
  receiveBufferSize?: number;
  /** The engine (binio drivers). */
  engine?: EngineRef;
  /** The link of the `udp-veth` workloads, made by the parent for this run. */
  veth?: VethSpec;
}

/** What a measured run reports. */
export interface WorkerResult {
  /** Operations done (reads, writes, datagrams received, chunks, round trips). */
  ops: number;
  /** Payload bytes moved. */
  bytes: number;
  /** Wall time of the measured loop in nanoseconds. */
  elapsedNs: number;
  /** CPU time (user + system) of the process during the loop, in microseconds. */
  cpuUs: number;
}

/** The `ready` line's payload. */
export interface ReadyInfo {
  port?: number;
}

/** Formats one protocol line. */
export function protocolLine(kind: ProtocolMessage['kind'], payload: unknown): string {
  return `${TAG}${kind} ${JSON.stringify(payload)}\n`;
}

/** A parsed protocol line. */
export type ProtocolMessage =
  | { kind: 'ready'; payload: ReadyInfo }
  | { kind: 'result'; payload: WorkerResult }
  | { kind: 'error'; payload: { message: string } }
  | { kind: 'probe'; payload: ProbeReport };

/** What a probe worker found out about an engine in each mode it tried. */
export interface ProbeReport {
  /** Set when the package itself could not be imported. */
  importError?: { code?: string; message: string };
  /** Per mode: the engine's capabilities, or why it could not be made. */
  modes: Record<string, { capabilities: string[] } | { error: string }>;
}

/** Parses one stdout line; `undefined` when it is not a protocol line. */
export function parseProtocolLine(line: string): ProtocolMessage | undefined {
  if (!line.startsWith(TAG)) return undefined;
  const rest = line.slice(TAG.length);
  const space = rest.indexOf(' ');
  if (space < 0) return undefined;
  const kind = rest.slice(0, space);
  if (kind !== 'ready' && kind !== 'result' && kind !== 'error' && kind !== 'probe')
    return undefined;
  try {
    return { kind, payload: JSON.parse(rest.slice(space + 1)) } as ProtocolMessage;
  } catch {
    return undefined;
  }
}

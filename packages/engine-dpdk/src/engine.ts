import {
  type AddressLike,
  abortError,
  type ByteSource,
  type Capability,
  checkOptions,
  InetSocketAddress,
  type IoEngine,
  IoError,
  lendSource,
  lendTarget,
  type MultiBufferProvider,
  type MultiBufferSink,
  type OpOptions,
  type Outgoing,
  type OutputBuffer,
  type Received,
  type ReceivedBatch,
  settleSource,
  settleTarget,
  toSocketAddress,
  type UdpBasic,
  type UdpBatch,
  type UdpRecv,
  type UdpSend,
  type UdpSocketOptions,
} from '@binio/core';
import { CALLER_STATE, POOLED_STATE } from './core-internals.js';
import { ControlBlock } from './ctl.js';
import { Eal, type PortRef } from './eal.js';
import { type DpdkEngineOptions, type EngineConfig, engineConfig } from './engine-options.js';
import { MbufBuffer, type MbufCounts, MbufPool } from './mbuf-pool.js';
import { loadAddon } from './native/addon.js';
import { callNative } from './native/errors.js';
import type { DeviceStats, DpdkAddon, NativePortInfo } from './native/types.js';
import { DpdkUdpSocket } from './socket.js';
import { type ArpEntry, ArpTable, writeRequest } from './stack/arp.js';
import {
  type DropCounters,
  type DropReason,
  type StackCounters,
  stackCounters,
} from './stack/counters.js';
import { FREE, REPLY, Receiver } from './stack/input.js';
import { formatIp, ipToU32, isLoopback, u32ToIp } from './stack/ipv4.js';
import { Router } from './stack/router.js';
import { TemplateSlots } from './stack/templates.js';
import { formatMac } from './stack/wire.js';

/** What the DPDK engine implements. */
export const DPDK_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'udp.socket',
  'udp.bind',
  'udp.send',
  'udp.recv',
  'udp.close',
  'udp.batch',
  'buffer.provider',
  'buffer.multiProvider',
  'buffer.sink',
  'buffer.multiSink',
]);

/** Options of a receive: those of every operation, and how long to wait. */
export interface DpdkRecvOptions extends OpOptions {
  /** Wait at most this many ms (default: the engine's `receiveTimeout`); 0 polls once. */
  timeout?: number;
}

const SEND_KEYS = ['retryOnInterrupt', 'signal'] as const;
const RECV_KEYS = ['retryOnInterrupt', 'signal', 'timeout'] as const;
const SOCKET_KEYS = [
  'family',
  'reuseAddress',
  'reusePort',
  'receiveBufferSize',
  'sendBufferSize',
] as const;
const LOOPBACK = 0x7f000001;
// `held` value asking a route lookup not to resolve by ARP.
const PROBE = -1;
// How long a send keeps offering a datagram to a full device queue.
const TX_FULL_WAIT_MS = 100;

/** Everything the engine counted. */
export interface DpdkStats extends StackCounters {
  /** Received frames dropped, by reason. */
  drops: DropCounters;
  /** Frames that arrived in another pool's mbufs (the ring loopback) and were copied. */
  copiedFromOtherPool: number;
  /** The device's own counters. */
  device: DeviceStats;
  /** DPDK's counts of the engine's mbuf pool. */
  mbufs: MbufCounts;
}

/** What closing the engine found. */
export interface DpdkCloseReport {
  /** Buffers the caller held and never recycled (taken back). */
  leaked: number;
  /** Of those, buffers an operation held. */
  inFlight: number;
  /** DPDK's counts of the pool after everything was given back. */
  mbufs: MbufCounts & { total: number };
  /** True when some mbufs were still in another port's ring: the pool is freed once they return. */
  lingering: boolean;
}

interface Destination {
  ip: number;
  port: number;
}

interface Hop {
  local: boolean;
  mac: Uint8Array | undefined;
  expires: number;
}

interface CachedRoute {
  dst: Destination;
  hop: Hop;
  slot: number;
  arpGeneration: number;
  templateGeneration: number;
}

/**
 * binio's DPDK engine: UDP over one DPDK port, bypassing the kernel. It owns
 * its buffers (mbufs, seen from JavaScript without copies), builds the
 * Ethernet, IPv4 and UDP headers itself and sends and receives in bursts,
 * with ARP and ICMP echo answered along the way. Synchronous: DPDK is
 * polled, so every wait (a receive, an ARP resolution) polls the devices of
 * every engine on the EAL until it is satisfied or times out.
 */
export class DpdkEngine
  implements
    IoEngine<'sync'>,
    UdpBasic<'sync'>,
    UdpSend<'sync'>,
    UdpRecv<'sync'>,
    UdpBatch<'sync'>,
    MultiBufferProvider<MbufBuffer>,
    MultiBufferSink<MbufBuffer>
{
  /** `'dpdk'`. */
  readonly name = 'dpdk';
  /** `'sync'`: operations return their results directly. */
  readonly mode = 'sync' as const;
  /** UDP basic, send, receive and batch; mbufs as buffer provider and sink. */
  readonly capabilities: ReadonlySet<Capability> = DPDK_CAPABILITIES;
  /** The EAL the engine runs on. */
  readonly eal: Eal;
  /** Its port. */
  readonly port: PortRef;
  /** What the device is (driver, limits, offloads). */
  readonly device: NativePortInfo;
  /** Its mbufs, as binio buffers. */
  readonly pool: MbufPool;
  /** Our MAC (`aa:bb:cc:dd:ee:ff`). */
  readonly mac: string;
  /** Our IPv4 address and prefix (`10.0.0.1/24`). */
  readonly address: string;
  /** The largest UDP payload one datagram can carry (MTU - 28: no fragmentation). */
  readonly maxPayload: number;
  /** True when the device computes the IPv4 and UDP checksums. */
  readonly checksumOffload: boolean;

  readonly #addon: DpdkAddon;
  readonly #cfg: EngineConfig;
  readonly #queue: number;
  readonly #ctl: ControlBlock;
  readonly #mem: Uint8Array;
  readonly #ourIp: number;
  readonly #macBytes: Uint8Array;
  readonly #arp: ArpTable;
  readonly #templates: TemplateSlots;
  readonly #router: Router;
  readonly #rx: Receiver;
  readonly #counters: StackCounters = stackCounters();
  readonly #ports = new Map<number, DpdkUdpSocket[]>();
  readonly #sockets = new Set<DpdkUdpSocket>();
  readonly #freeList: Uint32Array;
  readonly #destinations = new Map<AddressLike, Destination>();
  // Scratch arrays of sendMany (never re-entered: nothing it calls sends).
  readonly #batchIdx: Uint32Array;
  #own = new Int32Array(64);
  #handled = new Uint8Array(64);
  readonly #poolId: number;
  #nextEphemeral = 32768 + Math.floor(Math.random() * 28232);
  #closeReport: DpdkCloseReport | undefined;

  /** @internal use {@link createDpdkEngine} */
  constructor(eal: Eal, port: PortRef, cfg: EngineConfig) {
    const addon = eal.addon;
    this.#addon = addon;
    this.#cfg = cfg;
    this.eal = eal;
    this.port = port;
    const device = callNative('rte_eth_dev_info_get', () => addon.portInfo(port.id));
    this.device = device;
    if (cfg.checksumOffload === true && !device.txUdpChecksumOffload) {
      throw new IoError({
        code: 'ERR_UNSUPPORTED',
        engine: 'dpdk',
        message: `Port '${port.name}' (driver ${device.driver}) cannot compute IPv4/UDP checksums; leave checksumOffload unset`,
      });
    }
    this.checksumOffload = cfg.checksumOffload ?? device.txUdpChecksumOffload;
    this.#macBytes =
      cfg.mac ?? (device.mac.some((b) => b !== 0) ? Uint8Array.from(device.mac) : randomMac());
    this.mac = formatMac(this.#macBytes);
    this.#ourIp = cfg.subnet.ip;
    this.address = `${formatIp(cfg.subnet.ip)}/${cfg.subnet.prefix}`;
    const layout = addon.layout;

    const stride = cfg.mbufSize ?? (device.driver === 'net_af_packet' ? 4096 : 2048);
    eal.claim(port);
    const native = (() => {
      try {
        return callNative('rte_pktmbuf_pool_create', () =>
          addon.poolCreate(`b${port.id}x${poolSeq++}`, cfg.mbufs, cfg.mbufCache, stride),
        );
      } catch (e) {
        eal.release(port);
        throw e;
      }
    })();
    this.#poolId = native.id;
    this.#ctl = new ControlBlock(layout);
    try {
      callNative('rte_eth_dev_start', () =>
        addon.portStart(
          port.id,
          native.id,
          cfg.rxDescriptors,
          cfg.txDescriptors,
          this.checksumOffload,
        ),
      );
      if (cfg.promiscuous) addon.promiscuous(port.id, true);
      this.#queue = addon.queueBind(port.id, native.id, this.#ctl.buffer, this.checksumOffload);
    } catch (e) {
      addon.portStop(port.id);
      addon.poolFree(native.id);
      eal.release(port);
      throw e;
    }
    const roomPayload = native.dataRoom - layout.headroom - layout.udpHeaderBytes;
    this.maxPayload = Math.min(cfg.mtu - 28, roomPayload);
    this.pool = new MbufPool(addon, this.#queue, native, this.#ctl, this.maxPayload);
    this.#mem = this.pool.memory;
    this.#freeList = new Uint32Array(layout.burstMax);
    this.#batchIdx = new Uint32Array(layout.burstMax);
    this.#arp = new ArpTable(cfg.arpTtlMs);
    this.#templates = new TemplateSlots(
      this.#ctl.templates,
      layout.templates,
      layout.templateBytes,
      this.#macBytes,
      cfg.ttl,
    );
    const label = `engine dpdk, port '${port.name}'`;
    this.#router = new Router(
      cfg.subnet,
      cfg.gateway,
      this.#arp,
      this.#counters,
      {
        sendArpRequest: (ip) => this.#sendArpRequest(ip),
        pollAll: () => this.eal.pollAll(),
        label,
      },
      cfg.arpRetries,
      cfg.arpIntervalMs,
    );
    this.#rx = new Receiver(
      this.#mem,
      this.pool._room,
      this.pool._payloadOffset,
      this.maxPayload,
      { mac: this.#macBytes, subnet: cfg.subnet, ttl: cfg.ttl },
      this.#arp,
      this.#counters,
      (dstIp, dstPort, srcIp, srcPort, index, length) =>
        this.#deliver(dstIp, dstPort, srcIp, srcPort, index, length),
    );
    eal.attach(this);
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closeReport !== undefined;
  }

  // ---- buffers -----------------------------------------------------------

  /** One mbuf as a buffer, its bytes where a UDP payload goes (no copy). */
  getBuffer(): MbufBuffer {
    return this.pool.getBuffer();
  }

  /** `n` mbufs, all or none (`ENOBUFS`). */
  getBuffers(n: number): MbufBuffer[] {
    return this.pool.getBuffers(n);
  }

  /** Gives an mbuf back to DPDK. */
  recycleBuffer(buffer: MbufBuffer): void {
    this.pool.recycleBuffer(buffer);
  }

  /** Gives several mbufs back in one call. */
  recycleBuffers(buffers: readonly MbufBuffer[]): void {
    this.pool.recycleBuffers(buffers);
  }

  // ---- sockets -----------------------------------------------------------

  /** A new unbound UDP socket (IPv4 only). */
  createUdpSocket(options?: UdpSocketOptions): DpdkUdpSocket {
    this.#assertOpen();
    const o = checkOptions(options, SOCKET_KEYS, 'UDP socket');
    if (o.family !== undefined && o.family !== 'ipv4') {
      throw new IoError({
        code: o.family === 'ipv6' ? 'EAFNOSUPPORT' : 'ERR_INVALID_ARG_VALUE',
        engine: 'dpdk',
        message: `The DPDK engine's stack speaks IPv4 only; family '${String(o.family)}' is not supported`,
      });
    }
    for (const k of ['reuseAddress', 'reusePort', 'sendBufferSize'] as const) {
      if (o[k] !== undefined && o[k] !== false) {
        throw new IoError({
          code: 'ERR_UNSUPPORTED',
          engine: 'dpdk',
          message: `UDP socket option ${k} is not supported by the DPDK engine (one socket per address and port; datagrams go straight to the device queue)`,
        });
      }
    }
    let queue = this.#cfg.socketQueue;
    if (o.receiveBufferSize !== undefined) {
      if (!Number.isInteger(o.receiveBufferSize) || o.receiveBufferSize < 1) {
        throw new IoError({
          code: 'ERR_OUT_OF_RANGE',
          message: `receiveBufferSize must be a positive integer, got ${String(o.receiveBufferSize)}`,
        });
      }
      // Each queued datagram holds one 2 KiB mbuf.
      queue = Math.max(1, Math.ceil(o.receiveBufferSize / 2048));
    }
    const s = new DpdkUdpSocket(this, queue, this.#cfg.receiveTimeout);
    this.#sockets.add(s);
    return s;
  }

  /** Binds to `0.0.0.0`, our address or a loopback address; port 0 picks a free one. */
  bindUdp(socket: DpdkUdpSocket, address: AddressLike): InetSocketAddress {
    const s = this.#socket(socket);
    const a = this.#inet(address);
    if (s._port !== 0) {
      throw new IoError({
        code: 'EINVAL',
        engine: 'dpdk',
        message: `EINVAL: the socket is already bound to ${s._local}`,
      });
    }
    const ip = ipToU32(a.ip);
    if (ip !== 0 && ip !== this.#ourIp && !isLoopback(ip)) {
      throw new IoError({
        code: 'EADDRNOTAVAIL',
        engine: 'dpdk',
        address: a.toString(),
        message: `EADDRNOTAVAIL: ${a.ip} is not this engine's address (${this.address}); bind to it, 0.0.0.0 or 127.0.0.1`,
      });
    }
    const port = a.port === 0 ? this.#ephemeral(ip) : a.port;
    if (this.#conflicts(ip, port)) {
      throw new IoError({
        code: 'EADDRINUSE',
        engine: 'dpdk',
        address: a.toString(),
        message: `EADDRINUSE: ${a.ip}:${port} is already bound`,
      });
    }
    this.#register(s, ip, port);
    return s._local!;
  }

  /** Closes `socket` (same as `socket.close()`). */
  closeUdp(socket: DpdkUdpSocket): void {
    if (!(socket instanceof DpdkUdpSocket) || socket._owner !== this) {
      throw new IoError({
        code: 'ERR_INVALID_ARG_TYPE',
        engine: 'dpdk',
        message: 'Not a socket of this DPDK engine',
      });
    }
    if (socket.closed) return;
    if (socket._port !== 0) {
      const list = this.#ports.get(socket._port);
      const rest = list?.filter((x) => x !== socket) ?? [];
      if (rest.length > 0) this.#ports.set(socket._port, rest);
      else this.#ports.delete(socket._port);
    }
    const queued = socket._queue.drain();
    if (queued.length > 0) this.pool._free(queued, queued.length);
    this.#sockets.delete(socket);
    socket._markClosed();
  }

  // ---- sending -------------------------------------------------------------

  /**
   * Sends one datagram. A buffer of this engine's pool is sent as it is (no
   * copy) and consumed, as DPDK consumes an mbuf: it goes back to the pool,
   * sent or not, once the send got past checking its arguments. Any other
   * source is copied into an mbuf and stays the caller's. Resolves the next
   * hop by ARP first when needed, holding the datagram meanwhile. Returns
   * the bytes sent.
   */
  send(socket: DpdkUdpSocket, data: ByteSource, to: AddressLike, options?: OpOptions): number {
    const s = this.#socket(socket);
    this.#options(options, SEND_KEYS, 'send');
    const dst = this.#destination(to);
    if (data instanceof MbufBuffer && data._mbufs === this.pool) return this.#sendOwn(s, data, dst);
    const bytes = lendSource(data);
    let sent = 0;
    try {
      this.#checkSize(bytes.length);
      this.#autobind(s);
      const route = this.#routeTo(s, dst, 1)!;
      const index = this.#allocOne();
      this.#mem.set(bytes, this.pool._room[index]! + this.pool._payloadOffset);
      if (route.hop.local) this.#deliverLocal(s, dst, index, bytes.length);
      else this.#sendOne(route.slot, index, bytes.length);
      sent = bytes.length;
      return sent;
    } finally {
      settleSource(data, sent);
    }
  }

  /**
   * Sends datagrams in bursts; returns how many went out, a prefix of
   * `datagrams` (fewer when the device queue or the pool ran full, or a later
   * destination did not answer ARP). Buffers of this engine's pool go out
   * without copies and are consumed, sent or not; other sources are copied.
   * Nothing is lent or sent when an argument is bad.
   */
  sendMany(socket: DpdkUdpSocket, datagrams: readonly Outgoing[], options?: OpOptions): number {
    const s = this.#socket(socket);
    this.#options(options, SEND_KEYS, 'sendMany');
    if (!Array.isArray(datagrams)) {
      throw new IoError({
        code: 'ERR_INVALID_ARG_TYPE',
        message: 'datagrams must be an array of { data, to }',
      });
    }
    // Check everything before anything is lent or sent.
    // Batches usually go to one place: parse each distinct `to` once.
    let lastTo: unknown;
    let lastDst: Destination | undefined;
    const dsts = datagrams.map((d, i) => {
      if (d === null || typeof d !== 'object') {
        throw new IoError({
          code: 'ERR_INVALID_ARG_TYPE',
          message: `datagrams[${i}] must be { data, to }`,
        });
      }
      if (lastDst === undefined || d.to !== lastTo) {
        lastDst = this.#destination(d.to);
        lastTo = d.to;
      }
      return lastDst;
    });
    const count = datagrams.length;
    const lent: Uint8Array[] = [];
    if (this.#own.length < count) {
      this.#own = new Int32Array(count);
      this.#handled = new Uint8Array(count);
    }
    const own = this.#own;
    const handled = this.#handled;
    own.fill(-1, 0, count);
    handled.fill(0, 0, count);
    let accepted = false;
    let sent = 0;
    try {
      for (let i = 0; i < count; i++) {
        const data = datagrams[i]!.data;
        const b = lendSource(data);
        lent.push(b);
        if (data instanceof MbufBuffer && data._mbufs === this.pool)
          own[i] = data.registrationIndex;
        else this.#checkSize(b.length);
      }
      this.#autobind(s);
      accepted = true;
      sent = this.#sendBatch(s, lent, own, handled, dsts);
      return sent;
    } finally {
      const orphans: number[] = [];
      for (let i = 0; i < lent.length; i++) {
        const data = datagrams[i]!.data;
        settleSource(data, i < sent ? lent[i]!.length : 0);
        if (accepted && own[i]! >= 0) {
          // Consumed, sent or not.
          (data as MbufBuffer)._state = POOLED_STATE;
          (data as MbufBuffer)._count = 0;
          if (!handled[i]) orphans.push(own[i]!);
        }
      }
      if (orphans.length > 0) this.pool._free(orphans, orphans.length);
    }
  }

  /**
   * Zero-copy burst send: the mbufs `buffers[0..count)` (filled by the caller,
   * from {@link getBuffers}) go to the device as they are, all to `to`, with
   * one native call per burst. A sent buffer goes back to the pool (the
   * device frees it): do not use it again. Returns how many were sent, the
   * first ones; the rest stay with the caller unchanged.
   */
  transmit(
    socket: DpdkUdpSocket,
    buffers: readonly MbufBuffer[],
    to: AddressLike,
    count = buffers.length,
  ): number {
    const s = this.#socket(socket);
    if (
      !Array.isArray(buffers) ||
      !Number.isInteger(count) ||
      count < 0 ||
      count > buffers.length
    ) {
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        message: `count must be an integer in [0, ${buffers?.length}], got ${count}`,
      });
    }
    const pool = this.pool;
    const dst = this.#destination(to);
    this.#autobind(s);
    let route = this.#routeTo(s, dst, PROBE);
    if (route === undefined) {
      // The next hop must be asked by ARP: check the buffers before asking.
      for (let i = 0; i < count; i++) this.#checkOwn(buffers, i);
      route = this.#routeTo(s, dst, count)!;
    }
    if (route.hop.local) {
      for (let i = 0; i < count; i++) this.#checkOwn(buffers, i);
      for (let i = 0; i < count; i++) {
        const b = buffers[i]!;
        b._state = POOLED_STATE;
        this.#deliverLocal(s, route.dst, b.registrationIndex, b._count);
      }
      return count;
    }
    const ctl = this.#ctl;
    const txIdx = ctl.txIdx;
    const txLen = ctl.txLen;
    const max = this.#addon.layout.burstMax;
    let total = 0;
    while (total < count) {
      const k = Math.min(max, count - total);
      // One pass checks each buffer and describes it to the addon; a bad
      // one throws before anything is sent.
      for (let i = 0; i < k; i++) {
        const b = buffers[total + i];
        if (b === undefined || b._mbufs !== pool || b._state !== CALLER_STATE)
          this.#checkOwn(buffers, total + i);
        txIdx[i] = b!.registrationIndex;
        txLen[i] = b!._count;
      }
      const n = this.#addon.txUdp(this.#queue, k, route.slot);
      // Sent mbufs belong to the device now, and to the pool after it.
      for (let i = 0; i < n; i++) buffers[total + i]!._state = POOLED_STATE;
      total += n;
      if (n < k) break;
    }
    this.#counters.txDatagrams += total;
    return total;
  }

  /**
   * Sends `count` datagrams of `size` bytes each, taken back to back from
   * `data`, all to `to`: one native call per burst allocates the mbufs,
   * copies the payloads in and sends them. For senders that build many
   * payloads in one array (a traffic generator); `data` stays the caller's.
   * Returns how many were sent, the first ones (fewer when the device queue
   * or the pool ran full).
   */
  sendPacked(
    socket: DpdkUdpSocket,
    data: Uint8Array,
    size: number,
    to: AddressLike,
    count?: number,
  ): number {
    const s = this.#socket(socket);
    if (!(data instanceof Uint8Array)) {
      throw new IoError({ code: 'ERR_INVALID_ARG_TYPE', message: 'data must be a Uint8Array' });
    }
    if (!Number.isInteger(size) || size < 0) {
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        message: `size must be a non-negative integer, got ${size}`,
      });
    }
    this.#checkSize(size);
    const most = size === 0 ? 0 : Math.floor(data.length / size);
    const n = count ?? most;
    if (!Number.isInteger(n) || n < 0 || (n > most && size > 0)) {
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        message: `count must be an integer in [0, ${most}], got ${n}`,
      });
    }
    const dst = this.#destination(to);
    this.#autobind(s);
    const route = this.#routeTo(s, dst, n)!;
    if (route.hop.local) {
      for (let i = 0; i < n; i++) this.send(s, data.subarray(i * size, (i + 1) * size), to);
      return n;
    }
    const max = this.#addon.layout.burstMax;
    let total = 0;
    while (total < n) {
      const k = Math.min(max, n - total);
      const chunk = total === 0 ? data : data.subarray(total * size);
      const sent = this.#addon.txPacked(this.#queue, k, route.slot, chunk, size);
      if (sent < 0) {
        if (total === 0) this.#allocOne(); // throws ENOBUFS with the message
        break;
      }
      total += sent;
      if (sent < k) break;
    }
    this.#counters.txDatagrams += total;
    return total;
  }

  /** Throws the precise error for a buffer `transmit` cannot take. */
  #checkOwn(buffers: readonly MbufBuffer[], i: number): void {
    const b = buffers[i];
    if (!(b instanceof MbufBuffer) || b._mbufs !== this.pool) {
      throw new IoError({
        code: 'ERR_BUFFER_FOREIGN',
        engine: 'dpdk',
        message: `buffers[${i}] is not an mbuf of this engine`,
      });
    }
    b.assertOwned('transmit');
  }

  /**
   * Sends one raw Ethernet frame (headers included, as given) out of the
   * port, bypassing the stack: for protocols the stack does not speak, and
   * for tests that must put unusual frames on the link. Returns false when
   * the device queue was full.
   */
  sendFrame(frame: Uint8Array): boolean {
    this.#assertOpen();
    if (!(frame instanceof Uint8Array) || frame.length < 14 || frame.length > this.#cfg.mtu + 14) {
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        engine: 'dpdk',
        message: `A frame must be a Uint8Array of 14 to ${this.#cfg.mtu + 14} bytes`,
      });
    }
    const index = this.#allocOne();
    const headroom = this.#addon.layout.headroom;
    this.#mem.set(frame, this.pool._room[index]! + headroom);
    const ctl = this.#ctl;
    ctl.txIdx[0] = index;
    ctl.txOff[0] = headroom;
    ctl.txLen[0] = frame.length;
    if (this.#addon.txRaw(this.#queue, 1) === 1) return true;
    this.#freeOne(index);
    return false;
  }

  // ---- receiving -----------------------------------------------------------

  /**
   * Receives one datagram into `out`'s free space (a copy), waiting for one
   * (polling) up to the timeout; `EAGAIN` when none came.
   */
  recv(socket: DpdkUdpSocket, out: OutputBuffer, options?: DpdkRecvOptions): Received {
    const s = this.#socket(socket);
    const o = this.#options(options, RECV_KEYS, 'recv');
    const target = lendTarget(out);
    let n = 0;
    try {
      this.#wait(s, o.timeout);
      const q = s._queue;
      const at = q.head;
      const index = q.index[at]!;
      const length = q.length[at]!;
      n = Math.min(length, target.length);
      const from = this.pool._room[index]! + this.pool._payloadOffset;
      target.set(this.#mem.subarray(from, from + n));
      const sender = this.pool._addresses.get(q.srcIp[at]!, q.srcPort[at]!);
      q.shift();
      this.#freeOne(index);
      return { bytes: n, from: sender, truncated: length > n };
    } finally {
      settleTarget(out, n);
    }
  }

  /** Receives up to `buffers.length` datagrams (copies), waiting for the first. */
  recvMany(
    socket: DpdkUdpSocket,
    buffers: readonly OutputBuffer[],
    options?: DpdkRecvOptions,
  ): ReceivedBatch {
    const s = this.#socket(socket);
    const o = this.#options(options, RECV_KEYS, 'recvMany');
    if (!Array.isArray(buffers))
      throw new IoError({
        code: 'ERR_INVALID_ARG_TYPE',
        message: 'buffers must be an array of OutputBuffer',
      });
    const targets: Uint8Array[] = [];
    const got: number[] = [];
    const from: InetSocketAddress[] = [];
    try {
      for (const b of buffers) targets.push(lendTarget(b));
      if (targets.length === 0) return { count: 0, from };
      this.#wait(s, o.timeout);
      const q = s._queue;
      const freed: number[] = [];
      while (got.length < targets.length && q.size > 0) {
        const at = q.head;
        const index = q.index[at]!;
        const t = targets[got.length]!;
        const n = Math.min(q.length[at]!, t.length);
        const start = this.pool._room[index]! + this.pool._payloadOffset;
        t.set(this.#mem.subarray(start, start + n));
        from.push(this.pool._addresses.get(q.srcIp[at]!, q.srcPort[at]!));
        got.push(n);
        freed.push(index);
        q.shift();
      }
      this.pool._free(freed, freed.length);
      return { count: got.length, from };
    } finally {
      for (let i = 0; i < targets.length; i++) settleTarget(buffers[i]!, got[i] ?? 0);
    }
  }

  /**
   * Zero-copy receive: up to `max` datagrams as the mbufs they arrived in
   * (each buffer's `filled` is the payload, `sender` who sent it), waiting
   * for the first. Recycle them when done.
   */
  receive(socket: DpdkUdpSocket, max = this.#cfg.burst, options?: DpdkRecvOptions): MbufBuffer[] {
    const s = this.#socket(socket);
    const o = this.#options(options, RECV_KEYS, 'receive');
    if (!Number.isInteger(max) || max < 1)
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        message: `max must be a positive integer, got ${max}`,
      });
    this.#wait(s, o.timeout);
    const q = s._queue;
    const out: MbufBuffer[] = [];
    while (out.length < max && q.size > 0) {
      const at = q.head;
      const index = q.index[at]!;
      this.pool._srcIp[index] = q.srcIp[at]!;
      this.pool._srcPort[index] = q.srcPort[at]!;
      out.push(this.pool._hand(index, q.length[at]!));
      q.shift();
    }
    return out;
  }

  // ---- the device ------------------------------------------------------------

  /**
   * Receives one burst from the device and runs it through the stack:
   * datagrams to their sockets, ARP and ICMP echo answered, the rest dropped
   * and counted. Returns the frames handled. Waits call this by themselves;
   * call it to keep answering peers while not sending or receiving.
   */
  poll(): number {
    if (this.#closeReport) return 0;
    const n = this.#addon.rx(this.#queue, this.#cfg.burst);
    if (n === 0) return 0;
    const ctl = this.#ctl;
    const now = Date.now();
    const free = this.#freeList;
    let nf = 0;
    let nr = 0;
    for (let i = 0; i < n; i++) {
      const index = ctl.rxIdx[i]!;
      const r = this.#rx.input(index, ctl.rxOff[i]!, ctl.rxLen[i]!, now);
      if (r === FREE) free[nf++] = index;
      else if (r === REPLY) {
        ctl.txIdx[nr] = index;
        ctl.txOff[nr] = ctl.rxOff[i]!;
        ctl.txLen[nr] = this.#rx.replyLength;
        nr++;
      }
    }
    if (nr > 0) {
      const sent = this.#addon.txRaw(this.#queue, nr);
      for (let i = sent; i < nr; i++) free[nf++] = ctl.txIdx[i]!;
      this.#counters.txReplyDropped += nr - sent;
    }
    if (nf > 0) this.pool._free(free, nf);
    this.#counters.rxFrames += n;
    return n;
  }

  /**
   * Drops up to `max` waiting frames unseen, in one native call (the stack
   * does not look at them): to shed load, or to drain a loopback ring.
   * Returns how many were dropped.
   */
  discardReceived(max = this.#addon.layout.burstMax): number {
    if (this.#closeReport) return 0;
    return this.#addon.discard(this.#queue, max);
  }

  /** Everything counted so far, with the device's counters and the pool's. */
  stats(): DpdkStats {
    const c = this.#ctl.counters;
    const drops = { ...this.#rx.drops, multiSegment: c[0]!, poolExhausted: c[2]! };
    return {
      ...this.#counters,
      drops,
      copiedFromOtherPool: c[1]!,
      device: this.#closeReport ? zeroStats() : this.#addon.stats(this.port.id),
      mbufs: this.pool.counts(),
    };
  }

  /** The neighbours ARP taught us. */
  arpEntries(): ArpEntry[] {
    return this.#arp.entries();
  }

  /** Closes the engine (see {@link closeWithReport}). Idempotent. */
  close(): void {
    this.closeWithReport();
  }

  /**
   * Closes every socket, drains the device, stops the port, takes back the
   * buffers the caller still holds (reported as leaked) and frees the pool
   * once DPDK counts every mbuf back; returns what it found. Idempotent.
   */
  closeWithReport(): DpdkCloseReport {
    if (this.#closeReport) return this.#closeReport;
    for (const s of [...this.#sockets]) this.closeUdp(s);
    // Frames still in our RX queue hold mbufs (of ours or a peer's pool).
    // Bounded: some devices (net_null) never run dry.
    const burst = this.#addon.layout.burstMax;
    const rounds = Math.ceil((this.#cfg.rxDescriptors + this.pool.size) / burst);
    for (let r = 0; r < rounds; r++) {
      const n = this.#addon.rx(this.#queue, burst);
      if (n === 0) break;
      this.pool._free(this.#ctl.rxIdx, n);
    }
    this.#addon.portStop(this.port.id);
    const { leaked, inFlight } = this.pool.close();
    const [available, inUse] = this.#addon.poolCounts(this.#poolId);
    const counts = { available, inUse };
    this.pool._closedCounts = counts;
    const lingering = inUse > 0;
    this.#addon.queueUnbind(this.#queue);
    if (lingering) this.eal.linger(this.#poolId);
    else this.#addon.poolFree(this.#poolId);
    this.eal.release(this.port);
    this.eal.detach(this);
    this.#closeReport = {
      leaked,
      inFlight,
      mbufs: { ...counts, total: this.pool.size },
      lingering,
    };
    return this.#closeReport;
  }

  // ---- internals -------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closeReport)
      throw new IoError({
        code: 'ERR_CLOSED',
        engine: 'dpdk',
        message: 'This DPDK engine is closed',
      });
  }

  #socket(socket: DpdkUdpSocket): DpdkUdpSocket {
    if (!(socket instanceof DpdkUdpSocket) || socket._owner !== this) {
      throw new IoError({
        code: 'ERR_INVALID_ARG_TYPE',
        engine: 'dpdk',
        message: 'Not a socket of this DPDK engine',
      });
    }
    if (socket.closed) {
      throw new IoError({
        code: 'EBADF',
        errno: 9,
        engine: 'dpdk',
        message: 'EBADF: the UDP socket is closed',
      });
    }
    return socket;
  }

  #options<T extends OpOptions & { timeout?: number }>(
    options: T | undefined,
    keys: readonly string[],
    what: string,
  ): T {
    const o = checkOptions(options, keys, what);
    if (o.signal?.aborted) throw abortError(o.signal, what);
    if (o.timeout !== undefined && (typeof o.timeout !== 'number' || !(o.timeout >= 0))) {
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        message: `timeout must be a number of ms >= 0, got ${String(o.timeout)}`,
      });
    }
    return o;
  }

  #inet(address: AddressLike): InetSocketAddress {
    const a = toSocketAddress(address);
    if (!(a instanceof InetSocketAddress) || a.family !== 'ipv4') {
      throw new IoError({
        code: 'EAFNOSUPPORT',
        engine: 'dpdk',
        address: String(a),
        message: `EAFNOSUPPORT: the DPDK engine speaks IPv4 only, got ${String(a)}`,
      });
    }
    return a;
  }

  #destination(to: AddressLike): Destination {
    // Senders name the same few destinations over and over, mostly as text:
    // parse each once. Destinations are shared objects, which also keys the
    // per-socket route caches.
    const hit = this.#destinations.get(to);
    if (hit !== undefined) return hit;
    const a = this.#inet(to);
    if (a.port === 0) {
      throw new IoError({
        code: 'EINVAL',
        engine: 'dpdk',
        address: a.toString(),
        message: `EINVAL: cannot send to port 0 (${a})`,
      });
    }
    const dst: Destination = { ip: ipToU32(a.ip), port: a.port };
    if (this.#destinations.size >= 1024) this.#destinations.clear();
    this.#destinations.set(to, dst);
    return dst;
  }

  #checkSize(n: number): void {
    if (n > this.maxPayload) {
      throw new IoError({
        code: 'EMSGSIZE',
        errno: 90,
        engine: 'dpdk',
        message:
          `EMSGSIZE: a ${n}-byte UDP payload does not fit one IPv4 packet on this link ` +
          `(at most ${this.maxPayload} bytes at MTU ${this.#cfg.mtu}); the DPDK engine does not fragment`,
      });
    }
  }

  #ephemeral(ip: number): number {
    for (let i = 0; i < 28232; i++) {
      const p = this.#nextEphemeral;
      this.#nextEphemeral = p === 60999 ? 32768 : p + 1;
      if (!this.#conflicts(ip, p)) return p;
    }
    throw new IoError({
      code: 'EADDRINUSE',
      engine: 'dpdk',
      message: 'EADDRINUSE: no free ephemeral port',
    });
  }

  #conflicts(ip: number, port: number): boolean {
    const list = this.#ports.get(port);
    return list?.some((s) => s._ip === 0 || ip === 0 || s._ip === ip) === true;
  }

  #register(s: DpdkUdpSocket, ip: number, port: number): void {
    s._ip = ip;
    s._port = port;
    s._local = new InetSocketAddress(u32ToIp(ip), port);
    const list = this.#ports.get(port);
    if (list) list.push(s);
    else this.#ports.set(port, [s]);
  }

  #autobind(s: DpdkUdpSocket): void {
    if (s._port === 0) this.#register(s, 0, this.#ephemeral(0));
  }

  #isLocal(ip: number): boolean {
    return ip === this.#ourIp || isLoopback(ip) || ip === 0;
  }

  #sourceIp(s: DpdkUdpSocket, dst: number): number {
    if (s._ip !== 0) return s._ip;
    return isLoopback(dst) ? LOOPBACK : this.#ourIp;
  }

  /**
   * Where datagrams to `dst` go: this host, or a MAC, resolved by ARP while
   * `held` datagrams wait; with `held` = {@link PROBE}, undefined instead of
   * asking.
   */
  #hop(s: DpdkUdpSocket, dst: Destination, held: number): Hop | undefined {
    if (this.#isLocal(dst.ip))
      return { local: true, mac: undefined, expires: Number.POSITIVE_INFINITY };
    if (isLoopback(s._ip)) {
      throw new IoError({
        code: 'EINVAL',
        engine: 'dpdk',
        message: `EINVAL: a socket bound to ${formatIp(s._ip)} can only send to this host, not ${formatIp(dst.ip)}`,
      });
    }
    const e =
      held === PROBE ? this.#router.known(dst.ip, Date.now()) : this.#router.resolve(dst.ip, held);
    return e && { local: false, mac: e.mac, expires: e.expires };
  }

  /**
   * The route from `s` to `dst`: local, or the next hop's MAC and the header
   * template slot. Cached per socket and destination while the ARP table and
   * the templates stay as they were; otherwise resolved (maybe waiting for
   * ARP, with `held` datagrams held) and cached.
   */
  #routeTo(s: DpdkUdpSocket, dst: Destination, held: number): CachedRoute | undefined {
    const cache = s._routes as Map<Destination, CachedRoute>;
    const c = cache.get(dst);
    if (
      c !== undefined &&
      c.arpGeneration === this.#arp.generation &&
      c.templateGeneration === this.#templates.generation &&
      (c.hop.local || Date.now() < c.hop.expires)
    ) {
      return c;
    }
    const hop = this.#hop(s, dst, held);
    if (hop === undefined) return undefined;
    const slot = hop.local ? 0 : this.#slot(s, dst, hop);
    const route: CachedRoute = {
      dst,
      hop,
      slot,
      arpGeneration: this.#arp.generation,
      templateGeneration: this.#templates.generation,
    };
    if (cache.size >= 256) cache.clear();
    cache.set(dst, route);
    return route;
  }

  #slot(s: DpdkUdpSocket, dst: Destination, hop: Hop): number {
    return this.#templates.slotFor({
      srcIp: this.#sourceIp(s, dst.ip),
      srcPort: s._port,
      dstIp: dst.ip,
      dstPort: dst.port,
      dstMac: hop.mac!,
    });
  }

  #allocOne(): number {
    if (this.#addon.alloc(this.#queue, 1) !== 0) {
      throw new IoError({
        code: 'ENOBUFS',
        engine: 'dpdk',
        message: `ENOBUFS: the engine's ${this.pool.size} mbufs are all in use (raise DpdkEngineOptions.mbufs, or recycle buffers)`,
      });
    }
    return this.#ctl.txIdx[0]!;
  }

  #freeOne(index: number): void {
    this.#ctl.freeIdx[0] = index;
    this.#addon.free(this.#queue, 1);
  }

  /** Sends the datagram in mbuf `index` with template `slot`, offering it to a full device queue for a while. */
  #sendOne(slot: number, index: number, length: number): void {
    const ctl = this.#ctl;
    let deadline = 0;
    for (;;) {
      ctl.txIdx[0] = index;
      ctl.txLen[0] = length;
      if (this.#addon.txUdp(this.#queue, 1, slot) === 1) break;
      const now = Date.now();
      if (deadline === 0) deadline = now + TX_FULL_WAIT_MS;
      else if (now > deadline) {
        this.#freeOne(index);
        throw new IoError({
          code: 'EAGAIN',
          errno: 11,
          engine: 'dpdk',
          message: `EAGAIN: the device's transmit queue stayed full for ${TX_FULL_WAIT_MS} ms`,
        });
      }
    }
    this.#counters.txDatagrams++;
  }

  /** Hands the datagram in mbuf `index` to a socket of this engine. */
  #deliverLocal(s: DpdkUdpSocket, dst: Destination, index: number, length: number): void {
    const src = this.#sourceIp(s, dst.ip);
    const why = this.#deliver(
      dst.ip === 0 ? LOOPBACK : dst.ip,
      dst.port,
      src,
      s._port,
      index,
      length,
    );
    if (why !== undefined) {
      this.#rx.drops[why]++;
      this.#freeOne(index);
      return;
    }
    this.#counters.txLocal++;
    this.#counters.rxDatagrams++;
  }

  #deliver(
    dstIp: number,
    dstPort: number,
    srcIp: number,
    srcPort: number,
    index: number,
    length: number,
  ): DropReason | undefined {
    const list = this.#ports.get(dstPort);
    if (!list) return 'noSocket';
    let target: DpdkUdpSocket | undefined;
    for (const s of list) {
      if (s._ip === dstIp) {
        target = s;
        break;
      }
      if (s._ip === 0) target = s;
    }
    if (!target) return 'noSocket';
    return target._queue.push(index, length, srcIp, srcPort) ? undefined : 'queueFull';
  }

  /** Sends the engine buffer `b` without a copy; it is consumed once the send starts. */
  #sendOwn(s: DpdkUdpSocket, b: MbufBuffer, dst: Destination): number {
    b.lend();
    const index = b.registrationIndex;
    const length = b._count;
    let handed = false;
    try {
      this.#autobind(s);
      const route = this.#routeTo(s, dst, 1)!;
      handed = true;
      if (route.hop.local) this.#deliverLocal(s, dst, index, length);
      else this.#sendOne(route.slot, index, length);
      return length;
    } finally {
      b._state = POOLED_STATE;
      b._count = 0;
      if (!handed) this.#freeOne(index);
    }
  }

  /**
   * Sends `payloads` in bursts, each burst all local or all to the wire with
   * at most one template per destination. `own[i]` is the mbuf of an engine
   * buffer (sent as it is) or -1 (copied into a fresh mbuf); `handled[i]` is
   * set once datagram i's mbuf was given to the device or a socket, or freed.
   * Returns how many went.
   */
  #sendBatch(
    s: DpdkUdpSocket,
    payloads: readonly Uint8Array[],
    own: Int32Array,
    handled: Uint8Array,
    dsts: readonly Destination[],
  ): number {
    const ctl = this.#ctl;
    const layout = this.#addon.layout;
    const pool = this.pool;
    const indices = this.#batchIdx;
    const plan: CachedRoute[] = [];
    const flows = new Set<Destination>();
    let sent = 0;
    while (sent < payloads.length) {
      // Plan one burst: route every datagram first (ARP may poll, which
      // reuses the control block), stopping where local meets remote or
      // where the burst would need more templates than there are slots.
      plan.length = 0;
      flows.clear();
      let local: boolean | undefined;
      let copies = 0;
      let lastD: Destination | undefined;
      let route: CachedRoute | undefined;
      while (sent + plan.length < payloads.length && plan.length < layout.burstMax) {
        const i = sent + plan.length;
        const d = dsts[i]!;
        if (d !== lastD) {
          if (!flows.has(d) && flows.size === layout.templates) break;
          try {
            route = this.#routeTo(s, d, 1)!;
          } catch (e) {
            if (i === 0) throw e;
            break;
          }
          if (local !== undefined && route.hop.local !== local) break;
          local = route.hop.local;
          flows.add(d);
          lastD = d;
        }
        plan.push(route!);
        if (own[i]! < 0) copies++;
      }
      if (plan.length === 0) break;
      const k = plan.length;
      if (copies > 0 && this.#addon.alloc(this.#queue, copies) !== 0) {
        if (sent === 0) this.#allocOne(); // throws ENOBUFS with the message
        break;
      }
      for (let i = 0, c = 0; i < k; i++) {
        const o = own[sent + i]!;
        if (o >= 0) {
          indices[i] = o;
          continue;
        }
        const index = ctl.txIdx[c++]!;
        indices[i] = index;
        this.#mem.set(payloads[sent + i]!, pool._room[index]! + pool._payloadOffset);
      }
      if (local) {
        for (let i = 0; i < k; i++) {
          this.#deliverLocal(s, dsts[sent + i]!, indices[i]!, payloads[sent + i]!.length);
          handled[sent + i] = 1;
        }
        sent += k;
        continue;
      }
      for (let i = 0; i < k; i++) {
        ctl.txTsel[i] = plan[i]!.slot;
        ctl.txIdx[i] = indices[i]!;
        ctl.txLen[i] = payloads[sent + i]!.length;
      }
      const n = this.#addon.txUdp(this.#queue, k, layout.perPacketTemplate);
      if (n < k) pool._free(indices.subarray(n, k), k - n);
      handled.fill(1, sent, sent + k);
      this.#counters.txDatagrams += n;
      sent += n;
      if (n < k) break;
    }
    return sent;
  }

  #sendArpRequest(ip: number): void {
    const index = this.#allocOne();
    const headroom = this.#addon.layout.headroom;
    const len = writeRequest(
      this.#mem,
      this.pool._room[index]! + headroom,
      this.#macBytes,
      this.#ourIp,
      ip,
    );
    const ctl = this.#ctl;
    ctl.txIdx[0] = index;
    ctl.txOff[0] = headroom;
    ctl.txLen[0] = len;
    if (this.#addon.txRaw(this.#queue, 1) !== 1) this.#freeOne(index);
  }

  /** Polls until `s` has a datagram or the timeout passes (`EAGAIN`). */
  #wait(s: DpdkUdpSocket, timeout: number | undefined): void {
    const q = s._queue;
    if (q.size > 0) return;
    const limit = timeout ?? s._timeout;
    const deadline = Date.now() + limit;
    for (;;) {
      this.eal.pollAll();
      if (q.size > 0) return;
      if (Date.now() >= deadline) {
        throw new IoError({
          code: 'EAGAIN',
          errno: 11,
          engine: 'dpdk',
          message: `EAGAIN: no datagram arrived for ${s._local ?? 'the unbound socket'} within ${limit} ms`,
        });
      }
    }
  }
}

let poolSeq = 0;

function randomMac(): Uint8Array {
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) mac[i] = Math.floor(Math.random() * 256);
  // Locally administered, unicast.
  mac[0] = (mac[0]! & 0xfc) | 0x02;
  return mac;
}

function zeroStats(): DeviceStats {
  return {
    ipackets: 0,
    opackets: 0,
    ibytes: 0,
    obytes: 0,
    imissed: 0,
    ierrors: 0,
    oerrors: 0,
    rxNoMbuf: 0,
  };
}

/**
 * Opens a DPDK engine on one port. Initialises EAL from `options.eal` when
 * given options (refused if EAL already ran in this process), or uses the
 * running EAL (`Eal.current`) or the `Eal` passed. Everything is checked
 * before DPDK is touched.
 */
export function createDpdkEngine(options: DpdkEngineOptions): DpdkEngine {
  const addon = loadAddon();
  const cfg = engineConfig(options, addon.layout.burstMax);
  let eal: Eal;
  if (options.eal instanceof Eal) eal = options.eal;
  else if (options.eal !== undefined) eal = Eal.init(options.eal);
  else {
    const running = Eal.current;
    if (!running) {
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'dpdk',
        message:
          "DPDK's EAL is not initialised: pass eal options (e.g. { eal: { vdevs: ['net_ring0'] } }) or an Eal",
      });
    }
    eal = running;
  }
  if (!eal.running)
    throw new IoError({ code: 'ERR_CLOSED', engine: 'dpdk', message: 'This EAL was cleaned up' });
  return new DpdkEngine(eal, eal.port(cfg.port), cfg);
}

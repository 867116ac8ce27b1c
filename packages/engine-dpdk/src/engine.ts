import {
  type AddressLike,
  abortError,
  type ByteSource,
  type Capability,
  checkOptions,
  type InetSocketAddress,
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
  type UdpBasic,
  type UdpBatch,
  type UdpRecv,
  type UdpSend,
  type UdpSocketOptions,
} from '@binio/core';
import { POOLED_STATE } from './core-internals.js';
import type { ControlBlock } from './ctl.js';
import { Eal, type PortRef } from './eal.js';
import { closeEngine } from './engine/close.js';
import { openPort } from './engine/open.js';
import { ReceivePath } from './engine/receive.js';
import { type Destination, PROBE, Routes } from './engine/routes.js';
import { SocketTable } from './engine/sockets.js';
import { Transmitter } from './engine/transmit.js';
import {
  DPDK_CAPABILITIES,
  type DpdkCloseReport,
  type DpdkRecvOptions,
  type DpdkStats,
  zeroStats,
} from './engine/types.js';
import { type DpdkEngineOptions, type EngineConfig, engineConfig } from './engine-options.js';
import { MbufBuffer, MbufPool } from './mbuf-pool.js';
import { loadAddon } from './native/addon.js';
import { callNative } from './native/errors.js';
import type { DpdkAddon, NativePortInfo } from './native/types.js';
import type { DpdkUdpSocket } from './socket.js';
import { type ArpEntry, ArpTable } from './stack/arp.js';
import { type StackCounters, stackCounters } from './stack/counters.js';
import { Receiver } from './stack/input.js';
import { formatIp } from './stack/ipv4.js';
import { Router } from './stack/router.js';
import { TemplateSlots } from './stack/templates.js';
import { formatMac } from './stack/wire.js';

export {
  DPDK_CAPABILITIES,
  type DpdkCloseReport,
  type DpdkRecvOptions,
  type DpdkStats,
} from './engine/types.js';

const SEND_KEYS = ['retryOnInterrupt', 'signal'] as const;
const RECV_KEYS = ['retryOnInterrupt', 'signal', 'timeout'] as const;

/**
 * binio's kernel-bypass UDP engine on one DPDK port. The engine owns
 * its buffers (mbufs, seen from JavaScript without copies), builds the
 * Ethernet, IPv4 and UDP headers itself and sends and receives in bursts,
 * with ARP and ICMP echo answered along the way. Synchronous: DPDK is
 * polled, so every wait (a receive, an ARP resolution) polls the devices of
 * every engine on the EAL until it is satisfied or times out.
 *
 * This class checks arguments and keeps buffer ownership; the work is in
 * `engine/`: opening the port, the socket table, routes, the transmit and
 * receive paths, and closing.
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
  readonly #arp: ArpTable;
  readonly #rx: Receiver;
  readonly #counters: StackCounters = stackCounters();
  readonly #sockets: SocketTable;
  readonly #routes: Routes;
  readonly #tx: Transmitter;
  readonly #in: ReceivePath;
  // Scratch arrays of sendMany (never re-entered: nothing it calls sends).
  #own = new Int32Array(64);
  #handled = new Uint8Array(64);
  readonly #poolId: number;
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
    const macBytes =
      cfg.mac ?? (device.mac.some((b) => b !== 0) ? Uint8Array.from(device.mac) : randomMac());
    this.mac = formatMac(macBytes);
    const ourIp = cfg.subnet.ip;
    this.address = `${formatIp(ourIp)}/${cfg.subnet.prefix}`;
    const layout = addon.layout;

    const { native, ctl, queue } = openPort(eal, port, device, cfg, this.checksumOffload);
    this.#poolId = native.id;
    this.#ctl = ctl;
    this.#queue = queue;
    const roomPayload = native.dataRoom - layout.headroom - layout.udpHeaderBytes;
    this.maxPayload = Math.min(cfg.mtu - 28, roomPayload);
    this.pool = new MbufPool(addon, this.#queue, native, this.#ctl, this.maxPayload);
    this.#mem = this.pool.memory;
    this.#arp = new ArpTable(cfg.arpTtlMs);
    const templates = new TemplateSlots(
      this.#ctl.templates,
      layout.templates,
      layout.templateBytes,
      macBytes,
      cfg.ttl,
    );
    const router = new Router(
      cfg.subnet,
      cfg.gateway,
      this.#arp,
      this.#counters,
      {
        sendArpRequest: (ip) => this.#tx.arpRequest(ip),
        pollAll: () => this.eal.pollAll(),
        label: `engine dpdk, port '${port.name}'`,
      },
      cfg.arpRetries,
      cfg.arpIntervalMs,
    );
    this.#sockets = new SocketTable(this, ourIp, this.address);
    this.#routes = new Routes(ourIp, this.#arp, router, templates);
    this.#rx = new Receiver(
      this.#mem,
      this.pool._room,
      this.pool._payloadOffset,
      this.maxPayload,
      { mac: macBytes, subnet: cfg.subnet, ttl: cfg.ttl },
      { ip: layout.rxIpSumGood, udp: layout.rxUdpSumGood },
      this.#arp,
      this.#counters,
      (dstIp, dstPort, srcIp, srcPort, index, length) =>
        this.#sockets.deliver(dstIp, dstPort, srcIp, srcPort, index, length),
    );
    const shared = {
      addon,
      queue: this.#queue,
      ctl: this.#ctl,
      mem: this.#mem,
      pool: this.pool,
      counters: this.#counters,
    };
    this.#tx = new Transmitter({
      ...shared,
      drops: this.#rx.drops,
      routes: this.#routes,
      sockets: this.#sockets,
      mac: macBytes,
      ourIp,
    });
    this.#in = new ReceivePath({ ...shared, rx: this.#rx, eal, burst: cfg.burst });
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
    return this.#sockets.create(options, this.#cfg.socketQueue, this.#cfg.receiveTimeout);
  }

  /** Binds to `0.0.0.0`, our address or a loopback address; port 0 picks a free one. */
  bindUdp(socket: DpdkUdpSocket, address: AddressLike): InetSocketAddress {
    return this.#sockets.bind(this.#sockets.check(socket), address);
  }

  /** Closes `socket` (same as `socket.close()`). */
  closeUdp(socket: DpdkUdpSocket): void {
    this.#sockets.checkOurs(socket);
    if (socket.closed) return;
    const queued = this.#sockets.remove(socket);
    if (queued.length > 0) this.pool._free(queued, queued.length);
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
    const s = this.#sockets.check(socket);
    this.#options(options, SEND_KEYS, 'send');
    const dst = this.#routes.destination(to);
    if (data instanceof MbufBuffer && data._mbufs === this.pool) return this.#sendOwn(s, data, dst);
    const bytes = lendSource(data);
    let sent = 0;
    try {
      this.#checkSize(bytes.length);
      this.#sockets.autobind(s);
      const route = this.#routes.routeTo(s, dst, 1)!;
      const index = this.#tx.allocOne();
      this.#mem.set(bytes, this.pool._room[index]! + this.pool._payloadOffset);
      if (route.hop.local) this.#tx.deliverLocal(s, dst, index, bytes.length);
      else this.#tx.sendOne(route.slot, index, bytes.length);
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
    const s = this.#sockets.check(socket);
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
        lastDst = this.#routes.destination(d.to);
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
      this.#sockets.autobind(s);
      accepted = true;
      sent = this.#tx.batch(s, lent, own, handled, dsts);
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
    const s = this.#sockets.check(socket);
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
    const dst = this.#routes.destination(to);
    this.#sockets.autobind(s);
    let route = this.#routes.routeTo(s, dst, PROBE);
    if (route === undefined) {
      // The next hop must be asked by ARP: check the buffers before asking.
      for (let i = 0; i < count; i++) this.#tx.checkOwn(buffers, i);
      route = this.#routes.routeTo(s, dst, count)!;
    }
    if (route.hop.local) {
      for (let i = 0; i < count; i++) this.#tx.checkOwn(buffers, i);
      for (let i = 0; i < count; i++) {
        const b = buffers[i]!;
        b._state = POOLED_STATE;
        this.#tx.deliverLocal(s, route.dst, b.registrationIndex, b._count);
      }
      return count;
    }
    return this.#tx.burst(buffers, count, route.slot);
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
    const s = this.#sockets.check(socket);
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
    const dst = this.#routes.destination(to);
    this.#sockets.autobind(s);
    const route = this.#routes.routeTo(s, dst, n)!;
    if (route.hop.local) {
      for (let i = 0; i < n; i++) this.send(s, data.subarray(i * size, (i + 1) * size), to);
      return n;
    }
    return this.#tx.packed(data, size, n, route.slot);
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
    return this.#tx.frame(frame);
  }

  // ---- receiving -----------------------------------------------------------

  /**
   * Receives one datagram into `out`'s free space (a copy), waiting for one
   * (polling) up to the timeout; `EAGAIN` when none came.
   */
  recv(socket: DpdkUdpSocket, out: OutputBuffer, options?: DpdkRecvOptions): Received {
    const s = this.#sockets.check(socket);
    const o = this.#options(options, RECV_KEYS, 'recv');
    const target = lendTarget(out);
    let n = 0;
    try {
      this.#in.wait(s, o.timeout ?? s._timeout);
      const got = this.#in.copyOne(s, target);
      n = got.n;
      return { bytes: n, from: got.from, truncated: got.length > n };
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
    const s = this.#sockets.check(socket);
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
      this.#in.wait(s, o.timeout ?? s._timeout);
      this.#in.copyMany(s, targets, got, from);
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
    const s = this.#sockets.check(socket);
    const o = this.#options(options, RECV_KEYS, 'receive');
    if (!Number.isInteger(max) || max < 1)
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        message: `max must be a positive integer, got ${max}`,
      });
    this.#in.wait(s, o.timeout ?? s._timeout);
    return this.#in.take(s, max);
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
    return this.#in.poll();
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
    for (const s of this.#sockets.open) this.closeUdp(s);
    this.#closeReport = closeEngine({
      engine: this,
      addon: this.#addon,
      queue: this.#queue,
      poolId: this.#poolId,
      receive: this.#in,
      rxDescriptors: this.#cfg.rxDescriptors,
    });
    return this.#closeReport;
  }

  // ---- checks ----------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closeReport)
      throw new IoError({
        code: 'ERR_CLOSED',
        engine: 'dpdk',
        message: 'This DPDK engine is closed',
      });
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

  /** Sends the engine buffer `b` without a copy; it is consumed once the send starts. */
  #sendOwn(s: DpdkUdpSocket, b: MbufBuffer, dst: Destination): number {
    b.lend();
    const index = b.registrationIndex;
    const length = b._count;
    let handed = false;
    try {
      this.#sockets.autobind(s);
      const route = this.#routes.routeTo(s, dst, 1)!;
      handed = true;
      if (route.hop.local) this.#tx.deliverLocal(s, dst, index, length);
      else this.#tx.sendOne(route.slot, index, length);
      return length;
    } finally {
      b._state = POOLED_STATE;
      b._count = 0;
      if (!handed) this.#tx.freeOne(index);
    }
  }
}

function randomMac(): Uint8Array {
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) mac[i] = Math.floor(Math.random() * 256);
  // Locally administered, unicast.
  mac[0] = (mac[0]! & 0xfc) | 0x02;
  return mac;
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

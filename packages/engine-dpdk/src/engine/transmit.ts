import { IoError } from '@binio/core';
import { CALLER_STATE, POOLED_STATE } from '../core-internals.js';
import type { ControlBlock } from '../ctl.js';
import { MbufBuffer, type MbufPool } from '../mbuf-pool.js';
import type { DpdkAddon } from '../native/types.js';
import type { DpdkUdpSocket } from '../socket.js';
import { writeRequest } from '../stack/arp.js';
import type { DropCounters, StackCounters } from '../stack/counters.js';
import { type CachedRoute, type Destination, LOOPBACK, type Routes } from './routes.js';
import type { SocketTable } from './sockets.js';

// How long a send keeps offering a datagram to a full device queue.
const TX_FULL_WAIT_MS = 100;

/** What the transmit path works on, made once by the engine. */
export interface TransmitContext {
  readonly addon: DpdkAddon;
  readonly queue: number;
  readonly ctl: ControlBlock;
  readonly mem: Uint8Array;
  readonly pool: MbufPool;
  readonly counters: StackCounters;
  /** Where datagrams to this host that find no socket are counted. */
  readonly drops: DropCounters;
  readonly routes: Routes;
  readonly sockets: SocketTable;
  /** Our MAC and address, for ARP requests. */
  readonly mac: Uint8Array;
  readonly ourIp: number;
}

/**
 * Everything that puts mbufs on the device (or, for this host's own
 * addresses, into a socket): one datagram, zero-copy bursts of engine
 * buffers, packed payloads, planned batches, raw frames and ARP requests.
 * Arguments are checked by the engine before they get here; the burst
 * loops describe mbufs in the shared control block and make one native
 * call per burst.
 */
export class Transmitter {
  readonly #c: TransmitContext;
  readonly #burstMax: number;
  // Scratch of batch (never re-entered: nothing it calls sends).
  readonly #batchIdx: Uint32Array;

  constructor(c: TransmitContext) {
    this.#c = c;
    this.#burstMax = c.addon.layout.burstMax;
    this.#batchIdx = new Uint32Array(this.#burstMax);
  }

  /** One mbuf from the pool; `ENOBUFS` when it is empty. */
  allocOne(): number {
    const c = this.#c;
    if (c.addon.alloc(c.queue, 1) !== 0) {
      throw new IoError({
        code: 'ENOBUFS',
        engine: 'dpdk',
        message: `ENOBUFS: the engine's ${c.pool.size} mbufs are all in use (raise DpdkEngineOptions.mbufs, or recycle buffers)`,
      });
    }
    return c.ctl.txIdx[0]!;
  }

  /** Gives mbuf `index` back to the pool. */
  freeOne(index: number): void {
    this.#c.ctl.freeIdx[0] = index;
    this.#c.addon.free(this.#c.queue, 1);
  }

  /** Sends the datagram in mbuf `index` with template `slot`, offering it to a full device queue for a while. */
  sendOne(slot: number, index: number, length: number): void {
    const { ctl, addon, queue } = this.#c;
    let deadline = 0;
    for (;;) {
      ctl.txIdx[0] = index;
      ctl.txLen[0] = length;
      if (addon.txUdp(queue, 1, slot) === 1) break;
      const now = Date.now();
      if (deadline === 0) deadline = now + TX_FULL_WAIT_MS;
      else if (now > deadline) {
        this.freeOne(index);
        throw new IoError({
          code: 'EAGAIN',
          errno: 11,
          engine: 'dpdk',
          message: `EAGAIN: the device's transmit queue stayed full for ${TX_FULL_WAIT_MS} ms`,
        });
      }
    }
    this.#c.counters.txDatagrams++;
  }

  /** Hands the datagram in mbuf `index` from `s` to a socket of this engine. */
  deliverLocal(s: DpdkUdpSocket, dst: Destination, index: number, length: number): void {
    const c = this.#c;
    const src = c.routes.sourceIp(s, dst.ip);
    const why = c.sockets.deliver(
      dst.ip === 0 ? LOOPBACK : dst.ip,
      dst.port,
      src,
      s._port,
      index,
      length,
    );
    if (why !== undefined) {
      c.drops[why]++;
      this.freeOne(index);
      return;
    }
    c.counters.txLocal++;
    c.counters.rxDatagrams++;
  }

  /** Throws the precise error for a buffer `transmit` cannot take. */
  checkOwn(buffers: readonly MbufBuffer[], i: number): void {
    const b = buffers[i];
    if (!(b instanceof MbufBuffer) || b._mbufs !== this.#c.pool) {
      throw new IoError({
        code: 'ERR_BUFFER_FOREIGN',
        engine: 'dpdk',
        message: `buffers[${i}] is not an mbuf of this engine`,
      });
    }
    b.assertOwned('transmit');
  }

  /**
   * Sends the engine buffers `buffers[0..count)` with template `slot`, one
   * native call per burst; a bad buffer throws before its burst is sent.
   * Sent ones go back to the pool (the device frees them). Returns how many
   * were sent, the first ones.
   */
  burst(buffers: readonly MbufBuffer[], count: number, slot: number): number {
    const { ctl, addon, queue, pool } = this.#c;
    const txIdx = ctl.txIdx;
    const txLen = ctl.txLen;
    let total = 0;
    while (total < count) {
      const k = Math.min(this.#burstMax, count - total);
      // One pass checks each buffer and describes it to the addon.
      for (let i = 0; i < k; i++) {
        const b = buffers[total + i];
        if (b === undefined || b._mbufs !== pool || b._state !== CALLER_STATE)
          this.checkOwn(buffers, total + i);
        txIdx[i] = b!.registrationIndex;
        txLen[i] = b!._count;
      }
      const n = addon.txUdp(queue, k, slot);
      // Sent mbufs belong to the device now, and to the pool after it.
      for (let i = 0; i < n; i++) buffers[total + i]!._state = POOLED_STATE;
      total += n;
      if (n < k) break;
    }
    this.#c.counters.txDatagrams += total;
    return total;
  }

  /**
   * Sends `n` payloads of `size` bytes back to back in `data` with template
   * `slot`: one native call per `layout.packedMax` datagrams
   * allocates, copies and hands them to the device in bursts. Returns how
   * many were sent.
   */
  packed(data: Uint8Array, size: number, n: number, slot: number): number {
    const { addon, queue } = this.#c;
    const most = addon.layout.packedMax;
    let total = 0;
    while (total < n) {
      const k = Math.min(most, n - total);
      const chunk = total === 0 ? data : data.subarray(total * size);
      const sent = addon.txPacked(queue, k, slot, chunk, size);
      if (sent < 0) {
        if (total === 0) this.allocOne(); // throws ENOBUFS with the message
        break;
      }
      total += sent;
      if (sent < k) break;
    }
    this.#c.counters.txDatagrams += total;
    return total;
  }

  /**
   * Sends `payloads` in bursts, each burst all local or all to the wire with
   * at most one template per destination. `own[i]` is the mbuf of an engine
   * buffer (sent as it is) or -1 (copied into a fresh mbuf); `handled[i]` is
   * set once datagram i's mbuf was given to the device or a socket, or freed.
   * Returns how many went.
   */
  batch(
    s: DpdkUdpSocket,
    payloads: readonly Uint8Array[],
    own: Int32Array,
    handled: Uint8Array,
    dsts: readonly Destination[],
  ): number {
    const { ctl, addon, queue, pool, mem, routes } = this.#c;
    const layout = addon.layout;
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
            route = routes.routeTo(s, d, 1)!;
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
      if (copies > 0 && addon.alloc(queue, copies) !== 0) {
        if (sent === 0) this.allocOne(); // throws ENOBUFS with the message
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
        mem.set(payloads[sent + i]!, pool._room[index]! + pool._payloadOffset);
      }
      if (local) {
        for (let i = 0; i < k; i++) {
          this.deliverLocal(s, dsts[sent + i]!, indices[i]!, payloads[sent + i]!.length);
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
      const n = addon.txUdp(queue, k, layout.perPacketTemplate);
      if (n < k) pool._free(indices.subarray(n, k), k - n);
      handled.fill(1, sent, sent + k);
      this.#c.counters.txDatagrams += n;
      sent += n;
      if (n < k) break;
    }
    return sent;
  }

  /** Sends one raw Ethernet frame as given; false when the device queue was full. */
  frame(frame: Uint8Array): boolean {
    const index = this.allocOne();
    return this.#raw(index, (m, at) => {
      m.set(frame, at);
      return frame.length;
    });
  }

  /** Asks the link who has `ip` (a broadcast ARP request). */
  arpRequest(ip: number): void {
    const c = this.#c;
    const index = this.allocOne();
    this.#raw(index, (m, at) => writeRequest(m, at, c.mac, c.ourIp, ip));
  }

  /** Writes a frame into mbuf `index` at its headroom and sends it raw; frees it if the queue was full. */
  #raw(index: number, write: (m: Uint8Array, at: number) => number): boolean {
    const { ctl, addon, queue, pool, mem } = this.#c;
    const headroom = addon.layout.headroom;
    const len = write(mem, pool._room[index]! + headroom);
    ctl.txIdx[0] = index;
    ctl.txOff[0] = headroom;
    ctl.txLen[0] = len;
    if (addon.txRaw(queue, 1) === 1) return true;
    this.freeOne(index);
    return false;
  }
}

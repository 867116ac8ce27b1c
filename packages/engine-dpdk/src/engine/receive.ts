import { type InetSocketAddress, IoError } from '@binio/core';
import type { ControlBlock } from '../ctl.js';
import type { Eal } from '../eal.js';
import type { MbufBuffer, MbufPool } from '../mbuf-pool.js';
import type { DpdkAddon } from '../native/types.js';
import type { DpdkUdpSocket } from '../socket.js';
import type { StackCounters } from '../stack/counters.js';
import { FREE, REPLY, type Receiver } from '../stack/input.js';

/** What the receive path works on, made once by the engine. */
export interface ReceiveContext {
  readonly addon: DpdkAddon;
  readonly queue: number;
  readonly ctl: ControlBlock;
  readonly mem: Uint8Array;
  readonly pool: MbufPool;
  readonly counters: StackCounters;
  readonly rx: Receiver;
  readonly eal: Eal;
  /** Frames per receive burst. */
  readonly burst: number;
}

/**
 * Everything that takes frames off the device and datagrams out of socket
 * queues: a receive burst through the stack (answers included), waiting by
 * polling, and the three ways of handing datagrams to the caller (a copy
 * into one buffer, copies into many, the mbufs themselves).
 */
export class ReceivePath {
  readonly #c: ReceiveContext;
  readonly #freeList: Uint32Array;

  constructor(c: ReceiveContext) {
    this.#c = c;
    this.#freeList = new Uint32Array(c.addon.layout.burstMax);
  }

  /**
   * Receives one burst from the device and runs it through the stack:
   * datagrams to their sockets, ARP and ICMP echo answered in place, the
   * rest dropped and counted. Returns the frames handled.
   */
  poll(): number {
    const { addon, queue, ctl, rx, pool, counters } = this.#c;
    const n = addon.rx(queue, this.#c.burst);
    if (n === 0) return 0;
    const now = Date.now();
    const free = this.#freeList;
    let nf = 0;
    let nr = 0;
    for (let i = 0; i < n; i++) {
      const index = ctl.rxIdx[i]!;
      const r = rx.input(index, ctl.rxOff[i]!, ctl.rxLen[i]!, now, ctl.rxSum[i]);
      if (r === FREE) free[nf++] = index;
      else if (r === REPLY) {
        ctl.txIdx[nr] = index;
        ctl.txOff[nr] = ctl.rxOff[i]!;
        ctl.txLen[nr] = rx.replyLength;
        nr++;
      }
    }
    if (nr > 0) {
      const sent = addon.txRaw(queue, nr);
      for (let i = sent; i < nr; i++) free[nf++] = ctl.txIdx[i]!;
      counters.txReplyDropped += nr - sent;
    }
    if (nf > 0) pool._free(free, nf);
    counters.rxFrames += n;
    return n;
  }

  /** Empties the device's receive queue unseen, at most `rounds` bursts (net_null never runs dry). */
  drainDevice(rounds: number): void {
    const { addon, queue, ctl, pool } = this.#c;
    const burst = addon.layout.burstMax;
    for (let r = 0; r < rounds; r++) {
      const n = addon.rx(queue, burst);
      if (n === 0) break;
      pool._free(ctl.rxIdx, n);
    }
  }

  /** Polls every engine on the EAL until `s` has a datagram or `limit` ms pass (`EAGAIN`). */
  wait(s: DpdkUdpSocket, limit: number): void {
    const q = s._queue;
    if (q.size > 0) return;
    const deadline = Date.now() + limit;
    for (;;) {
      this.#c.eal.pollAll();
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

  /** Copies the oldest datagram of `s` (there is one) into `target`; its mbuf goes back. */
  copyOne(
    s: DpdkUdpSocket,
    target: Uint8Array,
  ): { n: number; length: number; from: InetSocketAddress } {
    const { pool, mem } = this.#c;
    const q = s._queue;
    const at = q.head;
    const index = q.index[at]!;
    const length = q.length[at]!;
    const n = Math.min(length, target.length);
    const start = pool._room[index]! + pool._payloadOffset;
    target.set(mem.subarray(start, start + n));
    const from = pool._addresses.get(q.srcIp[at]!, q.srcPort[at]!);
    q.shift();
    this.#freeList[0] = index;
    pool._free(this.#freeList, 1);
    return { n, length, from };
  }

  /** Copies waiting datagrams of `s` into `targets` in order; `got` and `from` get their sizes and senders. */
  copyMany(
    s: DpdkUdpSocket,
    targets: readonly Uint8Array[],
    got: number[],
    from: InetSocketAddress[],
  ): void {
    const { pool, mem } = this.#c;
    const q = s._queue;
    const freed: number[] = [];
    while (got.length < targets.length && q.size > 0) {
      const at = q.head;
      const index = q.index[at]!;
      const t = targets[got.length]!;
      const n = Math.min(q.length[at]!, t.length);
      const start = pool._room[index]! + pool._payloadOffset;
      t.set(mem.subarray(start, start + n));
      from.push(pool._addresses.get(q.srcIp[at]!, q.srcPort[at]!));
      got.push(n);
      freed.push(index);
      q.shift();
    }
    pool._free(freed, freed.length);
  }

  /** Up to `max` waiting datagrams of `s` as the mbufs they arrived in, now the caller's. */
  take(s: DpdkUdpSocket, max: number): MbufBuffer[] {
    const pool = this.#c.pool;
    const q = s._queue;
    const out: MbufBuffer[] = [];
    while (out.length < max && q.size > 0) {
      const at = q.head;
      const index = q.index[at]!;
      pool._srcIp[index] = q.srcIp[at]!;
      pool._srcPort[index] = q.srcPort[at]!;
      out.push(pool._hand(index, q.length[at]!));
      q.shift();
    }
    return out;
  }
}

import type { Layout } from './native/types.js';

/**
 * Typed views of one queue's control block, the memory JavaScript and the
 * burst functions share so that a burst call takes only a count: JavaScript
 * writes mbuf indices, lengths and header templates here, then calls
 * `txUdp`/`txRaw`/`free`; `rx` and `alloc` write their results here.
 *
 * A region is valid only from its write to the native call right after it:
 * anything that may poll in between (ARP resolution, a wait) can reuse it.
 */
export class ControlBlock {
  /** The whole block (handed to the addon once). */
  readonly buffer: ArrayBuffer;
  /** mbuf indices to send (`txUdp`, `txRaw`) or just allocated (`alloc`). */
  readonly txIdx: Uint32Array;
  /** Payload lengths (`txUdp`) or frame lengths (`txRaw`). */
  readonly txLen: Uint16Array;
  /** Frame offsets in the data room (`txRaw`). */
  readonly txOff: Uint16Array;
  /** Template slot of each packet (`txUdp` with the per-packet slot). */
  readonly txTsel: Uint8Array;
  /** Received mbufs. */
  readonly rxIdx: Uint32Array;
  /** Offset of each received frame in its data room. */
  readonly rxOff: Uint16Array;
  /** Length of each received frame. */
  readonly rxLen: Uint16Array;
  /** Checksums the addon found good in each received frame (`layout.rxIpSumGood`, `rxUdpSumGood`). */
  readonly rxSum: Uint8Array;
  /** mbufs to free. */
  readonly freeIdx: Uint32Array;
  /** Header templates, `templateBytes` apart. */
  readonly templates: Uint8Array;
  /** Counters the addon keeps (multi-segment drops, copies from another pool). */
  readonly counters: Uint32Array;

  constructor(layout: Layout) {
    const b = layout.burstMax;
    this.buffer = new ArrayBuffer(layout.size);
    this.txIdx = new Uint32Array(this.buffer, layout.txIdx, b);
    this.txLen = new Uint16Array(this.buffer, layout.txLen, b);
    this.txOff = new Uint16Array(this.buffer, layout.txOff, b);
    this.txTsel = new Uint8Array(this.buffer, layout.txTsel, b);
    this.rxIdx = new Uint32Array(this.buffer, layout.rxIdx, b);
    this.rxOff = new Uint16Array(this.buffer, layout.rxOff, b);
    this.rxLen = new Uint16Array(this.buffer, layout.rxLen, b);
    this.rxSum = new Uint8Array(this.buffer, layout.rxSum, b);
    this.freeIdx = new Uint32Array(this.buffer, layout.freeIdx, b);
    this.templates = new Uint8Array(
      this.buffer,
      layout.templatesOffset,
      layout.templates * layout.templateBytes,
    );
    this.counters = new Uint32Array(this.buffer, layout.counters, 16);
  }
}

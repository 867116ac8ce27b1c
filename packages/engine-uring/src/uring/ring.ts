import { IoError } from '@binio/core';
import { E, errnoError, MMAN } from '@binio/engine-posix/linux';
import { close, errno, ioUringEnter, ioUringSetup, mmap, munmap, viewNative } from '../sys/libc.js';
import { Scratch } from '../sys/memory.js';
import { Enter, Feature, MmapOffset, Setup, SqFlag } from './abi.js';
import { CQ_OFF, CQE, PARAMS, SQ_OFF, SQE } from './layout.js';
import { registerRingFd, unregisterRingFd } from './register.js';

/** What {@link Ring.create} needs. */
export interface RingSetup {
  /** Submission queue entries (the kernel rounds up to a power of two). */
  entries: number;
  /** Completion queue entries (`IORING_SETUP_CQSIZE`); default twice `entries`. */
  cqEntries?: number;
  /** `IORING_SETUP_*` flags. */
  flags: number;
  /** SQPOLL: milliseconds the kernel thread spins before sleeping. */
  sqThreadIdle?: number;
  /** SQPOLL with `SQ_AFF`: the CPU the kernel thread runs on. */
  sqThreadCpu?: number;
}

/** Called for each completion: `user_data` as two 32-bit halves, `res`, `flags`. */
export type CqeHandler = (dataLo: number, dataHi: number, res: number, flags: number) => void;

const EMPTY_U32 = new Uint32Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U16 = new Uint16Array(0);
const EMPTY_U8 = new Uint8Array(0);
const TWO32 = 4294967296;
// x86-64 keeps stores in order and loads in order (TSO), so plain typed-array
// accesses of the ring indexes are enough there, and much cheaper: Atomics on
// a non-shared buffer is a builtin call, not an instruction. Elsewhere
// (arm64) the ring indexes go through Atomics for their barriers.
const STRONG = process.arch !== 'x64';
const SQE_WORDS = SQE.size / 4;
const CQE_WORDS = CQE.size / 4;

/**
 * One io_uring instance with its three regions (SQ ring, CQ ring, SQE
 * array) mapped into this process and seen from JavaScript as typed arrays
 * over that shared memory. JavaScript writes SQEs and moves the SQ tail,
 * reads CQEs and moves the CQ head; the only native call is
 * `io_uring_enter`, once per batch. Policy (which operation owns which
 * `user_data`, when to submit) lives in the engine above.
 */
export class Ring {
  /** The ring's descriptor. */
  readonly fd: number;
  /** The setup flags the ring was created with. */
  readonly flags: number;
  /** `IORING_FEAT_*` the kernel reported. */
  readonly features: number;
  /** Submission queue size. */
  readonly sqEntries: number;
  /** Completion queue size. */
  readonly cqEntries: number;

  /** The SQ and CQ rings as 32-bit words (head, tail, flags, CQEs …). */
  ring32: Uint32Array;
  /** The same memory, signed (for `cqe->res`). */
  ringI32: Int32Array;
  /** The SQE array as bytes, 16-bit, 32-bit and signed 32-bit words. */
  sqe8: Uint8Array;
  sqe16: Uint16Array;
  sqe32: Uint32Array;
  sqeI32: Int32Array;

  // Word indexes of the ring fields inside ring32.
  readonly #sqHead: number;
  readonly #sqTail: number;
  readonly #sqFlags: number;
  readonly #sqDropped: number;
  readonly #cqHead: number;
  readonly #cqTail: number;
  readonly #cqOverflow: number;
  readonly #cqFlags: number;
  readonly #cqes: number;
  readonly #sqMask: number;
  readonly #cqMask: number;

  /** Our SQ tail: SQEs prepared so far (published to the kernel by {@link submit}). */
  #tail = 0;
  /** SQEs prepared but not yet handed to `io_uring_enter`. */
  #unsubmitted = 0;
  /** What `io_uring_enter` names the ring by: its descriptor, or its registered index (see {@link registerFd}). */
  #enterFd: number;
  /** `IORING_ENTER_REGISTERED_RING` once registered, else 0. */
  #enterFlags = 0;
  readonly #maps: Array<[number, number]>;
  #closed = false;

  private constructor(fd: number, setup: RingSetup, params: Scratch) {
    const p = params.view;
    this.fd = fd;
    this.#enterFd = fd;
    this.flags = setup.flags;
    this.features = p.getUint32(PARAMS.features, true);
    this.sqEntries = p.getUint32(PARAMS.sqEntries, true);
    this.cqEntries = p.getUint32(PARAMS.cqEntries, true);
    const sq = (f: number) => p.getUint32(PARAMS.sqOff + f, true);
    const cq = (f: number) => p.getUint32(PARAMS.cqOff + f, true);
    const sqRingSize = sq(SQ_OFF.array) + this.sqEntries * 4;
    const cqRingSize = cq(CQ_OFF.cqes) + this.cqEntries * CQE.size;
    this.#maps = [];
    if (!(this.features & Feature.SINGLE_MMAP)) {
      throw new IoError({
        code: 'ERR_UNSUPPORTED',
        engine: 'uring',
        message:
          'This kernel lacks IORING_FEAT_SINGLE_MMAP (Linux < 5.4); the uring engine needs Linux 6.1 or later',
      });
    }
    try {
      // IORING_FEAT_SINGLE_MMAP: the SQ and CQ rings share one mapping.
      const size = Math.max(sqRingSize, cqRingSize);
      this.ring32 = new Uint32Array(viewNative(this.#map(fd, size, MmapOffset.SQ_RING), size));
      this.ringI32 = new Int32Array(this.ring32.buffer);
      const sqesSize = this.sqEntries * SQE.size;
      const sqes = viewNative(this.#map(fd, sqesSize, MmapOffset.SQES), sqesSize);
      this.sqe8 = new Uint8Array(sqes);
      this.sqe16 = new Uint16Array(sqes);
      this.sqe32 = new Uint32Array(sqes);
      this.sqeI32 = new Int32Array(sqes);
    } catch (e) {
      this.#unmapAll();
      throw e;
    }
    this.#sqHead = sq(SQ_OFF.head) / 4;
    this.#sqTail = sq(SQ_OFF.tail) / 4;
    this.#sqFlags = sq(SQ_OFF.flags) / 4;
    this.#sqDropped = sq(SQ_OFF.dropped) / 4;
    this.#sqMask = this.ring32[sq(SQ_OFF.ringMask) / 4]!;
    this.#cqHead = cq(CQ_OFF.head) / 4;
    this.#cqTail = cq(CQ_OFF.tail) / 4;
    this.#cqOverflow = cq(CQ_OFF.overflow) / 4;
    this.#cqFlags = cq(CQ_OFF.flags) / 4;
    this.#cqes = cq(CQ_OFF.cqes) / 4;
    this.#cqMask = this.ring32[cq(CQ_OFF.ringMask) / 4]!;
    // The SQ index array maps ring slots to SQEs; binio fills it once with
    // the identity so that SQE i always goes in slot i and JavaScript only
    // ever moves the tail.
    const array = sq(SQ_OFF.array) / 4;
    for (let i = 0; i < this.sqEntries; i++) this.ring32[array + i] = i;
    this.#tail = this.ring32[this.#sqTail]!;
  }

  #map(fd: number, size: number, offset: number): number {
    const addr = mmap(
      0,
      size,
      MMAN.PROT_READ | MMAN.PROT_WRITE,
      MMAN.MAP_SHARED | MMAN.MAP_POPULATE,
      fd,
      offset,
    );
    if (addr === -1) throw errnoError(errno(), { syscall: 'mmap', engine: 'uring' });
    this.#maps.push([addr, size]);
    return addr;
  }

  #unmapAll(): void {
    for (const [addr, size] of this.#maps) munmap(addr, size);
    this.#maps.length = 0;
  }

  /**
   * Creates a ring: `io_uring_setup`, then maps its regions. Throws an
   * IoError from the setup's errno (EPERM when io_uring is disabled, ENOMEM
   * when locked memory is short, EINVAL for flags the kernel refuses).
   */
  static create(setup: RingSetup): Ring {
    const params = new Scratch(PARAMS.size);
    let flags = setup.flags;
    if (setup.cqEntries !== undefined) {
      flags |= Setup.CQSIZE;
      params.view.setUint32(PARAMS.cqEntries, setup.cqEntries, true);
    }
    params.view.setUint32(PARAMS.flags, flags, true);
    if (setup.sqThreadIdle !== undefined)
      params.view.setUint32(PARAMS.sqThreadIdle, setup.sqThreadIdle, true);
    if (setup.sqThreadCpu !== undefined)
      params.view.setUint32(PARAMS.sqThreadCpu, setup.sqThreadCpu, true);
    const fd = ioUringSetup(setup.entries, params.address);
    if (fd < 0) throw errnoError(errno(), { syscall: 'io_uring_setup', engine: 'uring' });
    try {
      return new Ring(fd, { ...setup, flags }, params);
    } catch (e) {
      close(fd);
      throw e;
    }
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** SQEs the SQ can still take before a submit. */
  get sqSpace(): number {
    const head = STRONG ? Atomics.load(this.ring32, this.#sqHead) : this.ring32[this.#sqHead]!;
    return this.sqEntries - ((this.#tail - head) >>> 0);
  }

  /** SQEs prepared and not yet submitted. */
  get unsubmitted(): number {
    return this.#unsubmitted;
  }

  /**
   * Takes the next free SQE and returns the index of its first
   * 32-bit word in {@link sqe32} (byte offset / 4), or -1 when the SQ is full.
   * Its content is stale until {@link prep} rewrites every field.
   */
  nextSqe(): number {
    const tail = this.#tail;
    const head = STRONG ? Atomics.load(this.ring32, this.#sqHead) : this.ring32[this.#sqHead]!;
    if ((tail - head) >>> 0 >= this.sqEntries) return -1;
    const w = (tail & this.#sqMask) * SQE_WORDS;
    this.#tail = (tail + 1) >>> 0;
    this.#unsubmitted++;
    return w;
  }

  /**
   * Writes a whole SQE: the fields every operation has, and zero in all the
   * others (so no stale field of a reused slot survives). `w` is from
   * {@link nextSqe}; `off` and `addr` may be up to 2^53 (−1 for `off` means
   * "the file position"); `dataLo`/`dataHi` become `user_data`.
   */
  prep(
    w: number,
    opcode: number,
    fd: number,
    addr: number,
    len: number,
    off: number,
    dataLo: number,
    dataHi: number,
  ): void {
    const u32 = this.sqe32;
    // Word 0: opcode, flags (0) and ioprio (0).
    u32[w] = opcode;
    this.sqeI32[w + 1] = fd;
    if (off < 0) {
      u32[w + 2] = 0xffffffff;
      u32[w + 3] = 0xffffffff;
    } else {
      u32[w + 2] = off >>> 0;
      u32[w + 3] = (off / TWO32) >>> 0;
    }
    u32[w + 4] = addr >>> 0;
    u32[w + 5] = (addr / TWO32) >>> 0;
    u32[w + 6] = len;
    u32[w + 7] = 0;
    u32[w + 8] = dataLo;
    u32[w + 9] = dataHi;
    u32[w + 10] = 0;
    u32[w + 11] = 0;
    u32[w + 12] = 0;
    u32[w + 13] = 0;
    u32[w + 14] = 0;
    u32[w + 15] = 0;
  }

  /** Sets `sqe->addr` (64-bit). */
  prepAddr(w: number, addr: number): void {
    this.sqe32[w + SQE.addr / 4] = addr >>> 0;
    this.sqe32[w + SQE.addr / 4 + 1] = (addr / TWO32) >>> 0;
  }

  /** Sets `sqe->flags` (IOSQE_*). */
  setFlags(w: number, flags: number): void {
    this.sqe8[w * 4 + SQE.flags] = flags;
  }

  /** Reads `sqe->flags`. */
  getFlags(w: number): number {
    return this.sqe8[w * 4 + SQE.flags]!;
  }

  /** Sets the per-op flags word (`rw_flags`, `open_flags`, `timeout_flags` …). */
  setOpFlags(w: number, flags: number): void {
    this.sqe32[w + SQE.opFlags / 4] = flags >>> 0;
  }

  /** Sets `sqe->ioprio` (also the send/recv/accept flag field). */
  setIoprio(w: number, v: number): void {
    this.sqe16[w * 2 + SQE.ioprio / 2] = v;
  }

  /** Sets `buf_index` / `buf_group`. */
  setBufIndex(w: number, v: number): void {
    this.sqe16[w * 2 + SQE.bufIndex / 2] = v;
  }

  /** Sets `splice_fd_in` / `file_index` (a 32-bit word). */
  setSpliceFdIn(w: number, v: number): void {
    this.sqeI32[w + SQE.spliceFdIn / 4] = v;
  }

  /** Sets `addr3` (64-bit). */
  setAddr3(w: number, v: number): void {
    this.sqe32[w + SQE.addr3 / 4] = v >>> 0;
    this.sqe32[w + SQE.addr3 / 4 + 1] = (v / TWO32) >>> 0;
  }

  /**
   * Gives back the last `n` SQEs taken with {@link nextSqe} and not yet
   * submitted (an operation refused after it took its SQE leaves nothing behind).
   */
  unget(n: number): void {
    this.#tail = (this.#tail - n) >>> 0;
    this.#unsubmitted -= n;
  }

  /**
   * Publishes the prepared SQEs and enters the kernel: submits them and, with
   * `minComplete` > 0 (or `getEvents`), waits for that many completions.
   * Returns the number of SQEs the kernel consumed. EINTR while waiting
   * returns normally (the caller reaps what is there and decides); EAGAIN and
   * EBUSY mean the kernel needs the CQ drained first and return -1.
   */
  submit(minComplete = 0, getEvents = false): number {
    // The syscall below orders this store for the kernel, except under
    // SQPOLL, where the kernel thread reads the tail at any time: there the
    // SQE writes must be visible first and the NEED_WAKEUP read must follow
    // the store, which Atomics.store's full barrier guarantees.
    if (STRONG || this.flags & Setup.SQPOLL) Atomics.store(this.ring32, this.#sqTail, this.#tail);
    else this.ring32[this.#sqTail] = this.#tail;
    let flags = minComplete > 0 || getEvents ? Enter.GETEVENTS : 0;
    let toSubmit = this.#unsubmitted;
    if (this.flags & Setup.SQPOLL) {
      // The kernel thread consumes the SQ itself; enter only to wake it or to wait.
      this.#unsubmitted = 0;
      if (Atomics.load(this.ring32, this.#sqFlags) & SqFlag.NEED_WAKEUP) flags |= Enter.SQ_WAKEUP;
      if (flags === 0) return toSubmit;
      toSubmit = 0;
    } else if (toSubmit === 0 && flags === 0) {
      return 0;
    }
    const n = ioUringEnter(this.#enterFd, toSubmit, minComplete, flags | this.#enterFlags, 0, 0);
    if (n < 0) {
      const e = errno();
      if (e === E.EINTR) return 0;
      if (e === E.EAGAIN || e === E.EBUSY) return -1;
      throw errnoError(e, { syscall: 'io_uring_enter', engine: 'uring' });
    }
    if (!(this.flags & Setup.SQPOLL)) this.#unsubmitted -= n;
    return n;
  }

  /** Completions waiting in the CQ. */
  get cqReady(): number {
    const tail = STRONG ? Atomics.load(this.ring32, this.#cqTail) : this.ring32[this.#cqTail]!;
    return (tail - this.ring32[this.#cqHead]!) >>> 0;
  }

  /** True when the kernel holds completions that did not fit in the CQ. */
  get cqOverflowPending(): boolean {
    const flags = STRONG ? Atomics.load(this.ring32, this.#sqFlags) : this.ring32[this.#sqFlags]!;
    return (flags & SqFlag.CQ_OVERFLOW) !== 0;
  }

  /** Completions the kernel had to drop (should stay 0: binio runs with NODROP). */
  get cqOverflowCount(): number {
    return this.ring32[this.#cqOverflow]!;
  }

  /** SQEs the kernel dropped as invalid. */
  get sqDropped(): number {
    return this.ring32[this.#sqDropped]!;
  }

  /** The CQ ring's flags word (eventfd disable bit). */
  get cqFlags(): number {
    return Atomics.load(this.ring32, this.#cqFlags);
  }

  set cqFlags(v: number) {
    Atomics.store(this.ring32, this.#cqFlags, v);
  }

  /**
   * Calls `handler` for every completion in the CQ, oldest first, and frees
   * their slots. When the kernel holds overflowed completions (CQ was full;
   * with IORING_FEAT_NODROP none is lost), enters the kernel to move them
   * into the CQ and goes on. Returns the number handled.
   */
  reap(handler: CqeHandler): number {
    let total = 0;
    for (;;) {
      const r32 = this.ring32;
      const i32 = this.ringI32;
      let head = r32[this.#cqHead]!;
      const tail = STRONG ? Atomics.load(r32, this.#cqTail) : r32[this.#cqTail]!;
      while (head !== tail) {
        const w = this.#cqes + (head & this.#cqMask) * CQE_WORDS;
        // Free the slot before calling out: the handler may submit and reap.
        head = (head + 1) >>> 0;
        const lo = r32[w]!;
        const hi = r32[w + 1]!;
        const res = i32[w + 2]!;
        const flags = r32[w + 3]!;
        if (STRONG) Atomics.store(r32, this.#cqHead, head);
        else r32[this.#cqHead] = head;
        total++;
        handler(lo, hi, res, flags);
        if (this.#closed) return total;
      }
      if (!this.cqOverflowPending) return total;
      // Flush the kernel's overflow list into the (now empty) CQ.
      if (this.submit(0, true) < 0 && this.cqReady === 0) return total;
    }
  }

  /**
   * Unmaps the rings and closes the descriptor; the kernel cancels whatever
   * is still in flight. The typed arrays are swapped for empty ones first so
   * that no later access can touch unmapped memory.
   */
  /**
   * Registers the ring's descriptor with this thread (see
   * {@link registerRingFd}) so that every enter skips the descriptor
   * lookup. Call before restrictions are enabled (they cover registration
   * too). Returns false, changing nothing, when the kernel refuses.
   */
  registerFd(): boolean {
    if (this.#enterFlags !== 0) return true;
    const index = registerRingFd(this);
    if (index === undefined) return false;
    this.#enterFd = index;
    this.#enterFlags = Enter.REGISTERED_RING;
    return true;
  }

  /** True when enters name the ring by its registered index. */
  get fdRegistered(): boolean {
    return this.#enterFlags !== 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A registered index holds a reference on the ring: without this the
    // ring (and the pages of its registered buffers) would outlive close
    // until the thread exits.
    if (this.#enterFlags !== 0) {
      try {
        unregisterRingFd(this, this.#enterFd);
      } catch {
        // Only a kernel bug fails this; closing goes on.
      }
      this.#enterFlags = 0;
    }
    this.ring32 = EMPTY_U32;
    this.ringI32 = EMPTY_I32;
    this.sqe8 = EMPTY_U8;
    this.sqe16 = EMPTY_U16;
    this.sqe32 = EMPTY_U32;
    this.sqeI32 = EMPTY_I32;
    this.#unmapAll();
    close(this.fd);
  }
}

import type { Capability, InetSocketAddress, UdpSocket } from '@binio/core';

const NO_CAPABILITIES: ReadonlySet<Capability> = new Set();

/**
 * Datagrams waiting for a socket: a ring of mbuf indices with their lengths
 * and senders. The payloads stay in their mbufs until received.
 */
export class DatagramQueue {
  readonly capacity: number;
  readonly index: Uint32Array;
  readonly length: Uint16Array;
  readonly srcIp: Uint32Array;
  readonly srcPort: Uint16Array;
  #head = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.index = new Uint32Array(capacity);
    this.length = new Uint16Array(capacity);
    this.srcIp = new Uint32Array(capacity);
    this.srcPort = new Uint16Array(capacity);
  }

  /** Datagrams waiting. */
  get size(): number {
    return this.#size;
  }

  /** Appends one; false when full. */
  push(index: number, length: number, srcIp: number, srcPort: number): boolean {
    if (this.#size === this.capacity) return false;
    let at = this.#head + this.#size;
    if (at >= this.capacity) at -= this.capacity;
    this.index[at] = index;
    this.length[at] = length;
    this.srcIp[at] = srcIp;
    this.srcPort[at] = srcPort;
    this.#size++;
    return true;
  }

  /** Slot of the oldest datagram (check {@link size} first). */
  get head(): number {
    return this.#head;
  }

  /** Removes the oldest datagram. */
  shift(): void {
    this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
    this.#size--;
  }

  /** Removes everything; returns the mbuf indices that were queued. */
  drain(): number[] {
    const out: number[] = [];
    while (this.#size > 0) {
      out.push(this.index[this.#head]!);
      this.shift();
    }
    return out;
  }
}

/** What the engine does when a socket is closed. */
export interface SocketOwner {
  /** @internal */
  closeUdp(socket: DpdkUdpSocket): void;
}

/**
 * A UDP socket of the DPDK engine: a port in the engine's own demultiplexing
 * table and a queue of received datagrams. Operations go through the engine
 * (`send`, `recv`, `sendMany`, `recvMany`, `transmit`, `receive`).
 */
export class DpdkUdpSocket implements UdpSocket<'sync'> {
  /** Always `'sync'`: DPDK is polled. */
  readonly mode = 'sync' as const;
  /** Always `'ipv4'`. */
  readonly family = 'ipv4' as const;
  /** Nothing beyond the base handle. */
  readonly capabilities: ReadonlySet<Capability> = NO_CAPABILITIES;
  /** @internal */
  readonly _owner: SocketOwner;
  /** @internal received datagrams */
  readonly _queue: DatagramQueue;
  /** @internal receive timeout in ms (Infinity: wait for ever) */
  readonly _timeout: number;
  /** @internal bound IP (0: any), port (0: unbound) */
  _ip = 0;
  /** @internal */
  _port = 0;
  /** @internal */
  _local: InetSocketAddress | undefined;
  /** @internal routes from this socket, by destination (the engine's cache) */
  readonly _routes = new Map<unknown, unknown>();
  #closed = false;

  /** @internal the engine creates sockets */
  constructor(owner: SocketOwner, queueCapacity: number, timeout: number) {
    this._owner = owner;
    this._queue = new DatagramQueue(queueCapacity);
    this._timeout = timeout;
  }

  /** The bound address, once bound (sending binds to a free port first). */
  get localAddress(): InetSocketAddress | undefined {
    return this._local;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the socket: its port is free again and queued datagrams are dropped. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this._owner.closeUdp(this);
  }

  /** @internal */
  _markClosed(): void {
    this.#closed = true;
  }
}

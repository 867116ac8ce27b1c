import {
  type AddressLike,
  type BufferProvider,
  type IoEngine,
  type IoProgram,
  type Mode,
  type Ret,
  type UdpBasic,
  type UdpSend,
  io,
  run,
} from '@binio/core';

/** What the traffic generator needs of an engine, and nothing more. */
export type TrafficEngine<M extends Mode> = IoEngine<M> & BufferProvider & UdpBasic<M> & UdpSend<M>;

/** What to send. */
export interface TrafficOptions {
  /** Where the datagrams go. */
  destination: AddressLike;
  /** Local address to bind (default: any address, a free port). */
  source?: AddressLike;
  /** How many datagrams. */
  packets: number;
  /** Bytes per datagram (at least 8: a sequence number and a marker). */
  payloadSize: number;
}

/** What was sent. */
export interface TrafficReport {
  packets: number;
  bytes: number;
}

/**
 * The proposal's TrafficGenerator: written once against the traits, it runs
 * unchanged on any engine that provides buffers and sends UDP — sync or async,
 * kernel sockets, io_uring or DPDK. Each datagram is built in an engine-owned
 * buffer (an mbuf on DPDK, registered memory on io_uring) and sending hands the
 * buffer back to the engine.
 */
export function* trafficGenerator<M extends Mode>(engine: TrafficEngine<M>, options: TrafficOptions): IoProgram<TrafficReport> {
  const socket = yield* io(engine.createUdpSocket());
  let bytes = 0;
  try {
    yield* io(engine.bindUdp(socket, options.source ?? '0.0.0.0:0'));
    for (let seq = 0; seq < options.packets; seq++) {
      const buffer = engine.getBuffer();
      const payload = buffer.free.subarray(0, options.payloadSize);
      const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      view.setUint32(0, seq);
      view.setUint32(4, 0x62696e69); // 'bini'
      payload.fill(seq & 0xff, 8);
      buffer.commit(options.payloadSize);
      bytes += yield* io(engine.send(socket, buffer, options.destination));
    }
  } finally {
    yield* io(engine.closeUdp(socket));
  }
  return { packets: options.packets, bytes };
}

/** Runs the generator in the engine's mode: a value on sync engines, a Promise on async ones. */
export function runTrafficGenerator<E extends TrafficEngine<Mode>>(engine: E, options: TrafficOptions): Ret<E['mode'], TrafficReport> {
  return run(engine, (e) => trafficGenerator(e, options));
}

/** Reads the sequence number back from a generated datagram (for receivers). */
export function sequenceOf(datagram: Uint8Array): number {
  return new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength).getUint32(0);
}

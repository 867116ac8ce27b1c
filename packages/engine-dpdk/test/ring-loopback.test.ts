import { InputBuffer, OutputBuffer } from '@binio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDpdkEngine, type DpdkEngine, Eal } from '../src/index.js';
import { concat, eth, ipv4, udpFrame } from './support/frames.js';
import { dpdkUnavailableReason, skipWithReason } from './support/skip.js';

// Two ports joined by crossed rings: A's transmit queue is B's receive queue
// and the other way round. Two engines on one EAL talk through them, ARP
// included, as two hosts on a cable would.
const skip = skipWithReason('ring loopback', dpdkUnavailableReason());

describe.skipIf(skip)('two ports over a ring loopback', () => {
  let eal: Eal;
  let a: DpdkEngine;
  let b: DpdkEngine;

  beforeAll(() => {
    eal = Eal.init({ filePrefix: `binio-ring-${process.pid}` });
    const [pa, pb] = eal.ringPair('lpa', 'lpb');
    a = createDpdkEngine({
      eal,
      port: pa.name,
      address: '10.9.0.1/24',
      receiveTimeout: 5000,
      arp: { ttlMs: 2000 },
    });
    b = createDpdkEngine({ eal, port: pb.id, address: '10.9.0.2/24', receiveTimeout: 5000 });
  });

  afterAll(() => {
    if (!a) return;
    a.close();
    b.close();
    if (eal.running) eal.cleanup();
  });

  it('resolves each other by ARP and exchanges datagrams both ways', () => {
    const sa = a.createUdpSocket();
    const sb = b.createUdpSocket();
    const aAddr = a.bindUdp(sa, '10.9.0.1:7000');
    const bAddr = b.bindUdp(sb, '0.0.0.0:7001');
    expect(bAddr.toString()).toBe('0.0.0.0:7001');
    expect(a.send(sa, new TextEncoder().encode('hello b'), '10.9.0.2:7001')).toBe(7);
    const out = OutputBuffer.alloc(100);
    const got = b.recv(sb, out);
    expect(new TextDecoder().decode(out.filled)).toBe('hello b');
    expect(got.from.toString()).toBe(aAddr.toString());
    expect(b.send(sb, new InputBuffer(new TextEncoder().encode('hello a')), got.from)).toBe(7);
    const back = OutputBuffer.alloc(100);
    expect(a.recv(sa, back).from.toString()).toBe('10.9.0.2:7001');
    expect(new TextDecoder().decode(back.filled)).toBe('hello a');
    // Each learned the other's MAC: A asked, B learned from the request.
    expect(a.arpEntries().map((e) => e.ip)).toContain(0x0a090002);
    expect(b.arpEntries().map((e) => e.ip)).toContain(0x0a090001);
    expect(a.stats().arpRequests).toBe(1);
    expect(b.stats().arpReplied).toBe(1);
    expect(b.stats().arpRequests).toBe(0);
    sa.close();
    sb.close();
  });

  it('sends bursts zero-copy from engine buffers and receives them zero-copy', () => {
    const sa = a.createUdpSocket();
    const sb = b.createUdpSocket();
    b.bindUdp(sb, '10.9.0.2:7002');
    const bufs = a.getBuffers(64);
    bufs.forEach((buf, i) => {
      buf.append(Uint8Array.of(i, i + 1, i + 2));
    });
    let sent = 0;
    while (sent < 64) sent += a.transmit(sa, bufs.slice(sent), '10.9.0.2:7002');
    expect(bufs.every((x) => x.ownership === 'pooled')).toBe(true);
    const got = [];
    while (got.length < 64) {
      const r = b.receive(sb, 64);
      for (const x of r) got.push([...x.filled]);
      expect(r[0]!.sender.toString()).toBe(
        sa.localAddress!.toString().replace('0.0.0.0', '10.9.0.1'),
      );
      b.recycleBuffers(r);
    }
    expect(got).toEqual(Array.from({ length: 64 }, (_, i) => [i, i + 1, i + 2]));
    sa.close();
    sb.close();
  });

  it('moves batches in order with sendMany/recvMany', () => {
    const sa = a.createUdpSocket();
    const sb = b.createUdpSocket();
    const to = b.bindUdp(sb, '10.9.0.2:0');
    const batch = Array.from({ length: 100 }, (_, i) => ({
      data: new Uint8Array(i + 1).fill(i),
      to: `10.9.0.2:${to.port}`,
    }));
    let sent = 0;
    while (sent < 100) sent += a.sendMany(sa, batch.slice(sent));
    const lens: number[] = [];
    while (lens.length < 100) {
      const outs = Array.from({ length: 40 }, () => OutputBuffer.alloc(256));
      const r = b.recvMany(sb, outs);
      for (let i = 0; i < r.count; i++) {
        lens.push(outs[i]!.initialized);
        expect(outs[i]!.filled.every((x) => x === lens.length - 1)).toBe(true);
      }
    }
    expect(lens).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    sa.close();
    sb.close();
  });

  it('refuses oversize datagrams and unreachable hosts clearly, leaving no mbuf behind', () => {
    const sa = a.createUdpSocket();
    const before = a.pool.counts().inUse;
    expect(() => a.send(sa, new Uint8Array(1473), '10.9.0.2:9')).toThrow(/EMSGSIZE.*1472/);
    expect(() => a.send(sa, new Uint8Array(8), '10.9.0.77:9')).toThrow(
      /EHOSTUNREACH: no ARP reply from 10\.9\.0\.77/,
    );
    expect(() => a.send(sa, new Uint8Array(8), '192.168.1.1:9')).toThrow(/ENETUNREACH/);
    expect(a.stats().arpFailed).toBe(1);
    expect(a.pool.counts().inUse).toBe(before);
    sa.close();
  });

  it('drops lone fragments, accepts a zero UDP checksum, and forgets expired ARP entries', async () => {
    const sa = a.createUdpSocket();
    a.bindUdp(sa, '10.9.0.1:7010');
    const l2 = { dst: a.mac, src: b.mac };
    const l3 = { src: '10.9.0.2', dst: '10.9.0.1' };
    const data = new TextEncoder().encode('frag');
    const frags = a.stats().drops.fragment;
    b.sendFrame(udpFrame(l2, l3, { sport: 1, dport: 7010 }, data, { ip: { flagsFrag: 0x2000 } }));
    b.sendFrame(
      concat(
        eth(a.mac, b.mac, 0x0800),
        ipv4({ ...l3, proto: 17, payloadLength: 8, flagsFrag: 0x0003 }),
        new Uint8Array(8),
      ),
    );
    // UDP over IPv4 may leave the checksum out (0): accepted.
    b.sendFrame(udpFrame(l2, l3, { sport: 2, dport: 7010 }, data, { udp: { checksum: 0 } }));
    const out = OutputBuffer.alloc(16);
    expect(a.recv(sa, out).from.toString()).toBe('10.9.0.2:2');
    expect(a.stats().drops.fragment).toBe(frags + 2);

    // A learned B two seconds ago at most; once that is over, it asks again.
    const asked = a.stats().arpRequests;
    a.send(sa, data, '10.9.0.2:9');
    expect(a.stats().arpRequests).toBe(asked);
    await new Promise((r) => setTimeout(r, 2100));
    a.send(sa, data, '10.9.0.2:9');
    expect(a.stats().arpRequests).toBe(asked + 1);
    sa.close();
  });

  it('consumes engine buffers given to send and sendMany, sent or not', () => {
    const sa = a.createUdpSocket();
    const sb = b.createUdpSocket();
    b.bindUdp(sb, '10.9.0.2:7011');
    eal.pollAll(); // earlier datagrams still in B's ring hold A's mbufs
    const inUse = a.pool.counts().inUse;
    const one = a.getBuffer();
    one.append(Uint8Array.of(1));
    expect(a.send(sa, one, '10.9.0.2:7011')).toBe(1);
    expect(one.ownership).toBe('pooled');
    const many = a.getBuffers(3);
    many.forEach((x, i) => {
      x.append(Uint8Array.of(10 + i));
    });
    const batch = [
      { data: many[0]!, to: '10.9.0.2:7011' },
      { data: Uint8Array.of(20), to: '10.9.0.2:7011' },
      { data: many[1]!, to: '10.9.0.2:7011' },
      // Nobody answers ARP for .99: the batch stops there, the rest is consumed unsent.
      { data: many[2]!, to: '10.9.0.99:7011' },
    ];
    expect(a.sendMany(sa, batch)).toBe(3);
    expect(many.map((x) => x.ownership)).toEqual(['pooled', 'pooled', 'pooled']);
    const got: number[] = [];
    while (got.length < 4) {
      const out = OutputBuffer.alloc(4);
      b.recv(sb, out);
      got.push(out.filled[0]!);
    }
    expect(got).toEqual([1, 10, 20, 11]);
    expect(a.pool.counts().inUse).toBe(inUse);
    sa.close();
    sb.close();
  });

  it('sends packed payloads in one call per burst', () => {
    const sa = a.createUdpSocket();
    const sb = b.createUdpSocket();
    b.bindUdp(sb, '10.9.0.2:7012');
    const data = Uint8Array.from({ length: 300 * 5 }, (_, i) => Math.floor(i / 5));
    let sent = 0;
    while (sent < 300) sent += a.sendPacked(sa, data.subarray(sent * 5), 5, '10.9.0.2:7012');
    const got: number[] = [];
    while (got.length < 300) {
      for (const x of b.receive(sb, 64)) {
        expect(x.filled).toEqual(new Uint8Array(5).fill(got.length & 255));
        got.push(got.length);
        b.recycleBuffer(x);
      }
    }
    expect(() => a.sendPacked(sa, data, 1473, '10.9.0.2:7012')).toThrow(/EMSGSIZE/);
    expect(() => a.sendPacked(sa, data, 5, '10.9.0.2:7012', 301)).toThrow(
      /count must be an integer in \[0, 300\]/,
    );
    sa.close();
    sb.close();
  });

  it('has every mbuf back in its pool after close, even those left in the peer ring', () => {
    const sa = a.createUdpSocket();
    const sb = b.createUdpSocket();
    b.bindUdp(sb, '10.9.0.2:7003');
    a.send(sa, new Uint8Array(10), '10.9.0.2:7003'); // resolved already: straight to the ring
    const held = a.getBuffers(3); // never recycled: close takes them back
    held[0]!.append(Uint8Array.of(1));
    const inRing = a.getBuffers(5);
    for (const x of inRing) x.append(Uint8Array.of(2));
    expect(a.transmit(sa, inRing, '10.9.0.2:7003')).toBe(5); // B never polls them
    const ra = a.closeWithReport();
    expect(ra.leaked).toBe(3);
    // A's datagrams wait in B's receive ring: A's pool lingers until they return.
    expect(ra.lingering).toBe(true);
    expect(ra.mbufs.inUse).toBe(6);
    expect(eal.lingeringPools).toBe(1);
    const rb = b.closeWithReport();
    expect(rb).toMatchObject({ leaked: 0, inFlight: 0, lingering: false });
    expect(rb.mbufs.inUse).toBe(0);
    expect(rb.mbufs.available).toBe(rb.mbufs.total);
    // B's close drained its ring into A's pool, which is then complete and freed.
    expect(eal.lingeringPools).toBe(0);
    expect(held[0]!.ownership).toBe('pooled');
    expect(() => held[0]!.bytes).toThrow(/recycled/);
    expect(() => a.send(sa, new Uint8Array(1), '10.9.0.2:7003')).toThrow(/EBADF/);
    eal.cleanup();
  });
});

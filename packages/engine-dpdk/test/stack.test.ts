import { describe, expect, it } from 'vitest';
import { ArpTable, parseArp, replyInPlace, writeRequest } from '../src/stack/arp.js';
import { checksum, pseudoSum, verifies, viewOf } from '../src/stack/checksum.js';
import { TemplateSlots } from '../src/stack/templates.js';
import { arpRequest, inetChecksum, udp } from './support/frames.js';

// The TypeScript half of the stack on its own, against frames built
// independently (test/support/frames.ts).
describe('checksums', () => {
  it('agree with an independent implementation, odd lengths and offsets included', () => {
    for (const n of [0, 1, 2, 3, 5, 6, 7, 20, 63, 1472]) {
      for (const at of [0, 1, 2, 3]) {
        const b = Uint8Array.from({ length: at + n }, (_, i) => (i * 31 + 7) & 255);
        expect(checksum(b, at, n)).toBe(inetChecksum(b.subarray(at)));
        // A view that does not start at its buffer's start.
        expect(checksum(b.subarray(at), 0, n)).toBe(inetChecksum(b.subarray(at)));
      }
    }
    // All ones: the largest sums, where a 32-bit word carries most.
    const ones = new Uint8Array(1472).fill(0xff);
    expect(checksum(ones, 0, ones.length)).toBe(inetChecksum(ones));
  });

  it('verify a UDP datagram with its pseudo header', () => {
    const u = udp('10.0.0.2', '10.0.0.1', 4000, 5000, Uint8Array.of(1, 2, 3));
    expect(verifies(viewOf(u), 0, u.length, pseudoSum(0x0a000002, 0x0a000001, u.length))).toBe(
      true,
    );
    u[8]! ^= 1;
    expect(verifies(viewOf(u), 0, u.length, pseudoSum(0x0a000002, 0x0a000001, u.length))).toBe(
      false,
    );
  });
});

describe('ARP', () => {
  it('keeps entries until they expire, and counts changes', () => {
    const t = new ArpTable(1000);
    const mac = Uint8Array.of(2, 0, 0, 0, 0, 9);
    t.learn(1, mac, 0, 0, false);
    expect(t.lookup(1, 0)).toBeUndefined(); // not asked: not created
    t.learn(1, mac, 0, 0, true);
    const g = t.generation;
    expect(t.lookup(1, 999)?.mac).toEqual(mac);
    t.learn(1, mac, 0, 500, false); // refreshed, same MAC: no change
    expect(t.generation).toBe(g);
    expect(t.lookup(1, 1499)).toBeDefined();
    expect(t.lookup(1, 1500)).toBeUndefined();
    expect(t.generation).toBe(g + 1);
  });

  it('answers a request in place and builds requests that parse back', () => {
    const ours = Uint8Array.of(2, 0, 0, 0, 0, 1);
    const req = arpRequest('02:00:00:00:00:02', '10.0.0.2', '10.0.0.1');
    const m = new Uint8Array(64);
    m.set(req, 0);
    expect(parseArp(m, 14, req.length)).toMatchObject({
      op: 1,
      senderIp: 0x0a000002,
      targetIp: 0x0a000001,
    });
    expect(replyInPlace(m, 0, ours, 0x0a000001)).toBe(42);
    expect([...m.subarray(0, 12)]).toEqual([2, 0, 0, 0, 0, 2, ...ours]);
    expect(parseArp(m, 14, 42)).toMatchObject({
      op: 2,
      senderIp: 0x0a000001,
      targetIp: 0x0a000002,
    });
    expect([...m.subarray(32, 38)]).toEqual([2, 0, 0, 0, 0, 2]);
    const n = writeRequest(m, 0, ours, 0x0a000001, 0x0a000003);
    expect(parseArp(m, 14, n)).toMatchObject({ op: 1, senderIp: 0x0a000001, targetIp: 0x0a000003 });
    expect(parseArp(m, 14, 30)).toBe('truncated');
  });
});

describe('header templates', () => {
  it('reuse a slot per flow and recycle the oldest', () => {
    const mem = new Uint8Array(16 * 64);
    const t = new TemplateSlots(mem, 16, 64, Uint8Array.of(2, 0, 0, 0, 0, 1), 64);
    const flow = (p: number) => ({
      srcIp: 1,
      srcPort: 1000,
      dstIp: 2,
      dstPort: p,
      dstMac: Uint8Array.of(2, 0, 0, 0, 0, 2),
    });
    const slots = Array.from({ length: 16 }, (_, i) => t.slotFor(flow(i)));
    expect(new Set(slots).size).toBe(16);
    expect(t.slotFor(flow(3))).toBe(slots[3]);
    expect(t.slotFor(flow(99))).toBe(slots[0]); // flow 0 was the least recently used
    const h = mem.subarray(slots[3]! * 64, slots[3]! * 64 + 42);
    expect([h[12], h[13], h[14], h[20], h[22], h[23]]).toEqual([8, 0, 0x45, 0x40, 64, 17]);
    expect((h[36]! << 8) | h[37]!).toBe(3);
  });
});

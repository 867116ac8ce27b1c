import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InetSocketAddress,
  IPv4Address,
  IPv6Address,
  toSocketAddress,
  UNIX_MAX_NAME_BYTES,
  UnixSocketAddress,
} from '../src/address/index.js';

const port = fc.integer({ min: 0, max: 65535 });
const zone = fc.option(fc.oneof(fc.constantFrom('eth0', 'lo', 'en0.100'), fc.nat().map(String)), {
  nil: undefined,
});
const ip = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => IPv4Address.fromBytes(b)),
  fc
    .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), zone)
    .map(([b, z]) => IPv6Address.fromBytes(b, z)),
  fc.constantFrom(IPv4Address.ANY, IPv4Address.LOOPBACK, IPv6Address.ANY, IPv6Address.LOOPBACK),
);

const utf8 = new TextEncoder();
// A string survives UTF-8 only when it has no unpaired surrogate.
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;

describe('InetSocketAddress properties', () => {
  it('parse(toString()) gives an equal address with the same text', () => {
    fc.assert(
      fc.property(ip, port, (addr, p) => {
        const a = new InetSocketAddress(addr, p);
        const text = a.toString();
        const back = InetSocketAddress.parse(text);
        expect(back.equals(a)).toBe(true);
        expect(back.toString()).toBe(text);
        expect(back.port).toBe(p);
        expect(back.family).toBe(addr.family);
        expect(toSocketAddress(text).equals(a)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a scopeId given as a number round-trips through the text', () => {
    const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => IPv6Address.fromBytes(b));
    fc.assert(
      fc.property(v6, port, fc.integer({ min: 0, max: 0xffff_ffff }), (addr, p, scopeId) => {
        const a = new InetSocketAddress(addr, p, { scopeId });
        const back = InetSocketAddress.parse(a.toString());
        expect(back.scopeId).toBe(scopeId);
        expect(back.equals(a)).toBe(true);
      }),
    );
  });

  it('refuses every port outside 0–65535, as a number and in text', () => {
    const bad = fc.oneof(fc.integer({ min: 65536 }), fc.integer({ max: -1 }));
    fc.assert(
      fc.property(bad, (p) => {
        expect(() => new InetSocketAddress(IPv4Address.LOOPBACK, p)).toThrow(/Invalid port/);
        expect(() => InetSocketAddress.parse(`127.0.0.1:${p}`)).toThrow(
          /out of range|not a decimal number/,
        );
      }),
    );
  });
});

describe('UnixSocketAddress properties', () => {
  it('a path is accepted exactly when its UTF-8 form fits in 107 bytes', () => {
    // Characters of 1 to 4 UTF-8 bytes, plus the two that must be refused
    // (NUL, an unpaired surrogate), in lengths around the 107-byte limit.
    const char = fc.oneof(
      {
        weight: 20,
        arbitrary: fc.constantFrom('a', 'Z', '/', '.', 'é', 'ß', '€', '日', '😀', '𝄞'),
      },
      { weight: 1, arbitrary: fc.constantFrom('\0', '\uD800', '\uDC00') },
    );
    const path = fc.array(char, { maxLength: 110 }).map((cs) => `/${cs.join('')}`);
    fc.assert(
      fc.property(path, (p) => {
        const size = utf8.encode(p).length;
        const valid = !p.includes('\0') && wellFormed(p) && size <= UNIX_MAX_NAME_BYTES;
        let a: UnixSocketAddress | undefined;
        try {
          a = UnixSocketAddress.path(p);
        } catch {
          a = undefined;
        }
        expect(a !== undefined).toBe(valid);
        if (a) {
          expect(a.path).toBe(p);
          expect(a.byteLength).toBe(size + 1);
          expect(new TextDecoder().decode(a.bytes.subarray(0, size))).toBe(p);
          expect(toSocketAddress(a.toString()).equals(a)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('abstract names of 0–107 bytes keep their bytes; longer ones are refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), (name) => {
        if (name.length > UNIX_MAX_NAME_BYTES) {
          expect(() => UnixSocketAddress.abstract(name)).toThrow(/sun_path holds at most 107/);
          return;
        }
        const a = UnixSocketAddress.abstract(name);
        expect(a.abstractName).toEqual(name);
        expect(a.equals(UnixSocketAddress.abstract(name.slice()))).toBe(true);
      }),
    );
  });

  it("printable abstract names round-trip through '@name' text", () => {
    const name = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
      .filter((s) => !/\p{Cc}/u.test(s));
    fc.assert(
      fc.property(name, (n) => {
        const a = UnixSocketAddress.abstract(n);
        expect(a.toString()).toBe(`@${n}`);
        expect(toSocketAddress(a.toString()).equals(a)).toBe(true);
      }),
    );
  });
});

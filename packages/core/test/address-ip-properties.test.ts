import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IPv4Address, IPv6Address } from '../src/address/index.js';

// Zero words are drawn often so runs of zero groups (what '::' compresses) are common.
const word = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constant(0xffff) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
);
const words = fc.array(word, { minLength: 8, maxLength: 8 });
const v4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });

function wordsToBytes(ws: number[]): Uint8Array {
  const out = new Uint8Array(16);
  ws.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

const v6Bytes = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  words.map(wordsToBytes),
  v4Bytes.map((b) => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b)),
);

/**
 * Any RFC 4291 spelling of `ws`: each group in random case and padded with
 * up to 4 digits, any run of zero groups (even a single one, even not the
 * longest) optionally replaced by '::', and the last 32 bits optionally
 * written as a dotted quad.
 */
const spelling = fc
  .record({
    ws: words,
    caseMasks: fc.array(fc.nat(15), { minLength: 8, maxLength: 8 }),
    widths: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 8, maxLength: 8 }),
    compress: fc.boolean(),
    pick: fc.nat(),
    dotted: fc.boolean(),
  })
  .map(({ ws, caseMasks, widths, compress, pick, dotted }) => {
    const hex = ws.map((w, i) => {
      const digits = w.toString(16).padStart(widths[i]!, '0');
      return [...digits].map((c, j) => ((caseMasks[i]! >> j) & 1 ? c.toUpperCase() : c)).join('');
    });
    // Every run of zero words [start, end) that may be compressed.
    const runs: [number, number][] = [];
    for (let s = 0; s < 8; s++) {
      for (let e = s + 1; e <= 8 && ws[e - 1] === 0; e++) runs.push([s, e]);
    }
    const run = compress && runs.length > 0 ? runs[pick % runs.length]! : undefined;
    const useDotted = dotted && (run === undefined || run[1] <= 6);
    const tokens: string[] = hex.slice(0, useDotted ? 6 : 8);
    if (useDotted) {
      tokens.push(`${ws[6]! >> 8}.${ws[6]! & 0xff}.${ws[7]! >> 8}.${ws[7]! & 0xff}`);
    }
    let text: string;
    if (run === undefined) text = tokens.join(':');
    else {
      const [s, e] = run;
      text = `${tokens.slice(0, s).join(':')}::${tokens.slice(e).join(':')}`;
    }
    return { text, bytes: wordsToBytes(ws) };
  });

// One random edit (delete, insert or replace a character) of a valid text:
// near misses exercise the refusals far better than random strings.
const editChars = '0123456789abcdefABCDEFg:.';
function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom(...editChars), fc.constantFrom('del', 'ins', 'rep'))
    .map(([text, at, ch, op]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      if (op === 'del') return text.slice(0, i) + text.slice(i + 1);
      if (op === 'ins') return text.slice(0, i) + ch + text.slice(i);
      return text.slice(0, i) + ch + text.slice(i + 1);
    });
}

function accepts(parse: (t: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('IPv4 properties', () => {
  it('bytes → toString → parse gives the same bytes', () => {
    fc.assert(
      fc.property(v4Bytes, (b) => {
        const text = IPv4Address.fromBytes(b).toString();
        expect(text).toBe([...b].join('.'));
        expect(IPv4Address.parse(text).bytes).toEqual(b);
      }),
    );
  });

  it('fast-check ipV4() parses back to itself', () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        expect(IPv4Address.parse(text).toString()).toBe(text);
      }),
    );
  });

  it('accepts exactly what node:net isIPv4 accepts (inet_aton forms, near misses)', () => {
    const candidates = fc.oneof(fc.ipV4Extended(), mutated(fc.ipV4()));
    fc.assert(
      fc.property(candidates, (text) => {
        expect(accepts(IPv4Address.parse, text)).toBe(isIPv4(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('IPv6 properties', () => {
  it('bytes → toString → parse gives the same bytes', () => {
    fc.assert(
      fc.property(v6Bytes, (b) => {
        expect(IPv6Address.parse(IPv6Address.fromBytes(b).toString()).bytes).toEqual(b);
      }),
      { numRuns: 500 },
    );
  });

  it('toString is canonical and idempotent', () => {
    fc.assert(
      fc.property(v6Bytes, (b) => {
        const text = IPv6Address.fromBytes(b).toString();
        expect(IPv6Address.parse(text).toString()).toBe(text);
        expect(text).toBe(text.toLowerCase());
        expect(text).not.toMatch(/(^|:)0[0-9a-f]/);
        expect(text.split('::').length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
  });

  it('compresses like the WHATWG URL serializer (same RFC 5952 rule), dotted only when mapped', () => {
    fc.assert(
      fc.property(v6Bytes, (b) => {
        const a = IPv6Address.fromBytes(b);
        const text = a.toString();
        if (a.isIPv4Mapped) {
          expect(text).toBe(`::ffff:${[...b.subarray(12)].join('.')}`);
        } else {
          expect(`[${text}]`).toBe(new URL(`http://[${text}]/`).hostname);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('every valid spelling parses to the same address', () => {
    fc.assert(
      fc.property(spelling, ({ text, bytes }) => {
        const a = IPv6Address.parse(text);
        expect(a.bytes).toEqual(bytes);
        expect(a.toString()).toBe(IPv6Address.fromBytes(bytes).toString());
        expect(isIPv6(text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('fast-check ipV6() spellings parse, and agree with the URL parser on the bytes', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const ours = IPv6Address.parse(text);
        const viaUrl = new URL(`http://[${text}]/`).hostname.slice(1, -1);
        expect(ours.bytes).toEqual(IPv6Address.parse(viaUrl).bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts exactly what node:net isIPv6 accepts (near misses of valid spellings)', () => {
    const candidates = mutated(spelling.map((s) => s.text));
    fc.assert(
      fc.property(candidates, (text) => {
        expect(accepts(IPv6Address.parse, text)).toBe(isIPv6(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps any valid zone through toString and parse', () => {
    const zone = fc.oneof(
      fc.constantFrom('eth0', 'lo', 'en0.100', 'wlp3s0', 'br-1a2b'),
      fc.integer({ min: 0, max: 0xffff_ffff }).map(String),
    );
    fc.assert(
      fc.property(v6Bytes, zone, (b, z) => {
        const a = IPv6Address.fromBytes(b, z);
        const back = IPv6Address.parse(a.toString());
        expect(back.zone).toBe(z);
        expect(back.equals(a)).toBe(true);
      }),
    );
  });
});

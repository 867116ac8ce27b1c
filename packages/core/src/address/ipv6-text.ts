/**
 * The IPv6 text forms: every form RFC 4291 §2.2 allows on input (full, `::`
 * compression, a trailing embedded dotted quad) plus an RFC 4007 zone
 * (`%eth0`, `%3`); output in the RFC 5952 canonical form.
 */
import { formatIPv4, parseIPv4Into } from './ipv4-text.js';

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
// Visible ASCII without '%' (the separator), brackets (they delimit the
// address in 'host:port' text) and '/' (a prefix length, never a zone name).
const ZONE = /^[!-$&-.0-Z\\^-~]+$/;
const NUMERIC = /^[0-9]+$/;
const MAX_U32 = 0xffff_ffff;

/**
 * Checks a zone (the text after `%`). Returns `undefined` when valid, or what
 * is wrong. A numeric zone is an interface index and must fit the 32-bit
 * `sin6_scope_id`.
 */
export function zoneProblem(zone: string): string | undefined {
  if (zone === '') return "the zone after '%' is empty";
  if (!ZONE.test(zone)) {
    return `the zone ${JSON.stringify(zone)} may hold only visible ASCII characters other than '%', '/', '[' and ']'`;
  }
  if (NUMERIC.test(zone) && (zone.length > 10 || Number(zone) > MAX_U32)) {
    return `the numeric zone '${zone}' does not fit a 32-bit interface index`;
  }
  return undefined;
}

/** The interface index a numeric zone names, or `undefined` for a named zone (`eth0`). */
export function zoneIndex(zone: string | undefined): number | undefined {
  return zone !== undefined && NUMERIC.test(zone) ? Number(zone) : undefined;
}

/** A successful parse: the 16 bytes and the zone, if one was given. */
export interface ParsedIPv6 {
  /** The 16 address bytes, in network order. */
  readonly bytes: Uint8Array;
  /** The zone after `%`, verbatim. */
  readonly zone: string | undefined;
}

/**
 * Parses IPv6 `text`. Returns the bytes and zone, or a sentence saying what is
 * wrong (the caller wraps it in an error quoting the whole input).
 */
export function parseIPv6Text(text: string): ParsedIPv6 | string {
  let addr = text;
  let zone: string | undefined;
  const percent = text.indexOf('%');
  if (percent >= 0) {
    zone = text.slice(percent + 1);
    addr = text.slice(0, percent);
    const bad = zoneProblem(zone);
    if (bad !== undefined) return bad;
  }
  if (addr === '') return 'the address is empty';
  if (addr[0] === '[')
    return "brackets go around an IPv6 address only when a port follows ('[::1]:80')";
  if (!addr.includes(':')) return "an IPv6 address has groups separated by ':'";
  if (addr.includes(':::')) return "':::' is not valid; '::' stands for a run of zero groups";

  const gap = addr.indexOf('::');
  if (gap >= 0 && addr.indexOf('::', gap + 1) >= 0) {
    return "'::' appears more than once (it may stand for only one run of zero groups)";
  }
  const head = gap < 0 ? addr.split(':') : splitGroups(addr.slice(0, gap));
  const tail = gap < 0 ? [] : splitGroups(addr.slice(gap + 2));
  if (head[0] === '') return "it starts with a single ':' (write '::' for leading zero groups)";
  const last = tail.length > 0 ? tail[tail.length - 1] : head[head.length - 1];
  if (last === '') return "it ends with a single ':' (write '::' for trailing zero groups)";

  const headWords = countWords(head);
  if (typeof headWords === 'string') return headWords;
  const tailWords = countWords(tail);
  if (typeof tailWords === 'string') return tailWords;
  const total = headWords + tailWords;
  const note = addr.includes('.') ? ' (an embedded IPv4 address counts as two)' : '';
  if (gap < 0) {
    if (total !== 8) {
      return `it has ${total} groups${note}; expected 8, or '::' to stand for the zero groups left out`;
    }
  } else if (total > 7) {
    return `it has ${total} groups${note} besides '::', which must stand for at least one zero group (at most 7 allowed)`;
  }

  // Head groups fill from the front, tail groups end at the last byte; what
  // lies between stays zero, which is what '::' stands for.
  const bytes = new Uint8Array(16);
  const headDone = writeGroups(head, bytes, 0, gap < 0 ? head.length - 1 : -1);
  if (headDone !== undefined) return headDone;
  const tailDone = writeGroups(tail, bytes, 2 * (8 - tailWords), tail.length - 1);
  if (tailDone !== undefined) return tailDone;
  return { bytes, zone };
}

/** Formats 16 bytes (and a zone) in the RFC 5952 canonical form. */
export function formatIPv6(bytes: Uint8Array, zone: string | undefined): string {
  const suffix = zone === undefined ? '' : `%${zone}`;
  if (isMappedBytes(bytes)) return `::ffff:${formatIPv4(bytes, 12)}${suffix}`;

  // The longest run of two or more zero groups; the first one on ties (§4.2).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (word(bytes, i) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && word(bytes, j) === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return `${hexGroups(bytes, 0, 8)}${suffix}`;
  const left = hexGroups(bytes, 0, bestStart);
  const right = hexGroups(bytes, bestStart + bestLength, 8);
  return `${left}::${right}${suffix}`;
}

/** True for `::ffff:0:0/96`, the IPv4-mapped block. */
export function isMappedBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function word(bytes: Uint8Array, group: number): number {
  return (bytes[2 * group]! << 8) | bytes[2 * group + 1]!;
}

function hexGroups(bytes: Uint8Array, from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(word(bytes, i).toString(16));
  return parts.join(':');
}

// ''.split(':') gives [''], but an empty side of '::' has no groups at all.
function splitGroups(text: string): string[] {
  return text === '' ? [] : text.split(':');
}

// Groups in 16-bit words: a dotted quad counts two.
function countWords(groups: string[]): number | string {
  let words = 0;
  for (const g of groups) {
    if (g === '') return "a group between ':' is empty";
    words += g.includes('.') ? 2 : 1;
  }
  return words;
}

/**
 * Writes `groups` from byte `at` (their count was checked already); returns
 * what is wrong, if anything. `quadAt` is the only index where a dotted quad
 * may stand (the last group of the whole address), or -1 for none.
 */
function writeGroups(
  groups: string[],
  out: Uint8Array,
  at: number,
  quadAt: number,
): string | undefined {
  for (const [i, g] of groups.entries()) {
    if (g.includes('.')) {
      if (i !== quadAt) return `the embedded IPv4 address '${g}' may only stand at the end`;
      const bad = parseIPv4Into(g, out, at);
      if (bad !== undefined) return `in the embedded IPv4 address '${g}', ${bad}`;
      at += 4;
      continue;
    }
    if (!HEX_GROUP.test(g)) {
      return g.length > 4 && /^[0-9a-fA-F]+$/.test(g)
        ? `the group '${g}' has more than 4 hex digits`
        : `the group ${JSON.stringify(g)} is not hexadecimal`;
    }
    const value = Number.parseInt(g, 16);
    out[at] = value >> 8;
    out[at + 1] = value & 0xff;
    at += 2;
  }
  return undefined;
}

/**
 * The IPv4 text form: strict dotted quad only. The historical `inet_aton`
 * shortcuts (`127.1`, `0x7f.0.0.1`, `0177.0.0.1`) are refused because
 * different parsers read them differently (a leading zero is octal to some,
 * decimal to others), which has been the root of SSRF filter bypasses.
 */

const DIGITS = /^[0-9]+$/;

/**
 * Parses dotted-quad `text` into `out[offset..offset+4]`. Returns `undefined`
 * on success, or a sentence saying what is wrong; the caller wraps it in an
 * error that quotes the whole input (which may be a larger IPv6 or socket
 * address text).
 */
export function parseIPv4Into(text: string, out: Uint8Array, offset: number): string | undefined {
  if (text.includes(':'))
    return "it contains ':', which IPv4 addresses do not (use parseIP for either family)";
  const parts = text.split('.');
  if (parts.length !== 4) {
    return `expected four decimal numbers separated by '.', found ${parts.length} part${
      parts.length === 1 ? '' : 's'
    } (shorthand forms like '127.1' are not accepted)`;
  }
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    const which = `part ${i + 1}`;
    if (part === '') return `${which} is empty`;
    if (!DIGITS.test(part)) {
      return `${which} ${JSON.stringify(part)} is not a decimal number (hex, octal and signs are not accepted)`;
    }
    if (part.length > 1 && part[0] === '0') {
      return `${which} '${part}' has a leading zero (octal-looking forms are not accepted)`;
    }
    if (part.length > 3 || Number(part) > 255) return `${which} '${part}' is greater than 255`;
    out[offset + i] = Number(part);
  }
  return undefined;
}

/** Formats the four bytes at `bytes[offset..]` as a dotted quad. */
export function formatIPv4(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

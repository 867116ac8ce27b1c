/** `IPAddress` and `parseIP`: either family, chosen from the text. */
import { IPv4Address } from './ipv4.js';
import { parseIPv4Into } from './ipv4-text.js';
import { IPv6Address } from './ipv6.js';
import { parseIPv6Text } from './ipv6-text.js';
import { invalidAddress, invalidType } from './refuse.js';

/** An IP address of either family; narrow on `family`. */
export type IPAddress = IPv4Address | IPv6Address;

// Letters beyond hex digits cannot appear in an IP literal: the text is a host name.
const NAME_LIKE = /[g-zG-Z_]/;

/**
 * Parses an IPv4 or IPv6 literal: text with a `:` is IPv6, any other text
 * IPv4. Host names are refused (nothing here resolves names). Fails with
 * `ERR_INVALID_ADDRESS` saying what is wrong.
 */
export function parseIP(text: string): IPAddress {
  if (typeof text !== 'string') throw invalidType('parseIP', 'a string', text);
  const ip = parseIPText(text);
  if (typeof ip === 'string') throw invalidAddress('IP address', text, ip);
  return ip;
}

/**
 * Parses an IP literal, returning the address or a sentence saying what is
 * wrong, so a caller parsing a larger text (`host:port`) can quote that.
 */
export function parseIPText(text: string): IPAddress | string {
  if (text.includes(':') && !text.startsWith('[')) {
    const parsed = parseIPv6Text(text);
    if (typeof parsed === 'string') return parsed;
    return IPv6Address.fromBytes(parsed.bytes, parsed.zone);
  }
  if (text.startsWith('[')) {
    return "brackets go around an IPv6 address only when a port follows ('[::1]:80')";
  }
  const bytes = new Uint8Array(4);
  const problem = parseIPv4Into(text, bytes, 0);
  if (problem === undefined) return IPv4Address.fromBytes(bytes);
  if (text === '') return 'the address is empty';
  if (NAME_LIKE.test(text)) {
    return 'it is not an IP address literal (host names are not resolved here)';
  }
  return problem;
}

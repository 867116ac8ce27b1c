import { describe, expect, it } from 'vitest';
import { IPv4Address, IPv6Address, parseIP } from '../src/address/index.js';
import { refusal } from './refusal.js';


const canon = (text: string) => IPv6Address.parse(text).toString();

describe('IPv6Address.parse: RFC 4291 §2.2 text forms', () => {
  it.each([
    ['ABCD:EF01:2345:6789:ABCD:EF01:2345:6789', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789'],
    ['2001:DB8:0:0:8:800:200C:417A', '2001:db8::8:800:200c:417a'],
    ['2001:DB8::8:800:200C:417A', '2001:db8::8:800:200c:417a'],
    ['FF01:0:0:0:0:0:0:101', 'ff01::101'],
    ['FF01::101', 'ff01::101'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::', '::'],
    ['0:0:0:0:0:0:13.1.68.3', '::d01:4403'],
    ['::13.1.68.3', '::d01:4403'],
    ['0:0:0:0:0:FFFF:129.144.52.38', '::ffff:129.144.52.38'],
    ['::FFFF:129.144.52.38', '::ffff:129.144.52.38'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['1::1.2.3.4', '1::102:304'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['1::8', '1::8'],
    ['1::', '1::'],
  ])('%s → %s', (text, expected) => {
    expect(canon(text)).toBe(expected);
  });
});

describe('IPv6Address.toString: RFC 5952 canonical form', () => {
  // §2.1: all of these are the same address.
  it.each([
    '2001:db8:0:0:1:0:0:1',
    '2001:0db8:0:0:1:0:0:1',
    '2001:db8::1:0:0:1',
    '2001:db8::0:1:0:0:1',
    '2001:0db8::1:0:0:1',
    '2001:db8:0:0:1::1',
    '2001:db8:0000:0:1::1',
    '2001:DB8:0:0:1::1',
  ])('§2.1 %s → 2001:db8::1:0:0:1 (first of two equal runs)', (text) => {
    expect(canon(text)).toBe('2001:db8::1:0:0:1');
  });

  it.each([
    // §2.2 a: leading zeros
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:01', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    // §2.2 b / §4.2.2: one zero group is not compressed
    ['2001:db8:aaaa:bbbb:cccc:dddd::1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:0:1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // §2.2 c: the longest run, compressed fully
    ['2001:db8:0:0:0::1', '2001:db8::1'],
    ['2001:db8:0:0::1', '2001:db8::1'],
    ['2001:db8:0::1', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8::0001', '2001:db8::1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    // §2.2 d / §4.2.3: the longest run wins, else the first
    ['2001:db8::aaaa:0:0:1', '2001:db8::aaaa:0:0:1'],
    ['2001:db8:0:0:aaaa::1', '2001:db8::aaaa:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // §2.3 / §4.3: lowercase
    ['2001:db8::aaaa', '2001:db8::aaaa'],
    ['2001:db8::AAAA', '2001:db8::aaaa'],
    ['2001:db8::AaAa', '2001:db8::aaaa'],
    ['2001:DB8::1', '2001:db8::1'],
    // §5: IPv4-mapped in dotted form; other embeddings in hex
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:ffff:0:0', '::ffff:0.0.0.0'],
    ['::192.0.2.1', '::c000:201'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['::ffff:0:192.0.2.1', '::ffff:0:c000:201'],
  ])('%s → %s', (text, expected) => {
    expect(canon(text)).toBe(expected);
  });
});

describe('IPv6Address zones', () => {
  it.each([
    ['fe80::1%eth0', 'eth0', 'fe80::1%eth0', undefined],
    ['FE80:0:0:0:0:0:0:1%3', '3', 'fe80::1%3', 3],
    ['fe80::1%en0.100', 'en0.100', 'fe80::1%en0.100', undefined],
    ['::ffff:1.2.3.4%lo', 'lo', '::ffff:1.2.3.4%lo', undefined],
    ['fe80::1%4294967295', '4294967295', 'fe80::1%4294967295', 4294967295],
  ])('%s keeps zone %s', (text, zone, out, index) => {
    const a = IPv6Address.parse(text);
    expect(a.zone).toBe(zone);
    expect(a.zoneIndex).toBe(index);
    expect(a.toString()).toBe(out);
  });

  it('counts the zone in equality, and withZone changes only the zone', () => {
    const a = IPv6Address.parse('fe80::1%eth0');
    expect(a.equals(IPv6Address.parse('fe80::1%eth0'))).toBe(true);
    expect(a.equals(IPv6Address.parse('fe80::1%eth1'))).toBe(false);
    expect(a.equals(IPv6Address.parse('fe80::1'))).toBe(false);
    expect(a.withZone(undefined).equals(IPv6Address.parse('fe80::1'))).toBe(true);
    expect(a.withZone('eth0')).toBe(a);
    expect(IPv6Address.fromBytes(a.bytes, '7').toString()).toBe('fe80::1%7');
  });

  it('refuses bad zones given as arguments', () => {
    expect(refusal(() => IPv6Address.LOOPBACK.withZone('')).code).toBe('ERR_INVALID_ADDRESS');
    expect(refusal(() => IPv6Address.fromBytes(new Uint8Array(16), 'a b')).code).toBe(
      'ERR_INVALID_ADDRESS',
    );
    expect(
      refusal(() => IPv6Address.fromBytes(new Uint8Array(16), 3 as unknown as string)).code,
    ).toBe('ERR_INVALID_ARG_TYPE');
  });
});

describe('IPv6Address.parse refuses malformed text', () => {
  it.each([
    ['', 'the address is empty'],
    ['%eth0', 'the address is empty'],
    [':', "single ':'"],
    [':::', "':::' is not valid"],
    ['1:::2', "':::' is not valid"],
    ['1::2::3', "'::' appears more than once"],
    ['::1::', "'::' appears more than once"],
    ['1:2:3:4:5:6:7', 'it has 7 groups; expected 8'],
    ['1:2:3:4:5:6:7:8:9', 'it has 9 groups; expected 8'],
    ['1:2:3:4:5:6:7:8::', "it has 8 groups besides '::'"],
    ['::1:2:3:4:5:6:7:8', "it has 8 groups besides '::'"],
    ['1:2:3:4::5:6:7:8', "it has 8 groups besides '::'"],
    ['1:2:3:4:5:6:7:1.2.3.4', 'it has 9 groups (an embedded IPv4 address counts as two)'],
    ['12345::1', "the group '12345' has more than 4 hex digits"],
    ['1:2:3:4:5:6:7:00000', "the group '00000' has more than 4 hex digits"],
    ['g::1', 'the group "g" is not hexadecimal'],
    ['::-1', 'the group "-1" is not hexadecimal'],
    ['::0x1', 'the group "0x1" is not hexadecimal'],
    [' ::1', 'is not hexadecimal'],
    ['::1 ', 'is not hexadecimal'],
    [':1:2:3:4:5:6:7:8', "it starts with a single ':'"],
    [':1::8', "it starts with a single ':'"],
    ['1:2:3:4:5:6:7:8:', "it ends with a single ':'"],
    ['1::8:', "it ends with a single ':'"],
    ['1.2.3.4', "groups separated by ':'"],
    ['[::1]', 'brackets go around an IPv6 address only when a port follows'],
    ['::1%', "the zone after '%' is empty"],
    ['::1%a b', 'the zone "a b" may hold only'],
    ['::1%eth0%1', 'the zone "eth0%1" may hold only'],
    ['::1%4294967296', "the numeric zone '4294967296' does not fit"],
    ['1.2.3.4::', "the embedded IPv4 address '1.2.3.4' may only stand at the end"],
    ['::1.2.3.4:1', "the embedded IPv4 address '1.2.3.4' may only stand at the end"],
    ['::1.2.3', "in the embedded IPv4 address '1.2.3', expected four decimal numbers"],
    ['::1.2.3.256', "in the embedded IPv4 address '1.2.3.256', part 4 '256' is greater than 255"],
    ['::ffff:01.2.3.4', "part 1 '01' has a leading zero"],
  ])('refuses %j', (text, problem) => {
    const e = refusal(() => IPv6Address.parse(text));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain(`Invalid IPv6 address ${JSON.stringify(text)}`);
    expect(e.message).toContain(problem);
  });

  it('refuses non-strings with ERR_INVALID_ARG_TYPE', () => {
    expect(refusal(() => IPv6Address.parse(1 as unknown as string)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
  });
});

describe('IPv6Address bytes and classification', () => {
  it('copies bytes in and out', () => {
    const src = new Uint8Array(16);
    src[15] = 1;
    const a = IPv6Address.fromBytes(src);
    src[15] = 2;
    a.bytes[15] = 3;
    expect(a.isLoopback).toBe(true);
    const target = new Uint8Array(20);
    a.copyTo(target, 4);
    expect(target[19]).toBe(1);
    expect(refusal(() => a.copyTo(target, 5)).code).toBe('ERR_OUT_OF_RANGE');
    expect(refusal(() => IPv6Address.fromBytes(new Uint8Array(4))).message).toContain(
      'expected exactly 16 bytes, got 4',
    );
  });

  it('classifies', () => {
    const p = IPv6Address.parse;
    expect(IPv6Address.LOOPBACK.toString()).toBe('::1');
    expect(IPv6Address.ANY.toString()).toBe('::');
    expect(IPv6Address.LOOPBACK.isLoopback).toBe(true);
    expect(IPv6Address.ANY.isUnspecified).toBe(true);
    expect(p('::2').isLoopback).toBe(false);
    expect(p('1::').isUnspecified).toBe(false);
    expect(p('ff02::1').isMulticast).toBe(true);
    expect(p('fe80::1').isLinkLocal).toBe(true);
    expect(p('febf::1').isLinkLocal).toBe(true);
    expect(p('fec0::1').isLinkLocal).toBe(false);
    expect(p('::ffff:1.2.3.4').isIPv4Mapped).toBe(true);
    expect(p('::1.2.3.4').isIPv4Mapped).toBe(false);
  });

  it('converts to and from IPv4-mapped', () => {
    const v4 = IPv4Address.parse('192.0.2.33');
    const mapped = IPv6Address.ipv4Mapped(v4);
    expect(mapped.toString()).toBe('::ffff:192.0.2.33');
    expect(mapped.toIPv4()?.equals(v4)).toBe(true);
    expect(IPv6Address.LOOPBACK.toIPv4()).toBeUndefined();
    expect(mapped.equals(v4)).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(IPv6Address.LOOPBACK)).toBe(true);
  });
});

describe('parseIP', () => {
  it('picks the family from the text', () => {
    expect(parseIP('10.0.0.1')).toBeInstanceOf(IPv4Address);
    expect(parseIP('::1')).toBeInstanceOf(IPv6Address);
    expect(parseIP('::ffff:10.0.0.1').family).toBe('ipv6');
  });

  it.each([
    ['', 'the address is empty'],
    ['localhost', 'not an IP address literal (host names are not resolved here)'],
    ['example.com', 'not an IP address literal'],
    ['1.2.3', 'expected four decimal numbers'],
    ['1::2::3', "'::' appears more than once"],
    ['[::1]', 'brackets'],
  ])('refuses %j', (text, problem) => {
    const e = refusal(() => parseIP(text));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain(`Invalid IP address ${JSON.stringify(text)}`);
    expect(e.message).toContain(problem);
  });

  it('refuses non-strings', () => {
    expect(refusal(() => parseIP(undefined as unknown as string)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
  });
});

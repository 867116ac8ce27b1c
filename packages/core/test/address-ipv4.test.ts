import { describe, expect, it } from 'vitest';
import { IPv4Address, IPv6Address } from '../src/address/index.js';
import { refusal } from './refusal.js';


describe('IPv4Address.parse', () => {
  it.each([
    ['0.0.0.0', [0, 0, 0, 0]],
    ['127.0.0.1', [127, 0, 0, 1]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['192.168.10.200', [192, 168, 10, 200]],
    ['1.22.100.9', [1, 22, 100, 9]],
  ])('parses %s', (text, bytes) => {
    const a = IPv4Address.parse(text);
    expect([...a.bytes]).toEqual(bytes);
    expect(a.toString()).toBe(text);
    expect(a.family).toBe('ipv4');
  });

  it.each([
    ['', 'found 1 part'],
    ['1.2.3', 'found 3 parts'],
    ['1.2.3.4.5', 'found 5 parts'],
    ['127.1', "shorthand forms like '127.1'"],
    ['1.2.3.256', "part 4 '256' is greater than 255"],
    ['1.2.3.1000', "part 4 '1000' is greater than 255"],
    ['01.2.3.4', "part 1 '01' has a leading zero"],
    ['1.2.3.00', "part 4 '00' has a leading zero"],
    ['0x7f.0.0.1', 'part 1 "0x7f" is not a decimal number'],
    ['1.2.3.-4', 'part 4 "-4" is not a decimal number'],
    ['1.2.3.+4', 'not a decimal number'],
    ['1..3.4', 'part 2 is empty'],
    ['1.2.3.4.', 'found 5 parts'],
    [' 1.2.3.4', 'not a decimal number'],
    ['1.2.3.4 ', 'not a decimal number'],
    ['1.2.3.٤', 'not a decimal number'],
    ['::1', "it contains ':'"],
    ['1.2.3.4:80', "it contains ':'"],
  ])('refuses %j', (text, problem) => {
    const e = refusal(() => IPv4Address.parse(text));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain(JSON.stringify(text));
    expect(e.message).toContain(problem);
  });

  it('refuses non-strings with ERR_INVALID_ARG_TYPE', () => {
    for (const bad of [42, null, undefined, {}, ['1.2.3.4']]) {
      const e = refusal(() => IPv4Address.parse(bad as unknown as string));
      expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
      expect(e.message).toContain('IPv4Address.parse expects a string');
    }
  });
});

describe('IPv4Address.fromBytes and bytes', () => {
  it('copies in and out so callers cannot change the address', () => {
    const src = Uint8Array.of(10, 0, 0, 1);
    const a = IPv4Address.fromBytes(src);
    src[0] = 99;
    const out = a.bytes;
    out[1] = 99;
    expect(a.toString()).toBe('10.0.0.1');
    expect(a.bytes).not.toBe(a.bytes);
  });

  it('accepts a Buffer', () => {
    expect(IPv4Address.fromBytes(Buffer.from([8, 8, 4, 4])).toString()).toBe('8.8.4.4');
  });

  it('refuses the wrong length and the wrong type', () => {
    const e = refusal(() => IPv4Address.fromBytes(new Uint8Array(5)));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain('expected exactly 4 bytes, got 5');
    const t = refusal(() => IPv4Address.fromBytes([1, 2, 3, 4] as unknown as Uint8Array));
    expect(t.code).toBe('ERR_INVALID_ARG_TYPE');
  });

  it('copyTo writes into a caller buffer and refuses one too short', () => {
    const target = new Uint8Array(8);
    IPv4Address.parse('1.2.3.4').copyTo(target, 4);
    expect([...target]).toEqual([0, 0, 0, 0, 1, 2, 3, 4]);
    expect(refusal(() => IPv4Address.LOOPBACK.copyTo(target, 5)).code).toBe('ERR_OUT_OF_RANGE');
    expect(refusal(() => IPv4Address.LOOPBACK.copyTo(target, -1)).code).toBe('ERR_OUT_OF_RANGE');
  });
});

describe('IPv4Address properties', () => {
  it('classifies', () => {
    const p = (s: string) => IPv4Address.parse(s);
    expect(p('127.0.0.1').isLoopback).toBe(true);
    expect(p('127.255.0.9').isLoopback).toBe(true);
    expect(p('128.0.0.1').isLoopback).toBe(false);
    expect(p('0.0.0.0').isUnspecified).toBe(true);
    expect(p('0.0.0.1').isUnspecified).toBe(false);
    expect(p('224.0.0.1').isMulticast).toBe(true);
    expect(p('239.255.255.255').isMulticast).toBe(true);
    expect(p('223.255.255.255').isMulticast).toBe(false);
    expect(p('240.0.0.0').isMulticast).toBe(false);
    expect(p('255.255.255.255').isBroadcast).toBe(true);
    expect(p('169.254.1.1').isLinkLocal).toBe(true);
  });

  it('has ANY and LOOPBACK', () => {
    expect(IPv4Address.ANY.toString()).toBe('0.0.0.0');
    expect(IPv4Address.LOOPBACK.toString()).toBe('127.0.0.1');
    expect(IPv4Address.LOOPBACK.equals(IPv4Address.parse('127.0.0.1'))).toBe(true);
  });

  it('equals compares value and family', () => {
    const a = IPv4Address.parse('10.1.2.3');
    expect(a.equals(IPv4Address.parse('10.1.2.3'))).toBe(true);
    expect(a.equals(IPv4Address.parse('10.1.2.4'))).toBe(false);
    expect(a.equals('10.1.2.3')).toBe(false);
    expect(IPv4Address.ANY.equals(IPv6Address.ANY)).toBe(false);
  });

  it('is frozen', () => {
    const a = IPv4Address.parse('10.1.2.3');
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { family: string }).family = 'ipv6';
    }).toThrow(TypeError);
  });
});

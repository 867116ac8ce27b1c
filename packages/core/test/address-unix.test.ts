import { describe, expect, it } from 'vitest';
import { UNIX_MAX_NAME_BYTES, UnixSocketAddress } from '../src/address/index.js';
import { refusal } from './refusal.js';


const utf8Length = (s: string) => new TextEncoder().encode(s).length;

describe('UnixSocketAddress.path', () => {
  it('keeps the path and the sun_path bytes with the terminating NUL', () => {
    const a = UnixSocketAddress.path('/tmp/é.sock');
    expect(a.family).toBe('unix');
    expect(a.kind).toBe('path');
    expect(a.path).toBe('/tmp/é.sock');
    expect(a.abstractName).toBeUndefined();
    expect(a.toString()).toBe('/tmp/é.sock');
    expect(a.byteLength).toBe(utf8Length('/tmp/é.sock') + 1);
    expect(a.bytes.at(-1)).toBe(0);
    expect(new TextDecoder().decode(a.bytes.subarray(0, -1))).toBe('/tmp/é.sock');
  });

  it('accepts relative paths', () => {
    expect(UnixSocketAddress.path('app.sock').path).toBe('app.sock');
  });

  // 1-, 2-, 3- and 4-byte UTF-8 characters filling the last bytes exactly.
  it.each([
    ['ASCII', `/${'a'.repeat(106)}`, `/${'a'.repeat(107)}`],
    ['2-byte é', `/${'é'.repeat(53)}`, `/a${'é'.repeat(53)}`],
    ['3-byte €', `/a${'€'.repeat(35)}`, `/ab${'€'.repeat(35)}`],
    ['4-byte 😀', `/ab${'😀'.repeat(26)}`, `/abc${'😀'.repeat(26)}`],
  ])('accepts 107 bytes and refuses 108 (%s)', (_label, fits, tooLong) => {
    expect(utf8Length(fits)).toBe(107);
    expect(utf8Length(tooLong)).toBe(108);
    const ok = UnixSocketAddress.path(fits);
    expect(ok.byteLength).toBe(108);
    expect(ok.path).toBe(fits);
    const e = refusal(() => UnixSocketAddress.path(tooLong));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain(
      'the path is 108 bytes in UTF-8; sun_path holds at most 107 plus the terminating NUL',
    );
  });

  it('refuses a multi-byte character that crosses the limit', () => {
    // 107 characters but 108 bytes: the limit counts bytes, not characters.
    const path = `/${'a'.repeat(105)}é`;
    expect(path.length).toBe(107);
    expect(utf8Length(path)).toBe(108);
    expect(refusal(() => UnixSocketAddress.path(path)).code).toBe('ERR_INVALID_ADDRESS');
    expect(UnixSocketAddress.path(`/${'a'.repeat(103)}€`).byteLength).toBe(108);
    expect(refusal(() => UnixSocketAddress.path(`/${'a'.repeat(104)}€`)).code).toBe(
      'ERR_INVALID_ADDRESS',
    );
  });

  it.each([
    ['', 'the path is empty'],
    ['/tmp/a\0b', 'contains a NUL character'],
    ['/tmp/\uD800', 'unpaired UTF-16 surrogate'],
  ])('refuses %j', (path, problem) => {
    const e = refusal(() => UnixSocketAddress.path(path));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain(`Invalid Unix socket path ${JSON.stringify(path)}`);
    expect(e.message).toContain(problem);
  });

  it('refuses non-strings', () => {
    expect(refusal(() => UnixSocketAddress.path(Buffer.from('/x') as unknown as string)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
  });
});

describe('UnixSocketAddress.abstract', () => {
  it('takes a string name', () => {
    const a = UnixSocketAddress.abstract('my-app');
    expect(a.kind).toBe('abstract');
    expect(a.path).toBeUndefined();
    expect(new TextDecoder().decode(a.abstractName)).toBe('my-app');
    expect(a.toString()).toBe('@my-app');
    expect([...a.bytes]).toEqual([0, ...new TextEncoder().encode('my-app')]);
    expect(a.byteLength).toBe(7);
  });

  it('takes bytes, NUL included, copied in and out, and escapes them for display', () => {
    const name = Uint8Array.of(0x61, 0, 0xff, 0x0a);
    const a = UnixSocketAddress.abstract(name);
    name[0] = 0x62;
    a.abstractName![1] = 9;
    expect([...a.abstractName!]).toEqual([0x61, 0, 0xff, 0x0a]);
    expect(a.toString()).toBe('@a\\x00\\xff\\x0a');
  });

  it('accepts 0 to 107 bytes and refuses 108', () => {
    expect(UnixSocketAddress.abstract(new Uint8Array(UNIX_MAX_NAME_BYTES)).byteLength).toBe(108);
    expect(UnixSocketAddress.abstract(`${'€'.repeat(35)}ab`).byteLength).toBe(108);
    const e = refusal(() => UnixSocketAddress.abstract('€'.repeat(36)));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain('the name is 108 bytes; sun_path holds at most 107');
    expect(refusal(() => UnixSocketAddress.abstract(new Uint8Array(108))).code).toBe(
      'ERR_INVALID_ADDRESS',
    );
    // Linux binds and reports the empty abstract name (addrlen 3); it is not unnamed.
    const empty = UnixSocketAddress.abstract('');
    expect(empty.kind).toBe('abstract');
    expect(empty.byteLength).toBe(1);
    expect(empty.toString()).toBe('@');
    expect(empty.equals(UnixSocketAddress.unnamed())).toBe(false);
    expect(refusal(() => UnixSocketAddress.abstract(7 as unknown as string)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
  });
});

describe('UnixSocketAddress.unnamed and equality', () => {
  it('unnamed has no bytes', () => {
    const u = UnixSocketAddress.unnamed();
    expect(u.kind).toBe('unnamed');
    expect(u.byteLength).toBe(0);
    expect(u.toString()).toBe('');
    expect(u.path).toBeUndefined();
    expect(u.abstractName).toBeUndefined();
    expect(u.equals(UnixSocketAddress.unnamed())).toBe(true);
  });

  it('equals compares kind and bytes', () => {
    const p = UnixSocketAddress.path('/x');
    expect(p.equals(UnixSocketAddress.path('/x'))).toBe(true);
    expect(p.equals(UnixSocketAddress.path('/y'))).toBe(false);
    expect(p.equals(UnixSocketAddress.abstract('/x'))).toBe(false);
    expect(
      UnixSocketAddress.abstract('x').equals(UnixSocketAddress.abstract(Uint8Array.of(0x78))),
    ).toBe(true);
    expect(p.equals('/x')).toBe(false);
  });

  it('copyTo writes sun_path and is frozen', () => {
    const p = UnixSocketAddress.path('/ab');
    const target = new Uint8Array(110).fill(9);
    p.copyTo(target, 2);
    expect([...target.subarray(0, 7)]).toEqual([9, 9, 0x2f, 0x61, 0x62, 0, 9]);
    expect(refusal(() => p.copyTo(new Uint8Array(3))).code).toBe('ERR_OUT_OF_RANGE');
    expect(Object.isFrozen(p)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  InetSocketAddress,
  IPv4Address,
  IPv6Address,
  toSocketAddress,
  UnixSocketAddress,
} from '../src/address/index.js';
import { refusal } from './refusal.js';


describe('InetSocketAddress.parse', () => {
  it.each([
    ['1.2.3.4:80', 'ipv4', '1.2.3.4', 80, 0, '1.2.3.4:80'],
    ['0.0.0.0:0', 'ipv4', '0.0.0.0', 0, 0, '0.0.0.0:0'],
    ['255.255.255.255:65535', 'ipv4', '255.255.255.255', 65535, 0, '255.255.255.255:65535'],
    ['[::1]:80', 'ipv6', '::1', 80, 0, '[::1]:80'],
    ['[::]:443', 'ipv6', '::', 443, 0, '[::]:443'],
    ['[2001:DB8:0:0:0:0:0:1]:8080', 'ipv6', '2001:db8::1', 8080, 0, '[2001:db8::1]:8080'],
    ['[fe80::1%2]:80', 'ipv6', 'fe80::1%2', 80, 2, '[fe80::1%2]:80'],
    ['[fe80::1%eth0]:80', 'ipv6', 'fe80::1%eth0', 80, 0, '[fe80::1%eth0]:80'],
    ['[::ffff:1.2.3.4]:53', 'ipv6', '::ffff:1.2.3.4', 53, 0, '[::ffff:1.2.3.4]:53'],
  ])('%s', (text, family, ip, port, scopeId, out) => {
    const a = InetSocketAddress.parse(text);
    expect(a.family).toBe(family);
    expect(a.ip.toString()).toBe(ip);
    expect(a.port).toBe(port);
    expect(a.scopeId).toBe(scopeId);
    expect(a.flowInfo).toBe(0);
    expect(a.toString()).toBe(out);
  });

  it.each([
    ['', "the ':port' is missing"],
    ['1.2.3.4', "the ':port' is missing"],
    [':80', "the IP address before ':' is missing"],
    ['1.2.3.4:', "the port after ':' is empty"],
    ['1.2.3.4:65536', 'the port 65536 is out of range 0–65535'],
    ['1.2.3.4:100000', 'the port 100000 is out of range 0–65535'],
    ['1.2.3.4:-1', 'the port "-1" is not a decimal number'],
    ['1.2.3.4:http', 'the port "http" is not a decimal number'],
    ['1.2.3.4:080', "the port '080' has a leading zero"],
    ['1.2.3.4:8 0', 'is not a decimal number'],
    ['::1:80', "an IPv6 address must be in brackets when a port follows, as in '[::1]:80'"],
    ['fe80::1%2:80', 'must be in brackets'],
    ['[::1]', "the ':port' after ']' is missing"],
    ['[::1]80', `expected ':' after ']', found "8"`],
    ['[::1:80', "the '[' is not closed by ']'"],
    ['::1]:80', 'must be in brackets'],
    ['1.2.3.4]:80', "the ']' has no matching '['"],
    ['[1.2.3.4]:80', "brackets are only for IPv6; write '1.2.3.4:80'"],
    ['[]:80', 'the address is empty'],
    ['[1::2::3]:80', "'::' appears more than once"],
    ['[12345::]:80', "the group '12345' has more than 4 hex digits"],
    ['1.2.3.256:80', "part 4 '256' is greater than 255"],
    ['localhost:80', 'host names are not resolved here'],
    ['run/app.sock', 'a Unix socket path must start with'],
  ])('refuses %j', (text, problem) => {
    const e = refusal(() => InetSocketAddress.parse(text));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain(`Invalid socket address ${JSON.stringify(text)}`);
    expect(e.message).toContain(problem);
    expect(e.address).toBe(text);
  });

  it('refuses non-strings', () => {
    expect(refusal(() => InetSocketAddress.parse(80 as unknown as string)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
  });
});

describe('InetSocketAddress constructor', () => {
  it('takes an address or its text', () => {
    const a = new InetSocketAddress(IPv4Address.LOOPBACK, 9000);
    expect(a.toString()).toBe('127.0.0.1:9000');
    expect(a.equals(new InetSocketAddress('127.0.0.1', 9000))).toBe(true);
    expect(new InetSocketAddress('::1', 9000).toString()).toBe('[::1]:9000');
  });

  it('keeps IPv6 flowInfo and scopeId, showing a bare scopeId as the zone', () => {
    const a = new InetSocketAddress('fe80::1', 80, { flowInfo: 0x12345, scopeId: 4 });
    expect(a.flowInfo).toBe(0x12345);
    expect(a.scopeId).toBe(4);
    expect(a.toString()).toBe('[fe80::1%4]:80');
    expect(a.ip.toString()).toBe('fe80::1%4');
    const b = new InetSocketAddress('fe80::1', 80, { scopeId: 4 });
    expect(InetSocketAddress.parse(b.toString()).equals(b)).toBe(true);
    expect(a.equals(b)).toBe(false);
  });

  it('takes scopeId from a numeric zone and refuses a contradicting one', () => {
    expect(new InetSocketAddress('fe80::1%7', 1).scopeId).toBe(7);
    expect(new InetSocketAddress('fe80::1%7', 1, { scopeId: 7 }).scopeId).toBe(7);
    const e = refusal(() => new InetSocketAddress('fe80::1%7', 1, { scopeId: 8 }));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain("scopeId 8 contradicts the zone '%7'");
    // A named zone is resolved by the engine; an explicit index may go with it.
    const named = new InetSocketAddress('fe80::1%eth0', 1, { scopeId: 2 });
    expect(named.scopeId).toBe(2);
    expect(named.ip.toString()).toBe('fe80::1%eth0');
  });

  it('refuses IPv6-only fields on IPv4', () => {
    const e = refusal(() => new InetSocketAddress('1.2.3.4', 1, { scopeId: 1 }));
    expect(e.code).toBe('ERR_INVALID_ADDRESS');
    expect(e.message).toContain('flowInfo and scopeId apply only to IPv6');
    expect(new InetSocketAddress('1.2.3.4', 1, { scopeId: 0, flowInfo: 0 }).scopeId).toBe(0);
  });

  it.each([
    [-1, 'ERR_INVALID_ADDRESS', 'Invalid port -1'],
    [
      65536,
      'ERR_INVALID_ADDRESS',
      'Invalid port 65536: a port must be an integer in the range 0–65535',
    ],
    [1.5, 'ERR_INVALID_ADDRESS', 'Invalid port 1.5'],
    [Number.NaN, 'ERR_INVALID_ADDRESS', 'Invalid port NaN'],
    ['80', 'ERR_INVALID_ARG_TYPE', 'expects a number port, got string "80"'],
  ])('refuses port %s', (port, code, message) => {
    const e = refusal(() => new InetSocketAddress('1.2.3.4', port as number));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  it('refuses bad flowInfo, scopeId, options and ip types', () => {
    const v6 = IPv6Address.LOOPBACK;
    expect(refusal(() => new InetSocketAddress(v6, 1, { flowInfo: -1 })).code).toBe(
      'ERR_INVALID_ADDRESS',
    );
    expect(refusal(() => new InetSocketAddress(v6, 1, { scopeId: 2 ** 32 })).message).toContain(
      'Invalid scopeId 4294967296',
    );
    expect(
      refusal(() => new InetSocketAddress(v6, 1, { scopeId: '1' as unknown as number })).code,
    ).toBe('ERR_INVALID_ARG_TYPE');
    expect(
      refusal(() => new InetSocketAddress(v6, 1, 5 as unknown as { scopeId: number })).code,
    ).toBe('ERR_INVALID_ARG_TYPE');
    expect(refusal(() => new InetSocketAddress({} as unknown as string, 1)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    expect(refusal(() => new InetSocketAddress('nope', 1)).code).toBe('ERR_INVALID_ADDRESS');
  });

  it('equals compares every field and is frozen', () => {
    const a = InetSocketAddress.parse('[::1]:80');
    expect(a.equals(InetSocketAddress.parse('[0:0::1]:80'))).toBe(true);
    expect(a.equals(InetSocketAddress.parse('[::1]:81'))).toBe(false);
    expect(a.equals(InetSocketAddress.parse('[::1%1]:80'))).toBe(false);
    expect(a.equals(new InetSocketAddress('::1', 80, { flowInfo: 1 }))).toBe(false);
    expect(
      InetSocketAddress.parse('1.2.3.4:80').equals(InetSocketAddress.parse('[::ffff:1.2.3.4]:80')),
    ).toBe(false);
    expect(a.equals('[::1]:80')).toBe(false);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('toSocketAddress', () => {
  it('returns addresses as they are', () => {
    const a = InetSocketAddress.parse('1.2.3.4:5');
    const u = UnixSocketAddress.unnamed();
    expect(toSocketAddress(a)).toBe(a);
    expect(toSocketAddress(u)).toBe(u);
  });

  it('reads Unix paths, abstract names and ip:port text', () => {
    const path = toSocketAddress('/run/app.sock');
    expect(path.family).toBe('unix');
    expect(path.equals(UnixSocketAddress.path('/run/app.sock'))).toBe(true);
    const abs = toSocketAddress('@app');
    expect(abs.equals(UnixSocketAddress.abstract('app'))).toBe(true);
    expect(abs.toString()).toBe('@app');
    expect(toSocketAddress('@').equals(UnixSocketAddress.abstract(new Uint8Array(0)))).toBe(true);
    const inet = toSocketAddress('[::1]:9000');
    expect(inet.family).toBe('ipv6');
    expect(inet.toString()).toBe('[::1]:9000');
  });

  it('refuses malformed text and other types', () => {
    expect(refusal(() => toSocketAddress(`@${'x'.repeat(108)}`)).code).toBe('ERR_INVALID_ADDRESS');
    expect(refusal(() => toSocketAddress('')).code).toBe('ERR_INVALID_ADDRESS');
    expect(refusal(() => toSocketAddress('example.com:80')).message).toContain(
      'host names are not resolved',
    );
    expect(refusal(() => toSocketAddress(80 as unknown as string)).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
  });
});

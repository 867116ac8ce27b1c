import { existsSync } from 'node:fs';
import { isIoError } from '@binio/core';
import { describe, expect, it } from 'vitest';
import { createDpdkEngine, Eal, type MbufBuffer } from '../src/index.js';
import { dpdkUnavailableReason, skipWithReason } from './support/skip.js';

// EAL initialises once per process: bad options must not use that chance up,
// and every later attempt is refused with a clear error. (This file runs in
// its own process, as every vitest file here does.)
const skip = skipWithReason('EAL once', dpdkUnavailableReason());

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(isIoError(e)).toBe(true);
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe.skipIf(skip)('EAL lifetime', () => {
  it('refuses bad options before EAL sees them, then initialises', () => {
    expect(errorOf(() => Eal.init({ colour: 'blue' } as never)).message).toMatch(
      /Unknown EAL option 'colour'/,
    );
    expect(errorOf(() => Eal.init({ memoryMb: 3 })).code).toBe('ERR_OUT_OF_RANGE');
    expect(errorOf(() => Eal.init({ lcores: '0; rm -rf /' })).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(Eal.current).toBeUndefined();
    const eal = Eal.init({ vdevs: ['net_null0'], filePrefix: `binio-once-${process.pid}` });
    expect(Eal.current).toBe(eal);
    expect(eal.info).toMatchObject({ hugepages: false, iovaMode: 'va', ports: 1 });
    expect(eal.ports()).toEqual([{ id: 0, name: 'net_null0' }]);
  });

  it('refuses a second initialisation clearly', () => {
    const e = errorOf(() => Eal.init({ vdevs: ['net_ring0'] }));
    expect(e.code).toBe('ERR_INVALID_STATE');
    expect(e.message).toMatch(
      /already initialised in this process with 'binio .*--vdev=net_null0'.*once per process/,
    );
    // Passing EAL options to an engine means initialising: refused the same way.
    expect(errorOf(() => createDpdkEngine({ eal: {}, port: 0, address: '10.1.0.1/24' })).code).toBe(
      'ERR_INVALID_STATE',
    );
  });

  it('names the ports there are when one is missing, and one engine per port', () => {
    expect(
      errorOf(() => createDpdkEngine({ port: 'net_ring7', address: '10.1.0.1/24' })).message,
    ).toMatch(/No DPDK port 'net_ring7'; ports: 0 'net_null0'/);
    const engine = createDpdkEngine({ port: 'net_null0', address: '10.1.0.1/24' });
    expect(errorOf(() => createDpdkEngine({ port: 0, address: '10.1.0.2/24' })).code).toBe('EBUSY');
    expect(errorOf(() => Eal.current!.cleanup()).message).toMatch(/still open/);
    engine.close();
    // The port is free again for a new engine.
    createDpdkEngine({ port: 0, address: '10.1.0.2/24' }).close();
  });

  it('sends bursts into net_null, every mbuf coming back', () => {
    const engine = createDpdkEngine({ port: 'net_null0', address: '192.0.2.1/24' });
    const sock = engine.createUdpSocket();
    engine.bindUdp(sock, '192.0.2.1:9000');
    let sent = 0;
    for (let i = 0; i < 300; i++) {
      const bufs = engine.getBuffers(32);
      for (const b of bufs) b.append(new Uint8Array(64));
      const n = engine.transmit(sock, bufs, '192.0.2.255:9000');
      if (n < 32) engine.recycleBuffers(bufs.slice(n));
      sent += n;
    }
    expect(sent).toBe(9600);
    expect(engine.stats().device.opackets).toBe(9600);
    // net_null also makes up frames on receive (whatever its mbufs held): handled, never fatal.
    expect(engine.poll()).toBe(32);
    expect(engine.stats().rxFrames).toBe(32);
    const report = engine.closeWithReport();
    expect(report).toMatchObject({ leaked: 0, lingering: false, mbufs: { inUse: 0 } });
  });

  it('sends more packed datagrams in one call than one native call takes, every mbuf coming back', () => {
    const engine = createDpdkEngine({ port: 'net_null0', address: '192.0.2.1/24' });
    const sock = engine.createUdpSocket();
    engine.bindUdp(sock, '192.0.2.1:9000');
    // 5000 > the addon's packedMax (4096) > its burst maximum (256): the
    // engine makes two native calls, each handing bursts of 32 to the device.
    const n = 5000;
    const data = new Uint8Array(n * 16);
    const before = engine.stats().device.opackets;
    expect(engine.sendPacked(sock, data, 16, '192.0.2.255:9000')).toBe(n);
    expect(engine.stats().device.opackets - before).toBe(n);
    expect(engine.stats().txDatagrams).toBe(n);
    expect(engine.closeWithReport()).toMatchObject({ leaked: 0, mbufs: { inUse: 0 } });
  });
  it('refuses a buffer listed twice in recycleBuffers, wherever it is, recycling none', () => {
    const engine = createDpdkEngine({ port: 'net_null0', address: '192.0.2.1/24' });
    const [a, b, c] = engine.getBuffers(3) as [MbufBuffer, MbufBuffer, MbufBuffer];
    for (let round = 0; round < 3; round++) {
      expect(errorOf(() => engine.recycleBuffers([a, b, c, a])).code).toBe('ERR_BUFFER_RECYCLED');
      // Nothing went back: all three are still the caller's.
      for (const x of [a, b, c])
        expect(x.append(Uint8Array.of(round)).filled.length).toBe(round + 1);
    }
    engine.recycleBuffers([c, a, b]);
    expect(errorOf(() => a.append(Uint8Array.of(1))).code).toBe('ERR_BUFFER_RECYCLED');
    expect(engine.closeWithReport()).toMatchObject({ leaked: 0, mbufs: { inUse: 0 } });
  });

  it('cannot start again after cleanup', () => {
    const eal = Eal.current!;
    const dir = eal.info.runtimeDir;
    expect(existsSync(dir)).toBe(true);
    expect(eal.cleanup()).toEqual({ pools: 0, missingMbufs: 0 });
    // Nothing left on disk either.
    expect(existsSync(dir)).toBe(false);
    expect(Eal.current).toBeUndefined();
    expect(() => eal.ports()).toThrow(/cleaned up/);
    const e = errorOf(() => Eal.init());
    expect(e.code).toBe('ERR_INVALID_STATE');
    expect(e.message).toMatch(/cannot be initialised again: start another process/);
    expect(errorOf(() => createDpdkEngine({ port: 0, address: '10.1.0.1/24' })).message).toMatch(
      /not initialised/,
    );
  });
});

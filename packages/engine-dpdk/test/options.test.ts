import { describe, expect, it } from 'vitest';
import { engineConfig } from '../src/engine-options.js';
import { ealArgs, INSTALL_HINT } from '../src/index.js';
import { loadAddon } from '../src/native/addon.js';

// Configuration is checked in TypeScript before DPDK sees any of it.
describe('EAL arguments', () => {
  it('default to no hugepages, no PCI, no shared config, one core, own file prefix', () => {
    expect(ealArgs({ vdevs: ['net_ring0', 'net_af_packet0,iface=veth0'] })).toEqual([
      'binio',
      '-l',
      '0',
      '-m',
      '128',
      '--file-prefix',
      `binio-${process.pid}`,
      '--log-level=warning',
      '--no-huge',
      '--no-pci',
      '--no-shconf',
      '--no-telemetry',
      '--vdev=net_ring0',
      '--vdev=net_af_packet0,iface=veth0',
    ]);
  });

  it('follow the options', () => {
    expect(
      ealArgs({
        hugepages: true,
        pci: true,
        sharedConfig: true,
        telemetry: true,
        memoryMb: 512,
        lcores: '1-2',
        filePrefix: 'x',
        logLevel: 'debug',
        extraArgs: ['--iova-mode=va'],
      }),
    ).toEqual([
      'binio',
      '-l',
      '1-2',
      '-m',
      '512',
      '--file-prefix',
      'x',
      '--log-level=debug',
      '--iova-mode=va',
    ]);
  });

  it('refuse what EAL would choke on', () => {
    expect(() => ealArgs({ vdev: ['x'] } as never)).toThrow(
      /Unknown EAL option 'vdev' \(known: vdevs,/,
    );
    expect(() => ealArgs({ vdevs: 'net_ring0' as never })).toThrow(/array of non-empty strings/);
    expect(() => ealArgs({ filePrefix: '../etc' })).toThrow(/filePrefix/);
    expect(() => ealArgs({ logLevel: 'loud' as never })).toThrow(/logLevel must be one of/);
  });
});

describe('engine options', () => {
  const base = { port: 'net_ring0', address: '10.0.0.1/24' };
  it('have defaults', () => {
    expect(engineConfig(base, 256)).toMatchObject({
      subnet: { ip: 0x0a000001, prefix: 24, mask: 0xffffff00, broadcast: 0x0a0000ff },
      mtu: 1500,
      ttl: 64,
      mbufs: 8191,
      burst: 32,
      receiveTimeout: Number.POSITIVE_INFINITY,
      arpTtlMs: 60000,
      arpRetries: 3,
      arpIntervalMs: 200,
    });
  });

  it('are refused clearly when unknown or out of range', () => {
    expect(() => engineConfig({ ...base, colour: 1 } as never, 256)).toThrow(
      /Unknown DPDK engine option 'colour'/,
    );
    expect(() => engineConfig({ ...base, arp: { tries: 1 } } as never, 256)).toThrow(
      /Unknown DPDK engine ARP option 'tries'/,
    );
    expect(() => engineConfig({ ...base, mtu: 9000 }, 256)).toThrow(
      /mtu must be an integer in \[68, 1500\]/,
    );
    expect(() => engineConfig({ ...base, burst: 512 }, 256)).toThrow(/burst/);
    expect(() => engineConfig({ ...base, address: '10.0.0.1/33' }, 256)).toThrow(/prefix of 1-32/);
    expect(() => engineConfig({ ...base, address: '127.0.0.1/8' }, 256)).toThrow(/unicast/);
    expect(() => engineConfig({ ...base, gateway: '10.0.1.1' }, 256)).toThrow(/not on the subnet/);
    expect(() => engineConfig({ ...base, mac: '01:00:5e:00:00:01' }, 256)).toThrow(/unicast MAC/);
    expect(() => engineConfig({ ...base, mbufSize: 3000 as never }, 256)).toThrow(/2048 or 4096/);
  });
});

describe('when DPDK is missing', () => {
  it('says exactly what to install, in the same words at build and at load time', async () => {
    const script = await import('../scripts/build-native.mjs');
    expect(script.INSTALL_HINT).toBe(INSTALL_HINT);
    expect(INSTALL_HINT).toContain('apt-get install -y dpdk-dev libdpdk-dev pkg-config');
    let error: { code?: string; message?: string } = {};
    try {
      loadAddon('../../native/build/Release/missing.node');
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe('ERR_UNSUPPORTED');
    expect(error.message).toMatch(
      /native addon is not built.*apt-get install -y dpdk-dev libdpdk-dev pkg-config/,
    );
  });
});

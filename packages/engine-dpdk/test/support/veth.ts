import { execFileSync } from 'node:child_process';
import { createNetns, type Netns, netnsUnavailableReason } from '@binio/testkit';
import { createDpdkEngine, type DpdkEngine, type DpdkEngineOptions, Eal } from '../../src/index.js';
import { dpdkUnavailableReason } from './skip.js';

/** DPDK on the host end of a veth pair, the kernel on the other end in a namespace. */
export interface VethRig {
  ns: Netns;
  eal: Eal;
  engine: DpdkEngine;
  /** The engine's address (the /30's first host). */
  dpdkIp: string;
  /** The kernel's address in the namespace. */
  peerIp: string;
  close(): void;
}

/** Why the veth suites cannot run here, or undefined. */
export function vethUnavailableReason(): string | undefined {
  return (
    dpdkUnavailableReason() ??
    netnsUnavailableReason() ??
    (hasEthtool() ? undefined : 'ethtool is missing (apt-get install ethtool)')
  );
}

function hasEthtool(): boolean {
  try {
    execFileSync('ethtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes the namespace and veth pair (kernel checksum offload off, so the
 * kernel's datagrams carry full checksums), quiets IPv6 on both ends, and
 * opens a DPDK engine on the host end through net_af_packet.
 */
export function openVethRig(tag: string, options: Partial<DpdkEngineOptions> = {}): VethRig {
  const ns = createNetns({ hostAddress: false, ipv6: false, txChecksumOffload: false });
  try {
    // No IPv6 chatter (router and neighbour solicitations) on the link.
    execFileSync('sysctl', ['-qw', `net.ipv6.conf.${ns.hostInterface}.disable_ipv6=1`]);
    ns.exec(['sysctl', '-qw', `net.ipv6.conf.${ns.peerInterface}.disable_ipv6=1`]);
    const peerIp = ns.peerIPv4;
    const parts = peerIp.split('.').map(Number);
    parts[3] = parts[3]! - 1;
    const dpdkIp = parts.join('.');
    const eal = Eal.init({
      vdevs: [`net_af_packet0,iface=${ns.hostInterface}`],
      filePrefix: `binio-${tag}-${process.pid}`,
    });
    const engine = createDpdkEngine({
      eal,
      port: 'net_af_packet0',
      address: `${dpdkIp}/30`,
      receiveTimeout: 5000,
      ...options,
    });
    return {
      ns,
      eal,
      engine,
      dpdkIp,
      peerIp,
      close() {
        engine.close();
        eal.cleanup();
        ns.destroy();
      },
    };
  } catch (e) {
    ns.destroy();
    throw e;
  }
}

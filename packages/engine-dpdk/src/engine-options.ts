import { checkOptions, IPv4Address, invalidArg } from '@binio/core';
import type { Eal } from './eal.js';
import type { EalOptions } from './eal-options.js';
import { ARP_OPTION_KEYS, type ArpOptions } from './stack/arp.js';
import { ipToU32, parseSubnet, type Subnet } from './stack/ipv4.js';
import { parseMac } from './stack/wire.js';

/** Options of {@link createDpdkEngine}. Unknown keys are refused. */
export interface DpdkEngineOptions {
  /** The EAL to run on, or the options to initialise it with (default: the running one). */
  eal?: Eal | EalOptions;
  /** The port: its device name (`'net_ring0'`, `'net_af_packet0'`) or port id. */
  port: string | number;
  /** Our IPv4 address and prefix on the link, `'10.0.0.1/24'`. */
  address: string;
  /** Router for destinations off the subnet (none by default: they fail with `ENETUNREACH`). */
  gateway?: string;
  /** Our MAC (default: the port's, or a random locally administered one when the port has none). */
  mac?: string;
  /** Link MTU (default 1500, at most 1500): UDP payloads up to MTU - 28 bytes. */
  mtu?: number;
  /** TTL of the packets we send (default 64). */
  ttl?: number;
  /** RX descriptors (default 1024). */
  rxDescriptors?: number;
  /** TX descriptors (default 1024). */
  txDescriptors?: number;
  /** mbufs in the engine's pool (default 8191). */
  mbufs?: number;
  /**
   * Bytes per mbuf, header and data room included: 2048 (a 1856-byte data
   * room) or 4096. Default 4096 for net_af_packet, whose default 2048-byte
   * frames need more than 2048, and 2048 otherwise.
   */
  mbufSize?: 2048 | 4096;
  /** Per-lcore mbuf cache (default 256). */
  mbufCache?: number;
  /** Most frames one poll receives (default 32). */
  burst?: number;
  /** Let the device compute IPv4/UDP checksums (default: when it offers to). */
  checksumOffload?: boolean;
  /** Put the port in promiscuous mode (default false). */
  promiscuous?: boolean;
  /** Datagrams a socket queues before dropping (default 1024). */
  socketQueue?: number;
  /** How long a receive waits for a datagram, in ms (default: for ever, as a blocking socket). */
  receiveTimeout?: number;
  /** ARP table and resolution. */
  arp?: ArpOptions;
}

/** Keys of {@link DpdkEngineOptions}. */
export const ENGINE_OPTION_KEYS = [
  'eal',
  'port',
  'address',
  'gateway',
  'mac',
  'mtu',
  'ttl',
  'rxDescriptors',
  'txDescriptors',
  'mbufs',
  'mbufSize',
  'mbufCache',
  'burst',
  'checksumOffload',
  'promiscuous',
  'socketQueue',
  'receiveTimeout',
  'arp',
] as const;

/** The options with defaults applied, checked. */
export interface EngineConfig {
  port: string | number;
  subnet: Subnet;
  gateway: number | undefined;
  mac: Uint8Array | undefined;
  mtu: number;
  ttl: number;
  rxDescriptors: number;
  txDescriptors: number;
  mbufs: number;
  mbufSize: 2048 | 4096 | undefined;
  mbufCache: number;
  burst: number;
  checksumOffload: boolean | undefined;
  promiscuous: boolean;
  socketQueue: number;
  receiveTimeout: number;
  arpTtlMs: number;
  arpRetries: number;
  arpIntervalMs: number;
}

function int(name: string, v: unknown, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `DPDK engine option ${name} must be an integer in [${min}, ${max}], got ${String(v)}`,
    );
  }
  return v;
}

function bool(name: string, v: unknown): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  throw invalidArg(
    'ERR_INVALID_ARG_TYPE',
    `DPDK engine option ${name} must be a boolean, got ${typeof v}`,
  );
}

function mbufSize(v: unknown): 2048 | 4096 | undefined {
  if (v === undefined || v === 2048 || v === 4096) return v;
  throw invalidArg(
    'ERR_INVALID_ARG_VALUE',
    `DPDK engine option mbufSize must be 2048 or 4096, got ${String(v)}`,
  );
}

/** Checks {@link DpdkEngineOptions} before anything reaches DPDK. */
export function engineConfig(options: DpdkEngineOptions, burstMax: number): EngineConfig {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'createDpdkEngine needs options: { port, address, ... }',
    );
  }
  const o = checkOptions(options, ENGINE_OPTION_KEYS, 'DPDK engine');
  const arp = checkOptions(o.arp, ARP_OPTION_KEYS, 'DPDK engine ARP');
  if (
    typeof o.port !== 'string' &&
    !(typeof o.port === 'number' && Number.isInteger(o.port) && o.port >= 0)
  ) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `DPDK engine option port must be a device name or a port id, got ${String(o.port)}`,
    );
  }
  const subnet = parseSubnet(o.address);
  let gateway: number | undefined;
  if (o.gateway !== undefined) {
    gateway = ipToU32(IPv4Address.parse(o.gateway));
    if ((gateway & subnet.mask) >>> 0 !== (subnet.ip & subnet.mask) >>> 0) {
      throw invalidArg(
        'ERR_INVALID_ADDRESS',
        `gateway ${o.gateway} is not on the subnet of ${o.address}`,
      );
    }
  }
  let mac: Uint8Array | undefined;
  if (o.mac !== undefined) {
    mac = typeof o.mac === 'string' ? parseMac(o.mac) : undefined;
    if (!mac || (mac[0]! & 1) === 1) {
      throw invalidArg(
        'ERR_INVALID_ADDRESS',
        `mac must be a unicast MAC such as '02:00:00:00:00:01', got ${String(o.mac)}`,
      );
    }
  }
  const timeout = o.receiveTimeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0))) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `receiveTimeout must be a number of ms >= 0, got ${String(timeout)}`,
    );
  }
  return {
    port: o.port,
    subnet,
    gateway,
    mac,
    mtu: int('mtu', o.mtu, 1500, 68, 1500),
    ttl: int('ttl', o.ttl, 64, 1, 255),
    rxDescriptors: int('rxDescriptors', o.rxDescriptors, 1024, 32, 32768),
    txDescriptors: int('txDescriptors', o.txDescriptors, 1024, 32, 32768),
    mbufs: int('mbufs', o.mbufs, 8191, 512, 1 << 20),
    mbufSize: mbufSize(o.mbufSize),
    mbufCache: int('mbufCache', o.mbufCache, 256, 0, 512),
    burst: int('burst', o.burst, 32, 1, burstMax),
    checksumOffload: bool('checksumOffload', o.checksumOffload),
    promiscuous: bool('promiscuous', o.promiscuous) ?? false,
    socketQueue: int('socketQueue', o.socketQueue, 1024, 1, 1 << 16),
    receiveTimeout: timeout ?? Number.POSITIVE_INFINITY,
    arpTtlMs: int('arp.ttlMs', arp.ttlMs, 60_000, 1, 86_400_000),
    arpRetries: int('arp.retries', arp.retries, 3, 1, 100),
    arpIntervalMs: int('arp.retryIntervalMs', arp.retryIntervalMs, 200, 1, 60_000),
  };
}

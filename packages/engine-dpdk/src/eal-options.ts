import { checkOptions, invalidArg } from '@binio/core';

/** How to initialise DPDK's Environment Abstraction Layer (once per process). */
export interface EalOptions {
  /** Virtual devices, one `--vdev` each: `'net_ring0'`, `'net_null0'`, `'net_af_packet0,iface=veth0'`. */
  vdevs?: readonly string[];
  /** Use hugepages (default false: `--no-huge`, plain 4 KiB pages, no setup needed). */
  hugepages?: boolean;
  /** Memory for EAL in MiB (`-m`, default 128; without hugepages it is all EAL gets). */
  memoryMb?: number;
  /** Cores (`-l`, default `'0'`). The calling thread becomes the main lcore. */
  lcores?: string;
  /** `--file-prefix` (default `binio-<pid>`), so processes never share runtime files. */
  filePrefix?: string;
  /** Probe PCI devices (default false: `--no-pci`; real NICs need true and a bound driver). */
  pci?: boolean;
  /** Keep the shared runtime configuration (default false: `--no-shconf`, no secondaries). */
  sharedConfig?: boolean;
  /** Start EAL's telemetry socket (default false). */
  telemetry?: boolean;
  /** EAL log level (default `'warning'`). */
  logLevel?: 'emergency' | 'alert' | 'critical' | 'error' | 'warning' | 'notice' | 'info' | 'debug';
  /**
   * Keep the CPU pinning rte_eal_init puts on the calling thread (default
   * false: Node's main thread gets its old affinity back after init).
   */
  keepAffinity?: boolean;
  /** Further EAL arguments, appended as given. */
  extraArgs?: readonly string[];
}

/** Keys of {@link EalOptions}. */
export const EAL_OPTION_KEYS = [
  'vdevs',
  'hugepages',
  'memoryMb',
  'lcores',
  'filePrefix',
  'pci',
  'sharedConfig',
  'telemetry',
  'logLevel',
  'keepAffinity',
  'extraArgs',
] as const;

const LOG_LEVELS = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'info',
  'debug',
];

function strings(name: string, v: unknown): readonly string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `EAL option ${name} must be an array of non-empty strings`,
    );
  }
  return v;
}

/**
 * The argument vector for `rte_eal_init` from {@link EalOptions}, checked
 * before EAL sees it: EAL initialises once per process, so bad input must
 * not use up that one chance.
 */
export function ealArgs(options: EalOptions = {}): string[] {
  const o = checkOptions(options, EAL_OPTION_KEYS, 'EAL');
  const args = ['binio'];
  const mem = o.memoryMb ?? 128;
  if (!Number.isInteger(mem) || mem < 16 || mem > 1 << 20) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `EAL option memoryMb must be an integer in [16, 1048576], got ${String(mem)}`,
    );
  }
  const lcores = o.lcores ?? '0';
  if (typeof lcores !== 'string' || !/^[0-9,\-@()]+$/.test(lcores)) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `EAL option lcores must be a core list such as '0' or '0-1', got ${String(lcores)}`,
    );
  }
  const prefix = o.filePrefix ?? `binio-${process.pid}`;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(prefix)) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `EAL option filePrefix must be 1-64 letters, digits, '.', '_' or '-', got ${String(prefix)}`,
    );
  }
  const level = o.logLevel ?? 'warning';
  if (!LOG_LEVELS.includes(level)) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `EAL option logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`,
    );
  }
  args.push('-l', lcores, '-m', String(mem), '--file-prefix', prefix, `--log-level=${level}`);
  if (!o.hugepages) args.push('--no-huge');
  if (!o.pci) args.push('--no-pci');
  if (!o.sharedConfig) args.push('--no-shconf');
  if (!o.telemetry) args.push('--no-telemetry');
  for (const v of strings('vdevs', o.vdevs)) args.push(`--vdev=${v}`);
  args.push(...strings('extraArgs', o.extraArgs));
  return args;
}

import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { requiredOrSkip } from './require.js';

/**
 * A network namespace joined to the test's own namespace by a veth pair:
 * a real peer on a real link, for engines that must talk to something that
 * is not themselves (UDP across a veth, DPDK on one end, epoll on the other).
 * Needs root and iproute2; {@link netnsUnavailableReason} says why not.
 */
export interface Netns {
  /** The namespace's name (`ip netns exec <name> …`). */
  readonly name: string;
  /** The veth end in the caller's namespace. */
  readonly hostInterface: string;
  /** The veth end inside the namespace. */
  readonly peerInterface: string;
  /** IPv4 of the host end (undefined with `hostAddress: false`). */
  readonly hostIPv4: string | undefined;
  /** IPv4 of the end inside the namespace. */
  readonly peerIPv4: string;
  /** IPv6 of the host end (undefined with `hostAddress: false` or `ipv6: false`). */
  readonly hostIPv6: string | undefined;
  /** IPv6 of the end inside the namespace (undefined with `ipv6: false`). */
  readonly peerIPv6: string | undefined;
  /** Runs `argv` inside the namespace and returns its stdout; throws with its stderr on failure. */
  exec(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): string;
  /** Starts `argv` inside the namespace (`ip netns exec`); the caller waits for or kills it. */
  spawn(argv: readonly string[], options?: SpawnOptions): ChildProcess;
  /**
   * Starts Node inside the namespace on a script file (`{ path }`) or inline
   * ES module code (`{ code }`), with `args` after it.
   */
  spawnNode(
    script: { path: string } | { code: string },
    args?: readonly string[],
    options?: SpawnOptions,
  ): ChildProcess;
  /** Runs a Node script inside the namespace to its end and returns what it printed. */
  runNode(
    script: { path: string } | { code: string },
    args?: readonly string[],
    options?: { timeoutMs?: number },
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Deletes the namespace and the veth pair. Idempotent; also runs at process exit. */
  destroy(): void;
}

/** Options of {@link createNetns}. */
export interface NetnsOptions {
  /** Give the host end addresses (default true). DPDK attaches to an address-less end. */
  hostAddress?: boolean;
  /** Add IPv6 addresses too (default true; DAD is skipped so they work at once). */
  ipv6?: boolean;
  /**
   * Leave TX checksum offload on (default true). DPDK peers need it off on the
   * kernel end, or datagrams from the kernel arrive with partial checksums.
   */
  txChecksumOffload?: boolean;
  /** MTU of both ends (default the kernel's, 1500). */
  mtu?: number;
}

let probed: string | undefined | null = null;

/**
 * Why network namespaces cannot be used here (not root, no `ip`, the kernel
 * refuses), or undefined when they can. Probed once by making and deleting a
 * namespace. Suites use it to skip with the reason printed.
 */
export function netnsUnavailableReason(): string | undefined {
  if (probed === null) probed = probe();
  return requiredOrSkip('NETNS', probed);
}

function probe(): string | undefined {
  if (process.platform !== 'linux')
    return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'network namespaces need root (run the suite as root, as CI does)';
  }
  if (!findIp()) return "iproute2's 'ip' command is missing (apt-get install iproute2)";
  const name = `binio-probe-${process.pid}`;
  try {
    ip(['netns', 'add', name]);
    ip(['netns', 'del', name]);
    return undefined;
  } catch (e) {
    return `'ip netns add' failed: ${(e as Error).message.trim()}`;
  }
}

function findIp(): string | undefined {
  for (const p of ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'])
    if (existsSync(p)) return p;
  return undefined;
}

function ip(args: readonly string[]): string {
  return run(findIp() ?? 'ip', args);
}

function run(
  cmd: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): string {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      input: options.input,
      timeout: options.timeoutMs ?? 30_000,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

// Namespaces still alive, deleted at exit if a test forgot (or crashed before) destroy().
const live = new Set<Netns>();
let exitHookInstalled = false;
let counter = 0;

/**
 * Creates a namespace and a veth pair with one end inside it, both ends up,
 * with addresses from a /30 (and a /64) not used on this host. Call
 * `destroy()` when done (or use {@link withNetns}). Throws with the reason
 * when {@link netnsUnavailableReason} says it cannot work.
 */
export function createNetns(options: NetnsOptions = {}): Netns {
  const reason = netnsUnavailableReason();
  if (reason !== undefined) throw new Error(`Cannot create a network namespace: ${reason}`);
  const withHostAddress = options.hostAddress ?? true;
  const withV6 = options.ipv6 ?? true;
  const tag = `${process.pid.toString(36)}${(counter++).toString(36)}`;
  const name = `binio-${tag}`;
  // Interface names are at most 15 bytes.
  const hostInterface = `bnh${tag}`.slice(0, 15);
  const peerInterface = `bnp${tag}`.slice(0, 15);
  const block = freeBlock();
  const v4 = (n: number) => `10.233.${block >> 6}.${((block & 63) << 2) + n}`;
  const v6 = (n: number) => `fd00:b10:${block.toString(16)}::${n}`;

  let destroyed = false;
  const ns: Netns = {
    name,
    hostInterface,
    peerInterface,
    hostIPv4: withHostAddress ? v4(1) : undefined,
    peerIPv4: v4(2),
    hostIPv6: withHostAddress && withV6 ? v6(1) : undefined,
    peerIPv6: withV6 ? v6(2) : undefined,
    exec(argv, execOptions) {
      return run(findIp() ?? 'ip', ['netns', 'exec', name, ...argv], execOptions);
    },
    spawn(argv, spawnOptions) {
      return spawn(findIp() ?? 'ip', ['netns', 'exec', name, ...argv], {
        stdio: 'pipe',
        ...spawnOptions,
      });
    },
    spawnNode(script, args = [], spawnOptions) {
      const entry = 'path' in script ? [script.path] : ['--input-type=module', '-e', script.code];
      return ns.spawn([process.execPath, ...entry, ...args], spawnOptions);
    },
    runNode(script, args = [], runOptions = {}) {
      return new Promise((resolve, reject) => {
        const child = ns.spawnNode(script, args);
        let stdout = '';
        let stderr = '';
        child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`Node script in ${name} timed out; stderr: ${stderr}`));
        }, runOptions.timeoutMs ?? 20_000);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(ns);
      // Deleting the namespace destroys the veth end inside it, which takes
      // its partner with it; the link delete covers a half-built pair.
      tryRun(['netns', 'del', name]);
      tryRun(['link', 'del', hostInterface]);
    },
  };

  live.add(ns);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const n of [...live]) n.destroy();
    });
  }

  try {
    ip(['netns', 'add', name]);
    ip(['link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', peerInterface]);
    ip(['link', 'set', peerInterface, 'netns', name]);
    if (options.mtu !== undefined) {
      ip(['link', 'set', hostInterface, 'mtu', String(options.mtu)]);
      ip(['-n', name, 'link', 'set', peerInterface, 'mtu', String(options.mtu)]);
    }
    if (withHostAddress) {
      ip(['addr', 'add', `${v4(1)}/30`, 'dev', hostInterface]);
      if (withV6) ip(['-6', 'addr', 'add', `${v6(1)}/64`, 'dev', hostInterface, 'nodad']);
    }
    ip(['-n', name, 'addr', 'add', `${v4(2)}/30`, 'dev', peerInterface]);
    if (withV6) ip(['-n', name, '-6', 'addr', 'add', `${v6(2)}/64`, 'dev', peerInterface, 'nodad']);
    ip(['link', 'set', hostInterface, 'up']);
    ip(['-n', name, 'link', 'set', peerInterface, 'up']);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    if (options.txChecksumOffload === false) {
      run('ethtool', ['-K', hostInterface, 'tx', 'off']);
      run(findIp() ?? 'ip', ['netns', 'exec', name, 'ethtool', '-K', peerInterface, 'tx', 'off']);
    }
  } catch (e) {
    ns.destroy();
    throw e;
  }
  return ns;
}

/** Runs `body` with a fresh namespace and always destroys it afterwards. */
export async function withNetns<T>(
  body: (ns: Netns) => T | Promise<T>,
  options?: NetnsOptions,
): Promise<T> {
  const ns = createNetns(options);
  try {
    return await body(ns);
  } finally {
    ns.destroy();
  }
}

function tryRun(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // Already gone.
  }
}

// Picks a /30 in 10.233.0.0/16 whose host address no interface here uses
// yet: several suites (this one, epoll, DPDK) may hold namespaces at once.
function freeBlock(): number {
  const used = ip(['-o', '-4', 'addr', 'show']);
  const start = (process.pid * 7 + counter * 13) % 16384;
  for (let i = 0; i < 16384; i++) {
    const block = (start + i) % 16384;
    const host = `10.233.${block >> 6}.${((block & 63) << 2) + 1}/`;
    if (!used.includes(` ${host}`)) return block;
  }
  throw new Error('No free /30 left in 10.233.0.0/16');
}

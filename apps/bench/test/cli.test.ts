import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonUnavailableReason } from '@binio/engine-dpdk';
import { netnsUnavailableReason } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerSpec } from '../src/protocol.js';
import type { BenchReport } from '../src/report/json.js';
import { WorkerPool } from '../src/run/pool.js';
import { NODE, startWorker } from '../src/run/workers.js';

// The CLI runs for real, from its build: workers are separate Node/Bun
// processes, which cannot load TypeScript sources.
const PKG = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(PKG, 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'binio-bench-test-'));

function bench(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function report(path: string): BenchReport {
  return JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
}

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: PKG,
    stdio: 'inherit',
  });
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('binio-bench CLI', () => {
  it('--help prints the usage; a bad flag exits 2 naming it', () => {
    const help = bench(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: binio-bench');
    const bad = bench(['--reps', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--reps');
  });

  it('--list shows workloads, subjects and one line per missing thing', () => {
    const r = bench(['--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/file-randread-4k\s/);
    expect(r.stdout).toMatch(/node-sync\s+node\s+sync/);
    expect(r.stdout).toMatch(/Missing here:|Nothing missing\./);
    for (const line of r.stdout.split('\n').filter((l) => l.includes('missing:'))) {
      expect(line).toMatch(/missing: \S+ — .+/);
    }
  });

  it('runs a tiny file-randread-4k and writes JSON and SVG of the documented shape', () => {
    const json = join(work, 'out', 'r.json');
    const svg = join(work, 'out', 'r.svg');
    const r = bench([
      '--duration',
      '0.2',
      '--reps',
      '2',
      '--only',
      'file-randread-4k',
      '--subjects',
      'node',
      '--json',
      json,
      '--svg',
      svg,
    ]);
    expect(r.stderr).not.toContain('failed:');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^file-randread-4k — /);
    expect(r.stdout).toMatch(/node-sync\s+sync\s+1\s/);
    expect(r.stdout).toMatch(/node-promises\s+async\s+32\s/);
    expect(r.stderr).toContain('binio-bench quick');

    const doc = report(json);
    expect(doc.schema).toBe('binio-bench/1');
    expect(doc.settings).toMatchObject({ profile: 'quick', reps: 2, durationMs: 200 });
    expect(doc.failures).toEqual([]);
    expect(doc.workloads.map((w) => w.id)).toEqual(['file-randread-4k']);
    const w = doc.workloads[0]!;
    expect(w.references).toEqual(['node-sync', 'node-promises']);
    expect(w.results.map((x) => x.id)).toEqual(['node-sync', 'node-promises']);
    for (const x of w.results) {
      expect(x.samples).toHaveLength(2);
      for (const s of x.samples) {
        expect(s.ops).toBeGreaterThan(0);
        expect(s.bytes).toBe(s.ops * 4096);
        expect(s.elapsedNs).toBeGreaterThan(0);
        expect(s.cpuUs).toBeGreaterThanOrEqual(0);
      }
      expect(Object.keys(x.ratios)).toEqual(['node-sync', 'node-promises']);
      expect(x.opsPerSec.min).toBeLessThanOrEqual(x.opsPerSec.median);
      expect(x.opsPerSec.median).toBeLessThanOrEqual(x.opsPerSec.max);
    }
    expect(w.results[0]!.ratios['node-sync']).toBe(1);

    const chart = readFileSync(svg, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('data-subject="node-promises"');
    // The temp data file is gone.
    expect(doc.settings.file).toMatch(/binio-bench-.*read\.dat$/);
    expect(existsSync(doc.settings.file!)).toBe(false);
  });

  it('runs io_uring through its traits and through its batch API on random reads', () => {
    const json = join(work, 'uring.json');
    const r = bench([
      '--duration',
      '0.2',
      '--reps',
      '1',
      '--only',
      'file-randread-4k',
      '--subjects',
      'uring-async,uring-batch',
      '--json',
      json,
    ]);
    expect(r.stderr).not.toContain('failed:');
    expect(r.code).toBe(0);
    const w = report(json).workloads[0]!;
    expect(w.results.map((x) => [x.id, x.queueDepth])).toEqual([
      ['uring-async', 32],
      ['uring-batch', 32],
    ]);
    for (const x of w.results) {
      expect(x.samples[0]!.ops).toBeGreaterThan(0);
      expect(x.samples[0]!.bytes).toBe(x.samples[0]!.ops * 4096);
    }
  });

  it('runs the paired workloads (UDP, TCP stream, ping-pong) with the Node references', () => {
    const json = join(work, 'pairs.json');
    const r = bench([
      '--duration',
      '0.2',
      '--reps',
      '1',
      '--only',
      'udp,tcp',
      '--subjects',
      'node',
      '--json',
      json,
      '--svg',
      join(work, 'pairs.svg'),
    ]);
    expect(r.stderr).not.toContain('failed:');
    expect(r.code).toBe(0);
    const doc = report(json);
    expect(doc.workloads.map((w) => [w.id, w.results.map((x) => x.id)])).toEqual([
      ['udp-pps-64', ['node-dgram']],
      ['tcp-stream-64k', ['node-net']],
      ['tcp-pingpong-64', ['node-net']],
    ]);
    for (const w of doc.workloads) expect(w.results[0]!.samples[0]!.ops).toBeGreaterThan(0);
    // The reused workers went with the bench.
    const serving = spawnSync('pgrep', ['-f', `${join(PKG, 'dist', 'worker.js')} --serve`]);
    expect(serving.stdout.toString()).toBe('');
  });

  it('reads a --file as it is and never writes to it', () => {
    const file = join(work, 'mine.dat');
    const content = Buffer.alloc(2 << 20, 7);
    writeFileSync(file, content);
    const json = join(work, 'file.json');
    const r = bench([
      '--duration',
      '0.1',
      '--reps',
      '1',
      '--only',
      'file-randread-4k,file-randwrite-4k',
      '--subjects',
      'node-sync',
      '--file',
      file,
      '--json',
      json,
      '--svg',
      join(work, 'file.svg'),
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(file).equals(content)).toBe(true);
    expect(existsSync(`${file}.binio-bench-write`)).toBe(false);
    expect(report(json).settings).toMatchObject({ file, fileSize: 2 << 20 });
  });

  it('says so and exits 1 when nothing here can run the selection', () => {
    const r = bench([
      '--only',
      'dpdk-tx-64',
      '--subjects',
      'node',
      '--json',
      join(work, 'none.json'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing here runs dpdk-tx-64');
  });
});

// The worker pool with the built worker: what reuse keeps, and what it must not.
describe('worker processes', () => {
  let pool: WorkerPool;
  const file = join(work, 'pool.dat');
  beforeAll(() => {
    pool = new WorkerPool(join(PKG, 'dist', 'worker.js'));
    writeFileSync(file, Buffer.alloc(1 << 20, 1));
  });
  afterAll(() => pool.close());

  const spec = (driver: string, extra: Partial<WorkerSpec> = {}): WorkerSpec => ({
    driver,
    role: 'solo',
    workload: {
      id: 'file-randread-4k',
      blockSize: 4096,
      access: 'random',
      op: 'read',
      queueDepth: 4,
    },
    durationMs: 100,
    file,
    ...extra,
  });
  const engine = (pkg: string, factory: string, mode: string) => ({
    engine: { package: pkg, factory, options: { mode, buffers: { count: 8, size: 4096 } } },
  });
  const run = async (s: WorkerSpec, fresh = false): Promise<number> => {
    const p = startWorker(NODE, s, 20_000, fresh, pool);
    const r = await p.result;
    expect(r.ops, `${s.driver} ${JSON.stringify(s.engine?.options)}`).toBeGreaterThan(0);
    return p.pid!;
  };
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  async function gone(pid: number): Promise<boolean> {
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    return !alive(pid);
  }
  const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

  it('reuses a worker per engine configuration run after run, and its drivers leave no descriptors behind', async () => {
    const specs = [
      spec('node-file-sync'),
      spec('node-file-promises'),
      spec('binio-file', engine('@binio/engine-posix', 'createPosixEngine', 'sync')),
      spec('binio-file', engine('@binio/engine-posix', 'createPosixEngine', 'async')),
      spec('binio-file', engine('@binio/engine-uring', 'createUringEngine', 'async')),
    ];
    const pids: number[] = [];
    for (const s of specs) pids.push(await run(s));
    // Node's own drivers share one; each engine configuration has its own.
    expect(pids[1]).toBe(pids[0]);
    expect(new Set(pids).size).toBe(4);
    const after = pids.map(fds);
    for (const [i, s] of specs.entries()) expect(await run(s)).toBe(pids[i]);
    expect(pids.map(fds)).toEqual(after);
  });

  it('gives a fresh-process subject, and the DPDK drivers, a process of their own that then exits', async () => {
    const pooled = await run(spec('node-file-sync'));
    const fresh = await run(spec('node-file-sync'), true);
    expect(fresh).not.toBe(pooled);
    expect(await gone(fresh)).toBe(true);
    // Flagged by driver: no engine given, so it fails, but in its own process.
    const dpdk = startWorker(NODE, spec('binio-dpdk-tx'), 20_000, false, pool);
    await expect(dpdk.result).rejects.toThrow(/lacks engine/);
    expect(dpdk.pid).not.toBe(pooled);
    expect(await run(spec('node-file-sync'))).toBe(pooled);
  });

  it('kills a worker whose run fails or times out, and close() kills the idle ones', async () => {
    const pooled = await run(spec('node-file-sync'));
    const failing = startWorker(NODE, spec('no-such-driver'), 20_000, false, pool);
    await expect(failing.result).rejects.toThrow(/unknown driver/);
    expect(failing.pid).toBe(pooled);
    expect(await gone(pooled)).toBe(true);
    // A UDP receiver with no sender waits for ever: the time limit ends it.
    const stuck = startWorker(NODE, { ...spec('node-udp'), role: 'server' }, 1000, false, pool);
    await expect(stuck.result).rejects.toThrow(/did not finish within/);
    expect(await gone(stuck.pid!)).toBe(true);
    const idle = await run(spec('node-file-sync'));
    expect(pool.pids).toContain(idle);
    pool.close();
    expect(await gone(idle)).toBe(true);
    expect(pool.pids).toEqual([]);
  });
});

// The DPDK and veth workloads, run for real at a tiny size: the engine, the
// C loop compiled against libdpdk, and a veth into another namespace.
function dpdkMissing(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  if (spawnSync('pkg-config', ['--exists', 'libdpdk']).status !== 0) return 'no libdpdk';
  return addonUnavailableReason();
}
const noDpdk = dpdkMissing();
const noVeth = netnsUnavailableReason();
if (noDpdk) console.warn(`[bench DPDK workloads] skipped: ${noDpdk}`);
if (noVeth) console.warn(`[bench veth workload] skipped: ${noVeth}`);

describe('binio-bench DPDK and veth workloads', () => {
  function resultsOf(args: string[]): [string, string[]][] {
    const json = join(work, `${args.join('-').replace(/[^a-z0-9-]/gi, '')}.json`);
    const r = bench([
      '--duration',
      '0.2',
      '--reps',
      '1',
      ...args,
      '--json',
      json,
      '--svg',
      `${json}.svg`,
    ]);
    expect(r.stderr).not.toContain('failed:');
    expect(r.code).toBe(0);
    const doc = report(json);
    for (const w of doc.workloads)
      for (const x of w.results) expect(x.samples[0]!.ops, `${w.id} ${x.id}`).toBeGreaterThan(0);
    return doc.workloads.map((w) => [w.id, w.results.map((x) => x.id)]);
  }

  it.skipIf(noDpdk)(
    'runs the engine beside the C loop on net_null, net_ring and the echo pair',
    () => {
      const subjects = ['dpdk-sync', 'dpdk-packed-sync', 'c-dpdk-tx'];
      // Two reps: EAL can be initialised once per process, so each run needs a fresh one.
      const args = ['--only', 'dpdk', '--subjects', subjects.join(','), '--reps', '2'];
      expect(resultsOf(args)).toEqual([
        ['dpdk-tx-64', subjects],
        ['dpdk-tx-ring-64', subjects],
        ['dpdk-echo-ring-64', subjects],
      ]);
    },
  );

  it.skipIf(noDpdk || noVeth)('sends over a veth from DPDK, a kernel engine and Node', () => {
    const subjects = ['posix-sync', 'dpdk-sync', 'node-dgram'];
    expect(resultsOf(['--only', 'veth', '--subjects', subjects.join(',')])).toEqual([
      ['veth-udp-64', subjects],
    ]);
  });
});

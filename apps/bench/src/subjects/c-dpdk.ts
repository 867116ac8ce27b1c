import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileHelper } from '../run/cc.js';
import { FRESH_OVERHEAD_MS } from '../run/plan.js';
import { firstLine, runCommand, startProtocolProcess } from '../run/process.js';
import type { Job, ProbeContext, ProbeResult, Sample, SubjectFamily } from '../run/subject.js';
import { checked, SLACK_MS } from '../run/workers.js';

const WORKLOADS = ['dpdk-tx-64', 'dpdk-tx-ring-64', 'dpdk-echo-ring-64'];

/**
 * The engine's `native/` folder: its `udp.h` builds headers and checksums
 * for the addon, and the C reference includes the same file so both build
 * each frame the same way.
 */
function engineNativeDir(): string {
  const entry = fileURLToPath(import.meta.resolve('@binio/engine-dpdk'));
  return join(dirname(entry), '..', 'native');
}

async function dpdkFlags(): Promise<string[]> {
  const out = await runCommand('pkg-config', ['--cflags', '--libs', 'libdpdk'], 30_000);
  if (out.code !== 0) {
    throw new Error(
      out.code === null
        ? `no pkg-config: ${firstLine(out.stderr)}`
        : `pkg-config cannot find libdpdk: ${firstLine(out.stderr)}`,
    );
  }
  // Ring ports made from rte_rings (the echo pair) come from the net_ring driver's own library.
  return [...out.stdout.trim().split(/\s+/), '-lrte_net_ring'];
}

function args(job: Job): string[] {
  const w = job.workload;
  const common = [String(Math.round(job.durationMs)), String(w.blockSize), String(w.batch ?? 32)];
  return w.kind === 'dpdk-echo' ? ['echo', ...common] : ['tx', w.device ?? 'net_null', ...common];
}

/**
 * The C limit for the DPDK workloads: the same loops as the engine's
 * driver, in C against `librte_*`, compiled here at run time (EAL in its
 * own process, no hugepages, virtual devices only).
 */
export const family: SubjectFamily = {
  name: 'C (DPDK)',
  order: 43,
  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    let bin: string;
    try {
      const build = { includeDirs: [engineNativeDir()], flags: await dpdkFlags() };
      bin = await compileHelper('dpdk-tx', ctx.cacheDir, build);
    } catch (e) {
      return {
        subjects: [],
        missing: [
          {
            what: 'c-dpdk-tx',
            reason: `${(e as Error).message}: the C DPDK limit is skipped`,
            hint: 'apt-get install -y dpdk-dev libdpdk-dev pkg-config gcc',
          },
        ],
      };
    }
    return {
      subjects: [
        {
          id: 'c-dpdk-tx',
          label:
            'C loop on DPDK: mbuf bursts stamped with the engine’s udp.h, tx_burst (and rx_burst)',
          group: 'limit',
          workloads: WORKLOADS,
          queueDepth: () => 1,
          overheadMs: FRESH_OVERHEAD_MS,
          async run(job: Job): Promise<Sample> {
            const p = startProtocolProcess<Sample>(bin, args(job), {
              timeoutMs: job.durationMs + SLACK_MS,
              name: 'C DPDK loop',
            });
            return checked(await p.result, job.workload.id);
          },
        },
      ],
      missing: [],
    };
  },
};

import { UDP_RECEIVE_BUFFER } from '../drivers/udp-markers.js';
import { compileHelper } from '../run/cc.js';
import { startProtocolProcess } from '../run/process.js';
import type {
  Job,
  ProbeContext,
  ProbeResult,
  Sample,
  Subject,
  SubjectFamily,
} from '../run/subject.js';
import { runPair, SLACK_MS } from '../run/workers.js';

function subject(bin: string): Subject {
  return {
    id: 'c-mmsg',
    label: 'C sendmmsg/recvmmsg pair (batches of the workload size)',
    group: 'limit',
    workloads: ['udp-pps-64'],
    queueDepth: () => 1,
    overheadMs: 20,
    run(job: Job): Promise<Sample> {
      const w = job.workload;
      const batch = String(w.batch ?? 32);
      const options = { timeoutMs: job.durationMs + SLACK_MS };
      return runPair(
        () =>
          startProtocolProcess(bin, ['recv', batch, String(UDP_RECEIVE_BUFFER)], {
            ...options,
            name: 'C receiver',
          }),
        (port) =>
          startProtocolProcess(
            bin,
            ['send', String(port), batch, String(w.blockSize), String(Math.round(job.durationMs))],
            {
              ...options,
              name: 'C sender',
            },
          ),
        'server',
        'c-mmsg',
      );
    },
  };
}

/** The C limit for UDP packets per second, compiled here at run time. */
export const family: SubjectFamily = {
  name: 'C (udp-mmsg)',
  order: 42,
  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    try {
      return { subjects: [subject(await compileHelper('udp-mmsg', ctx.cacheDir))], missing: [] };
    } catch (e) {
      return {
        subjects: [],
        missing: [
          {
            what: 'c-mmsg',
            reason: `${(e as Error).message}: the C UDP limit is skipped`,
            hint: 'apt-get install gcc',
          },
        ],
      };
    }
  },
};

import { describe, expect, it } from 'vitest';
import { planRuns } from '../src/run/plan.js';
import { Progress } from '../src/run/progress.js';
import { executePlan } from '../src/run/runner.js';
import type { Subject } from '../src/run/subject.js';
import { fakeSubject, sample, workload } from './fixtures.js';

describe('executePlan', () => {
  it('records samples, reports a failing subject once and skips its other runs', async () => {
    const w = workload('udp-pps-64');
    let brokenCalls = 0;
    const good: Subject = {
      ...fakeSubject('good', 'binio', [w.id]),
      run: async () => sample(1000),
    };
    const broken: Subject = {
      ...fakeSubject('broken', 'node', [w.id]),
      run: async () => {
        brokenCalls++;
        throw new Error('no socket for you\nsecond line');
      },
    };
    const lines: string[] = [];
    const progress = new Progress(6, { isTTY: false, write: (t) => lines.push(t) });
    const out = await executePlan(planRuns([w], [good, broken], 3), {
      durationMs: 10,
      files: undefined,
      policy: 'round',
      progress,
    });
    expect(out.samples.get(w.id)?.get('good')).toHaveLength(3);
    expect(out.samples.get(w.id)?.has('broken')).toBe(false);
    expect(brokenCalls).toBe(1);
    expect(out.failures).toEqual([
      { workload: w.id, subject: 'broken', message: 'no socket for you' },
    ]);
    expect(
      lines.filter((l) => l.startsWith('failed: broken on udp-pps-64: no socket for you')),
    ).toHaveLength(1);
    expect(lines[0]).toBe('[0/6] udp-pps-64\n');
  });

  it('refuses file workloads when no data file was prepared', async () => {
    const w = workload('file-randread-4k');
    const s: Subject = { ...fakeSubject('s', 'binio', [w.id]), run: async () => sample(1) };
    const progress = new Progress(1, { isTTY: false, write: () => true });
    const out = await executePlan(planRuns([w], [s], 1), {
      durationMs: 10,
      files: undefined,
      policy: 'run',
      progress,
    });
    expect(out.failures[0]?.message).toMatch(/no data file/);
  });
});

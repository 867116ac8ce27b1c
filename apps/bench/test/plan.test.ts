import { describe, expect, it } from 'vitest';
import {
  estimateSeconds,
  fitDuration,
  needsRecache,
  planRuns,
  quickSubjects,
} from '../src/run/plan.js';
import { selectWorkloads } from '../src/workloads.js';
import { fakeSubject, workload } from './fixtures.js';

const read = workload('file-randread-4k');
const udp = workload('udp-pps-64');
const a = fakeSubject('a', 'binio', [read.id, udp.id]);
const b = fakeSubject('b', 'node', [read.id]);
const c = fakeSubject('c', 'limit', [read.id]);

describe('planRuns', () => {
  const runs = planRuns([read, udp], [a, b, c], 3);

  it('interleaves subjects round-robin, starting one further on each round', () => {
    const readOrder = runs.filter((r) => r.workload === read).map((r) => r.subject.id);
    expect(readOrder).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
  });

  it('runs a workload only with the subjects that offer it', () => {
    expect(runs.filter((r) => r.workload === udp).map((r) => r.subject.id)).toEqual([
      'a',
      'a',
      'a',
    ]);
  });

  it('rebuilds the page cache per run, per round or per workload, for file reads only', () => {
    const readRuns = runs.filter((r) => r.workload === read);
    expect(readRuns.filter((r) => needsRecache(r, 'run'))).toHaveLength(9);
    expect(readRuns.filter((r) => needsRecache(r, 'round'))).toHaveLength(3);
    expect(readRuns.filter((r) => needsRecache(r, 'workload'))).toEqual([readRuns[0]]);
    expect(runs.filter((r) => r.workload === udp).some((r) => needsRecache(r, 'run'))).toBe(false);
  });
});

describe('fitDuration', () => {
  it('picks the longest candidate that fits the budget', () => {
    const runs = planRuns([read], [a, b, c], 3);
    const d = fitDuration(runs, 60, 1 << 20, 'round', 0);
    expect(estimateSeconds(runs, d, 1 << 20, 'round')).toBeLessThanOrEqual(60);
    expect(d).toBe(2000);
    expect(fitDuration(runs, 5, 1 << 20, 'round', 0)).toBeLessThan(1000);
  });

  it('never goes below its floor', () => {
    const runs = planRuns([read], [a, b, c], 100);
    expect(fitDuration(runs, 1, 1 << 20, 'run', 0)).toBe(200);
  });
});

describe('quickSubjects', () => {
  const bun = { ...fakeSubject('bun-sync', 'bun', [read.id]), notInQuick: 'same scripts' };
  it('leaves out what --quick does not run, unless subjects were named', () => {
    expect(quickSubjects([a, bun, b], false)).toEqual({ kept: [a, b], left: [bun] });
    expect(quickSubjects([a, bun, b], true)).toEqual({ kept: [a, bun, b], left: [] });
  });
});

describe('estimateSeconds', () => {
  it('counts each run as its duration plus its overhead, twice for a pair', () => {
    const solo = fakeSubject('s', 'binio', [read.id], 10);
    const pair = fakeSubject('p', 'binio', [workload('tcp-stream-64k').id], 10);
    expect(estimateSeconds(planRuns([read], [solo], 3), 200, 1 << 20, 'workload')).toBeCloseTo(
      3 * 0.21 + 0.1 + (1 << 20) / 400e6,
    );
    expect(
      estimateSeconds(planRuns([workload('tcp-stream-64k')], [pair], 1), 200, 0, 'run'),
    ).toBeCloseTo(0.22);
  });
});

describe('selectWorkloads', () => {
  it('takes ids and prefixes, and names unknown ones', () => {
    expect(selectWorkloads(['tcp']).map((w) => w.id)).toEqual([
      'tcp-stream-64k',
      'tcp-pingpong-64',
    ]);
    expect(selectWorkloads(['file-randread-4k']).map((w) => w.id)).toEqual(['file-randread-4k']);
    expect(() => selectWorkloads(['nope'])).toThrow(/Unknown workload 'nope'/);
  });
});

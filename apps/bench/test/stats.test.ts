import { describe, expect, it } from 'vitest';
import { median, summarize, summarizeWorkload } from '../src/report/stats.js';
import { fakeSubject, sample, workload } from './fixtures.js';

describe('median and spread', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('reports the spread as half the range in percent of the median', () => {
    expect(summarize([90, 100, 110])).toEqual({ median: 100, min: 90, max: 110, spreadPct: 10 });
    expect(summarize([5]).spreadPct).toBe(0);
  });
});

describe('summarizeWorkload', () => {
  const w = workload('file-randread-4k');
  const subjects = [
    fakeSubject('engine-sync', 'binio', [w.id]),
    fakeSubject('node-sync', 'node', [w.id]),
    fakeSubject('fio-psync', 'limit', [w.id]),
    fakeSubject('broken', 'binio', [w.id]),
  ];
  const samples = new Map([
    ['engine-sync', [sample(200), sample(220), sample(180)]],
    ['node-sync', [sample(100)]],
    ['fio-psync', [sample(400, 0.5)]],
  ]);
  const result = summarizeWorkload(w, subjects, samples);

  it('keeps subjects with samples, in order, and lists the references', () => {
    expect(result.results.map((r) => r.id)).toEqual(['engine-sync', 'node-sync', 'fio-psync']);
    expect(result.references).toEqual(['node-sync', 'fio-psync']);
  });

  it('gives every subject its ratio to each reference', () => {
    const engine = result.results[0]!;
    expect(engine.opsPerSec.median).toBe(200);
    expect(engine.ratios).toEqual({ 'node-sync': 2, 'fio-psync': 0.5 });
    expect(result.results[1]!.ratios['node-sync']).toBe(1);
  });

  it('derives MB/s and CPU per operation from the samples', () => {
    const fio = result.results[2]!;
    expect(fio.mbPerSec.median).toBeCloseTo((400 * 4096) / 1e6);
    expect(fio.cpuUsPerOp.median).toBe(0.5);
    expect(fio.queueDepth).toBe(1);
  });
});

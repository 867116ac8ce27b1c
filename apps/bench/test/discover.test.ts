import { describe, expect, it } from 'vitest';
import { loadFamilies, selectSubjects, subjectModules } from '../src/run/discover.js';
import { fakeSubject } from './fixtures.js';

describe('subject discovery', () => {
  it('finds one family per file in src/subjects, engines first', async () => {
    const { families, missing } = await loadFamilies();
    expect(missing).toEqual([]);
    expect(families).toHaveLength(subjectModules().length);
    const names = families.map((f) => f.name);
    expect(names.slice(0, 5)).toEqual([
      '@binio/engine-posix',
      '@binio/engine-uring',
      '@binio/engine-epoll',
      '@binio/engine-epoll (epoll-busypoll)',
      '@binio/engine-dpdk',
    ]);
    expect(names).toEqual(expect.arrayContaining(['fio', 'iperf3', 'Bun', 'C (udp-mmsg)']));
  });

  it('selects by id, prefix or group and reports what matches nothing', () => {
    const all = [
      fakeSubject('posix-sync', 'binio', []),
      fakeSubject('node-sync', 'node', []),
      fakeSubject('fio-psync', 'limit', []),
    ];
    const pick = (w: string[]) => selectSubjects(all, w);
    expect(pick(['posix']).subjects.map((s) => s.id)).toEqual(['posix-sync']);
    expect(pick(['limit', 'node-sync']).subjects.map((s) => s.id)).toEqual([
      'node-sync',
      'fio-psync',
    ]);
    expect(pick(['uring', 'node']).unmatched).toEqual(['uring']);
  });
});

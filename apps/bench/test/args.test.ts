import { describe, expect, it } from 'vitest';
import { parseSettings } from '../src/args.js';

const NOW = new Date('2026-01-02T03:04:05.678Z');

describe('parseSettings', () => {
  it('defaults to --quick: 3 reps, a 256 MiB file, duration fitted to the budget', () => {
    const s = parseSettings([], NOW);
    expect(s.profile).toBe('quick');
    expect(s.reps).toBe(3);
    expect(s.durationMs).toBeUndefined();
    expect(s.fileSize).toBe(256 << 20);
    expect(s.recache).toBe('workload');
    expect(s.jsonPath).toBe('bench-results/2026-01-02T03-04-05-678Z.json');
    expect(s.svgPath).toBe('bench-results/2026-01-02T03-04-05-678Z.svg');
  });

  it('--full: 5 reps of 3 s on a 1 GiB file, cache rebuilt before every run', () => {
    const s = parseSettings(['--full'], NOW);
    expect([s.reps, s.durationMs, s.fileSize, s.recache]).toEqual([5, 3000, 1 << 30, 'run']);
  });

  it('takes lists, numbers and paths', () => {
    const s = parseSettings(
      [
        '--only',
        'file,udp-pps-64',
        '--subjects',
        'posix, node',
        '--reps',
        '2',
        '--duration',
        '0.25',
        '--file',
        '/x',
      ],
      NOW,
    );
    expect(s.only).toEqual(['file', 'udp-pps-64']);
    expect(s.subjects).toEqual(['posix', 'node']);
    expect(s.reps).toBe(2);
    expect(s.durationMs).toBe(250);
    expect(s.file).toBe('/x');
  });

  it('refuses bad input with a message naming the flag', () => {
    expect(() => parseSettings(['--reps', '0'])).toThrow(/--reps/);
    expect(() => parseSettings(['--duration', 'abc'])).toThrow(/--duration/);
    expect(() => parseSettings(['--quick', '--full'])).toThrow(/exclude/);
    expect(() => parseSettings(['--recache', 'never'])).toThrow(/--recache/);
    expect(() => parseSettings(['--frobnicate'])).toThrow(/frobnicate/);
  });
});

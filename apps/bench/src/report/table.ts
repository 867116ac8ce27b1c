import { formatRate, formatRatio, formatSig } from './format.js';
import type { WorkloadResult } from './stats.js';

type Align = 'left' | 'right';

/** Lays out rows as fixed-width columns (two spaces apart). */
export function columns(
  header: readonly string[],
  rows: readonly string[][],
  align: readonly Align[],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (align[i] === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * The terminal table of one workload: per subject the median rate, MB/s,
 * spread (± half the range over the repetitions), CPU per operation (all of
 * the subject's processes), and its ratio to each reference (×ref: its
 * median ops/s over the reference's).
 */
export function workloadTable(w: WorkloadResult): string {
  const header = [
    'subject',
    'mode',
    'QD',
    'ops/s',
    'MB/s',
    'spread',
    'CPU µs/op',
    ...w.references.map((r) => `×${r}`),
  ];
  const rows = w.results.map((r) => [
    r.id,
    r.mode ?? '',
    String(r.queueDepth),
    formatRate(r.opsPerSec.median),
    formatSig(r.mbPerSec.median),
    `±${r.opsPerSec.spreadPct.toFixed(1)}%`,
    formatSig(r.cpuUsPerOp.median),
    ...w.references.map((ref) => formatRatio(r.ratios[ref])),
  ]);
  const align: Align[] = ['left', 'left', ...header.slice(2).map((): Align => 'right')];
  const title = `${w.workload.id} — ${w.workload.title} (one op = one ${w.workload.opName})`;
  return [title, ...columns(header, rows, align).map((l) => `  ${l}`)].join('\n');
}

/** Every workload's table, separated by blank lines. */
export function resultsTable(results: readonly WorkloadResult[]): string {
  return results
    .filter((w) => w.results.length > 0)
    .map(workloadTable)
    .join('\n\n');
}

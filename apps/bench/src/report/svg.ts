import type { Group } from '../run/subject.js';
import { formatRate, formatRatio } from './format.js';
import type { SubjectResult, WorkloadResult } from './stats.js';

const COLORS: Record<Group, string> = {
  binio: '#2b6cb0',
  node: '#68a063',
  bun: '#c9a227',
  limit: '#888888',
};

const WIDTH = 960;
const LABEL_W = 150;
const BAR_W = 520;
const ROW_H = 22;
const TITLE_H = 30;
const GAP = 16;

/** Escapes text for SVG content and attributes. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The reference a bar's label compares with: Node's subject of the same
 * mode (fs.readSync for sync subjects, fs.promises for async ones), else
 * the first reference. The table and the JSON carry every ratio.
 */
export function chartReference(w: WorkloadResult, r: SubjectResult): string | undefined {
  const node = w.results.filter((x) => x.group === 'node');
  return (node.find((x) => x.mode === r.mode) ?? node[0])?.id ?? w.references[0];
}

/**
 * A horizontal bar chart: one panel per workload, one bar per subject
 * (median ops/s, scaled to the fastest in that panel), a whisker from the
 * slowest to the fastest repetition, and the ratio to {@link chartReference}.
 * Colours tell binio engines from Node, Bun and the limits.
 */
export function renderSvg(results: readonly WorkloadResult[], subtitle: string): string {
  const panels = results.filter((w) => w.results.length > 0);
  const parts: string[] = [];
  let y = 50;
  for (const w of panels) {
    parts.push(
      `<text x="10" y="${y + 18}" class="t">${escapeXml(`${w.workload.id} — ${w.workload.title}`)}</text>`,
    );
    y += TITLE_H;
    const max = Math.max(...w.results.map((r) => r.opsPerSec.max));
    const scale = (v: number): number => (max > 0 ? (v / max) * BAR_W : 0);
    for (const r of w.results) {
      const bw = scale(r.opsPerSec.median);
      const cy = y + ROW_H / 2;
      const ref = chartReference(w, r);
      const ratio =
        ref !== undefined && r.id !== ref ? `  ×${formatRatio(r.ratios[ref])} vs ${ref}` : '';
      parts.push(
        `<g class="row" data-subject="${escapeXml(r.id)}" data-workload="${escapeXml(w.workload.id)}">`,
        `<text x="${LABEL_W - 6}" y="${cy + 4}" text-anchor="end">${escapeXml(r.id)}</text>`,
        `<rect x="${LABEL_W}" y="${y + 3}" width="${bw.toFixed(1)}" height="${ROW_H - 6}" fill="${COLORS[r.group]}"/>`,
        `<line x1="${(LABEL_W + scale(r.opsPerSec.min)).toFixed(1)}" x2="${(LABEL_W + scale(r.opsPerSec.max)).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="#222" stroke-width="1"/>`,
        `<text x="${LABEL_W + BAR_W + 8}" y="${cy + 4}">${escapeXml(`${formatRate(r.opsPerSec.median)} ops/s${ratio}`)}</text>`,
        '</g>',
      );
      y += ROW_H;
    }
    y += GAP;
  }
  const legend = (Object.keys(COLORS) as Group[])
    .map((g, i) => {
      const x = WIDTH - 4 * 80 + i * 80;
      return `<rect x="${x}" y="12" width="12" height="12" fill="${COLORS[g]}"/><text x="${x + 16}" y="22">${g}</text>`;
    })
    .join('');
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.t{font-weight:bold;font-size:13px}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="22" class="t">binio-bench</text>`,
    `<text x="10" y="40" fill="#555">${escapeXml(subtitle)}</text>`,
    legend,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

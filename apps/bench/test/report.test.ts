import { describe, expect, it } from 'vitest';
import { formatRate, formatRatio } from '../src/report/format.js';
import { summarizeWorkload } from '../src/report/stats.js';
import { chartReference, escapeXml, renderSvg } from '../src/report/svg.js';
import { resultsTable } from '../src/report/table.js';
import { fakeSubject, sample, workload } from './fixtures.js';

const w = workload('udp-pps-64');
const result = summarizeWorkload(
  w,
  [fakeSubject('engine-sync', 'binio', [w.id]), fakeSubject('c-mmsg', 'limit', [w.id])],
  new Map([
    ['engine-sync', [sample(1_500_000, 0.6, 64), sample(1_400_000, 0.7, 64)]],
    ['c-mmsg', [sample(3_000_000, 0.3, 64)]],
  ]),
);

describe('terminal table', () => {
  const text = resultsTable([result]);

  it('has a title, the columns and a ratio column per reference', () => {
    const lines = text.split('\n');
    expect(lines[0]).toContain('udp-pps-64');
    expect(lines[1]).toMatch(
      /subject\s+mode\s+QD\s+ops\/s\s+MB\/s\s+spread\s+CPU µs\/op\s+×c-mmsg/,
    );
    expect(lines[2]).toMatch(
      /^ {2}engine-sync\s+sync\s+1\s+1\.45M\s+92\.8\s+±3\.4%\s+0\.650\s+0\.48$/,
    );
  });
});

describe('svg chart', () => {
  const svg = renderSvg([result], 'a <test> & more');

  it('is one svg document with a bar per subject and escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<g class="row"/g)).toHaveLength(2);
    expect(svg).toContain('data-subject="engine-sync"');
    expect(svg).toContain('a &#60;test&#62; &#38; more');
    expect(svg).not.toContain('<test>');
  });

  it('escapes markup characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe(
      '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;',
    );
  });
});

describe('formatting', () => {
  it('shortens rates and ratios', () => {
    expect(formatRate(999)).toBe('999');
    expect(formatRate(81_234)).toBe('81.2k');
    expect(formatRate(1_234_567)).toBe('1.23M');
    expect(formatRatio(undefined)).toBe('—');
    expect(formatRatio(0.4567)).toBe('0.46');
    expect(formatRatio(123.4)).toBe('123');
  });
});

describe('chart reference', () => {
  it("compares each bar with Node's subject of the same mode", () => {
    const r = workload('file-randread-4k');
    const asyncSubject = {
      ...fakeSubject('engine-async', 'binio', [r.id]),
      mode: 'async' as const,
    };
    const promises = { ...fakeSubject('node-promises', 'node', [r.id]), mode: 'async' as const };
    const w = summarizeWorkload(
      r,
      [
        fakeSubject('engine-sync', 'binio', [r.id]),
        asyncSubject,
        fakeSubject('node-sync', 'node', [r.id]),
        promises,
      ],
      new Map(
        ['engine-sync', 'engine-async', 'node-sync', 'node-promises'].map((id) => [
          id,
          [sample(100)],
        ]),
      ),
    );
    expect(chartReference(w, w.results[0]!)).toBe('node-sync');
    expect(chartReference(w, w.results[1]!)).toBe('node-promises');
  });
});

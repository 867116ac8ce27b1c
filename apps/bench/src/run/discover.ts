import { readdirSync } from 'node:fs';
import type { Missing, ProbeContext, Subject, SubjectFamily } from './subject.js';

const SUBJECTS_DIR = new URL('../subjects/', import.meta.url);

/** The modules of `src/subjects/` (or `dist/subjects/`): one family each. */
export function subjectModules(): string[] {
  return readdirSync(SUBJECTS_DIR)
    .filter((f) => (f.endsWith('.js') || f.endsWith('.ts')) && !f.endsWith('.d.ts'))
    .sort();
}

/** Loads every family in `subjects/`; a module that fails to load is reported, not fatal. */
export async function loadFamilies(): Promise<{ families: SubjectFamily[]; missing: Missing[] }> {
  const families: SubjectFamily[] = [];
  const missing: Missing[] = [];
  for (const file of subjectModules()) {
    try {
      const mod = (await import(new URL(file, SUBJECTS_DIR).href)) as { family?: SubjectFamily };
      if (mod.family === undefined) throw new Error('exports no `family`');
      families.push(mod.family);
    } catch (e) {
      missing.push({ what: `subjects/${file}`, reason: (e as Error).message });
    }
  }
  families.sort((a, b) => a.order - b.order);
  return { families, missing };
}

/** What can run here, and a line for everything that cannot. */
export interface Discovery {
  subjects: Subject[];
  missing: Missing[];
}

/**
 * Probes every family at once (engine probes are child processes, tools are
 * `--version` calls) and keeps the family order.
 */
export async function discover(ctx: ProbeContext): Promise<Discovery> {
  const loaded = await loadFamilies();
  const results = await Promise.all(
    loaded.families.map(async (f) => {
      try {
        return await f.probe(ctx);
      } catch (e) {
        return {
          subjects: [],
          missing: [{ what: f.name, reason: `probe failed: ${(e as Error).message}` }],
        };
      }
    }),
  );
  return {
    subjects: results.flatMap((r) => r.subjects),
    missing: [...loaded.missing, ...results.flatMap((r) => r.missing)],
  };
}

/**
 * Subjects picked by `--subjects`: exact ids, id prefixes (`posix`, `fio`)
 * or groups (`binio`, `node`, `bun`, `limit`). Entries that match nothing
 * here (an engine that is missing) are returned so the caller can say so.
 */
export function selectSubjects(
  all: readonly Subject[],
  wanted: readonly string[] | undefined,
): { subjects: Subject[]; unmatched: string[] } {
  if (wanted === undefined || wanted.length === 0) return { subjects: [...all], unmatched: [] };
  const matches = (s: Subject, w: string): boolean =>
    s.id === w || s.id.startsWith(`${w}-`) || s.group === w;
  return {
    subjects: all.filter((s) => wanted.some((w) => matches(s, w))),
    unmatched: wanted.filter((w) => !all.some((s) => matches(s, w))),
  };
}

import type { Missing, Subject } from '../run/subject.js';
import type { Workload } from '../workloads.js';
import { columns } from './table.js';

/** One line per thing that cannot run here, with its fix. */
export function missingLine(m: Missing): string {
  return `missing: ${m.what} — ${m.reason}${m.hint ? ` (${m.hint})` : ''}`;
}

/** `--list`: the workloads, who runs each, every subject, and what is missing. */
export function listText(
  workloads: readonly Workload[],
  subjects: readonly Subject[],
  missing: readonly Missing[],
): string {
  const wl = columns(
    ['workload', 'what', 'subjects'],
    workloads.map((w) => [
      w.id,
      w.title,
      subjects
        .filter((s) => s.workloads.includes(w.id))
        .map((s) => s.id)
        .join(', ') || '(none here)',
    ]),
    ['left', 'left', 'left'],
  );
  const sl = columns(
    ['subject', 'group', 'mode', 'what'],
    subjects.map((s) => [s.id, s.group, s.mode ?? '', s.label]),
    ['left', 'left', 'left', 'left'],
  );
  return [
    'Workloads:',
    ...wl.map((l) => `  ${l}`),
    '',
    'Subjects:',
    ...sl.map((l) => `  ${l}`),
    '',
    missing.length ? 'Missing here:' : 'Nothing missing.',
    ...missing.map((m) => `  ${missingLine(m)}`),
    '',
  ].join('\n');
}

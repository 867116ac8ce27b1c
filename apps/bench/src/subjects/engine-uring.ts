import { engineFamily } from '../run/engine-family.js';
import { SQPOLL_NOT_IN_QUICK } from '../run/plan.js';
import type { SubjectFamily } from '../run/subject.js';

const PACKAGE = '@binio/engine-uring';
/** Big enough for the largest block (128 KiB) at the deepest queue (32): file subjects read into registered buffers. */
const BUFFERS = { buffers: { count: 40, size: 131072 } };

/** `@binio/engine-uring` in both modes (`createUringEngine({ mode })`). */
const plain = engineFamily({
  package: PACKAGE,
  short: 'uring',
  factory: 'createUringEngine',
  modes: ['sync', 'async'],
  options: BUFFERS,
  order: 11,
});

/**
 * The same engine with `sqpoll` (a kernel thread polls the SQ), async, on the
 * file workloads: beside fio's own SQPOLL run (`fio-sqpoll`).
 */
const sqpoll = engineFamily({
  package: PACKAGE,
  short: 'uring-sqpoll',
  id: () => 'uring-sqpoll',
  label: `binio ${PACKAGE} (async) with SQPOLL`,
  factory: 'createUringEngine',
  modes: ['async'],
  options: { ...BUFFERS, sqpoll: { idleMs: 1000 } },
  only: ['file-randread-4k', 'file-seqread-128k', 'file-randwrite-4k'],
  notInQuick: SQPOLL_NOT_IN_QUICK,
  order: 11.5,
});

/** Both, probed together (one family per module). */
export const family: SubjectFamily = {
  name: PACKAGE,
  order: 11,
  async probe(ctx) {
    const [a, b] = await Promise.all([plain.probe(ctx), sqpoll.probe(ctx)]);
    return { subjects: [...a.subjects, ...b.subjects], missing: [...a.missing, ...b.missing] };
  },
};

import { engineFamily } from '../run/engine-family.js';
import { SQPOLL_NOT_IN_QUICK } from '../run/plan.js';
import type { SubjectFamily } from '../run/subject.js';

const PACKAGE = '@binio/engine-uring';
/**
 * Registered buffers big enough for the largest block (128 KiB) at the
 * deepest queue (32), and a registered file table: the file subjects read
 * into registered buffers from registered files, the registration fio's
 * io_uring subjects get with `--fixedbufs --registerfiles`.
 */
const BUFFERS = { buffers: { count: 40, size: 131072 }, registeredFiles: 8 };

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

/**
 * The same engine through its batch API (`engine.batch(handler)`: numeric
 * tags, one handler, no Promise per read), async, on random reads: the
 * issue's "batch API ≥ 0.95× fio io_uring" figure.
 */
const batch = engineFamily({
  package: PACKAGE,
  short: 'uring-batch',
  id: () => 'uring-batch',
  label: `binio ${PACKAGE} (async) batch API`,
  factory: 'createUringEngine',
  modes: ['async'],
  // The batch read fills a buffer's whole free space: 4 KiB registered buffers.
  options: { buffers: { count: 40, size: 4096 } },
  only: ['file-randread-4k'],
  fileDriver: 'uring-batch-file',
  order: 11.2,
});

/** All three, probed together (one family per module). */
export const family: SubjectFamily = {
  name: PACKAGE,
  order: 11,
  async probe(ctx) {
    const all = await Promise.all([plain.probe(ctx), batch.probe(ctx), sqpoll.probe(ctx)]);
    return {
      subjects: all.flatMap((r) => r.subjects),
      missing: all.flatMap((r) => r.missing),
    };
  },
};

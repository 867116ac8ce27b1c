import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { qemuMissing, runInGuest } from '@binio/testkit';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// IORING_SETUP_IOPOLL on a block device that really polls: this machine has
// none, so a QEMU guest (TCG, Debian's kernel, @binio/testkit's runInGuest)
// gets an emulated NVMe drive backed by an image written here, and the nvme
// driver is loaded with poll_queues=1. The guest runs the host's node on a
// bundle of the engine's sources (built here, nothing is built in the guest):
// sync and async IOPOLL engines read random blocks with O_DIRECT and check
// them, write one block each and read it back. That the IO was polled shows
// in /proc/interrupts: the NVMe IO queues raise (almost) no interrupt for
// the IOPOLL engines' reads, and one per read for an engine without IOPOLL.

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// Inside the package (so Node finds koffi and native-loop from the bundle),
// apart from unavailable.test.ts's .test-tmp/ (removed when that file ends);
// ignored by git.
const TMP = here('../.test-tmp-iopoll/');
const BLOCK = 4096;
const BLOCKS = 2048; // 8 MiB

/** Block `i` of the image: 32-bit words `i * 1024 + j + seed`, word 0 = `i` (as the guest script expects). */
function blockPattern(i: number, seed = 0): Uint8Array {
  const w = new Uint32Array(BLOCK / 4);
  for (let j = 0; j < w.length; j++) w[j] = (i * 1024 + j + seed) >>> 0;
  w[0] = i;
  return new Uint8Array(w.buffer);
}

const SCRIPT = `set -e
modprobe nvme poll_queues=1
i=0; while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
BLOCKS=${BLOCKS} node ${TMP}guest.mjs > /binio-work/result.json
`;

interface ModeResult {
  mode: string;
  setupFlags: number;
  direct: boolean;
  bad: number[];
  reads: number;
  readMs: number;
  writeReadBack: boolean;
  written: number;
  delta: { reads: number; writes: number; irqs: number };
  buffered: { ok?: boolean; code?: string; message?: string };
}

const missing = qemuMissing();
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe.skipIf(missing !== undefined)(
  `IOPOLL on an emulated NVMe drive with poll queues (QEMU guest)${missing ? ` — skipped: ${missing}` : ''}`,
  () => {
    it('sync and async engines read and write /dev/nvme0n1 with polled completions', async () => {
      mkdirSync(TMP, { recursive: true });
      const image = `${TMP}nvme.img`;
      const data = new Uint8Array(BLOCK * BLOCKS);
      for (let i = 0; i < BLOCKS; i++) data.set(blockPattern(i), i * BLOCK);
      writeFileSync(image, data);
      await build({
        entryPoints: [here('./fixtures/iopoll-guest.ts')],
        outfile: `${TMP}guest.mjs`,
        bundle: true,
        platform: 'node',
        format: 'esm',
        conditions: ['@binio/source'],
        external: ['koffi', '@binio/native-loop'],
        logLevel: 'silent',
      });
      const started = performance.now();
      // The guest sees the host's / read-only: it runs the bundle where it lies.
      const run = await runInGuest({
        script: SCRIPT,
        drives: [{ file: image, serial: 'binio-iopoll' }],
        timeoutMs: 240_000,
      });
      const ms = Math.round(performance.now() - started);
      console.log(
        `iopoll-qemu: guest run ${(ms / 1000).toFixed(1)} s (kernel fetch and initramfs build, if not cached, included)`,
      );
      const json = run.files['result.json'];
      if (run.code !== 0 || !json) {
        throw new Error(
          `guest failed (code ${run.code}, timed out: ${run.timedOut})\n--- log\n${run.log}\n--- console\n${run.console.slice(-4000)}`,
        );
      }
      const out = JSON.parse(json) as {
        ioPoll: string;
        kernel: string;
        results: ModeResult[];
        control: { reads: number; irqs: number };
      };
      expect(out.ioPoll).toBe('1');
      expect(out.results.map((r) => r.mode)).toEqual(['sync', 'async']);
      // Without IOPOLL the same reads complete by interrupt (the counter works).
      expect(out.control.reads).toBeGreaterThanOrEqual(96);
      expect(out.control.irqs).toBeGreaterThanOrEqual(out.control.reads / 2);
      for (const r of out.results) {
        expect(r.setupFlags & 1, `${r.mode}: IORING_SETUP_IOPOLL`).toBe(1);
        expect(r.direct).toBe(true);
        expect(r.bad, `${r.mode}: blocks with the wrong contents`).toEqual([]);
        expect(r.writeReadBack, `${r.mode}: write and read back`).toBe(true);
        // The reads reached the device …
        expect(r.delta.reads).toBeGreaterThanOrEqual(r.reads);
        expect(r.delta.writes).toBeGreaterThanOrEqual(1);
        // … through the poll queue, whose completions raise no interrupt.
        expect(r.delta.irqs, `${r.mode}: interrupts on the NVMe IO queues`).toBeLessThan(
          r.reads / 4,
        );
        // A file that cannot be polled (tmpfs, no O_DIRECT): a clear IoError.
        expect(r.buffered.code).toBe('EOPNOTSUPP');
        expect(r.buffered.message).toMatch(/iopoll: true.*direct: true/);
      }
      // The writes landed in the image.
      const fd = openSync(image, 'r');
      try {
        for (const r of out.results) {
          const b = new Uint8Array(BLOCK);
          readSync(fd, b, 0, BLOCK, r.written * BLOCK);
          expect(Buffer.from(b).equals(Buffer.from(blockPattern(r.written, 7)))).toBe(true);
        }
      } finally {
        closeSync(fd);
      }
      console.log(
        `iopoll-qemu: kernel ${out.kernel}; ${out.results
          .map(
            (r) =>
              `${r.mode}: ${r.reads} reads in ${r.readMs} ms, IO-queue interrupts +${r.delta.irqs}`,
          )
          .join(
            '; ',
          )}; without IOPOLL: ${out.control.reads} reads, interrupts +${out.control.irqs}`,
      );
    }, 300_000);
  },
);

import { execFileSync, spawnSync } from 'node:child_process';
import { OutputBuffer } from '@binio/core';
import { fdSnapshot, requiredOrSkip } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createUringEngine } from '../src/index.js';
import { scratchDir } from './helpers.js';

/*
 * Interop with fio, the storage reference: fio writes, the engine reads
 * back; the engine writes, fio reads back and verifies. Expected bytes are
 * computed here from the pattern's definition, not taken from either side.
 *
 * fio's `verify=pattern` fills each block with the pattern from the block's
 * start (repeated, cut at the block's end). `%o` appends the block's offset
 * (8 bytes, little-endian) to each repetition, so a block read from the wrong
 * place cannot pass; fio itself does not check `%o` patterns when it reads,
 * so the other direction uses a distinct plain pattern per region instead,
 * and a corrupted copy proves fio's check really fails.
 */

const fio = spawnSync('fio', ['--version'], { encoding: 'utf8' });
const skip = requiredOrSkip(
  'FIO',
  fio.status !== 0 ? 'fio is not installed (scripts/setup.sh installs it)' : undefined,
);
if (skip) console.warn(`fio interop tests skipped: ${skip}`);

const BS = 4096;
const dir = scratchDir();
afterAll(() => dir.dispose());

const MAGIC = [0x62, 0x69, 0x6e, 0x69]; // 'bini'

/** What fio writes for `--verify_pattern=0x62696e69%o` with `--bs=4096`. */
function offsetPattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let block = 0; block < size; block += BS) {
    const unit = new Uint8Array(12);
    unit.set(MAGIC);
    new DataView(unit.buffer).setBigUint64(4, BigInt(block), true);
    for (let i = 0; i < BS; i++) out[block + i] = unit[i % 12]!;
  }
  return out;
}

/** A 7-byte plain pattern of region `r` (7 does not divide 4096, so the per-block restart matters). */
function regionPattern(r: number): Uint8Array {
  return Uint8Array.of(...MAGIC, 0xa0 + r, 0x5c, 0x3e ^ r);
}

/** `size` bytes of `pattern`, restarted at each block. */
function blocksOf(pattern: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = pattern[(i % BS) % pattern.length]!;
  return out;
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/** fio reading `[offset, offset+size)` with O_DIRECT and checking `pattern`; its exit status and output. */
function fioVerify(path: string, offset: number, size: number, pattern: Uint8Array) {
  const r = spawnSync(
    'fio',
    [
      '--name=verify',
      `--filename=${path}`,
      '--rw=read',
      `--bs=${BS}`,
      `--offset=${offset}`,
      `--size=${size}`,
      '--ioengine=psync',
      '--direct=1',
      '--verify=pattern',
      `--verify_pattern=${hex(pattern)}`,
      '--verify_state_save=0',
    ],
    { encoding: 'utf8' },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

let n = 0;
describe.skipIf(skip !== undefined).each(['sync', 'async'] as const)('fio interop (%s)', (mode) => {
  it('a file fio wrote (block offsets in every block) reads back byte for byte', async () => {
    const fds = fdSnapshot();
    const size = 256 * 1024;
    const path = dir.file(`fio-wrote-${n++}`);
    execFileSync('fio', [
      '--name=write',
      `--filename=${path}`,
      '--rw=write',
      `--bs=${BS}`,
      `--size=${size}`,
      '--ioengine=psync',
      '--verify=pattern',
      '--verify_pattern=0x62696e69%o',
      '--do_verify=0',
      '--verify_state_save=0', // no state file left in the working directory
    ]);
    const e = createUringEngine({ mode, buffers: { count: 2, size: 64 * 1024 } });
    const expected = offsetPattern(size);
    // Buffered, through registered buffers (READ_FIXED), then O_DIRECT.
    for (const direct of [false, true]) {
      const f = await e.openReadOnly(path, { direct });
      const b = e.getBuffer();
      for (let at = 0; at < size; at += b.capacity) {
        b.reset();
        expect(await f.readFilling(b, { offset: at })).toBe(b.capacity);
        expect(Buffer.from(b.filled).equals(expected.subarray(at, at + b.capacity))).toBe(true);
      }
      b.reset();
      expect(await f.readInto(b, { offset: size })).toBe(0); // nothing past what fio wrote
      e.recycleBuffer(b);
      await f.close();
    }
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('a file the engine wrote passes fio verification; one changed byte fails it', async () => {
    const fds = fdSnapshot();
    const region = 64 * 1024;
    const regions = 4;
    const path = dir.file(`uring-wrote-${n++}`);
    const e = createUringEngine({ mode, buffers: { count: 1, size: region } });
    const f = await e.create(path);
    const b = e.getBuffer();
    // Regions written out of order, each with its own pattern: a write at the wrong place fails fio.
    for (const r of [2, 0, 3, 1]) {
      b.reset();
      b.append(blocksOf(regionPattern(r), region));
      await f.writeAll(b, { offset: r * region });
    }
    await f.fsync();
    for (let r = 0; r < regions; r++) {
      const v = fioVerify(path, r * region, region, regionPattern(r));
      expect(v.output).not.toMatch(/got pattern|verify.*fail/i);
      expect(v.status).toBe(0);
    }
    // One byte changed (through the engine) in region 3: fio must notice.
    const one = OutputBuffer.alloc(1);
    one.append(Uint8Array.of(0x00));
    await f.writeAll(one, { offset: 3 * region + 1234 });
    await f.fsync();
    const bad = fioVerify(path, 3 * region, region, regionPattern(3));
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/got pattern/);
    e.recycleBuffer(b);
    await f.close();
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });
});

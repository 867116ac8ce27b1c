import { InputBuffer } from './buffers/input-buffer.js';
import { OutputBuffer } from './buffers/output-buffer.js';
import type { ByteSource } from './buffers/source.js';
import { drive, io } from './driver.js';
import { IoError, invalidArg } from './errors.js';
import type { Mode, Ret } from './mode.js';
import type { ReadOptions, WriteOptions } from './traits/options.js';

/**
 * `readFilling` built from `readInto`, for engines that have no faster way:
 * reads until `out` is full (or `maxBytes` were read) or EOF, continuing from
 * `offset` when one is given. Returns the bytes read.
 */
export function readFillingVia<M extends Mode>(
  mode: M,
  out: OutputBuffer,
  options: ReadOptions | undefined,
  readInto: (out: OutputBuffer, options: ReadOptions) => Ret<M, number>,
): Ret<M, number> {
  if (!(out instanceof OutputBuffer)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'The read target must be an OutputBuffer');
  }
  const start = options?.offset;
  const want = Math.min(options?.maxBytes ?? Number.POSITIVE_INFINITY, out.freeCapacity);
  const step: ReadOptions = { ...options };
  return drive(
    mode,
    (function* () {
      let total = 0;
      while (total < want) {
        if (start !== undefined) step.offset = start + total;
        step.maxBytes = want - total;
        const n = yield* io<number>(readInto(out, step));
        if (n === 0) break;
        total += n;
      }
      return total;
    })(),
  );
}

/**
 * `writeAll` built from `write`: loops over partial writes until everything
 * is written, advancing `offset` when one is given. An InputBuffer source ends
 * fully consumed; an OutputBuffer source is held (in flight) until done.
 */
export function writeAllVia<M extends Mode>(
  mode: M,
  data: ByteSource,
  options: WriteOptions | undefined,
  write: (src: InputBuffer, options: WriteOptions) => Ret<M, number>,
): Ret<M, void> {
  let src: InputBuffer;
  let held: OutputBuffer | undefined;
  if (data instanceof InputBuffer) src = data;
  else if (data instanceof Uint8Array) src = new InputBuffer(data);
  else if (data instanceof OutputBuffer) {
    data.lend();
    held = data;
    src = new InputBuffer(data._bytes.subarray(0, data._count));
  } else {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'The data to write must be a Uint8Array, InputBuffer or OutputBuffer');
  }
  const start = options?.offset;
  const limit = Math.min(options?.maxBytes ?? Number.POSITIVE_INFINITY, src.remaining);
  const step: WriteOptions = { ...options };
  const program = (function* () {
    try {
      let total = 0;
      while (total < limit) {
        if (start !== undefined) step.offset = start + total;
        step.maxBytes = limit - total;
        const n = yield* io<number>(write(src, step));
        if (n === 0) {
          throw new IoError({ code: 'EIO', message: 'A write made no progress (wrote 0 bytes)', syscall: 'write' });
        }
        total += n;
      }
    } finally {
      held?.settle();
    }
  })();
  return drive(mode, program);
}

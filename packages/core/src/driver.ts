import { IoError } from './errors.js';
import { type Mode, type Ret, isPromiseLike } from './mode.js';

/**
 * A consumer written once for both modes: a generator that `yield*`s each
 * operation through {@link io}. {@link drive} runs it.
 */
export type IoProgram<T> = Generator<unknown, T, unknown>;

/**
 * Wraps one operation's result (a value from a sync engine, a Promise from an
 * async one) so a generator can `yield*` it and get the settled value, fully
 * typed: `const n = yield* io(file.readInto(out))`.
 */
export function io<M extends Mode, T>(value: Ret<M, T>): IoProgram<T>;
export function io<T>(value: T | PromiseLike<T>): IoProgram<T>;
export function* io<T>(value: T | PromiseLike<T>): IoProgram<T> {
  return (yield value) as T;
}

/**
 * Runs an {@link IoProgram}. In `'sync'` mode every step runs at once and the
 * result is returned as a plain value (no Promise, no microtask); a Promise
 * yielded in sync mode is an error. In `'async'` mode the result is a Promise
 * and each yielded Promise is awaited.
 */
export function drive<M extends Mode, T>(mode: M, program: IoProgram<T>): Ret<M, T> {
  if (mode === 'sync') return driveSync(program) as Ret<M, T>;
  if (mode === 'async') return driveAsync(program) as Ret<M, T>;
  throw new IoError({ code: 'ERR_INVALID_ARG_VALUE', message: `mode must be 'sync' or 'async', got ${String(mode)}` });
}

/**
 * Runs `body(engine)` in the engine's mode: `run(engine, function* (e) {…})`
 * returns a value for a sync engine and a Promise for an async one.
 */
export function run<E extends { readonly mode: Mode }, T>(
  engine: E,
  body: (engine: E) => IoProgram<T>,
): Ret<E['mode'], T> {
  return drive(engine.mode, body(engine)) as Ret<E['mode'], T>;
}

/** Resumes the program with a value, or throws an error into it. */
function step<T>(program: IoProgram<T>, failed: boolean, value: unknown): IteratorResult<unknown, T> {
  return failed ? program.throw(value) : program.next(value);
}

function driveSync<T>(program: IoProgram<T>): T {
  let failed = false;
  let value: unknown;
  for (;;) {
    const r: IteratorResult<unknown, T> = step(program, failed, value);
    if (r.done) return r.value;
    failed = isPromiseLike(r.value);
    if (failed) {
      // Swallow the promise's own rejection: the error thrown in explains the misuse.
      Promise.resolve(r.value).catch(() => {});
      value = new IoError({
        code: 'ERR_INVALID_STATE',
        message: 'A sync program yielded a Promise: the engine is async; run it in async mode',
      });
    } else value = r.value;
  }
}

async function driveAsync<T>(program: IoProgram<T>): Promise<T> {
  let failed = false;
  let value: unknown;
  for (;;) {
    const r: IteratorResult<unknown, T> = step(program, failed, value);
    if (r.done) return r.value;
    try {
      value = isPromiseLike(r.value) ? await r.value : r.value;
      failed = false;
    } catch (e) {
      value = e;
      failed = true;
    }
  }
}

import { type IoError, isIoError } from '../src/errors.js';

/** Runs `fn`, expecting it to throw an IoError, and returns that error. */
export function refusal(fn: () => unknown): IoError {
  try {
    fn();
  } catch (e) {
    if (isIoError(e)) return e;
    throw e;
  }
  throw new Error('expected an IoError, nothing was thrown');
}

/**
 * `@binio/core/conformance`: the contract suites every engine runs against
 * itself with one call. Needs vitest (an optional peer dependency of core).
 *
 * ```ts
 * import { runConformance } from '@binio/core/conformance';
 * runConformance({ name: 'posix sync', engine: () => createPosixEngine({ mode: 'sync' }) });
 * ```
 * @packageDocumentation
 */
import { describe, it } from 'vitest';
import { IoError } from '../errors.js';
import { isPromiseLike } from '../mode.js';
import { bufferSuite } from './buffer-suite.js';
import { fileSuite } from './file-suite.js';
import { type ConformanceTarget, SUITE_NEEDS, type SuiteName } from './target.js';
import { tcpSuite } from './tcp-suite.js';
import { udpSuite } from './udp-suite.js';

export { bufferSuite, fileSuite, tcpSuite, udpSuite };
export { type ConformanceTarget, type SuiteName, SUITE_NEEDS, expectIoError, pattern, settle } from './target.js';

const SUITES: Record<SuiteName, (t: ConformanceTarget) => void> = {
  file: fileSuite,
  udp: udpSuite,
  tcp: tcpSuite,
  buffers: bufferSuite,
};

/**
 * Registers the contract suites for `target` with vitest. Without
 * `target.suites`, the engine's capabilities decide: `target.engine()` is
 * called once at collection time (it must then return the engine directly,
 * not a Promise), every suite its capabilities call for runs, and each other
 * suite is registered as skipped, naming what is missing. Listing suites
 * makes a missing capability a failure rather than a skip.
 */
export function runConformance(target: ConformanceTarget): void {
  let names = target.suites;
  if (!names) {
    const probe = target.engine();
    if (isPromiseLike(probe)) {
      throw new IoError({
        code: 'ERR_INVALID_ARG_VALUE',
        message: 'target.engine() returned a Promise: list target.suites explicitly',
      });
    }
    const caps = probe.capabilities;
    names = (Object.keys(SUITES) as SuiteName[]).filter((n) => SUITE_NEEDS[n].every((c) => caps.has(c)));
    for (const n of Object.keys(SUITES) as SuiteName[]) {
      if (names.includes(n)) continue;
      const missing = SUITE_NEEDS[n].filter((c) => !caps.has(c));
      describe(`${target.name}: ${n} contract`, () => {
        it.skip(`not offered by engine '${probe.name}' (missing ${missing.join(', ')})`, () => {});
      });
    }
    const closing = probe.close();
    if (isPromiseLike(closing)) Promise.resolve(closing).catch(() => {});
  }
  for (const name of names) {
    const suite = SUITES[name];
    if (!suite) throw new IoError({ code: 'ERR_INVALID_ARG_VALUE', message: `Unknown conformance suite '${name}'` });
    suite(target);
  }
}

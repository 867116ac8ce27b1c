#!/usr/bin/env node
/**
 * `binio-bench`: the benchmark CLI. See `--help` and the package README.
 * @packageDocumentation
 */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`binio-bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);

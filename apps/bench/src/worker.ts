/**
 * The process measured runs happen in (under Node or Bun). With `--serve`
 * it reads {@link WorkerSpec}s from stdin, one JSON line each, and runs them
 * one after another, printing each result as a protocol line: the bench
 * reuses it for run after run. It exits when stdin closes (the bench is done
 * with it, or died) and after an error (the parent kills it anyway). With a
 * spec as its one argument it runs that and exits. A probe spec (`driver:
 * 'binio-probe'`) reports what an engine offers instead.
 */
import { createInterface } from 'node:readline';
import { DRIVERS } from './drivers/index.js';
import { type ProtocolMessage, protocolLine, type WorkerSpec } from './protocol.js';

// Resolves once the line is handed to the OS, so exiting right after loses nothing.
function say(kind: ProtocolMessage['kind'], payload: unknown): Promise<void> {
  return new Promise((resolve) =>
    process.stdout.write(protocolLine(kind, payload), () => resolve()),
  );
}

async function runSpec(text: string): Promise<void> {
  const spec = JSON.parse(text) as WorkerSpec & { modes?: string[]; passMode?: boolean };
  if (spec.driver === 'binio-probe') {
    const { probeEngine } = await import('./drivers/binio-probe.js');
    if (spec.engine === undefined) throw new Error('probe spec lacks engine');
    await say(
      'probe',
      await probeEngine(spec.engine, spec.modes ?? ['sync'], spec.passMode !== false),
    );
    return;
  }
  const load = DRIVERS[spec.driver];
  if (load === undefined) throw new Error(`unknown driver '${spec.driver}'`);
  const driver = await load();
  await say('result', await driver({ spec, ready: (info) => void say('ready', info) }));
}

async function fail(e: unknown): Promise<never> {
  await say('error', { message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}

if (process.argv[2] === '--serve') {
  let jobs = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    jobs = jobs.then(() => runSpec(line)).catch(fail);
  });
  // The bench closed our stdin: it is done with us (or died). Go now, even mid-run.
  lines.on('close', () => process.exit(0));
} else {
  runSpec(process.argv[2] ?? '').then(
    // Exit explicitly: an engine may keep handles (a ring, an EAL thread) open.
    () => process.exit(0),
    fail,
  );
}

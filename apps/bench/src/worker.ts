/**
 * The process one measured run happens in (under Node or Bun): takes a
 * {@link WorkerSpec} as its one argument (JSON), runs the driver it names
 * and prints the result as a protocol line. A probe spec (`driver:
 * 'binio-probe'`) reports what an engine offers instead.
 */
import { DRIVERS } from './drivers/index.js';
import { type ProtocolMessage, protocolLine, type WorkerSpec } from './protocol.js';

// Resolves once the line is handed to the OS, so exiting right after loses nothing.
function say(kind: ProtocolMessage['kind'], payload: unknown): Promise<void> {
  return new Promise((resolve) =>
    process.stdout.write(protocolLine(kind, payload), () => resolve()),
  );
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as WorkerSpec & {
    modes?: string[];
    passMode?: boolean;
  };
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

main().then(
  // Exit explicitly: an engine may keep handles (a ring, an EAL thread) open.
  () => process.exit(0),
  async (e: unknown) => {
    await say('error', { message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);

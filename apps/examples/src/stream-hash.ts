import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { FileHandler, Mode } from '@binio/core';
import { toReadable, toReadableStream, toWritable } from '@binio/core/streams';

/**
 * Hashes a file read through a Node `Readable` over a binio reader: Node's
 * stream ecosystem works with any engine, sync or async.
 */
export async function sha256OfFile(engine: FileHandler<Mode>, path: string): Promise<string> {
  const file = await engine.openReadOnly(path);
  const hash = createHash('sha256');
  await pipeline(toReadable(file, { start: 0 }), hash);
  return hash.digest('hex');
}

/** The same through a web `ReadableStream`. */
export async function sha256OfFileWeb(engine: FileHandler<Mode>, path: string): Promise<string> {
  const file = await engine.openReadOnly(path);
  const hash = createHash('sha256');
  for await (const chunk of toReadableStream(file, { start: 0 }) as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

/** Copies `from` to `to` by piping a Readable into a Writable, both over binio handles (backpressure end to end). */
export async function pipeCopy(engine: FileHandler<Mode>, from: string, to: string): Promise<void> {
  const src = await engine.openReadOnly(from);
  const dst = await engine.create(to, { exclusive: false });
  await pipeline(toReadable(src), toWritable(dst));
}

import { OutputBuffer } from '../buffers/output-buffer.js';
import { invalidArg } from '../errors.js';
import type { Mode, Ret } from '../mode.js';
import type { Closeable } from '../traits/handle.js';
import type { SpanReader, SpanWriter } from '../traits/io.js';
import type { AdapterConfig } from './options.js';

/** Something the read adapters can read from. */
export type ReadSource = Pick<SpanReader<Mode>, 'readInto'> & Partial<Closeable<Mode>>;
/** Something the write adapters can write to. */
export type WriteTarget = Pick<SpanWriter<Mode>, 'writeAll'> & Partial<Closeable<Mode>>;

/**
 * Pulls chunks from a reader for the stream adapters: one `readInto` per
 * chunk into fresh memory (the stream keeps the chunk, so it cannot be
 * reused), following offsets when the adapter started at one. @internal
 */
export class ChunkPuller {
  #position: number | undefined;

  constructor(
    readonly reader: ReadSource,
    readonly config: AdapterConfig,
  ) {
    if (typeof reader?.readInto !== 'function') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'The stream adapter needs a reader with readInto()');
    }
    this.#position = config.start;
  }

  /** The next chunk, or null at EOF (or at `end`). */
  async next(): Promise<Uint8Array | null> {
    const left = this.#position === undefined ? this.config.chunkSize : this.config.end - this.#position;
    const want = Math.min(this.config.chunkSize, left);
    if (want <= 0) return null;
    const out = new OutputBuffer(new Uint8Array(want));
    const n = await (this.reader.readInto(out, this.#position === undefined ? undefined : { offset: this.#position }) as Ret<Mode, number>);
    if (n === 0) return null;
    if (this.#position !== undefined) this.#position += n;
    return out.filled;
  }

  /** Closes the reader if the adapter owns it. */
  async close(): Promise<void> {
    if (this.config.autoClose && this.reader.close && !this.reader.closed) await this.reader.close();
  }
}

/** Writes one chunk fully, following offsets when the adapter started at one. @internal */
export class ChunkPusher {
  #position: number | undefined;

  constructor(
    readonly writer: WriteTarget,
    readonly config: AdapterConfig,
  ) {
    if (typeof writer?.writeAll !== 'function') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'The stream adapter needs a writer with writeAll()');
    }
    this.#position = config.start;
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.#position === undefined) await this.writer.writeAll(chunk);
    else {
      await this.writer.writeAll(chunk, { offset: this.#position });
      this.#position += chunk.byteLength;
    }
  }

  async close(): Promise<void> {
    if (this.config.autoClose && this.writer.close && !this.writer.closed) await this.writer.close();
  }
}

import { checkInt } from '../buffers/check.js';
import { checkOffset, checkOptions } from '../traits/options.js';

/** Options of the stream adapters. */
export interface StreamAdapterOptions {
  /** Bytes per read (default 65536). */
  chunkSize?: number;
  /** Absolute offset to start at; without it the handle's cursor is used. */
  start?: number;
  /** Stop before this absolute offset (readers with `start`). */
  end?: number;
  /** Close the handle when the stream ends or fails (default true). */
  autoClose?: boolean;
  /** Buffered bytes before backpressure applies (default: chunkSize). */
  highWaterMark?: number;
}

/** Validated adapter options. @internal */
export interface AdapterConfig {
  chunkSize: number;
  start: number | undefined;
  end: number;
  autoClose: boolean;
  highWaterMark: number;
}

/** @internal */
export function adapterConfig(options: StreamAdapterOptions | undefined): AdapterConfig {
  const o = checkOptions(options, ['chunkSize', 'start', 'end', 'autoClose', 'highWaterMark'], 'stream adapter');
  const chunkSize = checkInt('chunkSize', o.chunkSize ?? 65536, 1, 2 ** 30);
  const start = checkOffset(o.start);
  const end = o.end === undefined ? Number.POSITIVE_INFINITY : (checkOffset(o.end) as number);
  return {
    chunkSize,
    start,
    end,
    autoClose: o.autoClose ?? true,
    highWaterMark: checkInt('highWaterMark', o.highWaterMark ?? chunkSize, 0, 2 ** 31),
  };
}

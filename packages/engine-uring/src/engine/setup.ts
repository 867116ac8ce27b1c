import { readFileSync } from 'node:fs';
import {
  type Capability,
  checkInt,
  checkOptions,
  IoError,
  invalidArg,
  isIoError,
} from '@binio/core';
import { Setup } from '../uring/abi.js';
import { Ring } from '../uring/ring.js';
import { bufferOptions, type UringBufferOptions } from './pool.js';

/** How completions reach the submitting thread (`IORING_SETUP_*TASKRUN`). */
export type TaskRun = 'defer' | 'coop' | 'none';

/** Options of `createUringEngine`. Unknown keys are refused. */
export interface UringEngineOptions<M> {
  /** `'sync'` (submit and wait inside io_uring_enter) or `'async'` (Promises, completions wake the Node loop). */
  mode: M;
  /** Submission queue entries (default 256, a power of two up to 32768). */
  entries?: number;
  /** Completion queue entries (default twice `entries`); bounds the operations in flight. */
  cqEntries?: number;
  /** `IORING_SETUP_SQPOLL`: a kernel thread polls the SQ (`true`, or its idle time and CPU). */
  sqpoll?: boolean | { idleMs?: number; cpu?: number };
  /** `IORING_SETUP_IOPOLL`: busy-poll completions (O_DIRECT files on polled block devices only). */
  iopoll?: boolean;
  /**
   * `'defer'` (default): SINGLE_ISSUER | DEFER_TASKRUN, completions run when
   * the engine enters the kernel; `'coop'`: COOP_TASKRUN; `'none'`: the
   * kernel interrupts the thread to post completions. SQPOLL uses `'none'`.
   */
  taskRun?: TaskRun;
  /** The registered buffers behind `getBuffer()` (default 64 × 64 KiB). */
  buffers?: UringBufferOptions;
  /** Size of the registered (fixed) file table; 0 (default) registers none. */
  registeredFiles?: number;
  /**
   * Restrict the ring to what these capabilities need
   * (`IORING_REGISTER_RESTRICTIONS`): any other opcode is refused by binio
   * before submission and by the kernel if submitted anyway.
   */
  capabilities?: readonly Capability[];
}

const KEYS = [
  'mode',
  'entries',
  'cqEntries',
  'sqpoll',
  'iopoll',
  'taskRun',
  'buffers',
  'registeredFiles',
  'capabilities',
] as const;

/** Options, checked and with defaults. */
export interface ResolvedOptions {
  mode: 'sync' | 'async';
  entries: number;
  cqEntries: number;
  flags: number;
  sqThreadIdle: number | undefined;
  sqThreadCpu: number | undefined;
  buffers: ReturnType<typeof bufferOptions>;
  registeredFiles: number;
  capabilities: readonly Capability[] | undefined;
}

/** Checks the options before anything reaches the kernel. */
export function resolveOptions(options: UringEngineOptions<unknown>): ResolvedOptions {
  const o = checkOptions(options, KEYS, 'createUringEngine');
  if (o.mode !== 'sync' && o.mode !== 'async') {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `mode must be 'sync' or 'async', got ${String(o.mode)}`,
    );
  }
  const entries = o.entries === undefined ? 256 : checkInt('entries', o.entries, 1, 32768);
  const cqEntries =
    o.cqEntries === undefined ? entries * 2 : checkInt('cqEntries', o.cqEntries, entries, 65536);
  let flags = Setup.SUBMIT_ALL | Setup.CLAMP;
  let sqThreadIdle: number | undefined;
  let sqThreadCpu: number | undefined;
  if (o.sqpoll !== undefined && o.sqpoll !== false) {
    flags |= Setup.SQPOLL;
    if (typeof o.sqpoll === 'object' && o.sqpoll !== null) {
      const sp = checkOptions(o.sqpoll, ['idleMs', 'cpu'], 'sqpoll');
      if (sp.idleMs !== undefined) sqThreadIdle = checkInt('sqpoll.idleMs', sp.idleMs, 0, 2 ** 31);
      if (sp.cpu !== undefined) {
        sqThreadCpu = checkInt('sqpoll.cpu', sp.cpu, 0, 4095);
        flags |= Setup.SQ_AFF;
      }
    } else if (o.sqpoll !== true) {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'sqpoll must be a boolean or { idleMs, cpu }');
    }
  }
  if (o.iopoll !== undefined && typeof o.iopoll !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'iopoll must be a boolean');
  if (o.iopoll) flags |= Setup.IOPOLL;
  const taskRun = o.taskRun ?? (flags & Setup.SQPOLL ? 'none' : 'defer');
  if (taskRun === 'defer') {
    if (flags & Setup.SQPOLL)
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        "taskRun 'defer' cannot be combined with sqpoll (the kernel refuses it)",
      );
    flags |= Setup.SINGLE_ISSUER | Setup.DEFER_TASKRUN;
  } else if (taskRun === 'coop') {
    flags |= Setup.COOP_TASKRUN;
  } else if (taskRun !== 'none') {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `taskRun must be 'defer', 'coop' or 'none', got ${String(taskRun)}`,
    );
  }
  const registeredFiles =
    o.registeredFiles === undefined
      ? 0
      : checkInt('registeredFiles', o.registeredFiles, 0, 1 << 20);
  if (o.capabilities !== undefined && !Array.isArray(o.capabilities)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'capabilities must be an array of capability names');
  }
  return {
    mode: o.mode,
    entries,
    cqEntries,
    flags,
    sqThreadIdle,
    sqThreadCpu,
    buffers: bufferOptions(o.buffers),
    registeredFiles,
    capabilities: o.capabilities,
  };
}

const FALLBACK =
  'Use @binio/engine-epoll (readiness on the Node loop) or @binio/engine-posix (plain syscalls) instead.';

/**
 * Creates the ring, turning the ways io_uring can be unavailable into one
 * clear error naming the fallback engines: io_uring disabled by sysctl
 * (`kernel.io_uring_disabled`), refused to this process (EPERM: a seccomp
 * filter, a container runtime, or the io_uring_group), or absent (ENOSYS).
 */
export function createRing(o: ResolvedOptions, disabled: boolean): Ring {
  let ring: Ring;
  try {
    ring = Ring.create({
      entries: o.entries,
      cqEntries: o.cqEntries,
      flags: o.flags | (disabled ? Setup.R_DISABLED : 0),
      sqThreadIdle: o.sqThreadIdle,
      sqThreadCpu: o.sqThreadCpu,
    });
  } catch (e) {
    throw unavailableError(e);
  }
  // Enters by registered index save a descriptor lookup each. Not on a
  // restricted ring: its restrictions would refuse the unregistering at
  // close, and the registration would keep the ring alive until the
  // thread exits.
  if (!disabled) ring.registerFd();
  return ring;
}

/** Maps a failed io_uring_setup to the unavailable-engine error (other failures pass through). */
export function unavailableError(e: unknown): unknown {
  if (!isIoError(e) || (e.code !== 'EPERM' && e.code !== 'ENOSYS' && e.code !== 'EACCES')) return e;
  const sysctl = readSysctl();
  let why: string;
  if (e.code === 'ENOSYS') why = 'this kernel has no io_uring (built without CONFIG_IO_URING)';
  else if (sysctl === 2) why = 'io_uring is disabled on this system (kernel.io_uring_disabled = 2)';
  else if (sysctl === 1) {
    why =
      'io_uring is limited to the io_uring_group on this system (kernel.io_uring_disabled = 1) and this process is not in it';
  } else
    why =
      'io_uring_setup was refused to this process (a seccomp filter or container policy, or missing privileges)';
  return new IoError({
    code: e.code,
    errno: e.errno,
    syscall: 'io_uring_setup',
    engine: 'uring',
    message: `The uring engine is unavailable: ${why}. ${FALLBACK}`,
    cause: e,
  });
}

function readSysctl(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim());
  } catch {
    return undefined;
  }
}

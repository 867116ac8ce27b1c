import { readdirSync, readFileSync } from 'node:fs';
import { libc } from '../src/libc/lib.js';

/**
 * Signal plumbing for the EINTR tests. Node and libuv install their signal
 * handlers with SA_RESTART, under which the kernel restarts an interrupted
 * read instead of returning EINTR; so these tests install their own handler
 * for SIGUSR2 without SA_RESTART, through `sigaction` itself. The handler is
 * libc's `abs`: a function of one int, harmless and async-signal-safe, so
 * the signal does nothing but interrupt the syscall. No JS runs in it.
 */

export const SIGUSR2 = 12;
/** x86_64 syscall numbers, as /proc/<pid>/task/<tid>/syscall shows them. */
export const NR = { read: 0, write: 1 } as const;

/** `struct sigaction` (x86_64 glibc); checked against the headers in eintr.test.ts. */
export const SIGACTION = {
  size: 152,
  offsets: { sa_handler: 0, sa_mask: 8, sa_flags: 136, sa_restorer: 144 },
};

const sigaction = libc.func('int sigaction(int sig, void *act, void *oldact)');
const gettid = libc.func('int gettid()');
const getpid = libc.func('int getpid()');
const tgkill = libc.func('int tgkill(int tgid, int tid, int sig)');

/** Installs the no-op, no-SA_RESTART handler for `sig`; returns a function restoring the old one. */
export function installInterruptingHandler(sig = SIGUSR2): () => void {
  const act = new Uint8Array(SIGACTION.size);
  const view = new DataView(act.buffer);
  view.setBigUint64(SIGACTION.offsets.sa_handler, libc.symbol('abs') as bigint, true);
  // sa_mask empty, sa_flags 0: no SA_RESTART (glibc adds its restorer itself).
  const old = new Uint8Array(SIGACTION.size);
  if (sigaction(sig, act, old) !== 0) throw new Error('sigaction failed');
  return () => {
    sigaction(sig, old, null);
  };
}

/** True when the JS thread is the process's main thread (process-directed signals prefer it). */
export function onMainThread(): boolean {
  return gettid() === getpid();
}

/** The thread now inside syscall `nr` on descriptor `fd`, if any. */
export function threadInSyscall(nr: number, fd: number): number | undefined {
  const arg = `0x${fd.toString(16)}`;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const [n, a0] = readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8').split(' ');
      if (Number(n) === nr && a0 === arg) return Number(tid);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return undefined;
}

/** Sends `sig` to one thread of this process. */
export function signalThread(tid: number, sig = SIGUSR2): void {
  if (tgkill(getpid(), tid, sig) !== 0) throw new Error('tgkill failed');
}

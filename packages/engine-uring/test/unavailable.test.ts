import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// A real kernel refusal, as a container runtime produces it: a seccomp
// filter that fails io_uring_setup with EPERM, installed by a tiny launcher
// that then execs Node on the probe. Nothing is mocked: the engine sees the
// kernel's EPERM.
const LAUNCHER_C = `
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { sizeof f / sizeof f[0], f };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) { perror("seccomp"); return 99; }
  execvp(argv[1], argv + 1);
  perror("execvp");
  return 98;
}`;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// Inside the package (so Node finds koffi from the bundle); ignored by git.
const TMP = here('../.test-tmp/');

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe.skipIf(process.arch !== 'x64')('io_uring unavailable', () => {
  it('EPERM from io_uring_setup fails creation with a message naming the fallback engines', async () => {
    mkdirSync(TMP, { recursive: true });
    writeFileSync(`${TMP}launcher.c`, LAUNCHER_C);
    execFileSync('cc', ['-O1', '-o', `${TMP}launcher`, `${TMP}launcher.c`]);
    await build({
      entryPoints: [here('./fixtures/probe-create.ts')],
      outfile: `${TMP}probe.mjs`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      conditions: ['@binio/source'],
      external: ['koffi'],
      logLevel: 'silent',
    });
    // Without the filter the probe succeeds: the failure below is the filter's.
    expect(
      JSON.parse(execFileSync(process.execPath, [`${TMP}probe.mjs`], { encoding: 'utf8' })),
    ).toEqual({ ok: true });
    const out = JSON.parse(
      execFileSync(`${TMP}launcher`, [process.execPath, `${TMP}probe.mjs`], { encoding: 'utf8' }),
    );
    expect(out.ok).toBe(false);
    expect(out.code).toBe('EPERM');
    expect(out.syscall).toBe('io_uring_setup');
    expect(out.message).toMatch(/uring engine is unavailable/);
    expect(out.message).toMatch(/seccomp/);
    expect(out.message).toMatch(/@binio\/engine-epoll/);
    expect(out.message).toMatch(/@binio\/engine-posix/);
  });
});

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { requiredOrSkip } from './require.js';

// A real Linux kernel in a QEMU guest (TCG: KVM is not assumed), for tests
// that need devices this machine lacks (NVMe with poll queues, CXL, TIPC,
// SCTP). The kernel is Debian's current linux-image-amd64, fetched with
// `apt-get download` (not installed); the root file system is the host's `/`,
// read-only over 9p with a tmpfs overlay, so the host's `node` and the
// workspace's built dist/ files are there. A small busybox initramfs loads the
// virtio, 9p and overlay modules, mounts the shares, chroots and runs one
// script, writes its exit code to the work folder and powers off. No udev:
// the script modprobes what it needs (busybox's modprobe, first in PATH).
// Kernel and initramfs are cached under `$BINIO_QEMU_CACHE`, else
// `$XDG_CACHE_HOME/binio-qemu`, else `~/.cache/binio-qemu`, keyed by the
// kernel version.

const QEMU = 'qemu-system-x86_64';
const BUSYBOX = '/bin/busybox';
/** Modules the initramfs loads before mounting the root (with their dependencies). */
const BOOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

/** Module folders left out of the cache. */
const PRUNED = [
  'sound',
  'drivers/gpu',
  'drivers/media',
  'drivers/net/wireless',
  'drivers/infiniband',
  'drivers/staging',
];

function cacheRoot(): string {
  if (process.env.BINIO_QEMU_CACHE) return process.env.BINIO_QEMU_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'binio-qemu');
}

/**
 * The cache folder of one kernel version and this file's initramfs recipe:
 * a changed init script or module list builds a new initramfs, never
 * reuses a stale one.
 */
function cacheDir(version: string): string {
  const recipe = createHash('sha256')
    .update(`${INIT}\0${BOOT_MODULES.join(',')}\0${PRUNED.join(',')}`)
    .digest('hex')
    .slice(0, 12);
  return join(cacheRoot(), `${version}-${recipe}`);
}

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let versionMemo: string | undefined;
/** The version of Debian's current kernel package (`linux-image-amd64`'s dependency), e.g. `6.1.0-56-amd64`. */
export function guestKernelVersion(): string {
  if (versionMemo) return versionMemo;
  const out = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = /Depends:\s*linux-image-(\d[^\s]*-amd64)/.exec(out);
  if (!m) throw new Error(`no kernel version in 'apt-cache depends linux-image-amd64':\n${out}`);
  versionMemo = m[1]!;
  return versionMemo;
}

/** Why a QEMU guest cannot be run here, or `undefined` when it can. */
export function qemuMissing(): string | undefined {
  // CI installs QEMU (scripts/setup.sh): there a missing piece must fail, not skip.
  return requiredOrSkip('QEMU', guestMissingReason());
}

function guestMissingReason(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'needs Linux on x86-64';
  if (process.getuid?.() !== 0) return 'not root (apt-get download and the 9p root share need it)';
  if (!has(QEMU)) return `${QEMU} not installed (Debian package qemu-system-x86)`;
  if (!existsSync(BUSYBOX)) return `${BUSYBOX} not installed (Debian package busybox-static)`;
  for (const tool of ['apt-get', 'apt-cache', 'dpkg-deb']) if (!has(tool)) return `${tool} missing`;
  let version: string;
  try {
    version = guestKernelVersion();
  } catch (e) {
    return `kernel not fetchable: ${(e as Error).message.split('\n')[0]} (run apt-get update)`;
  }
  if (existsSync(join(cacheDir(version), 'ready'))) return undefined;
  try {
    execFileSync('apt-cache', ['show', `linux-image-${version}`], { stdio: 'ignore' });
  } catch {
    return `kernel not fetchable: apt knows no linux-image-${version} (run apt-get update)`;
  }
  return undefined;
}

/** The cached kernel, modules and initramfs of one version. */
export interface GuestKernel {
  readonly version: string;
  readonly vmlinuz: string;
  /** The directory holding `lib/modules/<version>` (shared with the guest as /lib/modules). */
  readonly modules: string;
  readonly initramfs: string;
}

/** Fetches (once) the kernel package, unpacks it, runs depmod and builds the initramfs. */
export function guestKernel(): GuestKernel {
  const version = guestKernelVersion();
  const dir = cacheDir(version);
  const k: GuestKernel = {
    version,
    vmlinuz: join(dir, 'root', 'boot', `vmlinuz-${version}`),
    modules: join(dir, 'root', 'lib', 'modules'),
    initramfs: join(dir, 'initramfs.cpio'),
  };
  if (existsSync(join(dir, 'ready'))) return k;
  mkdirSync(cacheRoot(), { recursive: true });
  const tmp = mkdtempSync(join(cacheRoot(), `.${version}-`));
  try {
    execFileSync('apt-get', ['download', '-qq', `linux-image-${version}`], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download linux-image-${version} produced no .deb`);
    execFileSync('dpkg-deb', ['-x', join(tmp, deb), join(tmp, 'root')]);
    rmSync(join(tmp, deb));
    // Drop what no guest here needs (sound, graphics, cameras, Wi-Fi,
    // InfiniBand, staging drivers): about 150 of the 400 MB of modules.
    const kernelDir = join(tmp, 'root', 'lib', 'modules', version, 'kernel');
    for (const d of PRUNED) rmSync(join(kernelDir, d), { recursive: true, force: true });
    // busybox's depmod: the guest uses busybox's modprobe, which reads modules.dep.
    execFileSync(BUSYBOX, ['depmod', '-b', join(tmp, 'root'), version]);
    buildInitramfs(join(tmp, 'root', 'lib', 'modules', version), join(tmp, 'initramfs.cpio'));
    writeFileSync(join(tmp, 'ready'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return k;
}

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.load); do insmod /mods/$m || echo "init: insmod $m failed"; done
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro,cache=loose hostroot /lower || echo "init: 9p root failed"
mount -t tmpfs -o size=75% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || echo "init: overlay failed"
mkdir -p /newroot/lib/modules /newroot/binio-work /newroot/.binio/bin /newroot/proc /newroot/sys /newroot/dev /newroot/tmp
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro modules /newroot/lib/modules
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 work /newroot/binio-work
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
mount -t debugfs debugfs /newroot/sys/kernel/debug 2>/dev/null
cp /bin/busybox /newroot/.binio/bin/busybox
for a in modprobe insmod rmmod lsmod; do ln -s busybox /newroot/.binio/bin/$a; done
chroot /newroot /usr/bin/env -i HOME=/root PATH=/.binio/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh /binio-work/script.sh >/newroot/binio-work/log 2>&1
echo $? > /newroot/binio-work/exit
sync
umount /newroot/binio-work
poweroff -f
`;

/** busybox, the boot modules (dependencies first) and /init, as a newc cpio archive. */
function buildInitramfs(modDir: string, out: string): void {
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(join(modDir, 'modules.dep'), 'utf8').split('\n')) {
    const [mod, rest] = line.split(':');
    if (mod && rest !== undefined) deps.set(mod, rest.trim().split(/\s+/).filter(Boolean));
  }
  const byName = (name: string): string => {
    for (const p of deps.keys()) {
      const base = p.slice(p.lastIndexOf('/') + 1).replace(/\.ko(\.\w+)?$/, '');
      if (base.replace(/-/g, '_') === name) return p;
    }
    throw new Error(`module ${name} not in modules.dep`);
  };
  const order: string[] = [];
  const visit = (p: string): void => {
    if (order.includes(p)) return;
    for (const d of deps.get(p) ?? []) visit(d);
    order.push(p);
  };
  for (const m of BOOT_MODULES) visit(byName(m));
  if (order.some((p) => !p.endsWith('.ko')))
    throw new Error('compressed modules are not supported');
  const staging = mkdtempSync(join(tmpdir(), 'binio-initramfs-'));
  try {
    for (const d of ['bin', 'mods', 'proc', 'sys', 'dev']) mkdirSync(join(staging, d));
    copyFileSync(BUSYBOX, join(staging, 'bin', 'busybox'));
    chmodSync(join(staging, 'bin', 'busybox'), 0o755);
    const names = order.map((p) => {
      const name = p.slice(p.lastIndexOf('/') + 1);
      copyFileSync(join(modDir, p), join(staging, 'mods', name));
      return name;
    });
    writeFileSync(join(staging, 'modules.load'), `${names.join('\n')}\n`);
    writeFileSync(join(staging, 'init'), INIT, { mode: 0o755 });
    execFileSync('sh', ['-c', `find . | ${BUSYBOX} cpio -o -H newc > "$0"`, out], {
      cwd: staging,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A raw image attached to the guest as an emulated NVMe drive (`/dev/nvmeNn1` in order). */
export interface GuestDrive {
  readonly file: string;
  readonly serial?: string;
}

export interface GuestRunOptions {
  /** A shell script run as root in the guest (`/bin/sh`), cwd `/`; the work folder is `/binio-work`. */
  script: string;
  /** Raw images attached as NVMe drives. */
  drives?: readonly GuestDrive[];
  /** Extra kernel command-line arguments. */
  kernelArgs?: readonly string[];
  /** Extra QEMU arguments (devices, machine options). */
  qemuArgs?: readonly string[];
  /** Guest memory in MiB (default 1024). */
  memoryMiB?: number;
  /** Files to place in the work folder before boot (name → contents). */
  files?: Readonly<Record<string, string | Uint8Array>>;
  /** QEMU is killed after this long (the result then has `timedOut`). */
  timeoutMs: number;
}

export interface GuestResult {
  /** The script's exit code; `undefined` when the guest never wrote one (crash, timeout). */
  readonly code: number | undefined;
  /** The script's stdout and stderr, interleaved. */
  readonly log: string;
  /** The serial console (kernel messages, init's complaints). */
  readonly console: string;
  /** Files the script left in `/binio-work` (name → text). */
  readonly files: Readonly<Record<string, string>>;
  readonly timedOut: boolean;
  readonly ms: number;
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** Boots the guest, runs `script`, and returns once QEMU has exited (or was killed on timeout). */
export async function runInGuest(o: GuestRunOptions): Promise<GuestResult> {
  const k = guestKernel();
  const work = mkdtempSync(join(tmpdir(), 'binio-qemu-work-'));
  const start = performance.now();
  try {
    writeFileSync(join(work, 'script.sh'), o.script);
    for (const [name, data] of Object.entries(o.files ?? {})) {
      mkdirSync(dirname(join(work, name)), { recursive: true });
      writeFileSync(join(work, name), data);
    }
    const share = (path: string, tag: string, ro: boolean) => [
      '-virtfs',
      `local,path=${path},mount_tag=${tag},security_model=none,multidevs=remap${ro ? ',readonly=on' : ''}`,
    ];
    const args = [
      '-accel',
      'tcg,thread=multi',
      '-smp',
      '2',
      '-cpu',
      'max',
      '-m',
      String(o.memoryMiB ?? 1024),
      '-nographic',
      '-no-reboot',
      '-nodefaults',
      '-serial',
      'stdio',
      '-kernel',
      k.vmlinuz,
      '-initrd',
      k.initramfs,
      '-append',
      ['console=ttyS0', 'quiet', 'panic=-1', ...(o.kernelArgs ?? [])].join(' '),
      ...share('/', 'hostroot', true),
      ...share(k.modules, 'modules', true),
      ...share(work, 'work', false),
    ];
    (o.drives ?? []).forEach((d, i) => {
      args.push('-drive', `file=${d.file},if=none,id=nv${i},format=raw`);
      args.push('-device', `nvme,serial=${d.serial ?? `binio${i}`},drive=nv${i}`);
    });
    args.push(...(o.qemuArgs ?? []));
    const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const c of live) c.kill('SIGKILL');
      });
    }
    let serial = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      serial += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      serial += s;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    await new Promise<void>((resolve) => {
      child.on('close', () => resolve());
      child.on('error', (e) => {
        serial += `\nspawn ${QEMU}: ${e.message}\n`;
        resolve();
      });
    });
    clearTimeout(timer);
    live.delete(child);
    const read = (n: string) => {
      try {
        return readFileSync(join(work, n), 'utf8');
      } catch {
        return undefined;
      }
    };
    const exit = read('exit');
    const files: Record<string, string> = {};
    for (const n of readdirSync(work)) {
      if (n === 'script.sh' || n === 'exit' || n === 'log') continue;
      const t = read(n);
      if (t !== undefined) files[n] = t;
    }
    return {
      code: exit === undefined || exit.trim() === '' ? undefined : Number(exit.trim()),
      log: read('log') ?? '',
      console: serial,
      files,
      timedOut,
      ms: Math.round(performance.now() - start),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

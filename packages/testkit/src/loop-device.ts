import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requiredOrSkip } from './require.js';

// A real block device for O_DIRECT tests: an ext4 image on a loop device
// with 4096-byte logical blocks, so 512-byte alignment (which a virtio disk
// would accept) is wrong on it. Needs root, losetup, mkfs.ext4 and mount.

/** Why an ext4 loop mount cannot be made here, or `undefined` when it can. */
export function loopDeviceMissing(): string | undefined {
  return requiredOrSkip('LOOP', loopDeviceReason());
}

function loopDeviceReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/dev/loop-control')) return 'no /dev/loop-control';
  for (const tool of ['losetup', 'mkfs.ext4', 'mount', 'umount', 'blockdev']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} not installed`;
    }
  }
  return undefined;
}

/** A mounted ext4 file system on a loop device. */
export interface LoopMount {
  /** The loop device, e.g. `/dev/loop3`. */
  readonly device: string;
  /** Where the file system is mounted. */
  readonly mountPoint: string;
  /** Unmounts, detaches the device and removes the image, each step on its own. */
  dispose(): void;
}

/** Creates an ext4 image of `sizeMiB`, attaches it with 4096-byte sectors and mounts it. */
export function ext4LoopMount(sizeMiB = 64): LoopMount {
  const dir = mkdtempSync(join(tmpdir(), 'binio-loop-'));
  let device = '';
  let mounted = false;
  const mountPoint = join(dir, 'mnt');
  const dispose = (): void => {
    try {
      if (mounted) execFileSync('umount', [mountPoint]);
    } finally {
      try {
        if (device) execFileSync('losetup', ['-d', device]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  };
  try {
    const image = join(dir, 'ext4.img');
    execFileSync('truncate', ['-s', `${sizeMiB}M`, image]);
    device = execFileSync('losetup', ['--find', '--show', '--sector-size', '4096', image], {
      encoding: 'utf8',
    }).trim();
    execFileSync('mkfs.ext4', ['-q', '-F', '-b', '4096', device], { stdio: 'ignore' });
    mkdirSync(mountPoint);
    execFileSync('mount', [device, mountPoint]);
    mounted = true;
  } catch (e) {
    dispose();
    throw e;
  }
  return { device, mountPoint, dispose };
}

import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from '@binio/testkit';

/** Why tshark cannot be used, or undefined. */
export function tsharkUnavailableReason(): string | undefined {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'tshark is missing (DEBIAN_FRONTEND=noninteractive apt-get install -y tshark)';
  }
}

/** A running capture into a pcap file. */
export interface Capture {
  /** Stops capturing; resolves when the file is complete. */
  stop(): Promise<void>;
  /** Decodes the file: one object per frame with the fields asked for. */
  decode(fields: readonly string[], displayFilter: string): Array<Record<string, string>>;
  dispose(): void;
}

/**
 * Starts tshark on `iface` (inside `ns` when given) and resolves once it
 * captures. Checksums are verified when decoding (`ip.check_checksum`,
 * `udp.check_checksum`, `icmp` always): their status fields say Good (1)
 * or Bad (0).
 */
export async function startCapture(iface: string, ns?: Netns): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'binio-dpdk-pcap-'));
  const file = join(dir, 'capture.pcapng');
  const argv = ['tshark', '-n', '-i', iface, '-w', file];
  const child: ChildProcess = ns
    ? ns.spawn(argv)
    : (await import('node:child_process')).spawn(argv[0]!, argv.slice(1));
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('Capturing on')) resolve();
    });
    child.on('close', (code) => reject(new Error(`tshark exited (${code}): ${stderr}`)));
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    async stop() {
      // Let the last frames reach the capture before stopping it.
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      await closed;
    },
    decode(fields, displayFilter) {
      const out = execFileSync(
        'tshark',
        [
          '-n',
          '-r',
          file,
          '-o',
          'ip.check_checksum:TRUE',
          '-o',
          'udp.check_checksum:TRUE',
          '-Y',
          displayFilter,
          '-T',
          'fields',
          '-E',
          'separator=|',
          '-E',
          'occurrence=f',
          ...fields.flatMap((f) => ['-e', f]),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      return out
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => Object.fromEntries(l.split('|').map((v, i) => [fields[i]!, v])));
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

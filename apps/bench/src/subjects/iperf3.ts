import { spawn } from 'node:child_process';
import { freePort } from '../run/ports.js';
import { runCommand } from '../run/process.js';
import type { Job, ProbeResult, Sample, Subject, SubjectFamily } from '../run/subject.js';
import { checked, SLACK_MS } from '../run/workers.js';

interface IperfEnd {
  sum_received: { bytes: number; seconds: number };
  cpu_utilization_percent: { host_total: number; remote_total: number };
}

/** A sample from the client's `-J` output: received bytes, and CPU of both ends (percent of one CPU each). */
export function parseIperf(stdout: string, chunk: number): Sample {
  const doc = JSON.parse(stdout) as { end?: IperfEnd; error?: string };
  if (doc.error) throw new Error(`iperf3: ${doc.error}`);
  const end = doc.end;
  if (end === undefined) throw new Error('iperf3 reported no summary');
  const { bytes, seconds } = end.sum_received;
  const cpu = end.cpu_utilization_percent;
  return {
    ops: Math.floor(bytes / chunk),
    bytes,
    elapsedNs: seconds * 1e9,
    cpuUs: ((cpu.host_total + cpu.remote_total) / 100) * seconds * 1e6,
  };
}

/** Starts `iperf3 -s -1` and resolves once it says it listens. */
function startServer(port: number, timeoutMs: number): Promise<{ kill(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn('iperf3', ['-s', '-1', '-p', String(port), '--forceflush'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const kill = (): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
    };
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) resolve({ kill });
    });
    child.on('error', (e) => reject(e));
    child.on('close', (code) =>
      reject(new Error(`iperf3 server exited ${code}: ${out.trim().split('\n').at(-1)}`)),
    );
  });
}

const stream: Subject = {
  id: 'iperf3',
  label: 'iperf3 (C, one TCP stream, 64 KiB writes; runs whole seconds)',
  group: 'limit',
  workloads: ['tcp-stream-64k'],
  queueDepth: () => 1,
  // Client and server each starting, the control connection's handshake (~0.8 s a run, measured).
  overheadMs: 400,
  minDurationMs: 1000,
  async run(job: Job): Promise<Sample> {
    const port = await freePort();
    // iperf3 takes whole seconds (-t 0 would mean "forever").
    const seconds = Math.max(1, Math.round(job.durationMs / 1000));
    const limit = seconds * 1000 + SLACK_MS;
    const server = await startServer(port, limit);
    try {
      const args = [
        '-c',
        '127.0.0.1',
        '-p',
        String(port),
        '-t',
        String(seconds),
        '-l',
        String(job.workload.blockSize),
        '-J',
      ];
      const out = await runCommand('iperf3', args, limit);
      if (out.code !== 0 && !out.stdout.includes('"end"')) {
        throw new Error(
          `iperf3 exited ${out.code}: ${(out.stdout + out.stderr).trim().split('\n').at(-1)}`,
        );
      }
      return checked(parseIperf(out.stdout, job.workload.blockSize), 'iperf3');
    } finally {
      server.kill();
    }
  },
};

/** iperf3, the limit for one TCP stream. */
export const family: SubjectFamily = {
  name: 'iperf3',
  order: 41,
  async probe(): Promise<ProbeResult> {
    const v = await runCommand('iperf3', ['--version'], 15_000);
    if (v.code !== 0) {
      return {
        subjects: [],
        missing: [
          {
            what: 'iperf3',
            reason: 'not on PATH: the TCP stream limit is skipped',
            hint: 'apt-get install iperf3',
          },
        ],
      };
    }
    return { subjects: [stream], missing: [] };
  },
};

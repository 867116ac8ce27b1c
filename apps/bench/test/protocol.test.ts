import { describe, expect, it } from 'vitest';
import { parseProtocolLine, protocolLine, TAG } from '../src/protocol.js';
import { workloadsFor } from '../src/run/engine-family.js';
import { parseFio } from '../src/subjects/fio.js';
import { parseIperf } from '../src/subjects/iperf3.js';

describe('worker protocol', () => {
  it('round-trips its lines and ignores anything else', () => {
    const line = protocolLine('result', { ops: 1, bytes: 2, elapsedNs: 3, cpuUs: 4 }).trimEnd();
    expect(parseProtocolLine(line)).toEqual({
      kind: 'result',
      payload: { ops: 1, bytes: 2, elapsedNs: 3, cpuUs: 4 },
    });
    expect(parseProtocolLine('warning: something')).toBeUndefined();
    expect(parseProtocolLine(`${TAG}result {broken`)).toBeUndefined();
    expect(parseProtocolLine(`${TAG}other {}`)).toBeUndefined();
  });
});

describe('engine capabilities to workloads', () => {
  it('offers what the capabilities allow', () => {
    expect(workloadsFor(new Set(['file.openReadOnly']), false, 'sync')).toEqual([
      'file-randread-4k',
      'file-seqread-128k',
    ]);
    // One in flight is an async-only workload.
    expect(workloadsFor(new Set(['file.openReadOnly']), false, 'async')).toEqual([
      'file-randread-4k',
      'file-seqread-128k',
      'file-randread-4k-qd1',
    ]);
    const sockets = new Set([
      'udp.socket',
      'udp.bind',
      'udp.send',
      'udp.recv',
      'tcp.connect',
      'tcp.listen',
    ]);
    expect(workloadsFor(sockets, false, 'async')).toEqual([
      'udp-pps-64',
      'veth-udp-64',
      'tcp-stream-64k',
      'tcp-pingpong-64',
    ]);
    const bypass = new Set(['udp.socket', 'udp.bind', 'udp.batch']);
    expect(workloadsFor(bypass, true, 'sync')).toEqual([
      'dpdk-tx-64',
      'dpdk-tx-ring-64',
      'veth-udp-64',
    ]);
    // Echo needs receiving too.
    expect(workloadsFor(new Set([...bypass, 'udp.recv']), true, 'sync')).toEqual([
      'dpdk-tx-64',
      'dpdk-tx-ring-64',
      'dpdk-echo-ring-64',
      'veth-udp-64',
    ]);
  });
});

describe('tool output parsers', () => {
  it('reads fio JSON (after any warning lines), CPU from its percentages', () => {
    const job = {
      job_runtime: 500,
      usr_cpu: 30,
      sys_cpu: 20,
      read: { total_ios: 1000, io_bytes: 4096000 },
      write: { total_ios: 0, io_bytes: 0 },
    };
    const s = parseFio(`fio: some warning\n${JSON.stringify({ jobs: [job] })}`, 'read');
    expect(s).toEqual({ ops: 1000, bytes: 4096000, elapsedNs: 500e6, cpuUs: 250_000 });
  });

  it('reads iperf3 JSON: received bytes, CPU of both ends', () => {
    const doc = {
      end: {
        sum_received: { bytes: 65536 * 100, seconds: 2 },
        cpu_utilization_percent: { host_total: 10, remote_total: 40 },
      },
    };
    expect(parseIperf(JSON.stringify(doc), 65536)).toEqual({
      ops: 100,
      bytes: 6553600,
      elapsedNs: 2e9,
      cpuUs: 1e6,
    });
    expect(() => parseIperf(JSON.stringify({ error: 'unable to connect' }), 65536)).toThrow(
      /unable to connect/,
    );
  });
});

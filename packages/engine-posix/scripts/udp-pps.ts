/**
 * Local measurement (not a test): UDP datagrams per second received over
 * loopback, 64-byte datagrams, batches of 64, one sender process and one
 * receiver process per run, subjects interleaved round by round.
 *
 *   node scripts/run-ts.mjs scripts/udp-pps.ts [--seconds 3] [--rounds 3]
 *
 * Subjects, each a sender/receiver pair of the same kind:
 *   c      C sendmmsg / recvmmsg (the limit)
 *   binio  the posix engine, sync mode: sendMany / recvMany
 *   dgram  Node's dgram: send (callbacks) / 'message' events
 * and, to compare receivers alone, each receiver fed by the C sender
 * (`c→binio`, `c→dgram`). A receiver counts datagrams for `--seconds` from
 * the first one; its rate is what is reported (median over rounds), with
 * ratios to C and to dgram.
 */
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InetSocketAddress, isIoError, OutputBuffer } from '@binio/core';
import { SocketOps } from '../src/socket/index.js';

const SIZE = 64;
const BATCH = 64;
const RCVBUF = 4 * 1024 * 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const RECEIVER_C = `
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/resource.h>
static double cpu(void) { struct rusage u; getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6; }
int main(int argc, char **argv) {
  double seconds = atof(argv[1]); double c0 = 0;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int rcv = ${RCVBUF}; setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
  struct timeval tv = {2, 0}; setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(0x7f000001);
  bind(fd, (void*)&a, sizeof a); socklen_t l = sizeof a; getsockname(fd, (void*)&a, &l);
  printf("PORT %d\\n", ntohs(a.sin_port)); fflush(stdout);
  static char bufs[${BATCH}][2048]; struct iovec iov[${BATCH}]; struct mmsghdr m[${BATCH}];
  static struct sockaddr_in names[${BATCH}];
  memset(m, 0, sizeof m);
  for (int i = 0; i < ${BATCH}; i++) { iov[i].iov_base = bufs[i]; iov[i].iov_len = 2048;
    m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1; m[i].msg_hdr.msg_name = &names[i]; }
  long long count = 0; struct timespec t0, t; int started = 0;
  for (;;) {
    for (int i = 0; i < ${BATCH}; i++) m[i].msg_hdr.msg_namelen = sizeof names[i];
    int r = recvmmsg(fd, m, ${BATCH}, MSG_WAITFORONE, NULL);
    if (r < 0) break;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (!started) { started = 1; t0 = t; c0 = cpu(); continue; }
    count += r;
    double el = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
    if (el >= seconds) { printf("RESULT %lld %f %f\\n", count, el, cpu() - c0); return 0; }
  }
  printf("RESULT 0 1\\n"); return 0;
}`;

const SENDER_C = `
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
int main(int argc, char **argv) {
  int port = atoi(argv[1]); double seconds = atof(argv[2]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(0x7f000001); a.sin_port = htons(port);
  static char buf[${SIZE}]; struct iovec iov = { buf, ${SIZE} }; struct mmsghdr m[${BATCH}];
  memset(m, 0, sizeof m);
  for (int i = 0; i < ${BATCH}; i++) { m[i].msg_hdr.msg_iov = &iov; m[i].msg_hdr.msg_iovlen = 1;
    m[i].msg_hdr.msg_name = &a; m[i].msg_hdr.msg_namelen = sizeof a; }
  struct timespec t0, t; clock_gettime(CLOCK_MONOTONIC, &t0);
  long long sent = 0;
  for (unsigned long n = 0;; n++) {
    int r = sendmmsg(fd, m, ${BATCH}, 0); if (r > 0) sent += r;
    if ((n & 63) == 0) { clock_gettime(CLOCK_MONOTONIC, &t);
      double el = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
      if (el > seconds) { printf("SENT %lld %f\\n", sent, el); return 0; } }
  }
}`;

// ---- child roles -------------------------------------------------------------

function cpuSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
}

function binioReceiver(seconds: number): void {
  const ops = new SocketOps({ mode: 'sync' });
  const sock = ops.createUdpSocket();
  sock.setRawOption(1, 33 /* SO_RCVBUFFORCE */, RCVBUF);
  sock.setOption('receiveTimeoutMs', 2000);
  const addr = ops.bindUdp(sock, '127.0.0.1:0') as InetSocketAddress;
  console.log(`PORT ${addr.port}`);
  const buffers = Array.from({ length: BATCH }, () => OutputBuffer.alloc(2048));
  let count = 0;
  let t0 = 0;
  let c0 = process.cpuUsage();
  try {
    for (;;) {
      for (const b of buffers) b.reset();
      const r = ops.recvMany(sock, buffers);
      const now = performance.now();
      if (t0 === 0) {
        t0 = now;
        c0 = process.cpuUsage();
        continue;
      }
      count += r.count;
      if (now - t0 >= seconds * 1000) {
        console.log(`RESULT ${count} ${(now - t0) / 1000} ${cpuSince(c0)}`);
        break;
      }
    }
  } catch (e) {
    if (!isIoError(e) || e.code !== 'EAGAIN') throw e;
    console.log('RESULT 0 1');
  }
  sock.close();
}

function binioSender(port: number, seconds: number): void {
  const ops = new SocketOps({ mode: 'sync' });
  const sock = ops.createUdpSocket();
  const to = new InetSocketAddress('127.0.0.1', port);
  const payload = new Uint8Array(SIZE);
  const batch = Array.from({ length: BATCH }, () => ({ data: payload, to }));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let sent = 0;
  for (let n = 0; ; n++) {
    sent += ops.sendMany(sock, batch);
    if ((n & 63) === 0 && performance.now() > end) break;
  }
  console.log(`SENT ${sent} ${(performance.now() - t0) / 1000}`);
  sock.close();
}

function dgramReceiver(seconds: number): void {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: RCVBUF });
  let count = 0;
  let t0 = 0;
  let c0 = process.cpuUsage();
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    const el = (performance.now() - t0) / 1000;
    console.log(`RESULT ${count} ${el} ${cpuSince(c0)}`);
    sock.close();
  };
  sock.on('message', () => {
    if (t0 === 0) {
      t0 = performance.now();
      c0 = process.cpuUsage();
      timer = setTimeout(finish, seconds * 1000);
      return;
    }
    count++;
  });
  sock.bind(0, '127.0.0.1', () => console.log(`PORT ${sock.address().port}`));
  void timer;
}

function dgramSender(port: number, seconds: number): void {
  const sock = dgram.createSocket('udp4');
  const payload = Buffer.alloc(SIZE);
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let inFlight = 0;
  let sent = 0;
  let stopped = false;
  const pump = () => {
    if (performance.now() > end) {
      if (!stopped) console.log(`SENT ${sent} ${(performance.now() - t0) / 1000}`);
      stopped = true;
      if (inFlight === 0) sock.close();
      return;
    }
    // Keep a bounded number in flight so the send queue does not grow without limit.
    while (inFlight < 1024) {
      inFlight++;
      sock.send(payload, port, '127.0.0.1', done);
    }
  };
  function done(err: Error | null) {
    inFlight--;
    if (!err) sent++;
    if (stopped) {
      if (inFlight === 0) sock.close();
    } else if (inFlight < 512) pump();
  }
  pump();
}

// ---- driver ----------------------------------------------------------------------

interface Bin {
  c: { recv: string; send: string };
}

function spawnRole(cmd: string, args: string[]) {
  return spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
}

interface PairResult {
  /** Datagrams per second the receiver got. */
  rx: number;
  /** Receiver CPU (user + system) per datagram, ns. */
  rxCpuNs: number;
  /** Datagrams per second the sender's calls accepted. */
  tx: number;
}

async function runPair(
  bin: Bin,
  receiver: string,
  sender: string,
  seconds: number,
): Promise<PairResult> {
  const me = process.argv[1]!;
  const recv =
    receiver === 'c'
      ? spawnRole(bin.c.recv, [String(seconds)])
      : spawnRole(process.execPath, [
          me,
          '--role',
          `${receiver}-recv`,
          '--seconds',
          String(seconds),
        ]);
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    recv.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    recv.on('exit', () => reject(new Error(`receiver ${receiver} exited early: ${out}`)));
  });
  // The sender outlasts the receiver's count (which starts at the first datagram).
  const sendFor = seconds + 1;
  const send =
    sender === 'c'
      ? spawnRole(bin.c.send, [String(port), String(sendFor)])
      : spawnRole(process.execPath, [
          me,
          '--role',
          `${sender}-send`,
          '--port',
          String(port),
          '--seconds',
          String(sendFor),
        ]);
  let sendOut = '';
  send.stdout!.setEncoding('utf8').on('data', (d: string) => (sendOut += d));
  await Promise.all([
    new Promise((r) => recv.on('close', r)),
    new Promise((r) => send.on('close', r)),
  ]);
  const m = /RESULT (\d+) ([\d.]+) ([\d.]+)/.exec(out);
  const t = /SENT (\d+) ([\d.]+)/.exec(sendOut);
  if (!m || !t) throw new Error(`no result from ${receiver}/${sender}: ${out} ${sendOut}`);
  const count = Number(m[1]);
  return {
    rx: count / Number(m[2]),
    rxCpuNs: (Number(m[3]) * 1e9) / Math.max(count, 1),
    tx: Number(t[1]) / Number(t[2]),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const role = arg('role', '');
  const seconds = Number(arg('seconds', '3'));
  if (role === 'binio-recv') return binioReceiver(seconds);
  if (role === 'binio-send') return binioSender(Number(arg('port', '0')), seconds);
  if (role === 'dgram-recv') return dgramReceiver(seconds);
  if (role === 'dgram-send') return dgramSender(Number(arg('port', '0')), seconds);

  const rounds = Number(arg('rounds', '3'));
  const dir = mkdtempSync(join(tmpdir(), 'binio-pps-'));
  try {
    const bin: Bin = { c: { recv: join(dir, 'recv'), send: join(dir, 'send') } };
    writeFileSync(join(dir, 'recv.c'), RECEIVER_C);
    writeFileSync(join(dir, 'send.c'), SENDER_C);
    execFileSync('cc', ['-O2', '-o', bin.c.recv, join(dir, 'recv.c')]);
    execFileSync('cc', ['-O2', '-o', bin.c.send, join(dir, 'send.c')]);
    const subjects: Array<[string, string, string]> = [
      ['c', 'c', 'c'],
      ['binio', 'binio', 'binio'],
      ['dgram', 'dgram', 'dgram'],
      ['c→binio', 'binio', 'c'],
      ['c→dgram', 'dgram', 'c'],
    ];
    const results = new Map<string, PairResult[]>(subjects.map(([n]) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, receiver, sender] of subjects) {
        const res = await runPair(bin, receiver, sender, seconds);
        results.get(name)!.push(res);
        console.error(
          `round ${r + 1} ${name}: rx ${Math.round(res.rx)} pps, tx ${Math.round(res.tx)} pps, rx CPU ${Math.round(res.rxCpuNs)} ns/datagram`,
        );
      }
    }
    const med = new Map(
      [...results].map(([k, v]) => [
        k,
        {
          rx: median(v.map((x) => x.rx)),
          rxCpuNs: median(v.map((x) => x.rxCpuNs)),
          tx: median(v.map((x) => x.tx)),
        },
      ]),
    );
    const c = med.get('c')!.rx;
    const dg = med.get('dgram')!.rx;
    console.log(
      `\nUDP ${SIZE}-byte datagrams, batches of ${BATCH}, loopback, ${seconds} s per run, median of ${rounds} rounds`,
    );
    console.log('subject      received pps   ×C     ×dgram   rx CPU ns/dgram   sender pps');
    for (const [name, x] of med) {
      console.log(
        `${name.padEnd(12)} ${String(Math.round(x.rx)).padStart(12)}   ${(x.rx / c).toFixed(2)}   ${(x.rx / dg).toFixed(2)}     ${String(Math.round(x.rxCpuNs)).padStart(8)}          ${String(Math.round(x.tx)).padStart(8)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

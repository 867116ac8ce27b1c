#!/usr/bin/env node
// TCP over loopback, side by side: the epoll engine against Node's `net`.
//   ping-pong: 64-byte messages, one connection, echoed by a peer process
//              running the same subject; messages per second at the client.
//   stream:    64 KiB writes for a fixed time from a sender process running
//              the same subject; bytes per second at the receiver.
// Rounds alternate between the subjects so drift in machine load hits both;
// the median of each is reported, with the ratio and CPU time per message.
// Run after `pnpm --filter @binio/engine-epoll build`:
//   node scripts/bench-tcp.mjs [--rounds 5] [--messages 20000] [--seconds 2]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { OutputBuffer } from '@binio/core';
import { createEpollEngine } from '@binio/engine-epoll';

const args = process.argv.slice(2);
const arg = (name, d) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const ROUNDS = arg('rounds', 5);
const MESSAGES = arg('messages', 20000);
const SECONDS = arg('seconds', 2);
const CHUNK = 65536;
const self = new URL(import.meta.url).pathname;

// ---- peers (child processes) ----
async function peer(role, subject, port) {
  if (subject === 'node') {
    if (role === 'echo') {
      const srv = net.createServer((s) => {
        s.setNoDelay(true);
        s.on('data', (d) => s.write(d));
        s.on('error', () => {});
      });
      srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
      process.stdin.on('data', () => process.exit(0));
      return;
    }
    // sender
    const s = net.connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(CHUNK, 7);
    s.on('error', () => process.exit(0));
    s.on('connect', () => {
      const pump = () => {
        while (s.write(chunk));
      };
      s.on('drain', pump);
      pump();
    });
    return;
  }
  const engine = createEpollEngine();
  if (role === 'echo') {
    const l = await engine.listenTcp('127.0.0.1:0');
    console.log(l.localAddress.port);
    process.stdin.on('data', () => process.exit(0));
    for await (const c of l) {
      (async () => {
        const buf = OutputBuffer.alloc(CHUNK);
        try {
          for (;;) {
            buf.reset();
            if ((await c.readInto(buf)) === 0) break;
            await c.writeAll(buf);
          }
        } catch {}
        await c.close();
      })();
    }
    return;
  }
  const c = await engine.connectTcp(`127.0.0.1:${port}`);
  const chunk = new Uint8Array(CHUNK).fill(7);
  try {
    for (;;) await c.writeAll(chunk);
  } catch {
    process.exit(0);
  }
}

function start(role, subject, port = 0) {
  const child = spawn(process.execPath, [self, '--peer', role, subject, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return child;
}

function firstLine(child) {
  return new Promise((resolve) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
  });
}

// ---- client sides (this process) ----
async function pingPong(subject) {
  const echo = start('echo', subject);
  const port = Number(await firstLine(echo));
  const cpu0 = process.cpuUsage();
  let seconds;
  if (subject === 'node') {
    seconds = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.setNoDelay(true);
        const msg = Buffer.alloc(64, 1);
        let n = 0;
        let got = 0;
        const t0 = process.hrtime.bigint();
        c.on('data', (d) => {
          got += d.length;
          while (got >= 64) {
            got -= 64;
            if (++n === MESSAGES) {
              c.destroy();
              resolve(Number(process.hrtime.bigint() - t0) / 1e9);
              return;
            }
            c.write(msg);
          }
        });
        c.write(msg);
      });
    });
  } else {
    const engine = createEpollEngine();
    const c = await engine.connectTcp(`127.0.0.1:${port}`);
    const msg = new Uint8Array(64).fill(1);
    // Read as Node's client does (libuv reads into a 64 KiB buffer): take
    // whatever arrived until the 64-byte reply is complete.
    const back = OutputBuffer.alloc(CHUNK);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < MESSAGES; i++) {
      await c.writeAll(msg);
      back.reset();
      while (back.initialized < 64) await c.readInto(back);
    }
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await engine.close();
  }
  const cpu = process.cpuUsage(cpu0);
  echo.stdin.write('x');
  return { rate: MESSAGES / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / MESSAGES };
}

async function stream(subject) {
  let bytes = 0;
  let seconds;
  const cpu0 = process.cpuUsage();
  if (subject === 'node') {
    const srv = net.createServer();
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const sender = start('send', 'node', srv.address().port);
    seconds = await new Promise((resolve) => {
      srv.on('connection', (s) => {
        const t0 = process.hrtime.bigint();
        s.on('data', (d) => {
          bytes += d.length;
        });
        setTimeout(() => {
          resolve(Number(process.hrtime.bigint() - t0) / 1e9);
          s.destroy();
          sender.kill();
          srv.close();
        }, SECONDS * 1000);
      });
    });
  } else {
    const engine = createEpollEngine();
    const l = await engine.listenTcp('127.0.0.1:0');
    const sender = start('send', 'epoll', l.localAddress.port);
    const c = await l.accept();
    const buf = OutputBuffer.alloc(CHUNK);
    const t0 = process.hrtime.bigint();
    const end = t0 + BigInt(SECONDS * 1e9);
    while (process.hrtime.bigint() < end) {
      buf.reset();
      const n = await c.readInto(buf);
      if (n === 0) break;
      bytes += n;
    }
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    sender.kill();
    await engine.close();
  }
  const cpu = process.cpuUsage(cpu0);
  return { rate: bytes / seconds, cpuUsPerMiB: (cpu.user + cpu.system) / (bytes / 2 ** 20) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (args[0] === '--peer') return peer(args[1], args[2], Number(args[3]));
  const results = { pingPong: { node: [], epoll: [] }, stream: { node: [], epoll: [] } };
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 === 0 ? ['node', 'epoll'] : ['epoll', 'node']) {
      results.pingPong[s].push(await pingPong(s));
      results.stream[s].push(await stream(s));
    }
  }
  const pp = (s) => median(results.pingPong[s].map((x) => x.rate));
  const ppCpu = (s) => median(results.pingPong[s].map((x) => x.cpuUsPerMsg));
  const st = (s) => median(results.stream[s].map((x) => x.rate));
  const stCpu = (s) => median(results.stream[s].map((x) => x.cpuUsPerMiB));
  console.log(
    `TCP loopback, ${ROUNDS} alternating rounds, medians (load average ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
  );
  console.log(
    `ping-pong 64 B  node ${pp('node').toFixed(0)} msg/s (${ppCpu('node').toFixed(1)} µs CPU/msg)  epoll ${pp('epoll').toFixed(0)} msg/s (${ppCpu('epoll').toFixed(1)} µs CPU/msg)  ratio ${(pp('epoll') / pp('node')).toFixed(2)}x`,
  );
  console.log(
    `stream 64 KiB   node ${(st('node') / 2 ** 20).toFixed(0)} MiB/s (${stCpu('node').toFixed(0)} µs CPU/MiB)  epoll ${(st('epoll') / 2 ** 20).toFixed(0)} MiB/s (${stCpu('epoll').toFixed(0)} µs CPU/MiB)  ratio ${(st('epoll') / st('node')).toFixed(2)}x`,
  );
  console.log(
    'per-round:',
    JSON.stringify({
      pp: {
        node: results.pingPong.node.map((x) => Math.round(x.rate)),
        epoll: results.pingPong.epoll.map((x) => Math.round(x.rate)),
      },
      stream: {
        node: results.stream.node.map((x) => Math.round(x.rate / 2 ** 20)),
        epoll: results.stream.epoll.map((x) => Math.round(x.rate / 2 ** 20)),
      },
    }),
  );
}

await main();

import { fileURLToPath } from 'node:url';
import { OutputBuffer } from '@binio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DpdkUdpSocket } from '../src/index.js';
import { pollWhile, startPeer } from './support/peer.js';
import { skipWithReason } from './support/skip.js';
import { openVethRig, type VethRig, vethUnavailableReason } from './support/veth.js';

// DPDK on one end of a veth pair (net_af_packet), the Linux kernel on the
// other, in a network namespace, with an address and kernel UDP sockets.
const skip = skipWithReason('kernel interop', vethUnavailableReason());

const RAW_PY = fileURLToPath(new URL('./support/raw.py', import.meta.url));
const hex = (s: string) => Buffer.from(s).toString('hex');

describe.skipIf(skip)('DPDK and the kernel across a veth', () => {
  let rig: VethRig;
  let sock: DpdkUdpSocket;

  beforeAll(() => {
    rig = openVethRig('kern');
    sock = rig.engine.createUdpSocket();
    rig.engine.bindUdp(sock, `${rig.dpdkIp}:5000`);
  });

  afterAll(() => {
    if (!rig) return;
    const report = rig.engine.closeWithReport();
    rig.eal.cleanup();
    rig.ns.destroy();
    // Every mbuf is back in the pool, as DPDK counts them.
    expect(report).toMatchObject({ leaked: 0, inFlight: 0, lingering: false });
    expect(report.mbufs.inUse).toBe(0);
    expect(report.mbufs.available).toBe(report.mbufs.total);
  });

  it('sends to a kernel socket, resolving the kernel by ARP first', async () => {
    const { engine, ns, peerIp, dpdkIp } = rig;
    const peer = startPeer(ns, ['recv', '6000', '3']);
    await pollWhile(
      () => engine.poll(),
      peer.line((l) => 'ready' in l),
    );
    const requests = engine.stats().arpRequests;
    for (const m of ['one', 'two', 'three!'])
      engine.send(sock, new TextEncoder().encode(m), `${peerIp}:6000`);
    expect(engine.stats().arpRequests).toBe(requests + 1);
    expect(engine.arpEntries().some((e) => e.ip === ipNum(peerIp))).toBe(true);
    await pollWhile(() => engine.poll(), peer.exited);
    const got = peer.lines.filter((l) => 'data' in l);
    expect(got.map((l) => Buffer.from(l.data as string, 'hex').toString())).toEqual([
      'one',
      'two',
      'three!',
    ]);
    expect(got.every((l) => l.from === `${dpdkIp}:5000`)).toBe(true);
    // The kernel learned our MAC from the request we sent.
    expect(ns.exec(['ip', 'neigh', 'show', dpdkIp])).toContain(rig.engine.mac);
  });

  it('receives from a kernel socket that resolves us by ARP, and answers it', async () => {
    const { engine, ns, peerIp, dpdkIp } = rig;
    // Make the kernel ask for us again.
    ns.exec(['ip', 'neigh', 'flush', 'dev', ns.peerInterface]);
    const replied = engine.stats().arpReplied;
    const peer = startPeer(ns, [
      'send',
      dpdkIp,
      '5000',
      hex('ping 1'),
      hex('ping 22'),
      hex('x'.repeat(1472)),
    ]);
    const ready = await pollWhile(
      () => engine.poll(),
      peer.line((l) => 'ready' in l),
    );
    const payloads: string[] = [];
    const froms: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = OutputBuffer.alloc(2048);
      const r = engine.recv(sock, out);
      payloads.push(Buffer.from(out.filled).toString());
      froms.push(r.from.toString());
      expect(r.truncated).toBe(false);
    }
    // UDP promises no order, and the kernel may release datagrams it held
    // while resolving us by ARP in another order: compare as a set.
    expect(payloads.sort()).toEqual(['ping 1', 'ping 22', 'x'.repeat(1472)].sort());
    expect(new Set(froms)).toEqual(new Set([`${peerIp}:${ready.ready}`]));
    expect(engine.stats().arpReplied).toBeGreaterThan(replied);
    await pollWhile(() => engine.poll(), peer.exited);
    expect(ns.exec(['ip', 'neigh', 'show', dpdkIp])).toContain(engine.mac);
  });

  it('round-trips through a kernel echo server in bursts', async () => {
    const { engine, ns, peerIp } = rig;
    const peer = startPeer(ns, ['echo', '6001', '64']);
    await pollWhile(
      () => engine.poll(),
      peer.line((l) => 'ready' in l),
    );
    const bufs = engine.getBuffers(64);
    bufs.forEach((b, i) => {
      b.append(new TextEncoder().encode(`datagram ${i}`));
    });
    let sent = 0;
    while (sent < 64) sent += engine.transmit(sock, bufs.slice(sent), `${peerIp}:6001`);
    const seen = new Set<string>();
    while (seen.size < 64) {
      for (const b of engine.receive(sock, 64)) {
        seen.add(Buffer.from(b.filled).toString());
        expect(b.sender.toString()).toBe(`${peerIp}:6001`);
        engine.recycleBuffer(b);
      }
    }
    expect(seen).toEqual(new Set(Array.from({ length: 64 }, (_, i) => `datagram ${i}`)));
    await pollWhile(() => engine.poll(), peer.exited);
  });

  it("answers the kernel's ICMP echo requests", async () => {
    const { engine, ns, dpdkIp } = rig;
    const ping = ns.spawn(['python3', RAW_PY, 'ping', dpdkIp, '3']);
    let out = '';
    ping.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await pollWhile(() => engine.poll(), new Promise((r) => ping.on('close', r)));
    const replies = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(replies).toEqual([1, 2, 3].map((seq) => ({ seq, from: dpdkIp, valid: true, ttl: 64 })));
    expect(code).toBe(0);
    expect(engine.stats().icmpEchoReplied).toBe(3);
  });

  it('refuses bad input before the device, leaving no mbuf behind', () => {
    const { engine, peerIp } = rig;
    const before = engine.pool.counts().inUse;
    const s = engine.createUdpSocket();
    expect(() => engine.send(s, new Uint8Array(1), `${peerIp}:0`)).toThrow(/EINVAL/);
    expect(() => engine.send(s, new Uint8Array(1), `[::1]:9`)).toThrow(/EAFNOSUPPORT/);
    expect(() => engine.send(s, new Uint8Array(1), `${peerIp}:9`, { colour: 1 } as never)).toThrow(
      /Unknown send option 'colour'/,
    );
    expect(() => engine.recv(s, OutputBuffer.alloc(1), { timeout: 0 })).toThrow(/EAGAIN/);
    s.close();
    const b = engine.getBuffer();
    b.append(Uint8Array.of(1));
    expect(() => engine.send(s, b, `${peerIp}:9`)).toThrow(
      expect.objectContaining({ code: 'EBADF' }),
    );
    // Refused before anything happened: the buffer is still the caller's.
    expect(b.ownership).toBe('caller');
    engine.recycleBuffer(b);
    expect(engine.pool.counts().inUse).toBe(before);
  });
});

function ipNum(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

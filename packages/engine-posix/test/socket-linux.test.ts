import { OutputBuffer } from '@binio/core';
import { constants, runC, structLayout } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import type { StructLayout } from '../src/linux/file-layouts.js';
import * as C from '../src/linux/socket-constants.js';
import * as L from '../src/linux/socket-layouts.js';
import { SocketOps } from '../src/socket/index.js';

const HEADERS = [
  'sys/socket.h',
  'sys/un.h',
  'sys/time.h',
  'netinet/in.h',
  'netinet/tcp.h',
  'netinet/udp.h',
  'poll.h',
  'sys/eventfd.h',
];

// Every `{ NAME: value }` group whose names are C macros of the headers.
const GROUPS = {
  AF: C.AF,
  SOCK: C.SOCK,
  IPPROTO: C.IPPROTO,
  SO: C.SO,
  SCM: C.SCM,
  TCP: C.TCP,
  IP: C.IP,
  IPV6: C.IPV6,
  UDP: C.UDP,
  MSG: C.MSG,
  SHUT: C.SHUT,
  POLL: C.POLL,
  EFD: C.EFD,
};

describe('socket constants', () => {
  it.each(Object.entries(GROUPS))('%s matches the system headers', (_, group) => {
    expect(constants(HEADERS, Object.keys(group))).toEqual(group);
  });

  it('single constants match the system headers', () => {
    expect(constants(HEADERS, ['SOL_SOCKET', 'SOMAXCONN'])).toEqual({
      SOL_SOCKET: C.SOL_SOCKET,
      SOMAXCONN: C.SOMAXCONN,
    });
    expect(runC(HEADERS, 'struct sockaddr_un u; printf("%zu", sizeof u.sun_path);')).toBe(
      String(C.UNIX_PATH_MAX),
    );
  });

  // The UDP-Lite option names are not in the userspace headers: check them
  // against the kernel. It clamps a send coverage below 8 up to 8 (the
  // header) and refuses an unknown UDP-Lite option with ENOPROTOOPT.
  it('UDPLITE_SEND_CSCOV and UDPLITE_RECV_CSCOV are the options the kernel knows', () => {
    const out = runC(
      HEADERS,
      `int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
       int v = 3; socklen_t l = sizeof v;
       printf("%d ", setsockopt(fd, IPPROTO_UDPLITE, ${C.UDPLITE.UDPLITE_SEND_CSCOV}, &v, sizeof v));
       getsockopt(fd, IPPROTO_UDPLITE, ${C.UDPLITE.UDPLITE_SEND_CSCOV}, &v, &l); printf("%d ", v);
       v = 20; setsockopt(fd, IPPROTO_UDPLITE, ${C.UDPLITE.UDPLITE_RECV_CSCOV}, &v, sizeof v);
       v = 0; getsockopt(fd, IPPROTO_UDPLITE, ${C.UDPLITE.UDPLITE_RECV_CSCOV}, &v, &l); printf("%d ", v);
       printf("%d", setsockopt(fd, IPPROTO_UDPLITE, 99, &v, sizeof v));`,
    );
    expect(out).toBe('0 8 20 -1');
  });
});

describe('socket struct layouts', () => {
  const cases: Array<[string, string, StructLayout]> = [
    ['sockaddr_in', 'struct sockaddr_in', L.SOCKADDR_IN_LAYOUT],
    ['sockaddr_in6', 'struct sockaddr_in6', L.SOCKADDR_IN6_LAYOUT],
    ['sockaddr_un', 'struct sockaddr_un', L.SOCKADDR_UN_LAYOUT],
    ['sockaddr_storage', 'struct sockaddr_storage', L.SOCKADDR_STORAGE_LAYOUT],
    ['msghdr', 'struct msghdr', L.MSGHDR_LAYOUT],
    ['mmsghdr', 'struct mmsghdr', L.MMSGHDR_LAYOUT],
    ['cmsghdr', 'struct cmsghdr', L.CMSGHDR_LAYOUT],
    ['in_pktinfo', 'struct in_pktinfo', L.IN_PKTINFO_LAYOUT],
    ['in6_pktinfo', 'struct in6_pktinfo', L.IN6_PKTINFO_LAYOUT],
    ['ucred', 'struct ucred', L.UCRED_LAYOUT],
    ['linger', 'struct linger', L.LINGER_LAYOUT],
    ['timeval', 'struct timeval', L.TIMEVAL_LAYOUT],
    ['pollfd', 'struct pollfd', L.POLLFD_LAYOUT],
  ];
  it.each(cases)('%s matches the system headers', (_, type, layout) => {
    expect(structLayout(HEADERS, type, Object.keys(layout.offsets))).toEqual(layout);
  });

  it('CMSG_SPACE, CMSG_LEN and CMSG_DATA match the macros', () => {
    const sizes = [0, 1, 4, 8, 12, 20, 100];
    const body = sizes
      .map((n) => `printf("%zu %zu ", (size_t)CMSG_SPACE(${n}), (size_t)CMSG_LEN(${n}));`)
      .join('\n');
    const got = runC(
      HEADERS,
      `${body}\nstruct cmsghdr c; printf("%td", (char*)CMSG_DATA(&c) - (char*)&c);`,
    );
    const want = `${sizes.map((n) => `${L.cmsgSpace(n)} ${L.cmsgLen(n)} `).join('')}${L.CMSGHDR_LAYOUT.size}`;
    expect(got).toBe(want);
  });
});

describe('UDP-Lite checksum coverage', () => {
  const ops = new SocketOps({ mode: 'sync' });

  it('delivers partially covered datagrams, and drops them when the receiver asks for more coverage', () => {
    const tx = ops.createUdpSocket({ protocol: 'udplite' });
    const rx = ops.createUdpSocket({ protocol: 'udplite' });
    try {
      expect(tx.protocol).toBe('udplite');
      const to = ops.bindUdp(rx, '127.0.0.1:0');
      tx.setOption('udpliteSendCoverage', 3);
      // The kernel clamps coverage below the 8-byte header to 8.
      expect(tx.getOption('udpliteSendCoverage')).toBe(8);
      rx.setOption('receiveTimeoutMs', 200);
      const payload = new Uint8Array(100).fill(7);
      ops.send(tx, payload, to);
      const got = ops.recv(rx, OutputBuffer.alloc(200));
      expect(got.bytes).toBe(100);
      // A receiver requiring 50 bytes of coverage drops 8-byte-covered datagrams.
      rx.setOption('udpliteRecvCoverage', 50);
      expect(rx.getOption('udpliteRecvCoverage')).toBe(50);
      ops.send(tx, payload, to);
      expect(() => ops.recv(rx, OutputBuffer.alloc(200))).toThrow(
        expect.objectContaining({ code: 'EAGAIN' }),
      );
      // Full coverage (0) satisfies it.
      tx.setOption('udpliteSendCoverage', 0);
      ops.send(tx, payload, to);
      expect(ops.recv(rx, OutputBuffer.alloc(200)).bytes).toBe(100);
    } finally {
      tx.close();
      rx.close();
    }
  });
});

"""Raw-socket helper for the DPDK interop tests, run inside the namespace.

  raw.py ping <dst> <count>   ICMP echo over a raw socket (as ping(8) does);
                              prints one JSON line per reply, exits 0 when all came
  raw.py inject <iface>       sends each hex line of stdin as one Ethernet frame
                              through an AF_PACKET socket; prints the count sent
"""
import json
import os
import select
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ping(dst: str, count: int) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    got = 0
    for seq in range(1, count + 1):
        payload = bytes(range(48))
        head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        head = struct.pack("!BBHHH", 8, 0, checksum(head + payload), ident, seq)
        sock.sendto(head + payload, (dst, 0))
        deadline = time.time() + 2
        while time.time() < deadline:
            r, _, _ = select.select([sock], [], [], max(0, deadline - time.time()))
            if not r:
                break
            pkt, addr = sock.recvfrom(2048)
            ihl = (pkt[0] & 15) * 4
            icmp = pkt[ihl:]
            typ, code, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
            if typ == 0 and rid == ident and rseq == seq:
                ok = checksum(icmp) == 0 and icmp[8:] == payload and checksum(pkt[:ihl]) == 0
                print(json.dumps({"seq": seq, "from": addr[0], "valid": ok, "ttl": pkt[8]}), flush=True)
                got += 1
                break
    return 0 if got == count else 1


def inject(iface: str) -> int:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    n = 0
    for line in sys.stdin:
        line = line.strip()
        if line:
            sock.send(bytes.fromhex(line))
            n += 1
    print(json.dumps({"sent": n}), flush=True)
    return 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "ping":
        sys.exit(ping(sys.argv[2], int(sys.argv[3])))
    if mode == "inject":
        sys.exit(inject(sys.argv[2]))
    sys.exit(f"unknown mode {mode}")

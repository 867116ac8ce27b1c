// Per-packet UDP work of the transmit path, shared by the addon and by the C
// loop the benchmark compares it with (apps/bench/native/dpdk-tx.c, which
// includes this file), so both do exactly
// the same: copy the 42-byte Ethernet/IPv4/UDP template into the headroom,
// fill in the lengths, and compute the checksums incrementally from the
// template's precomputed sums (or leave them to the device).
//
// Checksums are one's complement sums of the bytes as they lie in memory:
// RFC 1071 shows the sum is independent of byte order, so 64-bit loads with
// an end-around carry give the same result as 16-bit network-order words.
#pragma once

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define BINIO_UDP_HEADER_BYTES 42

static inline uint64_t binio_csum_add(uint64_t acc, uint64_t w) {
  acc += w;
  return acc + (acc < w);
}

// Adds the bytes p[0..len) to a running one's complement sum.
static inline uint64_t binio_csum_bytes(uint64_t acc, const uint8_t* p, uint32_t len) {
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    acc = binio_csum_add(acc, w);
    p += 8;
    len -= 8;
  }
  if (len >= 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    acc = binio_csum_add(acc, w);
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t w;
    memcpy(&w, p, 2);
    acc = binio_csum_add(acc, w);
    p += 2;
    len -= 2;
  }
  // An odd last byte is the first (high-order) byte of a zero-padded word.
  if (len) {
    uint16_t w = 0;
    memcpy(&w, p, 1);
    acc = binio_csum_add(acc, w);
  }
  return acc;
}

// Folds a 64-bit sum to 16 bits (not complemented), in memory byte order.
static inline uint16_t binio_csum_fold(uint64_t acc) {
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffffu) + (acc >> 16);
  acc = (acc & 0xffffu) + (acc >> 16);
  acc = (acc & 0xffffu) + (acc >> 16);
  return (uint16_t)acc;
}

// What a template contributes to the two checksums, computed once per
// template: the IPv4 header without its length and checksum, and the UDP
// pseudo header plus ports without the lengths.
struct binio_tpl_sums {
  uint64_t ip;
  uint64_t udp;
};

// Clears the fields each packet fills in and returns the template's sums.
static inline struct binio_tpl_sums binio_tpl_prepare(uint8_t* tpl) {
  struct rte_ipv4_hdr* ip = (struct rte_ipv4_hdr*)(tpl + sizeof(struct rte_ether_hdr));
  struct rte_udp_hdr* udp = (struct rte_udp_hdr*)(ip + 1);
  ip->total_length = 0;
  ip->hdr_checksum = 0;
  udp->dgram_len = 0;
  udp->dgram_cksum = 0;
  struct binio_tpl_sums s;
  s.ip = binio_csum_bytes(0, (const uint8_t*)ip, sizeof *ip);
  uint16_t proto = rte_cpu_to_be_16(IPPROTO_UDP);
  s.udp = binio_csum_bytes(0, (const uint8_t*)&ip->src_addr, 8);  // source and destination
  s.udp = binio_csum_add(s.udp, proto);
  s.udp = binio_csum_bytes(s.udp, (const uint8_t*)udp, 4);  // ports
  return s;
}

// Turns mbuf `m`, whose payload of `payload` bytes sits at headroom + 42,
// into a complete frame from template `tpl`. With `offload` the device
// computes the checksums (the UDP field gets the pseudo-header sum, as DPDK
// requires).
static inline void binio_fill_udp(struct rte_mbuf* m, const uint8_t* tpl, struct binio_tpl_sums sums,
                                  uint32_t payload, int offload) {
  uint8_t* h = (uint8_t*)m->buf_addr + RTE_PKTMBUF_HEADROOM;
  memcpy(h, tpl, BINIO_UDP_HEADER_BYTES);
  struct rte_ipv4_hdr* ip = (struct rte_ipv4_hdr*)(h + sizeof(struct rte_ether_hdr));
  struct rte_udp_hdr* udp = (struct rte_udp_hdr*)(ip + 1);
  uint16_t ipLen = rte_cpu_to_be_16((uint16_t)(payload + sizeof *ip + sizeof *udp));
  uint16_t udpLen = rte_cpu_to_be_16((uint16_t)(payload + sizeof *udp));
  ip->total_length = ipLen;
  udp->dgram_len = udpLen;
  uint32_t frame = BINIO_UDP_HEADER_BYTES + payload;
  m->data_off = RTE_PKTMBUF_HEADROOM;
  m->data_len = (uint16_t)frame;
  m->pkt_len = frame;
  if (offload) {
    m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
    m->l2_len = sizeof(struct rte_ether_hdr);
    m->l3_len = sizeof *ip;
    udp->dgram_cksum = binio_csum_fold(binio_csum_add(sums.udp, udpLen));
    return;
  }
  m->ol_flags = 0;
  ip->hdr_checksum = (uint16_t)~binio_csum_fold(binio_csum_add(sums.ip, ipLen));
  uint64_t acc = binio_csum_add(binio_csum_add(sums.udp, udpLen), udpLen);
  acc = binio_csum_bytes(acc, h + BINIO_UDP_HEADER_BYTES, payload);
  uint16_t c = (uint16_t)~binio_csum_fold(acc);
  // 0 means "no checksum" in UDP over IPv4; a computed 0 is sent as 0xffff.
  udp->dgram_cksum = c == 0 ? 0xffff : c;
}

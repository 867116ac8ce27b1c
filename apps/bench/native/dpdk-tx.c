/*
 * The C reference for the DPDK workloads: the loops the engine runs for
 * JavaScript, with no JavaScript, speaking the bench's worker protocol (see
 * src/protocol.ts). Headers and checksums come from the engine's own
 * native/udp.h (the include path is given at compile time), so both sides
 * build each frame the same way: the 42-byte template copied, lengths
 * patched, IPv4 and UDP checksums computed incrementally from the
 * template's sums. Compiled at run time against `pkg-config libdpdk`.
 *
 *   dpdk-tx tx <net_null|net_ring> <duration-ms> <payload> <batch>
 *     per batch, in device bursts of at most TX_CHUNK (as the engine's
 *     sendPacked hands a call's datagrams over): allocate mbufs in bulk,
 *     write each payload, stamp headers, tx_burst, free what the device
 *     refused; on net_ring the port's own receive ring is drained each batch
 *     (as the JavaScript driver does).
 *   dpdk-tx echo <duration-ms> <payload> <burst>
 *     two ports joined by crossed rings: a generator sends a burst to the
 *     echo port, which receives it (checking lengths and checksums as the
 *     engine's stack does), stamps headers back towards the generator and
 *     transmits it; the generator receives and checks the echoes. One op =
 *     one datagram echoed back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "bench-protocol.h"
#include "udp.h"

#define MAX_BURST 512
// The device burst of the tx loop: the engine's kTxChunk (native/common.h).
#define TX_CHUNK 32
#define WARM_MS 200

static int fail(const char* what) { return protocol_error(what, rte_strerror(rte_errno)); }

// Frames from 192.0.2.1:9000 (02:00:00:00:00:01), as the JavaScript side
// sends: to the subnet broadcast for tx (no ARP needed), to 192.0.2.2:9000
// (02:00:00:00:00:02) for echo, and back.
static void make_template(uint8_t* tpl, const uint8_t* dmac, const uint8_t* smac, uint8_t dip, uint8_t sip) {
  static const uint8_t rest[] = {0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0};
  memcpy(tpl, dmac, 6);
  memcpy(tpl + 6, smac, 6);
  memcpy(tpl + 12, rest, sizeof rest);
  const uint8_t addrs[] = {192, 0, 2, sip, 192, 0, 2, dip, 0x23, 0x28, 0x23, 0x28, 0, 0, 0, 0};
  memcpy(tpl + 26, addrs, sizeof addrs);
}

static const uint8_t MAC_A[6] = {2, 0, 0, 0, 0, 1};
static const uint8_t MAC_B[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t BROADCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int start_port(uint16_t port, struct rte_mempool* mp) {
  struct rte_eth_conf conf;
  memset(&conf, 0, sizeof conf);
  if (rte_eth_dev_configure(port, 1, 1, &conf) || rte_eth_rx_queue_setup(port, 0, 1024, 0, NULL, mp) ||
      rte_eth_tx_queue_setup(port, 0, 1024, 0, NULL) || rte_eth_dev_start(port))
    return -1;
  return 0;
}

// Allocates `burst` mbufs and makes each a frame of `payload` bytes from `tpl`.
static int fill_burst(struct rte_mempool* mp, struct rte_mbuf** bufs, uint32_t burst, const uint8_t* tpl,
                      struct binio_tpl_sums sums, const uint8_t* data, uint32_t payload) {
  if (rte_pktmbuf_alloc_bulk(mp, bufs, burst) != 0) return -1;
  for (uint32_t i = 0; i < burst; i++) {
    uint8_t* p = (uint8_t*)bufs[i]->buf_addr + RTE_PKTMBUF_HEADROOM + BINIO_UDP_HEADER_BYTES;
    memcpy(p, data, payload);
    binio_fill_udp(bufs[i], tpl, sums, payload, 0);
  }
  return 0;
}

static void send_or_free(uint16_t port, struct rte_mbuf** bufs, uint16_t n, uint16_t* sent) {
  uint16_t k = rte_eth_tx_burst(port, 0, bufs, n);
  if (k < n) rte_pktmbuf_free_bulk(bufs + k, n - k);
  *sent = k;
}

// What a receiver checks before it accepts a frame, as the engine's stack
// does: IPv4 without options, UDP, lengths within the frame, the IPv4
// header checksum and (when not 0) the UDP checksum. Returns the payload
// length, or -1.
static int accept_udp(const struct rte_mbuf* m) {
  const uint8_t* h = rte_pktmbuf_mtod(m, const uint8_t*);
  if (m->data_len < BINIO_UDP_HEADER_BYTES || h[12] != 0x08 || h[13] != 0x00 || h[14] != 0x45 || h[23] != 17)
    return -1;
  uint32_t total = (uint32_t)h[16] << 8 | h[17], ulen = (uint32_t)h[38] << 8 | h[39];
  if (total + 14 > m->data_len || ulen < 8 || ulen + 20 > total) return -1;
  if (binio_csum_fold(binio_csum_bytes(0, h + 14, 20)) != 0xffff) return -1;
  if (h[40] | h[41]) {
    uint16_t proto = rte_cpu_to_be_16(IPPROTO_UDP), len = rte_cpu_to_be_16((uint16_t)ulen);
    uint64_t acc = binio_csum_bytes(0, h + 26, 8);  // source and destination
    acc = binio_csum_add(binio_csum_add(acc, proto), len);
    if (binio_csum_fold(binio_csum_bytes(acc, h + 34, ulen)) != 0xffff) return -1;
  }
  return (int)ulen - 8;
}

// The echo side's work on one received frame: accept it, then stamp
// headers back towards the sender (as the engine's transmit does for a
// received buffer).
static int echo_frame(struct rte_mbuf* m, const uint8_t* tpl, struct binio_tpl_sums sums) {
  int payload = accept_udp(m);
  if (payload < 0 || m->data_off != RTE_PKTMBUF_HEADROOM) return -1;
  binio_fill_udp(m, tpl, sums, (uint32_t)payload, 0);
  return 0;
}

struct run {
  double t0, deadline, cpu0;
  long long ops, payload;
  int measuring;
};

// Warms up for WARM_MS, then measures for `ms`; returns 0 when done.
static int tick(struct run* r, double ms, long long ops) {
  double t = now_ms();
  if (!r->measuring) {
    if (t >= r->t0 + WARM_MS) {
      r->measuring = 1;
      r->t0 = t;
      r->deadline = t + ms;
      r->cpu0 = cpu_us();
    }
    return 1;
  }
  r->ops += ops;
  if (t < r->deadline) return 1;
  protocol_result(r->ops, r->ops * r->payload, (t - r->t0) * 1e6, cpu_us() - r->cpu0);
  return 0;
}

static int run_tx(int ring, double ms, uint32_t payload, uint32_t burst, struct rte_mempool* mp, const uint8_t* data) {
  if (start_port(0, mp)) return fail("port start");
  uint8_t tpl[64];
  make_template(tpl, BROADCAST, MAC_A, 255, 1);
  struct binio_tpl_sums sums = binio_tpl_prepare(tpl);
  static struct rte_mbuf *bufs[MAX_BURST], *rx[MAX_BURST];
  struct run r = {.t0 = now_ms(), .payload = payload};
  long long sent;
  do {
    sent = 0;
    for (uint32_t done = 0; done < burst;) {
      uint32_t k = burst - done < TX_CHUNK ? burst - done : TX_CHUNK;
      uint16_t took;
      if (fill_burst(mp, bufs, k, tpl, sums, data, payload)) return fail("rte_pktmbuf_alloc_bulk");
      send_or_free(0, bufs, (uint16_t)k, &took);
      sent += took;
      done += k;
      if (took < k) break;
    }
    if (ring) rte_pktmbuf_free_bulk(rx, rte_eth_rx_burst(0, 0, rx, (uint16_t)burst));
  } while (tick(&r, ms, sent));
  rte_eth_dev_stop(0);
  return 0;
}

static int run_echo(double ms, uint32_t payload, uint32_t burst, struct rte_mempool* mp, const uint8_t* data) {
  int socket = (int)rte_socket_id();
  struct rte_ring* ab = rte_ring_create("gen>echo", 1024, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
  struct rte_ring* ba = rte_ring_create("echo>gen", 1024, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (!ab || !ba) return fail("rte_ring_create");
  int gen = rte_eth_from_rings("gen", &ba, 1, &ab, 1, socket);
  int echo = rte_eth_from_rings("echo", &ab, 1, &ba, 1, socket);
  if (gen < 0 || echo < 0) return fail("rte_eth_from_rings");
  if (start_port((uint16_t)gen, mp) || start_port((uint16_t)echo, mp)) return fail("port start");
  uint8_t to_echo[64], to_gen[64];
  make_template(to_echo, MAC_B, MAC_A, 2, 1);
  make_template(to_gen, MAC_A, MAC_B, 1, 2);
  struct binio_tpl_sums s_echo = binio_tpl_prepare(to_echo);
  struct binio_tpl_sums s_gen = binio_tpl_prepare(to_gen);
  static struct rte_mbuf *bufs[MAX_BURST], *rx[MAX_BURST];
  struct run r = {.t0 = now_ms(), .payload = payload};
  uint16_t sent, echoed;
  do {
    if (fill_burst(mp, bufs, burst, to_echo, s_echo, data, payload)) return fail("rte_pktmbuf_alloc_bulk");
    send_or_free((uint16_t)gen, bufs, (uint16_t)burst, &sent);
    uint16_t n = rte_eth_rx_burst((uint16_t)echo, 0, rx, (uint16_t)burst), k = 0;
    for (uint16_t i = 0; i < n; i++) {
      if (echo_frame(rx[i], to_gen, s_gen) == 0) rx[k++] = rx[i];
      else rte_pktmbuf_free(rx[i]);
    }
    send_or_free((uint16_t)echo, rx, k, &sent);
    n = rte_eth_rx_burst((uint16_t)gen, 0, rx, (uint16_t)burst);
    echoed = 0;
    for (uint16_t i = 0; i < n; i++) echoed += accept_udp(rx[i]) >= 0;
    rte_pktmbuf_free_bulk(rx, n);
  } while (tick(&r, ms, echoed));
  rte_eth_dev_stop((uint16_t)gen);
  rte_eth_dev_stop((uint16_t)echo);
  return 0;
}

int main(int argc, char** argv) {
  int echo = argc == 5 && strcmp(argv[1], "echo") == 0;
  int tx = argc == 6 && strcmp(argv[1], "tx") == 0;
  const char* dev = tx ? argv[2] : "net_null";
  if ((!tx && !echo) || (tx && strcmp(dev, "net_null") != 0 && strcmp(dev, "net_ring") != 0)) {
    fprintf(stderr, "usage: dpdk-tx tx <net_null|net_ring> <ms> <payload> <burst> | echo <ms> <payload> <burst>\n");
    return 2;
  }
  char** rest = argv + (tx ? 3 : 2);
  double ms = atof(rest[0]);
  uint32_t payload = (uint32_t)atoi(rest[1]), burst = (uint32_t)atoi(rest[2]);
  if (payload > 1472 || burst < 1 || burst > MAX_BURST) {
    fprintf(stderr, "payload must be <= 1472 and burst in [1, %d]\n", MAX_BURST);
    return 2;
  }
  char vdev[64], prefix[64];
  snprintf(vdev, sizeof vdev, "--vdev=%s0", dev);
  snprintf(prefix, sizeof prefix, "--file-prefix=binio-bench-c-%d", (int)getpid());
  char* eal[] = {"dpdk-tx", "-l", "0", "-m", "128", "--no-huge", "--no-pci", "--no-shconf",
                 "--no-telemetry", "--log-level=warning", prefix, tx ? vdev : NULL, NULL};
  if (rte_eal_init(tx ? 12 : 11, eal) < 0) return fail("rte_eal_init");
  struct rte_mempool* mp = rte_pktmbuf_pool_create("bench", 8191, 256, 0, 2048, (int)rte_socket_id());
  if (!mp) return fail("rte_pktmbuf_pool_create");
  static uint8_t data[2048];
  for (uint32_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)((i * 31 + 7) & 0xff);
  int rc = tx ? run_tx(strcmp(dev, "net_ring") == 0, ms, payload, burst, mp, data)
              : run_echo(ms, payload, burst, mp, data);
  fflush(stdout);
  char dir[256];
  snprintf(dir, sizeof dir, "%s", rte_eal_get_runtime_dir());
  rte_eal_cleanup();
  rmdir(dir);
  return rc;
}

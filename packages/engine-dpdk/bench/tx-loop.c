// The C reference for the transmit benchmark: the same loop the engine runs
// for JavaScript, with no JavaScript. Each burst: take mbufs in bulk, write
// each 64-byte payload, put the Ethernet/IPv4/UDP header in front with the
// very code the addon uses (native/udp.h), send the burst, free what the
// device refused. On net_ring the port's own RX ring is drained each burst.
//   tx-loop <net_null|net_ring> <milliseconds> <payload bytes> <burst>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "../native/udp.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: tx-loop <net_null|net_ring> <ms> <payload> <burst>\n");
    return 2;
  }
  const char* dev = argv[1];
  const double ms = atof(argv[2]);
  const uint32_t payload = (uint32_t)atoi(argv[3]);
  const uint32_t burst = (uint32_t)atoi(argv[4]);
  char vdev[64], prefix[64];
  snprintf(vdev, sizeof vdev, "--vdev=%s0", dev);
  snprintf(prefix, sizeof prefix, "--file-prefix=binio-txc-%d", (int)getpid());
  char* eal[] = {"tx-loop", "-l", "0", "-m", "128", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
                 "--log-level=warning", vdev, prefix, NULL};
  if (rte_eal_init(12, eal) < 0) return 1;
  struct rte_mempool* mp = rte_pktmbuf_pool_create("txc", 8191, 256, 0, 1856, (int)rte_socket_id());
  struct rte_eth_conf conf;
  memset(&conf, 0, sizeof conf);
  if (!mp || rte_eth_dev_configure(0, 1, 1, &conf) || rte_eth_rx_queue_setup(0, 0, 1024, 0, NULL, mp) ||
      rte_eth_tx_queue_setup(0, 0, 1024, 0, NULL) || rte_eth_dev_start(0))
    return 1;
  const int ring = strcmp(dev, "net_ring") == 0;

  // Broadcast on 192.0.2.0/24, as the JavaScript side sends: no ARP needed.
  uint8_t tpl[64] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
                     0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 255,
                     0x23, 0x28, 0x23, 0x28, 0, 0, 0, 0};
  uint8_t data[2048];
  for (uint32_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7);

  struct rte_mbuf* bufs[512];
  struct rte_mbuf* rx[512];
  uint64_t sent = 0, hz = rte_get_tsc_hz();
  uint64_t warm = rte_rdtsc() + hz / 5, start = 0, end = 0;
  struct timespec cpu0, cpu1;
  for (int measuring = 0;;) {
    struct binio_tpl_sums sums = binio_tpl_prepare(tpl);
    if (rte_pktmbuf_alloc_bulk(mp, bufs, burst) != 0) return 3;
    for (uint32_t i = 0; i < burst; i++) {
      uint8_t* p = (uint8_t*)bufs[i]->buf_addr + RTE_PKTMBUF_HEADROOM + BINIO_UDP_HEADER_BYTES;
      memcpy(p, data + (i & 63), payload);
      binio_fill_udp(bufs[i], tpl, sums, payload, 0);
    }
    uint16_t n = rte_eth_tx_burst(0, 0, bufs, (uint16_t)burst);
    if (n < burst) rte_pktmbuf_free_bulk(bufs + n, burst - n);
    if (ring) rte_pktmbuf_free_bulk(rx, rte_eth_rx_burst(0, 0, rx, (uint16_t)burst));
    uint64_t now = rte_rdtsc();
    if (!measuring) {
      if (now >= warm) {
        measuring = 1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
        start = now;
        end = now + (uint64_t)(ms / 1000.0 * (double)hz);
      }
      continue;
    }
    sent += n;
    if (now >= end) {
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
      double cpu = (double)(cpu1.tv_sec - cpu0.tv_sec) + (double)(cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;
      printf("{\"pps\":%.0f,\"cpuPps\":%.0f,\"sent\":%llu}\n", (double)sent * (double)hz / (double)(now - start),
             (double)sent / cpu, (unsigned long long)sent);
      break;
    }
  }
  char dir[256];
  snprintf(dir, sizeof dir, "%s", rte_eal_get_runtime_dir());
  rte_eth_dev_stop(0);
  rte_eal_cleanup();
  rmdir(dir);
  return 0;
}

/*
 * The C limit for udp-pps-64: a sendmmsg sender and a recvmmsg receiver on
 * loopback, speaking the bench's worker protocol (see src/protocol.ts) and
 * its end-of-run markers (src/drivers/udp-markers.ts: same numbers here).
 * Compiled at run time with `cc -O2` into the bench's cache directory.
 *
 *   udp-mmsg recv <batch> <rcvbuf>
 *   udp-mmsg send <port> <batch> <payload> <duration-ms>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench-protocol.h"

#define MARKER_LENGTH 1
#define MARKER_PAUSE_MS 20
#define MARKER_COUNT 10
#define MARKER_GAP_MS 5
#define SLOT 2048
#define MAX_BATCH 1024

static int fail(const char *what) { return protocol_error(what, strerror(errno)); }

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int receive(int batch, int rcvbuf) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return fail("socket");
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("bind");
  socklen_t len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &len);

  static char bufs[MAX_BATCH][SLOT];
  static struct iovec iov[MAX_BATCH];
  static struct mmsghdr msgs[MAX_BATCH];
  for (int i = 0; i < batch; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = SLOT;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  double cpu0 = cpu_us();
  printf(TAG "ready {\"port\":%d}\n", ntohs(addr.sin_port));
  fflush(stdout);

  long long packets = 0, bytes = 0;
  double first = 0, last = 0;
  for (int done = 0; !done;) {
    int n = recvmmsg(fd, msgs, batch, MSG_WAITFORONE, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("recvmmsg");
    }
    double t = now_ms();
    for (int i = 0; i < n; i++) {
      if (msgs[i].msg_len == MARKER_LENGTH) {
        done = 1;
        break;
      }
      if (packets == 0) first = t;
      last = t;
      packets++;
      bytes += msgs[i].msg_len;
    }
  }
  protocol_result(packets, bytes, (last - first) * 1e6, cpu_us() - cpu0);
  return 0;
}

static int send_all(int port, int batch, int size, int duration_ms) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return fail("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("connect");

  static char data[SLOT];
  static struct iovec iov[MAX_BATCH];
  static struct mmsghdr msgs[MAX_BATCH];
  for (int i = 0; i < size; i++) data[i] = (char)((i * 31 + 7) & 0xff);
  for (int i = 0; i < batch; i++) {
    iov[i].iov_base = data;
    iov[i].iov_len = size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  double cpu0 = cpu_us();
  double t0 = now_ms(), deadline = t0 + duration_ms, t = t0;
  long long sent = 0;
  while (t < deadline) {
    int n = sendmmsg(fd, msgs, batch, 0);
    if (n < 0) {
      if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {
        t = now_ms();
        continue;
      }
      return fail("sendmmsg");
    }
    sent += n;
    t = now_ms();
  }
  double cpu = cpu_us() - cpu0;
  sleep_ms(MARKER_PAUSE_MS);
  for (int i = 0; i < MARKER_COUNT; i++) {
    send(fd, data, MARKER_LENGTH, 0);
    sleep_ms(MARKER_GAP_MS);
  }
  protocol_result(sent, sent * size, (t - t0) * 1e6, cpu);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "recv") == 0) {
    int batch = atoi(argv[2]);
    if (batch < 1 || batch > MAX_BATCH) batch = 32;
    return receive(batch, atoi(argv[3]));
  }
  if (argc == 6 && strcmp(argv[1], "send") == 0) {
    int batch = atoi(argv[3]), size = atoi(argv[4]);
    if (batch < 1 || batch > MAX_BATCH) batch = 32;
    if (size < 2 || size > SLOT) size = 64;
    return send_all(atoi(argv[2]), batch, size, atoi(argv[5]));
  }
  fprintf(stderr, "usage: udp-mmsg recv <batch> <rcvbuf> | send <port> <batch> <payload> <duration-ms>\n");
  return 2;
}

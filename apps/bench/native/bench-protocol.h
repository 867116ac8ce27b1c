/*
 * The worker protocol (src/protocol.ts) as the bench's C helpers speak it:
 * tagged JSON lines on stdout, and the clocks their results are measured
 * with. One copy for udp-mmsg.c and dpdk-tx.c; compileHelper hashes it into
 * every helper's cache key.
 */
#pragma once

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#define TAG "@@binio-bench:"

/* Milliseconds on the monotonic clock. */
static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* This process's CPU time (user + system), microseconds. */
static inline double cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* The `error` line: `what` failed because of `why`. Returns 1 (the exit code). */
static inline int protocol_error(const char *what, const char *why) {
  printf(TAG "error {\"message\":\"%s: %s\"}\n", what, why);
  fflush(stdout);
  return 1;
}

/* The `result` line of one run. */
static inline void protocol_result(long long ops, long long bytes, double elapsed_ns, double cpu_used_us) {
  printf(TAG "result {\"ops\":%lld,\"bytes\":%lld,\"elapsedNs\":%.0f,\"cpuUs\":%.0f}\n", ops, bytes, elapsed_ns,
         cpu_used_us);
  fflush(stdout);
}

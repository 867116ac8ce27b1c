// Shared state of the DPDK addon: the tables of pools and queue contexts the
// other files index, and the layout of the control block JavaScript shares
// with the burst functions. Everything here is mechanism; the policy (which
// device, which addresses, what to drop) lives in TypeScript.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_version.h>

namespace binio {

// Most mbufs one burst call moves; the control block holds this many slots.
constexpr uint32_t kBurstMax = 256;
// Most datagrams one txPacked call takes, and the device burst it hands
// them over in (DPDK's usual burst: it fits the mempool's per-lcore cache).
constexpr uint32_t kPackedMax = 4096;
constexpr uint32_t kTxChunk = 32;
// Header templates per queue (one per destination in a mixed burst).
constexpr uint32_t kTemplates = 16;
constexpr uint32_t kTemplateBytes = 64;
// Ethernet + IPv4 (no options) + UDP.
constexpr uint32_t kUdpHeaderBytes = 42;
// txUdp's `slot` argument meaning "each packet names its template in txTsel".
constexpr uint32_t kPerPacketTemplate = 255;

// Byte offsets of the arrays in the control block. JavaScript reads them from
// the addon's `layout` export, so this is the only place they are written.
namespace ctl {
constexpr uint32_t kTxIdx = 0;                                   // u32[kBurstMax]
constexpr uint32_t kTxLen = kTxIdx + 4 * kBurstMax;              // u16[kBurstMax]
constexpr uint32_t kTxOff = kTxLen + 2 * kBurstMax;              // u16[kBurstMax]
constexpr uint32_t kTxTsel = kTxOff + 2 * kBurstMax;             // u8[kBurstMax]
constexpr uint32_t kRxIdx = kTxTsel + kBurstMax;                 // u32[kBurstMax]
constexpr uint32_t kRxOff = kRxIdx + 4 * kBurstMax;              // u16[kBurstMax]
constexpr uint32_t kRxLen = kRxOff + 2 * kBurstMax;              // u16[kBurstMax]
constexpr uint32_t kFreeIdx = kRxLen + 2 * kBurstMax;            // u32[kBurstMax]
constexpr uint32_t kTemplatesOff = kFreeIdx + 4 * kBurstMax;     // u8[kTemplates][64]
constexpr uint32_t kCounters = kTemplatesOff + kTemplates * kTemplateBytes;  // u32[16]
constexpr uint32_t kRxSum = kCounters + 16 * 4;                  // u8[kBurstMax]
constexpr uint32_t kSize = kRxSum + kBurstMax;
}  // namespace ctl

// rxSum flags: checksums rx found good, so JavaScript need not sum them
// again. Unset means "not checked here", never "bad": the stack then checks
// (and decides) itself.
constexpr uint8_t kRxIpSumGood = 1;   // the IPv4 header checksum
constexpr uint8_t kRxUdpSumGood = 2;  // a non-zero UDP checksum, pseudo header included

// Counters the burst functions keep in the control block (u32 slots).
enum Counter : uint32_t {
  kRxMultiSeg = 0,    // chained mbufs dropped on receive (never expected at MTU 1500)
  kRxCopied = 1,      // frames whose mbuf came from another pool, copied into ours
  kRxCopyFailed = 2,  // such frames dropped because our pool was empty
};

// A pktmbuf pool whose objects sit at a power-of-two stride in one memzone,
// so JavaScript sees every data room through one ArrayBuffer and an mbuf is
// named by its index: pointer = obj0 + (index << shift).
struct Pool {
  rte_mempool* mp = nullptr;
  const rte_memzone* mz = nullptr;
  uintptr_t obj0 = 0;
  uint32_t shift = 0;
  uint32_t count = 0;
  uint32_t dataRoom = 0;
  Napi::Reference<Napi::ArrayBuffer> memory;
};

// One port's RX/TX queue pair bound to a pool and a control block.
struct Queue {
  uint16_t port = 0;
  uint16_t queue = 0;
  Pool* pool = nullptr;
  uint8_t* ctl = nullptr;
  bool offloadUdp = false;  // device computes IPv4/UDP checksums
  Napi::Reference<Napi::ArrayBuffer> ctlRef;
};

extern std::vector<Pool*> pools;
extern std::vector<Queue*> queues;

inline rte_mbuf* mbufAt(const Pool* p, uint32_t index) {
  return reinterpret_cast<rte_mbuf*>(p->obj0 + (static_cast<uintptr_t>(index) << p->shift));
}

inline uint32_t indexOf(const Pool* p, const rte_mbuf* m) {
  return static_cast<uint32_t>((reinterpret_cast<uintptr_t>(m) - p->obj0) >> p->shift);
}

template <typename T>
inline T* ctlArray(const Queue* q, uint32_t offset) {
  return reinterpret_cast<T*>(q->ctl + offset);
}

// Throws a JS Error `message` with `errno` set (positive), returns undefined.
Napi::Value throwErrno(Napi::Env env, int errnum, const std::string& message);

// Argument helpers: they throw a TypeError and return false on bad input.
bool argU32(const Napi::CallbackInfo& info, size_t i, uint32_t* out);
Pool* argPool(const Napi::CallbackInfo& info, size_t i);
Queue* argQueue(const Napi::CallbackInfo& info, size_t i);

// Module parts; each adds its functions to `exports`.
void initEal(Napi::Env env, Napi::Object exports);
void initPort(Napi::Env env, Napi::Object exports);
void initPool(Napi::Env env, Napi::Object exports);
void initBurst(Napi::Env env, Napi::Object exports);

}  // namespace binio

// Mbuf pools laid out for JavaScript: every object of the pool sits at a
// 2 KiB stride in one memzone, so one ArrayBuffer covers all data rooms and
// an mbuf is named by its index. Also the bulk allocation and release of
// mbufs by index, and the counts that prove every mbuf came back.
#include <string>

#include <rte_mbuf_pool_ops.h>

#include "common.h"

namespace binio {

// Header, mbuf and data room of one object add up to the stride, a power of
// two so that index <-> pointer is a shift. 2048 leaves a data room of 1856
// bytes: 128 of headroom and a full 1518-byte Ethernet frame. 4096 suits
// drivers that want room for more (net_af_packet's default 2048-byte frames).

static void release(Pool* p) {
  if (!p->memory.IsEmpty()) {
    // Views JavaScript still holds become empty instead of dangling.
    Napi::ArrayBuffer ab = p->memory.Value();
    if (!ab.IsDetached()) ab.Detach();
    p->memory.Reset();
  }
  if (p->mp) rte_mempool_free(p->mp);
  if (p->mz) rte_memzone_free(p->mz);
  p->mp = nullptr;
  p->mz = nullptr;
}

// poolCreate(name, count, cache, stride): { id, memory, objectOffset, stride,
// dataOffset, dataRoom, count } where the mbuf of index i starts at
// objectOffset + i * stride in `memory` and its data room at + dataOffset.
static Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t count, cache, kStride;
  if (info.Length() < 4 || !info[0].IsString() || !argU32(info, 1, &count) || !argU32(info, 2, &cache) ||
      !argU32(info, 3, &kStride)) {
    Napi::TypeError::New(env, "poolCreate(name, count, cache, stride)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (kStride != 2048 && kStride != 4096) return throwErrno(env, EINVAL, "stride must be 2048 or 4096");
  const uint32_t kStrideShift = kStride == 2048 ? 11 : 12;
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const uint32_t flags = RTE_MEMPOOL_F_NO_SPREAD;
  rte_mempool_objsz sz;
  // The object header takes one cache line; the rest is mbuf + data room.
  const uint32_t eltSize = kStride - RTE_CACHE_LINE_SIZE;
  uint32_t total = rte_mempool_calc_obj_size(eltSize, flags, &sz);
  if (total != kStride) {
    return throwErrno(env, ENOTSUP, "mbuf objects would take " + std::to_string(total) +
                                        " bytes, not " + std::to_string(kStride) + " (DPDK built with mempool debugging?)");
  }
  const uint16_t dataRoom = static_cast<uint16_t>(eltSize - sizeof(rte_mbuf));
  int socket = static_cast<int>(rte_socket_id());

  auto* p = new Pool();
  p->count = count;
  p->dataRoom = dataRoom;
  p->shift = kStrideShift;
  p->mz = rte_memzone_reserve_aligned(("bz" + name).c_str(), static_cast<size_t>(count) * kStride, socket, 0, kStride);
  if (!p->mz) {
    int err = rte_errno;
    delete p;
    return throwErrno(env, err, std::string("rte_memzone_reserve for the mbuf pool failed: ") + rte_strerror(err) +
                                    " (raise the EAL memory, -m)");
  }
  p->mp = rte_mempool_create_empty(name.c_str(), count, eltSize, cache, sizeof(rte_pktmbuf_pool_private), socket, flags);
  if (!p->mp) {
    int err = rte_errno;
    release(p);
    delete p;
    return throwErrno(env, err, std::string("rte_mempool_create_empty failed: ") + rte_strerror(err));
  }
  int r = rte_mempool_set_ops_byname(p->mp, rte_mbuf_best_mempool_ops(), nullptr);
  rte_pktmbuf_pool_private priv{};
  priv.mbuf_data_room_size = dataRoom;
  priv.mbuf_priv_size = 0;
  if (r == 0) {
    rte_pktmbuf_pool_init(p->mp, &priv);
    r = rte_mempool_populate_iova(p->mp, static_cast<char*>(p->mz->addr), p->mz->iova, p->mz->len, nullptr, nullptr);
  }
  if (r < 0 || p->mp->populated_size != count) {
    release(p);
    delete p;
    return throwErrno(env, r < 0 ? -r : ENOMEM, "populating the mbuf pool failed");
  }
  rte_mempool_obj_iter(p->mp, rte_pktmbuf_init, nullptr);
  // The first object follows its header at the start of the zone.
  p->obj0 = reinterpret_cast<uintptr_t>(p->mz->addr) + p->mp->header_size;

  Napi::ArrayBuffer memory = Napi::ArrayBuffer::New(env, p->mz->addr, p->mz->len);
  p->memory = Napi::Persistent(memory);
  uint32_t id = static_cast<uint32_t>(pools.size());
  for (uint32_t i = 0; i < pools.size(); i++) {
    if (pools[i] == nullptr) {
      id = i;
      break;
    }
  }
  if (id == pools.size()) pools.push_back(p);
  else pools[id] = p;

  Napi::Object o = Napi::Object::New(env);
  o.Set("id", Napi::Number::New(env, id));
  o.Set("memory", memory);
  o.Set("objectOffset", Napi::Number::New(env, p->mp->header_size));
  o.Set("stride", Napi::Number::New(env, kStride));
  o.Set("dataOffset", Napi::Number::New(env, sizeof(rte_mbuf)));
  o.Set("dataRoom", Napi::Number::New(env, dataRoom));
  o.Set("count", Napi::Number::New(env, count));
  return o;
}

// poolCounts(pool): [available, inUse] as DPDK counts them (caches included).
static Napi::Value Counts(const Napi::CallbackInfo& info) {
  Pool* p = argPool(info, 0);
  if (!p) return info.Env().Undefined();
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), rte_mempool_avail_count(p->mp)));
  out.Set(1u, Napi::Number::New(info.Env(), rte_mempool_in_use_count(p->mp)));
  return out;
}

// poolFree(pool): frees the pool and its memory; JavaScript views go empty.
static Napi::Value Free(const Napi::CallbackInfo& info) {
  uint32_t id;
  if (!argU32(info, 0, &id)) return info.Env().Undefined();
  if (id < pools.size() && pools[id]) {
    release(pools[id]);
    delete pools[id];
    pools[id] = nullptr;
  }
  return info.Env().Undefined();
}

// alloc(queue, n): n fresh mbufs into txIdx[0..n); 0, or -ENOBUFS (none taken).
static Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Queue* q = argQueue(info, 0);
  uint32_t n;
  if (!q || !argU32(info, 1, &n)) return info.Env().Undefined();
  if (n > kBurstMax) return throwErrno(info.Env(), EINVAL, "alloc: more than the burst maximum");
  rte_mbuf* bufs[kBurstMax];
  if (rte_pktmbuf_alloc_bulk(q->pool->mp, bufs, n) != 0) return Napi::Number::New(info.Env(), -ENOBUFS);
  uint32_t* idx = ctlArray<uint32_t>(q, ctl::kTxIdx);
  for (uint32_t i = 0; i < n; i++) idx[i] = indexOf(q->pool, bufs[i]);
  return Napi::Number::New(info.Env(), 0);
}

// free(queue, n): returns the mbufs freeIdx[0..n) to the pool.
static Napi::Value FreeBulk(const Napi::CallbackInfo& info) {
  Queue* q = argQueue(info, 0);
  uint32_t n;
  if (!q || !argU32(info, 1, &n)) return info.Env().Undefined();
  if (n > kBurstMax) return throwErrno(info.Env(), EINVAL, "free: more than the burst maximum");
  const uint32_t* idx = ctlArray<uint32_t>(q, ctl::kFreeIdx);
  rte_mbuf* bufs[kBurstMax];
  for (uint32_t i = 0; i < n; i++) {
    if (idx[i] >= q->pool->count) return throwErrno(info.Env(), EINVAL, "free: mbuf index out of range");
    bufs[i] = mbufAt(q->pool, idx[i]);
  }
  rte_pktmbuf_free_bulk(bufs, n);
  return info.Env().Undefined();
}

void initPool(Napi::Env env, Napi::Object exports) {
  exports.Set("poolCreate", Napi::Function::New(env, Create, "poolCreate"));
  exports.Set("poolCounts", Napi::Function::New(env, Counts, "poolCounts"));
  exports.Set("poolFree", Napi::Function::New(env, Free, "poolFree"));
  exports.Set("alloc", Napi::Function::New(env, Alloc, "alloc"));
  exports.Set("free", Napi::Function::New(env, FreeBulk, "free"));
}

}  // namespace binio

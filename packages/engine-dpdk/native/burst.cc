// The fast path: one call per burst. JavaScript fills the control block
// (mbuf indices, lengths, header templates) and calls rx, txUdp or txRaw;
// these are the inline DPDK functions an FFI cannot reach.
#include <cstring>

#include "common.h"
#include "udp.h"

namespace binio {

// queueBind(port, pool, ctl: ArrayBuffer, offloadUdp): queue id.
static Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t port;
  if (!argU32(info, 0, &port)) return env.Undefined();
  Pool* pool = argPool(info, 1);
  if (!pool) return env.Undefined();
  if (info.Length() < 3 || !info[2].IsArrayBuffer() || info[2].As<Napi::ArrayBuffer>().ByteLength() < ctl::kSize) {
    Napi::TypeError::New(env, "ctl must be an ArrayBuffer of layout.size bytes").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer ab = info[2].As<Napi::ArrayBuffer>();
  auto* q = new Queue();
  q->port = static_cast<uint16_t>(port);
  q->queue = 0;
  q->pool = pool;
  // Backing stores of ArrayBuffers do not move; the reference keeps it alive.
  q->ctl = static_cast<uint8_t*>(ab.Data());
  q->ctlRef = Napi::Persistent(ab);
  q->offloadUdp = info.Length() > 3 && info[3].ToBoolean().Value();
  uint32_t id = static_cast<uint32_t>(queues.size());
  for (uint32_t i = 0; i < queues.size(); i++) {
    if (queues[i] == nullptr) {
      id = i;
      break;
    }
  }
  if (id == queues.size()) queues.push_back(q);
  else queues[id] = q;
  return Napi::Number::New(env, id);
}

// queueUnbind(queue): forgets the queue (the port is stopped separately).
static Napi::Value Unbind(const Napi::CallbackInfo& info) {
  uint32_t id;
  if (!argU32(info, 0, &id)) return info.Env().Undefined();
  if (id < queues.size() && queues[id]) {
    queues[id]->ctlRef.Reset();
    delete queues[id];
    queues[id] = nullptr;
  }
  return info.Env().Undefined();
}

// rx(queue, max): receives up to max frames; rxIdx/rxOff/rxLen describe
// them. Returns how many. Frames in another pool's mbufs (the crossed ring
// loopback) are copied into ours so JavaScript sees all through one view.
// Which checksums of the frame f[0..len) are good (kRxIpSum*). Lengths are
// checked before anything is read; regions are those the stack checks
// (src/stack/input.ts): the IPv4 header of IHL words, and the UDP header
// and data of the UDP length with the pseudo header.
static uint8_t rxSumFlags(const uint8_t* f, uint32_t len) {
  if (len < 34 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4) return 0;
  const uint8_t* ip = f + 14;
  const uint32_t ihl = (ip[0] & 15u) * 4;
  const uint32_t total = static_cast<uint32_t>(ip[2]) << 8 | ip[3];
  if (ihl < 20 || 14 + ihl > len || total < ihl || 14 + total > len) return 0;
  if (binio_csum_fold(binio_csum_bytes(0, ip, ihl)) != 0xffff) return 0;
  uint8_t flags = kRxIpSumGood;
  if (ip[9] != IPPROTO_UDP || total < ihl + 8) return flags;
  const uint8_t* u = ip + ihl;
  const uint32_t ulen = static_cast<uint32_t>(u[4]) << 8 | u[5];
  if (ulen < 8 || ulen > total - ihl || (u[6] | u[7]) == 0) return flags;
  const uint16_t proto = rte_cpu_to_be_16(IPPROTO_UDP);
  const uint16_t ulenBe = rte_cpu_to_be_16(static_cast<uint16_t>(ulen));
  uint64_t acc = binio_csum_bytes(0, ip + 12, 8);  // source and destination
  acc = binio_csum_add(binio_csum_add(acc, proto), ulenBe);
  if (binio_csum_fold(binio_csum_bytes(acc, u, ulen)) == 0xffff) flags |= kRxUdpSumGood;
  return flags;
}

static Napi::Value Rx(const Napi::CallbackInfo& info) {
  Queue* q = argQueue(info, 0);
  uint32_t max;
  if (!q || !argU32(info, 1, &max)) return info.Env().Undefined();
  if (max > kBurstMax) max = kBurstMax;
  rte_mbuf* bufs[kBurstMax];
  uint16_t n = rte_eth_rx_burst(q->port, q->queue, bufs, static_cast<uint16_t>(max));
  uint32_t* idx = ctlArray<uint32_t>(q, ctl::kRxIdx);
  uint16_t* off = ctlArray<uint16_t>(q, ctl::kRxOff);
  uint16_t* len = ctlArray<uint16_t>(q, ctl::kRxLen);
  uint8_t* sum = ctlArray<uint8_t>(q, ctl::kRxSum);
  uint32_t* counters = ctlArray<uint32_t>(q, ctl::kCounters);
  uint32_t k = 0;
  for (uint16_t i = 0; i < n; i++) {
    rte_mbuf* m = bufs[i];
    if (m->nb_segs != 1) {
      rte_pktmbuf_free(m);
      counters[kRxMultiSeg]++;
      continue;
    }
    if (m->pool != q->pool->mp) {
      rte_mbuf* c = rte_pktmbuf_copy(m, q->pool->mp, 0, UINT32_MAX);
      rte_pktmbuf_free(m);
      if (!c) {
        counters[kRxCopyFailed]++;
        continue;
      }
      counters[kRxCopied]++;
      m = c;
    }
    idx[k] = indexOf(q->pool, m);
    off[k] = m->data_off;
    len[k] = m->data_len;
    sum[k] = rxSumFlags(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len);
    k++;
  }
  return Napi::Number::New(info.Env(), k);
}

// Hands bufs[0..n) to the device in bursts of kTxChunk; stops at the first
// burst it does not take whole. Returns how many it took (the first ones).
static uint32_t txChunked(const Queue* q, rte_mbuf** bufs, uint32_t n) {
  uint32_t total = 0;
  while (total < n) {
    const uint16_t k = static_cast<uint16_t>(n - total < kTxChunk ? n - total : kTxChunk);
    const uint16_t sent = rte_eth_tx_burst(q->port, q->queue, bufs + total, k);
    total += sent;
    if (sent < k) break;
  }
  return total;
}

// txUdp(queue, n, slot): sends n UDP datagrams whose payloads JavaScript put
// at headroom + 42 of the mbufs txIdx[0..n), txLen bytes each. Each gets the
// 42-byte Ethernet/IPv4/UDP header of template `slot` (or of txTsel[i] when
// slot is 255) with its lengths and checksums filled in (udp.h), handed to
// the device in bursts of kTxChunk. Returns how many the device took: always
// the first ones.
static Napi::Value TxUdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Queue* q = argQueue(info, 0);
  uint32_t n, slot;
  if (!q || !argU32(info, 1, &n) || !argU32(info, 2, &slot)) return env.Undefined();
  if (n > kBurstMax) return throwErrno(env, EINVAL, "txUdp: more than the burst maximum");
  if (slot >= kTemplates && slot != kPerPacketTemplate) return throwErrno(env, EINVAL, "txUdp: bad template slot");
  const Pool* pool = q->pool;
  const uint32_t* idx = ctlArray<uint32_t>(q, ctl::kTxIdx);
  const uint16_t* len = ctlArray<uint16_t>(q, ctl::kTxLen);
  const uint8_t* tsel = ctlArray<uint8_t>(q, ctl::kTxTsel);
  uint8_t* templates = q->ctl + ctl::kTemplatesOff;
  // Check everything before the first mbuf is touched.
  const uint32_t maxPayload = pool->dataRoom - RTE_PKTMBUF_HEADROOM - kUdpHeaderBytes;
  uint32_t used = 0;  // bit mask of templates this burst uses
  for (uint32_t i = 0; i < n; i++) {
    uint32_t t = slot == kPerPacketTemplate ? tsel[i] : slot;
    if (idx[i] >= pool->count || t >= kTemplates) return throwErrno(env, EINVAL, "txUdp: bad mbuf index or template");
    if (len[i] > maxPayload) return throwErrno(env, EMSGSIZE, "txUdp: datagram exceeds the data room");
    used |= 1u << t;
  }
  binio_tpl_sums sums[kTemplates];
  for (uint32_t t = 0; t < kTemplates; t++) {
    if (used & (1u << t)) sums[t] = binio_tpl_prepare(templates + t * kTemplateBytes);
  }
  rte_mbuf* bufs[kBurstMax];
  const int offload = q->offloadUdp ? 1 : 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t t = slot == kPerPacketTemplate ? tsel[i] : slot;
    rte_mbuf* m = mbufAt(pool, idx[i]);
    binio_fill_udp(m, templates + t * kTemplateBytes, sums[t], len[i], offload);
    bufs[i] = m;
  }
  return Napi::Number::New(env, txChunked(q, bufs, n));
}

// txPacked(queue, n, slot, data, size): sends n datagrams of `size` bytes
// each, taken back to back from `data` (a Uint8Array): allocates mbufs,
// copies each payload behind the header of template `slot` and hands them to
// the device, all in this one call. n may exceed the burst maximum: the
// device gets them in bursts of kTxChunk, so one crossing from JavaScript
// pays for many bursts (that crossing costs as much as a few hundred
// nanoseconds of packet work). Returns how many the device took (the first
// ones; it stops at the first burst the device did not take whole, freeing
// the rest of it), or -ENOBUFS when the pool had too few mbufs for the
// first burst (nothing sent).
static Napi::Value TxPacked(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Queue* q = argQueue(info, 0);
  uint32_t n, slot, size;
  if (!q || !argU32(info, 1, &n) || !argU32(info, 2, &slot) || !argU32(info, 4, &size)) return env.Undefined();
  // One napi_get_typedarray_info (it refuses what is not a typed array)
  // instead of node-addon-api's several calls: this runs on every call.
  napi_typedarray_type type;
  size_t length = 0;
  void* bytes = nullptr;
  if (napi_get_typedarray_info(env, info[3], &type, &length, &bytes, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array) {
    Napi::TypeError::New(env, "data must be a Uint8Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (n > kPackedMax || slot >= kTemplates) return throwErrno(env, EINVAL, "txPacked: bad count or template");
  const uint32_t maxPayload = q->pool->dataRoom - RTE_PKTMBUF_HEADROOM - kUdpHeaderBytes;
  if (size > maxPayload) return throwErrno(env, EMSGSIZE, "txPacked: datagram exceeds the data room");
  if (static_cast<uint64_t>(n) * size > length) return throwErrno(env, EINVAL, "txPacked: data is shorter than n * size");
  uint8_t* tpl = q->ctl + ctl::kTemplatesOff + slot * kTemplateBytes;
  const binio_tpl_sums sums = binio_tpl_prepare(tpl);
  const uint8_t* src = static_cast<const uint8_t*>(bytes);
  const int offload = q->offloadUdp ? 1 : 0;
  rte_mbuf* bufs[kTxChunk];
  uint32_t total = 0;
  while (total < n) {
    const uint32_t k = n - total < kTxChunk ? n - total : kTxChunk;
    if (rte_pktmbuf_alloc_bulk(q->pool->mp, bufs, k) != 0) {
      if (total == 0) return Napi::Number::New(env, -ENOBUFS);
      break;
    }
    for (uint32_t i = 0; i < k; i++) {
      uint8_t* p = static_cast<uint8_t*>(bufs[i]->buf_addr) + RTE_PKTMBUF_HEADROOM + kUdpHeaderBytes;
      memcpy(p, src + static_cast<size_t>(total + i) * size, size);
      binio_fill_udp(bufs[i], tpl, sums, size, offload);
    }
    const uint16_t sent = rte_eth_tx_burst(q->port, q->queue, bufs, static_cast<uint16_t>(k));
    total += sent;
    if (sent < k) {
      rte_pktmbuf_free_bulk(bufs + sent, k - sent);
      break;
    }
  }
  return Napi::Number::New(env, total);
}

// txRaw(queue, n): sends frames JavaScript built whole: mbuf txIdx[i], its
// frame at data offset txOff[i], txLen[i] bytes. Returns how many were taken.
static Napi::Value TxRaw(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Queue* q = argQueue(info, 0);
  uint32_t n;
  if (!q || !argU32(info, 1, &n)) return env.Undefined();
  if (n > kBurstMax) return throwErrno(env, EINVAL, "txRaw: more than the burst maximum");
  const uint32_t* idx = ctlArray<uint32_t>(q, ctl::kTxIdx);
  const uint16_t* len = ctlArray<uint16_t>(q, ctl::kTxLen);
  const uint16_t* off = ctlArray<uint16_t>(q, ctl::kTxOff);
  rte_mbuf* bufs[kBurstMax];
  for (uint32_t i = 0; i < n; i++) {
    if (idx[i] >= q->pool->count) return throwErrno(env, EINVAL, "txRaw: mbuf index out of range");
    rte_mbuf* m = mbufAt(q->pool, idx[i]);
    if (static_cast<uint32_t>(off[i]) + len[i] > m->buf_len) return throwErrno(env, EMSGSIZE, "txRaw: frame exceeds the data room");
    m->data_off = off[i];
    m->data_len = len[i];
    m->pkt_len = len[i];
    m->ol_flags = 0;
    bufs[i] = m;
  }
  uint16_t sent = rte_eth_tx_burst(q->port, q->queue, bufs, static_cast<uint16_t>(n));
  return Napi::Number::New(env, sent);
}

// discard(queue, max): receives up to max frames and frees them unseen
// (shedding load, or draining a loopback ring in a benchmark); returns how many.
static Napi::Value Discard(const Napi::CallbackInfo& info) {
  Queue* q = argQueue(info, 0);
  uint32_t max;
  if (!q || !argU32(info, 1, &max)) return info.Env().Undefined();
  if (max > kBurstMax) max = kBurstMax;
  rte_mbuf* bufs[kBurstMax];
  uint16_t n = rte_eth_rx_burst(q->port, q->queue, bufs, static_cast<uint16_t>(max));
  rte_pktmbuf_free_bulk(bufs, n);
  return Napi::Number::New(info.Env(), n);
}

void initBurst(Napi::Env env, Napi::Object exports) {
  exports.Set("queueBind", Napi::Function::New(env, Bind, "queueBind"));
  exports.Set("queueUnbind", Napi::Function::New(env, Unbind, "queueUnbind"));
  exports.Set("rx", Napi::Function::New(env, Rx, "rx"));
  exports.Set("txUdp", Napi::Function::New(env, TxUdp, "txUdp"));
  exports.Set("txRaw", Napi::Function::New(env, TxRaw, "txRaw"));
  exports.Set("txPacked", Napi::Function::New(env, TxPacked, "txPacked"));
  exports.Set("discard", Napi::Function::New(env, Discard, "discard"));
}

}  // namespace binio

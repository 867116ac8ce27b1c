// Entry point of the DPDK addon: the shared tables, argument helpers and the
// constants JavaScript needs to agree with the C side (control block layout,
// mbuf geometry).
#include "common.h"

namespace binio {

std::vector<Pool*> pools;
std::vector<Queue*> queues;

Napi::Value throwErrno(Napi::Env env, int errnum, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("errno", Napi::Number::New(env, errnum < 0 ? -errnum : errnum));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

bool argU32(const Napi::CallbackInfo& info, size_t i, uint32_t* out) {
  // One N-API call, no separate type check: napi_get_value_uint32 refuses a
  // non-number (an absent argument is undefined) itself. These run on every
  // burst, so each N-API call saved is felt in the packet rate.
  if (napi_get_value_uint32(info.Env(), info[i], out) != napi_ok) {
    Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a number")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

Pool* argPool(const Napi::CallbackInfo& info, size_t i) {
  uint32_t id;
  if (!argU32(info, i, &id)) return nullptr;
  if (id >= pools.size() || pools[id] == nullptr) {
    Napi::Error::New(info.Env(), "no such mbuf pool").ThrowAsJavaScriptException();
    return nullptr;
  }
  return pools[id];
}

Queue* argQueue(const Napi::CallbackInfo& info, size_t i) {
  uint32_t id;
  if (!argU32(info, i, &id)) return nullptr;
  if (id >= queues.size() || queues[id] == nullptr) {
    Napi::Error::New(info.Env(), "no such queue").ThrowAsJavaScriptException();
    return nullptr;
  }
  return queues[id];
}

static Napi::Object layout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* k, uint32_t v) { o.Set(k, Napi::Number::New(env, v)); };
  set("burstMax", kBurstMax);
  set("packedMax", kPackedMax);
  set("templates", kTemplates);
  set("templateBytes", kTemplateBytes);
  set("udpHeaderBytes", kUdpHeaderBytes);
  set("perPacketTemplate", kPerPacketTemplate);
  set("txIdx", ctl::kTxIdx);
  set("txLen", ctl::kTxLen);
  set("txOff", ctl::kTxOff);
  set("txTsel", ctl::kTxTsel);
  set("rxIdx", ctl::kRxIdx);
  set("rxOff", ctl::kRxOff);
  set("rxLen", ctl::kRxLen);
  set("freeIdx", ctl::kFreeIdx);
  set("templatesOffset", ctl::kTemplatesOff);
  set("counters", ctl::kCounters);
  set("rxSum", ctl::kRxSum);
  set("rxIpSumGood", kRxIpSumGood);
  set("rxUdpSumGood", kRxUdpSumGood);
  set("size", ctl::kSize);
  set("headroom", RTE_PKTMBUF_HEADROOM);
  set("mbufHeader", sizeof(rte_mbuf));
  return o;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("layout", layout(env));
  exports.Set("dpdkVersion", Napi::String::New(env, rte_version()));
  initEal(env, exports);
  initPort(env, exports);
  initPool(env, exports);
  initBurst(env, exports);
  return exports;
}

}  // namespace binio

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return binio::Init(env, exports); }

NODE_API_MODULE(binio_dpdk, InitModule)

// Ports: find one by name, describe it, configure one RX and one TX queue
// on a pool, start, stop, close, statistics. Also the two-port loopback
// made of crossed rings, which only the C API of net_ring can build.
#include <string>

#include <rte_eth_ring.h>
#include <rte_ring.h>

#include "common.h"

namespace binio {

static bool argPort(const Napi::CallbackInfo& info, size_t i, uint16_t* port) {
  uint32_t p;
  if (!argU32(info, i, &p)) return false;
  if (!rte_eth_dev_is_valid_port(static_cast<uint16_t>(p)) || p > UINT16_MAX) {
    throwErrno(info.Env(), ENODEV, "no such port: " + std::to_string(p));
    return false;
  }
  *port = static_cast<uint16_t>(p);
  return true;
}

// ports(): [{ id, name }] of every port EAL probed or that was created.
static Napi::Value Ports(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint16_t id;
  uint32_t k = 0;
  RTE_ETH_FOREACH_DEV(id) {
    char name[RTE_ETH_NAME_MAX_LEN];
    if (rte_eth_dev_get_name_by_port(id, name) != 0) continue;
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, id));
    o.Set("name", Napi::String::New(env, name));
    out.Set(k++, o);
  }
  return out;
}

// ringPair(nameA, nameB, size): two ports joined by two rings, A's TX is B's
// RX and the other way round: a loopback cable between two ports.
static Napi::Value RingPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t size;
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !argU32(info, 2, &size)) {
    Napi::TypeError::New(env, "ringPair(nameA, nameB, size)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string a = info[0].As<Napi::String>().Utf8Value();
  std::string b = info[1].As<Napi::String>().Utf8Value();
  unsigned socket = rte_socket_id();
  rte_ring* ab = rte_ring_create((a + ">" + b).c_str(), size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (!ab) return throwErrno(env, rte_errno, std::string("rte_ring_create failed: ") + rte_strerror(rte_errno));
  rte_ring* ba = rte_ring_create((b + ">" + a).c_str(), size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (!ba) {
    int err = rte_errno;
    rte_ring_free(ab);
    return throwErrno(env, err, std::string("rte_ring_create failed: ") + rte_strerror(err));
  }
  int pa = rte_eth_from_rings(a.c_str(), &ba, 1, &ab, 1, socket);
  if (pa < 0) {
    int err = rte_errno;
    rte_ring_free(ab);
    rte_ring_free(ba);
    return throwErrno(env, err, std::string("rte_eth_from_rings failed: ") + rte_strerror(err));
  }
  int pb = rte_eth_from_rings(b.c_str(), &ab, 1, &ba, 1, socket);
  if (pb < 0) {
    int err = rte_errno;
    rte_eth_dev_close(static_cast<uint16_t>(pa));
    return throwErrno(env, err, std::string("rte_eth_from_rings failed: ") + rte_strerror(err));
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, pa));
  out.Set(1u, Napi::Number::New(env, pb));
  return out;
}

// portInfo(port): driver, MAC, queue and descriptor limits, checksum offloads.
static Napi::Value PortInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port;
  if (!argPort(info, 0, &port)) return env.Undefined();
  rte_eth_dev_info di;
  int r = rte_eth_dev_info_get(port, &di);
  if (r != 0) return throwErrno(env, -r, "rte_eth_dev_info_get failed");
  rte_ether_addr mac;
  r = rte_eth_macaddr_get(port, &mac);
  if (r != 0) return throwErrno(env, -r, "rte_eth_macaddr_get failed");
  char name[RTE_ETH_NAME_MAX_LEN] = "";
  rte_eth_dev_get_name_by_port(port, name);
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", Napi::Number::New(env, port));
  o.Set("name", Napi::String::New(env, name));
  o.Set("driver", Napi::String::New(env, di.driver_name ? di.driver_name : ""));
  o.Set("mac", Napi::Buffer<uint8_t>::Copy(env, mac.addr_bytes, RTE_ETHER_ADDR_LEN));
  o.Set("maxRxQueues", Napi::Number::New(env, di.max_rx_queues));
  o.Set("maxTxQueues", Napi::Number::New(env, di.max_tx_queues));
  o.Set("rxDescMax", Napi::Number::New(env, di.rx_desc_lim.nb_max));
  o.Set("txDescMax", Napi::Number::New(env, di.tx_desc_lim.nb_max));
  o.Set("maxMtu", Napi::Number::New(env, di.max_mtu));
  uint64_t need = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
  o.Set("txUdpChecksumOffload", Napi::Boolean::New(env, (di.tx_offload_capa & need) == need));
  o.Set("txOffloadCapa", Napi::String::New(env, std::to_string(di.tx_offload_capa)));
  o.Set("rxOffloadCapa", Napi::String::New(env, std::to_string(di.rx_offload_capa)));
  return o;
}

// portStart(port, pool, rxDesc, txDesc, offloadUdp): (re)configures one RX
// and one TX queue on `pool` and starts the port. A port a previous engine
// used is stopped first, so engines can come and go on one EAL.
static Napi::Value PortStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port;
  uint32_t rxDesc, txDesc;
  if (!argPort(info, 0, &port)) return env.Undefined();
  Pool* pool = argPool(info, 1);
  if (!pool || !argU32(info, 2, &rxDesc) || !argU32(info, 3, &txDesc)) return env.Undefined();
  bool offload = info.Length() > 4 && info[4].ToBoolean().Value();
  rte_eth_dev_stop(port);  // harmless when already stopped
  rte_eth_conf conf{};
  if (offload) conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
  int r = rte_eth_dev_configure(port, 1, 1, &conf);
  if (r < 0) return throwErrno(env, -r, "rte_eth_dev_configure failed");
  uint16_t nrx = static_cast<uint16_t>(rxDesc), ntx = static_cast<uint16_t>(txDesc);
  r = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
  if (r < 0) return throwErrno(env, -r, "rte_eth_dev_adjust_nb_rx_tx_desc failed");
  int socket = rte_eth_dev_socket_id(port);
  if (socket < 0) socket = static_cast<int>(rte_socket_id());
  r = rte_eth_rx_queue_setup(port, 0, nrx, static_cast<unsigned>(socket), nullptr, pool->mp);
  if (r < 0) return throwErrno(env, -r, "rte_eth_rx_queue_setup failed");
  r = rte_eth_tx_queue_setup(port, 0, ntx, static_cast<unsigned>(socket), nullptr);
  if (r < 0) return throwErrno(env, -r, "rte_eth_tx_queue_setup failed");
  r = rte_eth_dev_start(port);
  if (r < 0) return throwErrno(env, -r, "rte_eth_dev_start failed");
  Napi::Object o = Napi::Object::New(env);
  o.Set("rxDescriptors", Napi::Number::New(env, nrx));
  o.Set("txDescriptors", Napi::Number::New(env, ntx));
  return o;
}

// portStop(port): stops the port (its queues keep no mbufs of ours after).
static Napi::Value PortStop(const Napi::CallbackInfo& info) {
  uint16_t port;
  if (!argPort(info, 0, &port)) return info.Env().Undefined();
  int r = rte_eth_dev_stop(port);
  if (r < 0 && r != -EBUSY) return throwErrno(info.Env(), -r, "rte_eth_dev_stop failed");
  return info.Env().Undefined();
}

// portClose(port): releases the port for good (EAL cleanup time).
static Napi::Value PortClose(const Napi::CallbackInfo& info) {
  uint16_t port;
  if (!argPort(info, 0, &port)) return info.Env().Undefined();
  rte_eth_dev_stop(port);
  int r = rte_eth_dev_close(port);
  if (r < 0) return throwErrno(info.Env(), -r, "rte_eth_dev_close failed");
  return info.Env().Undefined();
}

// promiscuous(port, on): 0 or a negative errno (some vdevs cannot).
static Napi::Value Promiscuous(const Napi::CallbackInfo& info) {
  uint16_t port;
  if (!argPort(info, 0, &port)) return info.Env().Undefined();
  bool on = info.Length() > 1 && info[1].ToBoolean().Value();
  int r = on ? rte_eth_promiscuous_enable(port) : rte_eth_promiscuous_disable(port);
  return Napi::Number::New(info.Env(), r);
}

// stats(port): the device's counters.
static Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint16_t port;
  if (!argPort(info, 0, &port)) return env.Undefined();
  rte_eth_stats s;
  int r = rte_eth_stats_get(port, &s);
  if (r != 0) return throwErrno(env, -r, "rte_eth_stats_get failed");
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* k, uint64_t v) { o.Set(k, Napi::Number::New(env, static_cast<double>(v))); };
  set("ipackets", s.ipackets);
  set("opackets", s.opackets);
  set("ibytes", s.ibytes);
  set("obytes", s.obytes);
  set("imissed", s.imissed);
  set("ierrors", s.ierrors);
  set("oerrors", s.oerrors);
  set("rxNoMbuf", s.rx_nombuf);
  return o;
}

void initPort(Napi::Env env, Napi::Object exports) {
  exports.Set("ports", Napi::Function::New(env, Ports, "ports"));
  exports.Set("ringPair", Napi::Function::New(env, RingPair, "ringPair"));
  exports.Set("portInfo", Napi::Function::New(env, PortInfo, "portInfo"));
  exports.Set("portStart", Napi::Function::New(env, PortStart, "portStart"));
  exports.Set("portStop", Napi::Function::New(env, PortStop, "portStop"));
  exports.Set("portClose", Napi::Function::New(env, PortClose, "portClose"));
  exports.Set("promiscuous", Napi::Function::New(env, Promiscuous, "promiscuous"));
  exports.Set("stats", Napi::Function::New(env, Stats, "stats"));
}

}  // namespace binio

// EAL lifetime: one rte_eal_init per process, ever. A second call, or a call
// after a failed one or after cleanup, is refused here as well as in
// TypeScript: DPDK itself cannot initialise twice in one process.
#include <sched.h>

#include <cstring>
#include <string>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "common.h"

namespace binio {

enum EalState { kNever = 0, kRunning = 1, kFailed = 2, kCleanedUp = 3 };
static EalState state = kNever;

// init(args: string[], keepAffinity: boolean): number of arguments EAL parsed.
static Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (state != kNever) {
    return throwErrno(env, EALREADY,
                      state == kRunning ? "EAL is already initialised in this process"
                                        : "EAL was already initialised once in this process");
  }
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "args must be an array of strings").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array args = info[0].As<Napi::Array>();
  bool keepAffinity = info.Length() > 1 && info[1].ToBoolean().Value();
  // EAL keeps pointers into argv (device arguments, the file prefix), so the
  // strings live as long as the process.
  char** argv = new char*[args.Length() + 1];
  for (uint32_t i = 0; i < args.Length(); i++) {
    Napi::Value v = args.Get(i);
    if (!v.IsString()) {
      Napi::TypeError::New(env, "args must be an array of strings").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    argv[i] = strdup(v.As<Napi::String>().Utf8Value().c_str());
  }
  argv[args.Length()] = nullptr;

  // rte_eal_init pins the calling thread (Node's main thread) to the main
  // lcore; put the mask back unless asked to keep it, so Node's later
  // threads are not squeezed onto one core.
  cpu_set_t saved;
  bool haveMask = sched_getaffinity(0, sizeof saved, &saved) == 0;
  rte_errno = 0;
  int r = rte_eal_init(static_cast<int>(args.Length()), argv);
  int err = rte_errno;
  if (haveMask && !keepAffinity) sched_setaffinity(0, sizeof saved, &saved);
  if (r < 0) {
    state = kFailed;
    return throwErrno(env, err, std::string("rte_eal_init failed: ") + rte_strerror(err));
  }
  state = kRunning;
  return Napi::Number::New(env, r);
}

// cleanup(): releases EAL's resources; EAL cannot start again afterwards.
static Napi::Value Cleanup(const Napi::CallbackInfo& info) {
  if (state == kRunning) {
    int r = rte_eal_cleanup();
    state = kCleanedUp;
    if (r < 0) return throwErrno(info.Env(), -r, "rte_eal_cleanup failed");
  }
  return info.Env().Undefined();
}

// state(): 'never' | 'running' | 'failed' | 'cleaned-up'.
static Napi::Value State(const Napi::CallbackInfo& info) {
  static const char* names[] = {"never", "running", "failed", "cleaned-up"};
  return Napi::String::New(info.Env(), names[state]);
}

// info(): facts about the running EAL.
static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  if (state != kRunning) return o;
  o.Set("mainLcore", Napi::Number::New(env, rte_get_main_lcore()));
  o.Set("lcores", Napi::Number::New(env, rte_lcore_count()));
  o.Set("socket", Napi::Number::New(env, rte_socket_id()));
  o.Set("iovaMode", Napi::String::New(env, rte_eal_iova_mode() == RTE_IOVA_VA ? "va" : "pa"));
  o.Set("hugepages", Napi::Boolean::New(env, rte_eal_has_hugepages() != 0));
  o.Set("ports", Napi::Number::New(env, rte_eth_dev_count_avail()));
  o.Set("runtimeDir", Napi::String::New(env, rte_eal_get_runtime_dir()));
  return o;
}

void initEal(Napi::Env env, Napi::Object exports) {
  exports.Set("ealInit", Napi::Function::New(env, Init, "ealInit"));
  exports.Set("ealCleanup", Napi::Function::New(env, Cleanup, "ealCleanup"));
  exports.Set("ealState", Napi::Function::New(env, State, "ealState"));
  exports.Set("ealInfo", Napi::Function::New(env, Info, "ealInfo"));
}

}  // namespace binio

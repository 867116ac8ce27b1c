// binio's loop-integration addon: one uv_poll_t on Node's default loop per
// watched descriptor, calling back into JavaScript when it becomes ready.
// Everything else (what to do when it fires, when to close) is policy and
// lives in TypeScript.

#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <fcntl.h>

namespace {

class Watch : public Napi::ObjectWrap<Watch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Watch",
                       {
                           InstanceMethod<&Watch::Update>("update"),
                           InstanceMethod<&Watch::Close>("close"),
                           InstanceMethod<&Watch::LoopRef>("ref"),
                           InstanceMethod<&Watch::LoopUnref>("unref"),
                           InstanceMethod<&Watch::HasRef>("hasRef"),
                       });
  }

  // new Watch(fd, events, callback); the TypeScript wrapper validates the
  // arguments, this only guards against what would crash.
  explicit Watch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Watch>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsFunction()) {
      Napi::TypeError::New(env, "Watch(fd, events, callback)").ThrowAsJavaScriptException();
      return;
    }
    fd_ = info[0].As<Napi::Number>().Int32Value();
    // libuv aborts the process when epoll_ctl fails on a bad descriptor, so a
    // closed descriptor is refused here rather than handed to the loop.
    if (fd_ < 0 || fcntl(fd_, F_GETFD) == -1) {
      ThrowUv(env, UV_EBADF, "uv_poll_init");
      return;
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "no libuv loop").ThrowAsJavaScriptException();
      return;
    }
    handle_ = new uv_poll_t;
    int rc = uv_poll_init(loop, handle_, fd_);
    if (rc != 0) {
      delete handle_;
      handle_ = nullptr;
      ThrowUv(env, rc, "uv_poll_init");
      return;
    }
    handle_->data = this;
    callback_ = Napi::Persistent(info[2].As<Napi::Function>());
    context_ = new Napi::AsyncContext(env, "binio.Watch", info.This().As<Napi::Object>());
    rc = uv_poll_start(handle_, info[1].As<Napi::Number>().Int32Value(), &Watch::OnPoll);
    if (rc != 0) {
      CloseHandle();
      ThrowUv(env, rc, "uv_poll_start");
      return;
    }
    // An open watch must outlive its last JavaScript reference: the loop
    // still calls it. close() drops this strong reference.
    Ref();
  }

  ~Watch() override {
    // Only reached once closed (the strong reference prevents collection of
    // an open watch), or when the constructor failed.
    CloseHandle();
  }

 private:
  static void ThrowUv(Napi::Env env, int rc, const char* syscall) {
    Napi::Error e = Napi::Error::New(env, std::string(uv_err_name(rc)) + ": " + uv_strerror(rc) + ", " + syscall);
    e.Set("code", Napi::String::New(env, uv_err_name(rc)));
    e.Set("errno", Napi::Number::New(env, -rc));
    e.Set("syscall", Napi::String::New(env, syscall));
    e.ThrowAsJavaScriptException();
  }

  Napi::Value Update(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (handle_ == nullptr) {
      ThrowUv(env, UV_EBADF, "uv_poll_start");
      return env.Undefined();
    }
    if (info.Length() < 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(env, "update(events)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fcntl(fd_, F_GETFD) == -1) {
      ThrowUv(env, UV_EBADF, "uv_poll_start");
      return env.Undefined();
    }
    int events = info[0].As<Napi::Number>().Int32Value();
    int rc = events == 0 ? uv_poll_stop(handle_) : uv_poll_start(handle_, events, &Watch::OnPoll);
    if (rc != 0) ThrowUv(env, rc, "uv_poll_start");
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) {
      CloseHandle();
      Unref();
    }
    return info.Env().Undefined();
  }

  Napi::Value LoopRef(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  Napi::Value LoopUnref(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
    return info.Env().Undefined();
  }

  Napi::Value HasRef(const Napi::CallbackInfo& info) {
    bool r = handle_ != nullptr && uv_has_ref(reinterpret_cast<uv_handle_t*>(handle_)) != 0;
    return Napi::Boolean::New(info.Env(), r);
  }

  // Stops polling at once and frees the handle when libuv is done with it.
  void CloseHandle() {
    if (handle_ == nullptr) return;
    uv_poll_stop(handle_);
    handle_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    handle_ = nullptr;
    callback_.Reset();
    // Node still uses the async context while the callback that closed the
    // watch runs; OnPoll frees it afterwards.
    if (!in_callback_) {
      delete context_;
      context_ = nullptr;
    }
  }

  static void OnPoll(uv_poll_t* h, int status, int events) {
    Watch* self = static_cast<Watch*>(h->data);
    if (self == nullptr || self->callback_.IsEmpty()) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    // MakeCallback (not Call) so Node drains the microtask queue afterwards:
    // Promises resolved in the callback continue before the loop goes on.
    napi_value argv[2] = {Napi::Number::New(env, status < 0 ? -status : 0),
                          Napi::Number::New(env, events)};
    napi_value result;
    Napi::Object recv = self->Value();
    self->in_callback_ = true;
    napi_status s = napi_make_callback(env, *self->context_, recv, self->callback_.Value(), 2, argv, &result);
    self->in_callback_ = false;
    // recv (a local handle) keeps the object, and so `self`, alive here even
    // if the callback closed the watch and dropped the last reference.
    if (self->handle_ == nullptr) {
      delete self->context_;
      self->context_ = nullptr;
    }
    if (s == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }

  int fd_ = -1;
  uv_poll_t* handle_ = nullptr;
  Napi::FunctionReference callback_;
  Napi::AsyncContext* context_ = nullptr;
  bool in_callback_ = false;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Watch", Watch::Define(env));
  exports.Set("READABLE", Napi::Number::New(env, UV_READABLE));
  exports.Set("WRITABLE", Napi::Number::New(env, UV_WRITABLE));
  exports.Set("DISCONNECT", Napi::Number::New(env, UV_DISCONNECT));
  exports.Set("PRIORITIZED", Napi::Number::New(env, UV_PRIORITIZED));
  return exports;
}

}  // namespace

NODE_API_MODULE(binio_native_loop, Init)

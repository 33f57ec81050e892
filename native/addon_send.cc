// addon_send.cc: sendAnswer/cancelSend, the broker's write of a large answer straight to the socket:
// the parts that are views of a segment mapping are read from the segment's file (net/send.h), so
// the network thread never touches their pages through the mapping. The rest of the answer (frame
// and partition headers) goes from memory, in order. A send that fills the socket continues when a
// libuv poll on a duplicate of the socket's descriptor says it is writable; meanwhile the caller must
// not write to the socket (src/broker/connection.ts holds its answers back until done is called).
#include <fcntl.h>
#include <uv.h>

#include <cerrno>
#include <unordered_map>
#include <vector>

#include "addon_send.h"
#include "log/log.h"
#include "net/send.h"

namespace {

struct SendJob {
  uint32_t id = 0;
  Fd socket;  // a duplicate: Node may close its descriptor meanwhile (the socket lives on until this closes)
  uv_poll_t poll{};
  std::vector<SendPart> parts;
  SendCursor cursor;
  std::vector<std::shared_ptr<Mapping>> maps;  // keep the file parts' descriptors open
  Napi::Reference<Napi::Array> chunks;         // keeps the memory parts' Buffers alive
  Napi::FunctionReference done;
  std::unique_ptr<Napi::AsyncContext> context;
  int result = 0;
  bool finishing = false;
};

// Sends in flight on this thread, by id (only the network thread sends). Never destroyed: a job still
// in flight when its thread ends is the process ending, and releasing its JS references then, after
// the environment is gone, would crash the exit.
std::unordered_map<uint32_t, std::unique_ptr<SendJob>>& Jobs() {
  thread_local auto* jobs = std::make_unique<std::unordered_map<uint32_t, std::unique_ptr<SendJob>>>().release();
  return *jobs;
}
thread_local uint32_t t_last_id = 0;

void OnClosed(uv_handle_t* handle) {
  auto* job = static_cast<SendJob*>(handle->data);
  auto it = Jobs().find(job->id);
  std::unique_ptr<SendJob> owned = std::move(it->second);
  Jobs().erase(it);
  Napi::Env env = owned->done.Env();
  Napi::HandleScope scope(env);
  owned->done.MakeCallback(env.Global(), {Napi::Number::New(env, owned->result)}, *owned->context);
  if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
}

void Finish(SendJob* job, int result) {
  if (job->finishing) return;
  job->finishing = true;
  job->result = result;
  uv_poll_stop(&job->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&job->poll), OnClosed);
}

void OnWritable(uv_poll_t* poll, int status, int /*events*/) {
  auto* job = static_cast<SendJob*>(poll->data);
  int result = status < 0 ? -status : send_parts(job->socket.fd, job->parts, &job->cursor);
  if (result != EAGAIN) Finish(job, result);
}

// sendAnswer(fd, chunks, done, fromMemory): writes the Buffers in `chunks` to socket `fd`, in order.
// With fromMemory, read views go from the mapping like any Buffer (a small answer: one sendmsg beats a
// pread per view, and its pages were just written). Returns 0 when
// all went out at once (done is not called), -errno when a write failed at once (done is not
// called), or a job id > 0: done(errno) is called once the rest is written (0) or has failed
// (ECANCELED after cancelSend(id)). The chunks must not change until then.
Napi::Value SendAnswer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  auto chunks = info[1].As<Napi::Array>();
  bool from_memory = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  auto job = std::make_unique<SendJob>();
  job->parts.reserve(chunks.Length());
  for (uint32_t i = 0; i < chunks.Length(); i++) {
    auto chunk = chunks.Get(i).As<Napi::Uint8Array>();
    const auto* data = static_cast<const uint8_t*>(chunk.ArrayBuffer().Data());
    std::shared_ptr<Mapping> map = from_memory ? nullptr : MappingOfBuffer(env, data);
    if (map != nullptr && map->file.fd >= 0) {
      job->parts.push_back(SendPart{nullptr, map->file.fd, chunk.ByteOffset(), chunk.ByteLength()});
      job->maps.push_back(std::move(map));
    } else {
      job->parts.push_back(SendPart{data + chunk.ByteOffset(), -1, 0, chunk.ByteLength()});
    }
  }
  int result = send_parts(fd, job->parts, &job->cursor);
  if (result != EAGAIN) return Napi::Number::New(env, -result);
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Napi::Number::New(env, -errno);
  job->socket = Fd(copy);
  uv_loop_t* loop = nullptr;
  int err = napi_get_uv_event_loop(env, &loop) == napi_ok ? uv_poll_init(loop, &job->poll, copy) : -EINVAL;
  if (err != 0) return Napi::Number::New(env, err);
  job->poll.data = job.get();
  err = uv_poll_start(&job->poll, UV_WRITABLE, OnWritable);
  if (err != 0) {
    // Closing is asynchronous: the job lives on until the handle is closed, and done reports it.
    job->finishing = true;
    job->result = -err;
    uv_close(reinterpret_cast<uv_handle_t*>(&job->poll), OnClosed);
  }
  job->id = ++t_last_id == 0 ? ++t_last_id : t_last_id;
  job->chunks = Napi::Persistent(chunks);
  job->done = Napi::Persistent(info[2].As<Napi::Function>());
  job->context = std::make_unique<Napi::AsyncContext>(env, "sluice:send");
  uint32_t id = job->id;
  Jobs().emplace(id, std::move(job));
  return Napi::Number::New(env, id);
}

// recordCount(view): the records in a read view's batches, counted from the headers in its segment
// file (log.h, file_record_count); -1 when `view` is not a read view (count it in JS).
Napi::Value RecordCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto view = info[0].As<Napi::Uint8Array>();
  std::shared_ptr<Mapping> map = MappingOfBuffer(env, view.ArrayBuffer().Data());
  uint64_t count = 0;
  if (map == nullptr || map->file.fd < 0 ||
      !file_record_count(map->file.fd, view.ByteOffset(), view.ByteLength(), &count).ok()) {
    return Napi::Number::New(env, -1);
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

Napi::Value CancelSend(const Napi::CallbackInfo& info) {
  auto it = Jobs().find(info[0].As<Napi::Number>().Uint32Value());
  if (it != Jobs().end()) Finish(it->second.get(), ECANCELED);
  return info.Env().Undefined();
}

}  // namespace

void RegisterSend(Napi::Env env, Napi::Object exports) {
  exports.Set("sendAnswer", Napi::Function::New<SendAnswer>(env, "sendAnswer"));
  exports.Set("cancelSend", Napi::Function::New<CancelSend>(env, "cancelSend"));
  exports.Set("recordCount", Napi::Function::New<RecordCount>(env, "recordCount"));
}

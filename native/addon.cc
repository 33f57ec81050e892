// addon.cc: the Node-API bindings, and the only file that includes napi.h. Arguments arrive already
// validated by src/storage/native.ts; this file converts them, calls the storage functions and
// turns a failed Status into a JS StoreError (ThrowStoreError, the one place that does).
#include <napi.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "addon_send.h"
#include "batch/crc32c.h"
#include "log/registry.h"
#include "os/sched_policy.h"

namespace {

// Read views are slices of ONE external ArrayBuffer per mapping (per thread), not an external
// buffer each: V8 counts every new external buffer's length as freshly allocated memory, so an 8 MiB
// view per Fetch forced a collection every few reads (bench/read-path.ts: 12-16 collections per 65
// reads of 8 MiB, 5-24% of the broker's network thread during catch-up reads). The cache holds each
// ArrayBuffer strongly while the segment still uses its mapping, and lets go once this cache is the
// mapping's only other owner (the segment was sealed, deleted or closed); the ArrayBuffer is then
// collected after its last slice. Pruning runs every kPruneEveryReads reads and from a timer in
// native.ts, so a deleted segment's file is not kept mapped (its disk space held) on an idle thread.
struct MappingHold {
  std::shared_ptr<Mapping> map;  // keeps the region mapped until the ArrayBuffer is finalized
};
struct MappingBuffers {
  struct Entry {
    Napi::Reference<Napi::ArrayBuffer> buffer;
    MappingHold* hold;  // owned by the ArrayBuffer's finalizer; alive while `buffer` holds it
  };
  std::unordered_map<const uint8_t*, Entry> entries;  // by the mapping's base address
  uint32_t reads_since_prune = 0;
};
constexpr uint32_t kPruneEveryReads = 64;

// Per-thread (per JS environment) state: each thread that loads the addon gets its own.
struct AddonData {
  Napi::FunctionReference handle_class;
  Napi::FunctionReference error_class;  // StoreError(code, message, errno?) from native.ts
  MappingBuffers mapping_buffers;
};

// Drops the cache's hold on mappings that nothing else owns any more (use_count 1: the hold itself).
// A dropped mapping cannot come back: only its owners can hand it out.
void PruneMappingBuffers(MappingBuffers* cache) {
  cache->reads_since_prune = 0;
  for (auto it = cache->entries.begin(); it != cache->entries.end();) {
    if (it->second.hold->map.use_count() == 1) it = cache->entries.erase(it);
    else ++it;
  }
}

// The ArrayBuffer over all of `map`, created on first use.
Napi::ArrayBuffer MappingBuffer(Napi::Env env, MappingBuffers* cache, const std::shared_ptr<Mapping>& map) {
  auto it = cache->entries.find(map->base);
  if (it != cache->entries.end()) return it->second.buffer.Value();
  auto hold = std::make_unique<MappingHold>(MappingHold{map});
  // Views must be treated as read-only: the mapping is PROT_READ, so a write faults instead of
  // corrupting the log.
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, map->base, map->len, [](Napi::Env, void*, MappingHold* h) { std::unique_ptr<MappingHold> drop(h); },
      hold.get());
  cache->entries.emplace(map->base, MappingBuffers::Entry{Napi::Persistent(buffer), hold.release()});
  return buffer;
}

}  // namespace

std::shared_ptr<Mapping> MappingOfBuffer(Napi::Env env, const void* data) {
  auto* addon = env.GetInstanceData<AddonData>();
  if (addon == nullptr) return nullptr;
  auto it = addon->mapping_buffers.entries.find(static_cast<const uint8_t*>(data));
  return it == addon->mapping_buffers.entries.end() ? nullptr : it->second.hold->map;
}

namespace {

// The StoreError for a failed Status, as a value (ThrowStoreError throws it).
Napi::Value StoreErrorValue(Napi::Env env, const Status& st) {
  auto* data = env.GetInstanceData<AddonData>();
  Napi::String message = Napi::String::New(env, st.message);
  Napi::String code = Napi::String::New(env, store_err_code(st.code));
  if (data != nullptr && !data->error_class.IsEmpty()) {
    Napi::Value errno_value = st.sys_errno != 0 ? Napi::Number::New(env, st.sys_errno) : env.Undefined();
    return data->error_class.New({code, message, errno_value});
  }
  Napi::Error e = Napi::Error::New(env, st.message);
  e.Set("code", code);
  return e.Value();
}

Napi::Value ThrowStoreError(Napi::Env env, const Status& st) {
  Napi::Value err = StoreErrorValue(env, st);
  if (!env.IsExceptionPending()) Napi::Error(env, err).ThrowAsJavaScriptException();
  return env.Undefined();
}

int64_t Int64Arg(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }

LogConfig ConfigArg(const Napi::Value& v) {
  Napi::Object o = v.As<Napi::Object>();
  LogConfig cfg;
  cfg.segment_bytes = o.Get("segmentBytes").As<Napi::Number>().Int64Value();
  cfg.segment_ms = o.Get("segmentMs").As<Napi::Number>().Int64Value();
  cfg.index_interval_bytes = o.Get("indexIntervalBytes").As<Napi::Number>().Int64Value();
  cfg.retention_ms = o.Get("retentionMs").As<Napi::Number>().Int64Value();
  cfg.retention_bytes = o.Get("retentionBytes").As<Napi::Number>().Int64Value();
  return cfg;
}

class LogHandle : public Napi::ObjectWrap<LogHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit LogHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LogHandle>(info) {}
  std::shared_ptr<Log> log_;
  bool writer_ = false;

 private:
  bool RequireWriter(Napi::Env env) {
    if (writer_) return true;
    ThrowStoreError(env, store_error(StoreErr::kNotWriter, "log %s: this handle is attached (read-only)",
                                     log_->dir.c_str()));
    return false;
  }
  Napi::Value Done(Napi::Env env, const Status& st) { return st.ok() ? env.Undefined() : ThrowStoreError(env, st); }

  Napi::Value Append(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!RequireWriter(env)) return env.Undefined();
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    AppendOptions opts{static_cast<int32_t>(Int64Arg(info, 1)), Int64Arg(info, 2), Int64Arg(info, 3),
                       info[4].As<Napi::Boolean>().Value()};
    AppendResult r;
    Status st = log_append(log_.get(), buf.Data(), buf.Length(), opts, &r);
    if (!st.ok()) return ThrowStoreError(env, st);
    // The result goes into the handle's Float64Array (see SetResultArray), not a new object: the
    // per-append object cost a measurable share of a 16 KiB append.
    double* out = info[5].As<Napi::Float64Array>().Data();
    out[0] = static_cast<double>(r.base_offset);
    out[1] = static_cast<double>(r.last_offset);
    out[2] = static_cast<double>(r.log_append_time);
    out[3] = static_cast<double>(r.log_start_offset);
    return env.Undefined();
  }

  // appendManyAt(spans, count, leaderEpoch, logAppendTime, nowMs, allowControl, out): spans holds
  // `count` (address, length) pairs of record sets in this process's memory (addressOf, read in place:
  // no Buffer per set, so V8 sees no new external memory per append); set i's result goes to
  // out[4i..4i+3]; returns null when all succeeded, else one entry per set (null or its StoreError).
  Napi::Value AppendManyAt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!RequireWriter(env)) return env.Undefined();
    const double* pairs = info[0].As<Napi::Float64Array>().Data();
    auto count = static_cast<size_t>(Int64Arg(info, 1));
    AppendOptions opts{static_cast<int32_t>(Int64Arg(info, 2)), Int64Arg(info, 3), Int64Arg(info, 4),
                       info[5].As<Napi::Boolean>().Value()};
    thread_local std::vector<AppendSpan> spans;
    thread_local std::vector<AppendResult> results;
    thread_local std::vector<Status> statuses;
    spans.resize(count);
    results.assign(count, AppendResult{});
    statuses.assign(count, Status{});
    for (size_t i = 0; i < count; i++) {
      spans[i] = AppendSpan{reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(pairs[2 * i])),
                            static_cast<size_t>(pairs[2 * i + 1])};
    }
    log_append_many(log_.get(), spans.data(), count, opts, results.data(), statuses.data());
    double* out = info[6].As<Napi::Float64Array>().Data();
    bool failed = false;
    for (size_t i = 0; i < count; i++) {
      failed = failed || !statuses[i].ok();
      out[4 * i] = static_cast<double>(results[i].base_offset);
      out[4 * i + 1] = static_cast<double>(results[i].last_offset);
      out[4 * i + 2] = static_cast<double>(results[i].log_append_time);
      out[4 * i + 3] = static_cast<double>(results[i].log_start_offset);
    }
    if (!failed) return env.Null();
    Napi::Array errors = Napi::Array::New(env, count);
    for (size_t i = 0; i < count; i++) errors[i] = statuses[i].ok() ? env.Null() : StoreErrorValue(env, statuses[i]);
    return errors;
  }

  // Returns [arrayBuffer, byteOffset, length, ...] per view; native.ts makes the Buffer slices.
  // Lifetime: the ArrayBuffer keeps its mapping mapped until V8 collects it (see MappingBuffers).
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::vector<View> views;
    Status st = log_read(log_.get(), Int64Arg(info, 0), static_cast<uint64_t>(Int64Arg(info, 1)), Int64Arg(info, 2),
                         &views);
    if (!st.ok()) return ThrowStoreError(env, st);
    MappingBuffers* cache = &env.GetInstanceData<AddonData>()->mapping_buffers;
    if (++cache->reads_since_prune >= kPruneEveryReads) PruneMappingBuffers(cache);
    Napi::Array out = Napi::Array::New(env, views.size() * 3);
    for (size_t i = 0; i < views.size(); i++) {
      const View& v = views[i];
      out[i * 3] = MappingBuffer(env, cache, v.map);
      out[i * 3 + 1] = Napi::Number::New(env, static_cast<double>(v.data - v.map->base));
      out[i * 3 + 2] = Napi::Number::New(env, static_cast<double>(v.len));
    }
    return out;
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    return Done(info.Env(), log_flush(log_.get()));
  }
  Napi::Value Roll(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    return Done(info.Env(), log_roll(log_.get()));
  }
  Napi::Value TruncateTo(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    return Done(info.Env(), log_truncate_to(log_.get(), Int64Arg(info, 0)));
  }
  Napi::Value AdvanceLogStart(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!RequireWriter(env)) return env.Undefined();
    int64_t start = 0;
    Status st = log_advance_start(log_.get(), Int64Arg(info, 0), &start);
    return st.ok() ? Napi::Number::New(env, static_cast<double>(start)) : ThrowStoreError(env, st);
  }
  Napi::Value ApplyRetention(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!RequireWriter(env)) return env.Undefined();
    RetentionResult r;
    Status st = log_apply_retention(log_.get(), Int64Arg(info, 0), &r);
    if (!st.ok()) return ThrowStoreError(env, st);
    Napi::Object out = Napi::Object::New(env);
    out.Set("deletedSegments", Napi::Number::New(env, r.deleted_segments));
    out.Set("deletedBytes", Napi::Number::New(env, static_cast<double>(r.deleted_bytes)));
    out.Set("logStartOffset", Napi::Number::New(env, static_cast<double>(r.log_start_offset)));
    return out;
  }
  Napi::Value AssignEpoch(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    return Done(info.Env(), log_assign_epoch(log_.get(), static_cast<int32_t>(Int64Arg(info, 0)), Int64Arg(info, 1)));
  }
  Napi::Value SetConfig(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    log_set_config(log_.get(), ConfigArg(info[0]));
    return info.Env().Undefined();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    Status st = log_close(log_.get());
    registry_remove(log_.get());
    return Done(info.Env(), st);
  }
  Napi::Value Delete(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    Status st = log_delete(log_.get());
    registry_remove(log_.get());
    return Done(info.Env(), st);
  }

  Napi::Value HighWatermark(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(log_->high_watermark.load(std::memory_order_acquire)));
  }
  Napi::Value LogStartOffset(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(log_->log_start.load(std::memory_order_acquire)));
  }
  Napi::Value SizeBytes(const Napi::CallbackInfo& info) {
    uint64_t size = 0;
    Status st = log_size_bytes(log_.get(), &size);
    return st.ok() ? Napi::Number::New(info.Env(), static_cast<double>(size)) : ThrowStoreError(info.Env(), st);
  }
  Napi::Value Segments(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::vector<SegmentInfo> infos;
    Status st = log_segment_infos(log_.get(), &infos);
    if (!st.ok()) return ThrowStoreError(env, st);
    Napi::Array out = Napi::Array::New(env, infos.size());
    for (size_t i = 0; i < infos.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("baseOffset", Napi::Number::New(env, static_cast<double>(infos[i].base_offset)));
      o.Set("sizeBytes", Napi::Number::New(env, static_cast<double>(infos[i].size)));
      o.Set("nextOffset", Napi::Number::New(env, static_cast<double>(infos[i].next_offset)));
      o.Set("maxTimestamp", Napi::Number::New(env, static_cast<double>(infos[i].max_timestamp)));
      out[i] = o;
    }
    return out;
  }
  Napi::Value ReplaceSegments(const Napi::CallbackInfo& info) {
    if (!RequireWriter(info.Env())) return info.Env().Undefined();
    return Done(info.Env(), log_replace_segments(log_.get(), Int64Arg(info, 0), Int64Arg(info, 1),
                                                 info[2].As<Napi::String>().Utf8Value()));
  }
  Napi::Value Hit(Napi::Env env, const Status& st, const RecordHit& hit) {
    if (!st.ok()) return ThrowStoreError(env, st);
    Napi::Object out = Napi::Object::New(env);
    out.Set("offset", Napi::Number::New(env, static_cast<double>(hit.offset)));
    out.Set("timestamp", Napi::Number::New(env, static_cast<double>(hit.timestamp)));
    return out;
  }
  Napi::Value OffsetForTimestamp(const Napi::CallbackInfo& info) {
    RecordHit hit{};
    Status st = log_offset_for_timestamp(log_.get(), Int64Arg(info, 0), &hit);
    return Hit(info.Env(), st, hit);
  }
  Napi::Value MaxTimestamp(const Napi::CallbackInfo& info) {
    RecordHit hit{};
    Status st = log_max_timestamp(log_.get(), &hit);
    return Hit(info.Env(), st, hit);
  }
  Napi::Value EndOffsetForEpoch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int32_t epoch = -1;
    int64_t end = -1;
    Status st = log_end_offset_for_epoch(log_.get(), static_cast<int32_t>(Int64Arg(info, 0)), &epoch, &end);
    if (!st.ok()) return ThrowStoreError(env, st);
    Napi::Object out = Napi::Object::New(env);
    out.Set("leaderEpoch", Napi::Number::New(env, epoch));
    out.Set("endOffset", Napi::Number::New(env, static_cast<double>(end)));
    return out;
  }
  Napi::Value LatestEpoch(const Napi::CallbackInfo& info) {
    int32_t epoch = -1;
    Status st = log_latest_epoch(log_.get(), &epoch);
    return st.ok() ? Napi::Number::New(info.Env(), epoch) : ThrowStoreError(info.Env(), st);
  }
  Napi::Value Recovery(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const RecoveryReport& r = log_->recovery;
    bool mine = writer_;  // an attached handle reports zeros: the recovery belongs to the opener
    Napi::Object out = Napi::Object::New(env);
    out.Set("segments", Napi::Number::New(env, mine ? r.segments : 0));
    out.Set("scannedBytes", Napi::Number::New(env, mine ? static_cast<double>(r.scanned_bytes) : 0));
    out.Set("truncatedBytes", Napi::Number::New(env, mine ? static_cast<double>(r.truncated_bytes) : 0));
    out.Set("truncatedAtOffset", Napi::Number::New(env, mine ? static_cast<double>(r.truncated_at_offset) : -1));
    out.Set("rebuiltIndexes", Napi::Number::New(env, mine ? r.rebuilt_indexes : 0));
    out.Set("durationMs", Napi::Number::New(env, mine ? r.duration_ms : 0));
    out.Set("unclean", Napi::Boolean::New(env, mine && r.unclean));
    return out;
  }
};

Napi::Function LogHandle::Define(Napi::Env env) {
  return DefineClass(env, "NativeLogHandle",
                     {InstanceMethod<&LogHandle::Append>("append"), InstanceMethod<&LogHandle::AppendManyAt>("appendManyAt"), InstanceMethod<&LogHandle::Read>("read"),
                      InstanceMethod<&LogHandle::Flush>("flush"), InstanceMethod<&LogHandle::Roll>("roll"),
                      InstanceMethod<&LogHandle::TruncateTo>("truncateTo"),
                      InstanceMethod<&LogHandle::AdvanceLogStart>("advanceLogStart"),
                      InstanceMethod<&LogHandle::ApplyRetention>("applyRetention"),
                      InstanceMethod<&LogHandle::AssignEpoch>("assignEpoch"),
                      InstanceMethod<&LogHandle::SetConfig>("setConfig"), InstanceMethod<&LogHandle::Close>("close"),
                      InstanceMethod<&LogHandle::Delete>("delete"),
                      InstanceMethod<&LogHandle::HighWatermark>("highWatermark"),
                      InstanceMethod<&LogHandle::LogStartOffset>("logStartOffset"),
                      InstanceMethod<&LogHandle::SizeBytes>("sizeBytes"),
                      InstanceMethod<&LogHandle::OffsetForTimestamp>("offsetForTimestamp"),
                      InstanceMethod<&LogHandle::MaxTimestamp>("maxTimestamp"),
                      InstanceMethod<&LogHandle::EndOffsetForEpoch>("endOffsetForEpoch"),
                      InstanceMethod<&LogHandle::LatestEpoch>("latestEpoch"),
                      InstanceMethod<&LogHandle::Recovery>("recovery"),
                      InstanceMethod<&LogHandle::Segments>("segments"),
                      InstanceMethod<&LogHandle::ReplaceSegments>("replaceSegments")});
}

// flushAsync(handles, done): the fsyncs of a flush (log.h, FlushJob) run on libuv's thread pool while
// the calling thread (the logs' writer, a shard) keeps appending; done(errors) runs on that thread
// afterwards with one entry per handle, null or a StoreError. One job syncs its logs one after the
// other, so a shard with one job in flight holds at most one pool thread.
class FlushWorker : public Napi::AsyncWorker {
 public:
  FlushWorker(Napi::Function done, std::vector<std::shared_ptr<Log>> logs)
      : Napi::AsyncWorker(done, "sluice:flush"), logs_(std::move(logs)), jobs_(logs_.size()) {
    for (size_t i = 0; i < logs_.size(); i++) jobs_[i].status = log_flush_begin(logs_[i].get(), &jobs_[i]);
  }

 protected:
  void Execute() override {
    for (FlushJob& job : jobs_) {
      if (job.status.ok()) flush_job_run(&job);
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array errors = Napi::Array::New(env, jobs_.size());
    for (size_t i = 0; i < jobs_.size(); i++) {
      log_flush_end(logs_[i].get(), &jobs_[i]);
      errors[i] = jobs_[i].status.ok() ? env.Null() : StoreErrorValue(env, jobs_[i].status);
    }
    Callback().Call({errors});
  }

 private:
  std::vector<std::shared_ptr<Log>> logs_;
  std::vector<FlushJob> jobs_;
};

Napi::Value FlushAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array handles = info[0].As<Napi::Array>();
  std::vector<std::shared_ptr<Log>> logs;
  for (uint32_t i = 0; i < handles.Length(); i++) {
    LogHandle* handle = LogHandle::Unwrap(handles.Get(i).As<Napi::Object>());
    if (!handle->writer_) {
      return ThrowStoreError(env, store_error(StoreErr::kNotWriter, "log %s: this handle is attached (read-only)",
                                              handle->log_->dir.c_str()));
    }
    logs.push_back(handle->log_);
  }
  (new FlushWorker(info[1].As<Napi::Function>(), std::move(logs)))->Queue();  // deletes itself when done
  return env.Undefined();
}

Napi::Value NewHandle(Napi::Env env, std::shared_ptr<Log> log, bool writer) {
  Napi::Object obj = env.GetInstanceData<AddonData>()->handle_class.New({});
  LogHandle* handle = LogHandle::Unwrap(obj);
  handle->log_ = std::move(log);
  handle->writer_ = writer;
  return obj;
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  std::shared_ptr<Log> log;
  Status st = registry_open(info[0].As<Napi::String>().Utf8Value(), ConfigArg(info[1]), &log);
  return st.ok() ? NewHandle(info.Env(), std::move(log), true) : ThrowStoreError(info.Env(), st);
}

Napi::Value Attach(const Napi::CallbackInfo& info) {
  std::shared_ptr<Log> log;
  Status st = registry_attach(info[0].As<Napi::String>().Utf8Value(), &log);
  return st.ok() ? NewHandle(info.Env(), std::move(log), false) : ThrowStoreError(info.Env(), st);
}

Napi::Value Crc32c(const Napi::CallbackInfo& info) {
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  auto seed = static_cast<uint32_t>(info[1].As<Napi::Number>().Int64Value());
  return Napi::Number::New(info.Env(), crc32c(buf.Data(), buf.Length(), seed));
}

// Zero-copy hand-over of append bytes between the threads of this process (shard-channel.ts): the
// network thread sends the address of a Buffer it keeps referenced until the shard has answered, and
// the shard reads it through a Buffer of its own over the same bytes (no copy; no finalizer: the
// memory belongs to the sender). A Buffer's bytes never move once napi has handed out its address.
Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  return Napi::Number::New(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(buf.Data())));
}

Napi::Value ViewAt(const Napi::CallbackInfo& info) {
  auto address = static_cast<uintptr_t>(info[0].As<Napi::Number>().Int64Value());
  auto len = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  if (len == 0) return Napi::Buffer<uint8_t>::New(info.Env(), 0);
  return Napi::Buffer<uint8_t>::New(info.Env(), reinterpret_cast<uint8_t*>(address), len);
}

Napi::Value ReleaseUnusedViews(const Napi::CallbackInfo& info) {
  PruneMappingBuffers(&info.Env().GetInstanceData<AddonData>()->mapping_buffers);
  return info.Env().Undefined();
}

Napi::Value BatchScheduling(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), sched_batch_all_threads());
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  info.Env().GetInstanceData<AddonData>()->error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto data = std::make_unique<AddonData>();
  data->handle_class = Napi::Persistent(LogHandle::Define(env));
  env.SetInstanceData(data.release());  // owned by the environment, deleted at its teardown
  exports.Set("open", Napi::Function::New<Open>(env, "open"));
  exports.Set("attach", Napi::Function::New<Attach>(env, "attach"));
  exports.Set("addressOf", Napi::Function::New<AddressOf>(env, "addressOf"));
  exports.Set("viewAt", Napi::Function::New<ViewAt>(env, "viewAt"));
  exports.Set("flushAsync", Napi::Function::New<FlushAsync>(env, "flushAsync"));
  exports.Set("crc32c", Napi::Function::New<Crc32c>(env, "crc32c"));
  exports.Set("crc32cHardware", Napi::Boolean::New(env, crc32c_has_hw()));
  exports.Set("batchScheduling", Napi::Function::New<BatchScheduling>(env, "batchScheduling"));
  exports.Set("setErrorClass", Napi::Function::New<SetErrorClass>(env, "setErrorClass"));
  exports.Set("releaseUnusedViews", Napi::Function::New<ReleaseUnusedViews>(env, "releaseUnusedViews"));
  RegisterSend(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(sluice_native, Init)

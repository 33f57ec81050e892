// The writer side of a partition log: append, roll, flush, epochs, close.
#include "log.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdlib>
#include <string>
#include <utility>

#include "segment_internal.h"

std::vector<std::shared_ptr<Segment>> log_segments(Log* log) {
  std::lock_guard<std::mutex> lock(log->mu);
  return log->segments;
}

// The writer reads the list without the lock: only the writer changes it.
static Segment* active_segment(Log* log) { return log->segments.back().get(); }

static Status check_open(Log* log) {
  std::lock_guard<std::mutex> lock(log->mu);
  return log->closed ? store_error(StoreErr::kClosed, "log %s is closed", log->dir.c_str()) : Status{};
}

// Seals the active segment and starts a new one at the log end offset that can hold `need` bytes.
// An empty active segment is not sealed but replaced (when it is too small) or kept.
static Status roll_for(Log* log, uint64_t need) {
  Segment* active = active_segment(log);
  uint64_t capacity = static_cast<uint64_t>(log->config.segment_bytes);
  if (need > capacity) capacity = need;
  bool empty = active->size.load(std::memory_order_relaxed) == 0;
  if (empty && segment_capacity(active) >= need) return Status{};
  int64_t base = active->next_offset;
  if (!empty) {
    Status st = segment_seal(active);
    if (!st.ok()) return st;
  }
  std::shared_ptr<Segment> next;
  Status st = segment_create(log->dir, base, log->config, capacity, &next);
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> lock(log->mu);
  if (empty) log->segments.pop_back();  // same base: segment_create reused its file names
  log->segments.push_back(std::move(next));
  log->dir_dirty = true;
  return Status{};
}

static bool should_roll(Log* log, const Segment* active, size_t len, int64_t offsets, int64_t now_ms) {
  uint64_t size = active->size.load(std::memory_order_relaxed);
  uint64_t limit = static_cast<uint64_t>(log->config.segment_bytes);
  if (segment_capacity(active) < limit) limit = segment_capacity(active);
  if (size + len > limit) return true;
  if (size > 0 && now_ms - active->first_append_ms > log->config.segment_ms) return true;
  // Index entries hold offsets relative to the segment base in an int32.
  return active->next_offset + offsets - active->base_offset > INT32_MAX;
}

static Status validate_set(const AppendSpan& span, bool allow_control, BatchSetInfo* info) {
  if (span.len > static_cast<size_t>(INT32_MAX)) {
    return store_error(StoreErr::kInvalidRecord, "record set of %zu bytes exceeds a segment's 2 GiB limit", span.len);
  }
  return batch_validate_set(span.data, span.len, allow_control, info);
}

// Writes validated record sets (`len` bytes and `offsets` offsets in all) into the active segment,
// rolling first if they do not fit; *base is the first offset they got.
static Status write_sets(Log* log, const AppendSpan* spans, size_t count, const BatchSetInfo& total,
                         const AppendOptions& opts, int64_t* base) {
  if (!active_segment(log)->sticky.ok()) return active_segment(log)->sticky;
  Status changing = log_begin_change(log);
  if (!changing.ok()) return changing;
  size_t len = 0;
  for (size_t i = 0; i < count; i++) len += spans[i].len;
  if (should_roll(log, active_segment(log), len, total.offset_count, opts.now_ms)) {
    Status st = roll_for(log, len);
    if (!st.ok()) return st;
  }
  Segment* seg = active_segment(log);
  *base = seg->next_offset;
  if (opts.leader_epoch > epoch_cache_latest(&log->epochs)) {
    Status st = log_assign_epoch(log, opts.leader_epoch, *base);  // as Kafka does for appends as leader
    if (!st.ok()) return st;
  }
  Status st = segment_append(seg, spans, count, len, AppendStamp{opts.leader_epoch, opts.log_append_time, opts.now_ms,
                                                                 log->config.index_interval_bytes, total.batches});
  if (!st.ok()) return st;
  log->high_watermark.store(seg->next_offset, std::memory_order_release);
  return Status{};
}

Status log_append(Log* log, const uint8_t* data, size_t len, const AppendOptions& opts, AppendResult* out) {
  Status st = check_open(log);
  if (!st.ok()) return st;
  AppendSpan span{data, len};
  BatchSetInfo info;
  st = validate_set(span, opts.allow_control, &info);
  if (!st.ok()) return st;
  int64_t base = 0;
  st = write_sets(log, &span, 1, info, opts, &base);
  if (!st.ok()) return st;
  *out = AppendResult{base, base + info.offset_count - 1, opts.log_append_time,
                      log->log_start.load(std::memory_order_relaxed)};
  return Status{};
}

Status log_append_many(Log* log, const AppendSpan* spans, size_t count, const AppendOptions& opts,
                       AppendResult* results, Status* statuses) {
  Status st = check_open(log);
  for (size_t i = 0; i < count; i++) statuses[i] = st;
  if (!st.ok()) return st;
  thread_local std::vector<AppendSpan> valid;
  thread_local std::vector<size_t> which;
  thread_local std::vector<int64_t> offsets;
  valid.clear();
  which.clear();
  offsets.clear();
  BatchSetInfo total;
  for (size_t i = 0; i < count; i++) {
    BatchSetInfo info;
    statuses[i] = validate_set(spans[i], opts.allow_control, &info);
    if (!statuses[i].ok()) continue;
    valid.push_back(spans[i]);
    which.push_back(i);
    offsets.push_back(info.offset_count);
    total.batches += info.batches;
    total.offset_count += info.offset_count;
  }
  if (valid.empty()) return Status{};
  size_t len = 0;
  for (const AppendSpan& span : valid) len += span.len;
  int64_t base = 0;
  st = len > static_cast<size_t>(INT32_MAX)
           ? store_error(StoreErr::kInvalidRecord, "record sets of %zu bytes exceed a segment's 2 GiB limit", len)
           : write_sets(log, valid.data(), valid.size(), total, opts, &base);
  int64_t log_start = log->log_start.load(std::memory_order_relaxed);
  for (size_t k = 0; k < valid.size(); k++) {
    statuses[which[k]] = st;
    results[which[k]] = AppendResult{base, base + offsets[k] - 1, opts.log_append_time, log_start};
    base += offsets[k];
  }
  return Status{};
}

Status log_roll(Log* log) {
  Status st = check_open(log);
  if (!st.ok()) return st;
  if (active_segment(log)->size.load(std::memory_order_relaxed) == 0) return Status{};
  st = log_begin_change(log);
  if (!st.ok()) return st;
  return roll_for(log, 0);
}

// Fault-test mode (SLUICE_FAULT_RECORD_SYNC set in the environment; off by default): after every
// flush, the active segment's base offset and synced size go to kSyncedName, so that a test can cut
// the files back to what a power loss would have left (test/fault/power-loss.ts). Read once at load:
// when off, a flush pays one predictable branch. Written by the writer at the end of a flush, and
// only forward: a job that ends after a later flush must not record less than that one did.
static const bool kRecordSync = std::getenv("SLUICE_FAULT_RECORD_SYNC") != nullptr;

Status log_flush_begin(Log* log, FlushJob* job) {
  Status st = check_open(log);
  if (!st.ok()) return st;
  job->dir = log->dir;
  // Segments with open descriptors are the active one and those sealed since the last flush.
  for (auto it = log->segments.rbegin(); it != log->segments.rend() && segment_has_fds(it->get()); ++it) {
    st = segment_dup_fds(it->get(), &job->fds, &job->paths);
    if (!st.ok()) return st;
    if (!(*it)->active) job->sealed.push_back(*it);
  }
  job->sync_dir = std::exchange(log->dir_dirty, false);
  Segment* active = active_segment(log);
  job->active_base = active->base_offset;
  job->active_size = active->size.load(std::memory_order_relaxed);
  return Status{};
}

void flush_job_run(FlushJob* job) {
  for (size_t i = 0; i < job->fds.size() && job->status.ok(); i++) {
    if (fdatasync(job->fds[i].fd) != 0) job->status = sys_error(errno, "fdatasync", job->paths[i]);
  }
  if (job->status.ok() && job->sync_dir) job->status = fsync_dir(job->dir);
  job->fds.clear();
}

void log_flush_end(Log* log, FlushJob* job) {
  if (!job->status.ok()) {
    if (job->sync_dir) log->dir_dirty = true;
    return;
  }
  for (const auto& seg : job->sealed) segment_close_fds(seg.get());
  bool forward = job->active_base > log->recorded_base ||
                 (job->active_base == log->recorded_base && job->active_size > log->recorded_size);
  if (!kRecordSync || !forward) return;
  job->status = write_file_atomic(job->dir, kSyncedName,
                                  std::to_string(job->active_base) + " " + std::to_string(job->active_size) + "\n");
  if (!job->status.ok()) return;
  log->recorded_base = job->active_base;
  log->recorded_size = job->active_size;
}

Status log_flush(Log* log) {
  FlushJob job;
  job.status = log_flush_begin(log, &job);
  if (job.status.ok()) flush_job_run(&job);
  log_flush_end(log, &job);
  return job.status;
}

Status log_begin_change(Log* log) {
  if (!log->clean_marker) return Status{};
  std::string marker = log->dir + "/" + kCleanShutdownName;
  if (unlink(marker.c_str()) != 0 && errno != ENOENT) return sys_error(errno, "unlink", marker);
  Status st = fsync_dir(log->dir);
  if (!st.ok()) return st;
  log->clean_marker = false;
  return Status{};
}

Status log_assign_epoch(Log* log, int32_t epoch, int64_t start_offset) {
  std::lock_guard<std::mutex> lock(log->mu);
  if (log->closed) return store_error(StoreErr::kClosed, "log %s is closed", log->dir.c_str());
  return epoch_cache_assign(&log->epochs, epoch, start_offset);
}

void log_set_config(Log* log, const LogConfig& cfg) { log->config = cfg; }

Status log_close(Log* log) {
  Status st = check_open(log);
  if (!st.ok()) return st;
  Segment* active = active_segment(log);
  if (active->sticky.ok()) st = segment_seal(active);
  if (st.ok()) st = log_flush(log);
  // Only a log whose every byte reached the disk may skip the full recovery checks on reopen.
  if (st.ok() && active->sticky.ok()) st = write_file_atomic(log->dir, kCleanShutdownName, "");
  std::lock_guard<std::mutex> lock(log->mu);
  log->closed = true;
  log->segments.clear();
  log->lock = Fd();
  return st;
}

static void remove_tree(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") unlink((dir + "/" + name).c_str());
  }
  closedir(d);
  rmdir(dir.c_str());
}

Status log_delete(Log* log) {
  {
    std::lock_guard<std::mutex> lock(log->mu);
    log->closed = true;
    log->segments.clear();  // mappings live on in views; the files go now
    log->lock = Fd();
  }
  remove_tree(log->dir);
  return Status{};
}

// Removing data from a log: retention (time, size), DeleteRecords (advance the log start) and
// truncation. Deleted segments leave the list under `mu`; their files are unlinked at once, and
// their mappings live on for as long as readers or views hold them.
#include <sys/stat.h>

#include <algorithm>
#include <string>

#include "log.h"
#include "offset_index.h"
#include "time_index.h"

namespace {

Status closed_error(const Log* log) { return store_error(StoreErr::kClosed, "log %s is closed", log->dir.c_str()); }

// Drops the first `count` segments (never the active one) and moves the log start up to the new
// first segment.
Status delete_prefix(Log* log, size_t count, RetentionResult* out) {
  if (count == 0) return Status{};
  std::vector<std::shared_ptr<Segment>> gone;
  {
    std::lock_guard<std::mutex> lock(log->mu);
    gone.assign(log->segments.begin(), log->segments.begin() + static_cast<ptrdiff_t>(count));
    log->segments.erase(log->segments.begin(), log->segments.begin() + static_cast<ptrdiff_t>(count));
    int64_t start = std::max(log->log_start.load(std::memory_order_relaxed), log->segments.front()->base_offset);
    log->log_start.store(start, std::memory_order_release);
    Status st = epoch_cache_truncate_from_start(&log->epochs, start);
    if (!st.ok()) return st;
  }
  for (const auto& seg : gone) {
    segment_unlink(seg.get());
    out->deleted_segments++;
    out->deleted_bytes += seg->size.load(std::memory_order_relaxed);
  }
  log->dir_dirty = true;
  return Status{};
}

// The segment's largest timestamp, or its file's modification time when it holds none (as Kafka).
int64_t retention_timestamp(Segment* seg) {
  int64_t ts = -1;
  int64_t offset = -1;
  segment_max_timestamp(seg, &ts, &offset);
  if (ts >= 0) return ts;
  struct stat sb;
  if (stat(segment_path(seg->dir, seg->base_offset, ".log").c_str(), &sb) != 0) return -1;
  return static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000 + sb.st_mtim.tv_nsec / 1000000;
}

}  // namespace

Status log_apply_retention(Log* log, int64_t now_ms, RetentionResult* out) {
  *out = RetentionResult{};
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
  }
  const auto& segs = log->segments;  // only the writer changes the list
  size_t sealed = segs.size() - 1;
  size_t count = 0;
  int64_t start = log->log_start.load(std::memory_order_relaxed);
  while (count < sealed && segs[count + 1]->base_offset <= start) count++;
  if (log->config.retention_ms >= 0) {
    while (count < sealed && now_ms - retention_timestamp(segs[count].get()) > log->config.retention_ms) count++;
  }
  if (log->config.retention_bytes >= 0) {
    uint64_t total = 0;
    for (const auto& seg : segs) total += seg->size.load(std::memory_order_relaxed);
    for (size_t i = 0; i < count; i++) total -= segs[i]->size.load(std::memory_order_relaxed);
    auto limit = static_cast<uint64_t>(log->config.retention_bytes);
    while (count < sealed && total - segs[count]->size.load(std::memory_order_relaxed) >= limit && total > limit) {
      total -= segs[count]->size.load(std::memory_order_relaxed);
      count++;
    }
  }
  Status st = count > 0 ? log_begin_change(log) : Status{};
  if (st.ok()) st = delete_prefix(log, count, out);
  out->log_start_offset = log->log_start.load(std::memory_order_relaxed);
  return st;
}

Status log_advance_start(Log* log, int64_t offset, int64_t* new_start) {
  int64_t hw = log->high_watermark.load(std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
  }
  if (offset > hw) {
    return store_error(StoreErr::kOffsetOutOfRange, "log start %lld beyond the high watermark %lld",
                       static_cast<long long>(offset), static_cast<long long>(hw));
  }
  int64_t current = log->log_start.load(std::memory_order_relaxed);
  if (offset > current) {
    Status st = log_begin_change(log);
    if (!st.ok()) return st;
    // Durable before it takes effect: a restart must not resurrect deleted records.
    st = write_file_atomic(log->dir, kLogStartName, std::to_string(offset) + "\n");
    if (!st.ok()) return st;
    std::lock_guard<std::mutex> lock(log->mu);
    log->log_start.store(offset, std::memory_order_release);
    st = epoch_cache_truncate_from_start(&log->epochs, offset);
    if (!st.ok()) return st;
  }
  RetentionResult deleted;
  size_t count = 0;
  while (count + 1 < log->segments.size() && log->segments[count + 1]->base_offset <= offset) count++;
  Status st = delete_prefix(log, count, &deleted);
  *new_start = log->log_start.load(std::memory_order_relaxed);
  return st;
}

namespace {

// Replaces segment `seg` by one holding only its bytes below `cut` (a batch boundary). The files are
// rewritten, not shrunk, so views and readers of the old ones keep whole pages (mapping.h).
Status rewrite_prefix(Log* log, Segment* seg, uint64_t cut, int64_t next, std::shared_ptr<Segment>* out) {
  std::shared_ptr<Mapping> map;
  uint32_t entries = 0;
  uint32_t time_entries = 0;
  Status st = entry_file_snapshot(&seg->offset_index, &map, &entries);
  if (!st.ok()) return st;
  uint32_t keep = 0;
  while (keep < entries && static_cast<uint64_t>(offset_index_entry(map->base, keep).position) < cut) keep++;
  st = entry_file_snapshot(&seg->time_index, &map, &time_entries);
  if (!st.ok()) return st;
  uint32_t keep_time = 0;
  while (keep_time < time_entries &&
         seg->base_offset + time_index_entry(map->base, keep_time).relative_offset < next) {
    keep_time++;
  }
  st = replace_with_prefix(segment_path(seg->dir, seg->base_offset, ".log"), cut);
  if (st.ok()) st = replace_with_prefix(segment_path(seg->dir, seg->base_offset, ".index"), keep * kOffsetEntrySize);
  if (st.ok()) {
    st = replace_with_prefix(segment_path(seg->dir, seg->base_offset, ".timeindex"), keep_time * kTimeEntrySize);
  }
  SegmentRecovery rep;
  if (st.ok()) st = segment_open_active(log->dir, seg->base_offset, log->config, false, &rep, out);
  return st;
}

}  // namespace

Status log_truncate_to(Log* log, int64_t offset) {
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
  }
  auto& segs = log->segments;
  if (offset >= segs.back()->next_offset) return Status{};
  Status changing = log_begin_change(log);
  if (!changing.ok()) return changing;
  size_t i = segs.size();
  while (i > 0 && segs[i - 1]->base_offset > offset) i--;
  std::shared_ptr<Segment> replacement;
  int64_t next = offset;
  Status st;
  if (i == 0) {
    st = segment_create(log->dir, offset, log->config, static_cast<uint64_t>(log->config.segment_bytes), &replacement);
  } else {
    Segment* seg = segs[i - 1].get();
    std::shared_ptr<Mapping> map;
    uint64_t cut = 0;
    uint64_t size = seg->size.load(std::memory_order_relaxed);
    st = segment_view_map(seg, &map);
    if (st.ok()) st = segment_find(seg, offset, map->base, size, &cut);
    if (st.ok()) {
      next = cut < size ? static_cast<int64_t>(batch_header(map->base + cut).base_offset) : offset;
      log->high_watermark.store(std::min(log->high_watermark.load(), next), std::memory_order_release);
      st = rewrite_prefix(log, seg, cut, next, &replacement);
    }
  }
  if (!st.ok()) return st;
  std::vector<std::shared_ptr<Segment>> gone;
  {
    std::lock_guard<std::mutex> lock(log->mu);
    size_t keep = i == 0 ? 0 : i - 1;
    gone.assign(segs.begin() + static_cast<ptrdiff_t>(keep), segs.end());
    segs.resize(keep);
    segs.push_back(std::move(replacement));
    log->high_watermark.store(next, std::memory_order_release);
    if (i == 0) log->log_start.store(offset, std::memory_order_release);
    st = epoch_cache_truncate_from_end(&log->epochs, next);
  }
  // The replaced segment's files were renamed over, not unlinked: only later segments go.
  for (size_t k = 1; k < gone.size(); k++) segment_unlink(gone[k].get());
  if (i == 0 && !gone.empty()) segment_unlink(gone[0].get());
  log->dir_dirty = true;
  return st;
}

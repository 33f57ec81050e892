// The reader side of a partition log: zero-copy reads and lookups, callable from any thread.
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "../bytes.h"
#include "log.h"
#include "offset_index.h"
#include "time_index.h"

namespace {

constexpr size_t kReadSegmentsMax = 4;  // a read spans at most this many segments that hold records

// Reads that may return at least this much skip, through the offset index, the batches that surely
// fit, and walk the headers only from the last indexed batch within reach: a catch-up read then
// touches a few pages of the mapping, not one per batch. Its bytes go to the socket from the file
// (net/send.h), so a cold range is never faulted in: on this VM a fault costs ~13 us and the first
// touch of each mapped page ~1.5 us (the header walk of a cold GB of 64 KiB batches: ~0.2 s).
constexpr uint64_t kJumpMinBytes = 256 * 1024;

// The position of the last indexed batch in [start, start + reach] that begins below `bound`, or
// start if none.
uint64_t jump_target(Segment* seg, uint64_t start, uint64_t reach, int64_t bound) {
  std::shared_ptr<Mapping> index;
  uint32_t count = 0;
  if (!entry_file_snapshot(&seg->offset_index, &index, &count).ok() || count == 0) return start;
  uint64_t by_bytes = offset_index_position_at_or_before(index->base, count, start + reach);
  uint64_t by_offset = offset_index_lookup(index->base, count, bound - 1 - seg->base_offset);
  uint64_t target = std::min(by_bytes, by_offset);
  return target > start ? target : start;
}

Status closed_error(const Log* log) { return store_error(StoreErr::kClosed, "log %s is closed", log->dir.c_str()); }

// Index of the last segment whose base offset <= offset (0 if offset is below every base).
size_t segment_for_locked(const Log* log, int64_t offset) {
  auto it = std::upper_bound(log->segments.begin(), log->segments.end(), offset,
                             [](int64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset; });
  return it == log->segments.begin() ? 0 : static_cast<size_t>(it - log->segments.begin() - 1);
}

// Segments that compaction emptied down to one empty batch (kept so that each segment ends where the
// next begins) do not count against kReadSegmentsMax, up to this many: a read of nothing but empty
// batches while records follow makes kafkajs skip to the high watermark, past those records.
constexpr size_t kReadSegmentsScanMax = 64;

struct ReadState {
  int64_t offset;
  int64_t bound;       // min(high watermark, upTo): no batch starting here or later is returned
  uint64_t max_bytes;
  uint64_t total = 0;
  bool done = false;
  size_t with_records = 0;  // segments read that returned a batch holding records
};

// Appends to `out` the batches of one segment that the read wants.
Status read_segment(Segment* seg, ReadState* rs, std::vector<View>* out) {
  uint64_t size = seg->size.load(std::memory_order_acquire);
  std::shared_ptr<Mapping> map;
  Status st = segment_view_map(seg, &map);
  if (!st.ok()) return st;
  if (map->len < size) size = map->len;
  uint64_t start = 0;
  st = segment_find(seg, rs->offset, map->base, size, &start);
  if (!st.ok()) return st;
  uint64_t reach = std::min<uint64_t>(size - start, rs->max_bytes > rs->total ? rs->max_bytes - rs->total : 0);
  uint64_t p = reach >= kJumpMinBytes ? jump_target(seg, start, reach, rs->bound) : start;
  // Skipped batches are taken to hold records: a segment that compaction emptied is one empty batch.
  bool records = p > start;
  while (p + kBatchHeaderSize <= size) {
    const uint8_t* b = map->base + p;
    auto base = static_cast<int64_t>(load_be64(b));
    uint64_t batch_size = load_be32(b + kOffBatchLength) + kBatchLengthOverhead;
    if (base >= rs->bound) {
      rs->done = true;
      break;
    }
    // The first batch of a read is returned whole even when it alone exceeds max_bytes.
    bool first = rs->total == 0 && p == start;
    if (!first && rs->total + (p - start) + batch_size > rs->max_bytes) {
      rs->done = true;
      break;
    }
    if (load_be32(b + kOffRecordsCount) != 0) records = true;
    p += batch_size;
  }
  if (records) rs->with_records++;
  if (p > start) {
    out->push_back(View{map, map->base + start, p - start});
    rs->total += p - start;
  }
  return Status{};
}

}  // namespace

Status log_read(Log* log, int64_t offset, uint64_t max_bytes, int64_t up_to, std::vector<View>* out) {
  int64_t hw = log->high_watermark.load(std::memory_order_acquire);
  std::vector<std::shared_ptr<Segment>> segs;
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
    int64_t start = log->log_start.load(std::memory_order_acquire);
    if (offset < start || offset > hw) {
      return store_error(StoreErr::kOffsetOutOfRange, "offset %lld is outside [%lld, %lld]",
                         static_cast<long long>(offset), static_cast<long long>(start), static_cast<long long>(hw));
    }
    size_t i = segment_for_locked(log, offset);
    size_t end = std::min(log->segments.size(), i + kReadSegmentsScanMax);
    segs.assign(log->segments.begin() + static_cast<ptrdiff_t>(i), log->segments.begin() + static_cast<ptrdiff_t>(end));
  }
  ReadState rs{offset, up_to >= 0 && up_to < hw ? up_to : hw, max_bytes};
  for (size_t k = 0; k < segs.size() && rs.offset < rs.bound && !rs.done && rs.with_records < kReadSegmentsMax; k++) {
    Status st = read_segment(segs[k].get(), &rs, out);
    if (!st.ok()) return st;
    if (k + 1 < segs.size()) rs.offset = std::max(rs.offset, segs[k + 1]->base_offset);
  }
  return Status{};
}

Status log_size_bytes(Log* log, uint64_t* out) {
  std::lock_guard<std::mutex> lock(log->mu);
  if (log->closed) return closed_error(log);
  *out = 0;
  for (const auto& seg : log->segments) *out += seg->size.load(std::memory_order_acquire);
  return Status{};
}

namespace {

// The first record with timestamp >= ts in this segment, scanning from the time index's hint.
bool segment_offset_for_timestamp(Segment* seg, int64_t ts, int64_t hw, RecordHit* out) {
  std::shared_ptr<Mapping> index;
  std::shared_ptr<Mapping> map;
  uint32_t count = 0;
  if (!entry_file_snapshot(&seg->time_index, &index, &count).ok() || !segment_view_map(seg, &map).ok()) return false;
  int64_t rel = count == 0 ? -1 : time_index_lookup(index->base, count, ts);
  uint64_t size = std::min<uint64_t>(seg->size.load(std::memory_order_acquire), map->len);
  uint64_t p = 0;
  if (!segment_find(seg, rel < 0 ? seg->base_offset : seg->base_offset + rel, map->base, size, &p).ok()) return false;
  while (p + kBatchHeaderSize <= size) {
    BatchHeader h = batch_header(map->base + p);
    if (h.base_offset >= hw || h.size < kBatchHeaderSize || p + h.size > size) return false;
    if (h.max_timestamp >= ts) {
      *out = batch_first_at_or_after(map->base + p, h, ts);
      return true;
    }
    p += h.size;
  }
  return false;
}

}  // namespace

Status log_offset_for_timestamp(Log* log, int64_t ts, RecordHit* out) {
  int64_t hw = log->high_watermark.load(std::memory_order_acquire);
  *out = RecordHit{-1, -1};
  std::vector<std::shared_ptr<Segment>> segs;
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
    segs = log->segments;
  }
  int64_t start = log->log_start.load(std::memory_order_acquire);
  for (const auto& seg : segs) {
    int64_t max_ts = -1;
    int64_t max_offset = -1;
    segment_max_timestamp(seg.get(), &max_ts, &max_offset);
    if (max_ts < ts || seg->next_offset <= start) continue;
    if (segment_offset_for_timestamp(seg.get(), ts, hw, out)) {
      out->offset = std::max(out->offset, start);
      return Status{};
    }
  }
  return Status{};
}

Status log_max_timestamp(Log* log, RecordHit* out) {
  int64_t hw = log->high_watermark.load(std::memory_order_acquire);
  *out = RecordHit{-1, -1};
  std::vector<std::shared_ptr<Segment>> segs;
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
    segs = log->segments;
  }
  Segment* best = nullptr;
  for (const auto& seg : segs) {
    int64_t ts = -1;
    int64_t offset = -1;
    segment_max_timestamp(seg.get(), &ts, &offset);
    if (ts > out->timestamp && offset < hw) {
      *out = RecordHit{offset, ts};
      best = seg.get();
    }
  }
  if (best == nullptr) return Status{};
  // Refine from the batch to the record holding the timestamp.
  std::shared_ptr<Mapping> map;
  uint64_t p = 0;
  uint64_t size = best->size.load(std::memory_order_acquire);
  Status st = segment_view_map(best, &map);
  if (st.ok()) size = std::min<uint64_t>(size, map->len);
  if (st.ok()) st = segment_find(best, out->offset, map->base, size, &p);
  if (st.ok() && p + kBatchHeaderSize <= size) {
    BatchHeader h = batch_header(map->base + p);
    if (h.base_offset == out->offset && p + h.size <= size) *out = batch_max_timestamp_record(map->base + p, h);
  }
  return st;
}

Status log_end_offset_for_epoch(Log* log, int32_t epoch, int32_t* out_epoch, int64_t* end_offset) {
  std::lock_guard<std::mutex> lock(log->mu);
  if (log->closed) return closed_error(log);
  epoch_cache_end_offset_for(&log->epochs, epoch, log->high_watermark.load(std::memory_order_acquire), out_epoch,
                             end_offset);
  return Status{};
}

Status log_latest_epoch(Log* log, int32_t* out) {
  std::lock_guard<std::mutex> lock(log->mu);
  if (log->closed) return closed_error(log);
  *out = epoch_cache_latest(&log->epochs);
  return Status{};
}

Status file_record_count(int fd, uint64_t offset, uint64_t len, uint64_t* out) {
  *out = 0;
  uint8_t header[kBatchHeaderSize];
  for (uint64_t p = 0; p + kBatchHeaderSize <= len;) {
    ssize_t n = pread(fd, header, kBatchHeaderSize, static_cast<off_t>(offset + p));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "pread", "a segment");
    if (static_cast<size_t>(n) < kBatchHeaderSize) break;
    *out += load_be32(header + kOffRecordsCount);
    p += load_be32(header + kOffBatchLength) + kBatchLengthOverhead;
  }
  return Status{};
}

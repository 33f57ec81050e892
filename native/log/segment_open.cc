// Opening segments that exist on disk: the active one with a recovery scan of its tail, sealed ones
// with a cheap check (see segment.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <climits>

#include "../bytes.h"
#include "offset_index.h"
#include "segment.h"
#include "segment_internal.h"
#include "time_index.h"

namespace {

struct ScanStart {
  uint64_t position = 0;
  int64_t min_offset = 0;
  uint32_t offset_entries = 0;  // index entries kept: those up to the batch the scan starts at
};

// Where to start validating: at the last index entry that points at a valid batch with the offset
// it names, or at 0 (a full scan) when there is none.
ScanStart choose_scan_start(Segment* seg, const uint8_t* data, uint64_t len, bool full_scan) {
  ScanStart start{0, seg->base_offset, 0};
  if (full_scan) return start;
  EntryFile* idx = &seg->offset_index;
  uint32_t n = offset_index_valid_prefix(idx->map->base, idx->count.load(std::memory_order_relaxed), len);
  if (n == 0) return start;
  OffsetEntry e = offset_index_entry(idx->map->base, n - 1);
  BatchHeader h;
  const char* why = nullptr;
  int64_t expect = seg->base_offset + e.relative_offset;
  if (batch_valid_at(data, len, static_cast<uint64_t>(e.position), expect, &h, &why) && h.base_offset == expect) {
    start = ScanStart{static_cast<uint64_t>(e.position), expect, n};
  }
  return start;
}

// Keeps the time-index entries that name batches up to the scan start; the scan re-adds the rest.
void keep_time_entries(Segment* seg, const ScanStart& start) {
  EntryFile* ti = &seg->time_index;
  int64_t start_rel = start.offset_entries == 0 ? -1 : start.min_offset - seg->base_offset;
  uint32_t n = time_index_valid_prefix(ti->map->base, ti->count.load(std::memory_order_relaxed), INT32_MAX);
  uint32_t keep = 0;
  while (keep < n && time_index_entry(ti->map->base, keep).relative_offset <= start_rel) keep++;
  entry_file_set_count(ti, keep);
  if (keep > 0) {
    TimeEntry last = time_index_entry(ti->map->base, keep - 1);
    seg->last_time_entry_ts = last.timestamp;
    seg->max_timestamp = last.timestamp;
    seg->max_timestamp_offset = seg->base_offset + last.relative_offset;
  }
}

bool all_zero(const uint8_t* p, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    if (p[i] != 0) return false;
  }
  return true;
}

}  // namespace

namespace {

// Validates batches from the scan start, re-adding index entries; returns where valid data ends.
Status rescan(Segment* seg, const LogConfig& cfg, const ScanStart& start, uint64_t* end, int64_t* next) {
  const uint8_t* data = seg->view_map->base;
  uint64_t len = seg->log.allocated;
  uint64_t pos = start.position;
  int64_t offset = start.min_offset;
  BatchHeader h;
  const char* why = nullptr;
  while (batch_valid_at(data, len, pos, offset, &h, &why)) {
    // Index entries hold int32 relative offsets and positions: a segment never goes past either.
    if (h.last_offset() - seg->base_offset > INT32_MAX || pos + h.size > static_cast<uint64_t>(INT32_MAX)) break;
    bool offset_fits = false;
    bool time_fits = false;
    Status st = entry_file_reserve(&seg->offset_index, 1, &offset_fits);
    if (st.ok()) st = entry_file_reserve(&seg->time_index, 2, &time_fits);
    if (!st.ok()) return st;
    segment_index_batch(seg, IndexPoint{h.base_offset, pos, h.size, h.max_timestamp, cfg.index_interval_bytes,
                                        offset_fits, time_fits});
    pos += h.size;
    offset = h.last_offset() + 1;
  }
  *end = pos;
  *next = offset;
  return Status{};
}

// Cuts the file after its valid data and reports the cut unless it was only preallocation.
Status cut_tail(Segment* seg, uint64_t end, int64_t next, SegmentRecovery* rep) {
  uint64_t len = seg->log.allocated;
  if (end == len) return Status{};
  // A zeroed header is the preallocated tail of a segment that was not closed: not data.
  uint64_t probe = len - end < kBatchHeaderSize ? len - end : kBatchHeaderSize;
  if (!all_zero(seg->view_map->base + end, probe)) {
    rep->truncated_bytes = len - end;
    rep->truncated_at_offset = next;
  }
  // In place: this log is not open yet, so no reader or view of this instance covers these bytes.
  if (ftruncate(seg->log.fd.fd, static_cast<off_t>(end)) != 0) return sys_error(errno, "ftruncate", seg->log.path);
  seg->log.allocated = end;
  return Status{};
}

}  // namespace

Status segment_open_active(const std::string& dir, int64_t base, const LogConfig& cfg, bool full_scan,
                           SegmentRecovery* rep, std::shared_ptr<Segment>* out) {
  auto seg = std::make_shared<Segment>();
  seg->base_offset = base;
  seg->dir = dir;
  seg->active = true;
  seg->max_timestamp_known = true;
  struct stat sb;
  bool had_index = stat(segment_path(dir, base, ".index").c_str(), &sb) == 0;
  uint64_t capacity = static_cast<uint64_t>(cfg.segment_bytes);
  if (stat(segment_path(dir, base, ".log").c_str(), &sb) == 0 && static_cast<uint64_t>(sb.st_size) > capacity) {
    capacity = static_cast<uint64_t>(sb.st_size);
  }
  Status st = segment_open_files(seg.get(), capacity, cfg.index_interval_bytes);
  if (!st.ok()) return st;
  ScanStart start = choose_scan_start(seg.get(), seg->view_map->base, seg->log.allocated, full_scan || !had_index);
  entry_file_set_count(&seg->offset_index, start.offset_entries);
  keep_time_entries(seg.get(), start);
  uint64_t end = 0;
  int64_t next = 0;
  st = rescan(seg.get(), cfg, start, &end, &next);
  if (!st.ok()) return st;
  rep->scanned_bytes = seg->log.allocated - start.position;
  rep->rebuilt_index = start.offset_entries == 0 && seg->offset_index.count.load(std::memory_order_relaxed) > 0;
  st = cut_tail(seg.get(), end, next, rep);
  if (!st.ok()) return st;
  seg->next_offset = next;
  if (end > 0) seg->first_append_ms = batch_header(seg->view_map->base).max_timestamp;
  seg->size.store(end, std::memory_order_release);
  *out = std::move(seg);
  return Status{};
}

namespace {

bool pread_exact(int fd, uint8_t* buf, size_t n, off_t at) {
  return pread(fd, buf, n, at) == static_cast<ssize_t>(n);
}

// The last offset-index entry of a sealed segment must point at a batch with the offset it names.
bool last_entry_ok(const std::string& dir, int64_t base, uint64_t log_len, uint64_t index_len, uint64_t* pos,
                   int64_t* offset) {
  *pos = 0;
  *offset = base;
  if (index_len == 0) return true;
  Fd idx;
  Fd log;
  uint8_t entry[kOffsetEntrySize];
  uint8_t head[8];
  if (!fd_open(segment_path(dir, base, ".index"), O_RDONLY, &idx).ok() ||
      !pread_exact(idx.fd, entry, sizeof entry, static_cast<off_t>(index_len - kOffsetEntrySize))) {
    return false;
  }
  OffsetEntry e = offset_index_entry(entry, 0);
  if (e.relative_offset < 0 || e.position <= 0 || static_cast<uint64_t>(e.position) >= log_len) return false;
  if (!fd_open(segment_path(dir, base, ".log"), O_RDONLY, &log).ok() ||
      !pread_exact(log.fd, head, sizeof head, e.position)) {
    return false;
  }
  *pos = static_cast<uint64_t>(e.position);
  *offset = base + e.relative_offset;
  return static_cast<int64_t>(load_be64(head)) == *offset;
}

}  // namespace

Status segment_open_sealed(const std::string& dir, int64_t base, int64_t next_base, bool scan_tail, bool* ok,
                           std::shared_ptr<Segment>* out) {
  *ok = false;
  struct stat log_sb;
  struct stat idx_sb;
  struct stat time_sb;
  if (stat(segment_path(dir, base, ".log").c_str(), &log_sb) != 0) {
    return sys_error(errno, "stat", segment_path(dir, base, ".log"));
  }
  if (stat(segment_path(dir, base, ".index").c_str(), &idx_sb) != 0 ||
      stat(segment_path(dir, base, ".timeindex").c_str(), &time_sb) != 0 || idx_sb.st_size % kOffsetEntrySize != 0 ||
      time_sb.st_size % kTimeEntrySize != 0) {
    return Status{};
  }
  auto log_len = static_cast<uint64_t>(log_sb.st_size);
  uint64_t pos = 0;
  int64_t next = base;
  if (log_len == 0 || !last_entry_ok(dir, base, log_len, static_cast<uint64_t>(idx_sb.st_size), &pos, &next)) {
    return Status{};
  }
  auto seg = std::make_shared<Segment>();
  seg->base_offset = base;
  seg->dir = dir;
  if (scan_tail) {
    // After a crash a sealed segment may have been rolled without reaching the disk whole.
    size_t mapped_len = 0;
    Status st = mapping_map_file(segment_path(dir, base, ".log"), &seg->view_map, &mapped_len, true);
    if (!st.ok()) return st;
    BatchHeader h;
    const char* why = nullptr;
    while (batch_valid_at(seg->view_map->base, mapped_len, pos, next, &h, &why)) {
      pos += h.size;
      next = h.last_offset() + 1;
    }
    if (pos != mapped_len || next > next_base) return Status{};
  }
  entry_file_init_sealed(&seg->offset_index, segment_path(dir, base, ".index"), kOffsetEntrySize,
                         static_cast<size_t>(idx_sb.st_size));
  entry_file_init_sealed(&seg->time_index, segment_path(dir, base, ".timeindex"), kTimeEntrySize,
                         static_cast<size_t>(time_sb.st_size));
  seg->next_offset = next_base;
  seg->size.store(log_len, std::memory_order_release);
  *ok = true;
  *out = std::move(seg);
  return Status{};
}

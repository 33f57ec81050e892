// Compaction support: the segment list as the cleaner sees it, and the swap of sealed segments for
// their cleaned copy. The cleaning itself (which records survive, which segments are merged) is
// decided in TypeScript (src/storage/cleaner.ts), where every compression codec can be decoded.
//
// One segment for its copy, in an order chosen so that a crash at any point leaves a log that
// recovery accepts:
//   1. the old index files are replaced by empty ones (a crash here: the old data with no index,
//      which the sealed-segment check accepts and reads by scanning from position 0);
//   2. the cleaned file is renamed over `<base>.log` (atomic: old or new data, never a mix);
//   3. the indexes are rebuilt from the new file and the segment is sealed;
//   4. the new Segment replaces the old one in the list under `mu`.
// Several consecutive segments for one copy of them all (Kafka groups small cleaned segments, so
// that a compacted log does not keep one file per roll forever) cannot be one rename. The copy is
// first renamed to `<first>.<end>.swap` (end: the offset after the last merged segment), which
// recovery completes (log_open.cc): it removes every segment in [first, end) and renames the swap
// to `<first>.log`. Then the later segments' files are removed, and steps 1-4 follow for the first.
// The cleaned copy keeps the last segment's last batch (emptied if need be), so its next offset, and
// the recovery check that the next segment follows it, are unchanged.
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>

#include "log.h"

namespace {

Status closed_error(const Log* log) { return store_error(StoreErr::kClosed, "log %s is closed", log->dir.c_str()); }

}  // namespace

Status log_segment_infos(Log* log, std::vector<SegmentInfo>* out) {
  std::vector<std::shared_ptr<Segment>> segs;
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
    segs = log->segments;
  }
  out->clear();
  for (const auto& seg : segs) {
    SegmentInfo info;
    info.base_offset = seg->base_offset;
    info.size = seg->size.load(std::memory_order_acquire);
    info.next_offset = seg->next_offset.load(std::memory_order_acquire);
    int64_t ts_offset = -1;
    segment_max_timestamp(seg.get(), &info.max_timestamp, &ts_offset);
    out->push_back(info);
  }
  return Status{};
}

std::string swap_path(const std::string& dir, int64_t first, int64_t end) {
  char name[64];
  snprintf(name, sizeof name, "/%020" PRId64 ".%020" PRId64 "%s", first, end, kSwapSuffix);
  return dir + name;
}

Status log_replace_segments(Log* log, int64_t first, int64_t last, const std::string& cleaned_path) {
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
  }
  auto& segs = log->segments;  // only the writer changes the list
  size_t i = 0;
  while (i + 1 < segs.size() && segs[i]->base_offset != first) i++;
  size_t j = i;
  while (j + 1 < segs.size() && segs[j]->base_offset != last) j++;
  if (j + 1 >= segs.size() || segs[i]->base_offset != first) {
    return store_error(StoreErr::kOffsetOutOfRange, "%s: no sealed segments from base offset %lld to %lld",
                       log->dir.c_str(), static_cast<long long>(first), static_cast<long long>(last));
  }
  int64_t end = segs[j]->next_offset.load(std::memory_order_relaxed);
  if (end - first - 1 > INT32_MAX) {  // index entries hold offsets relative to the base in 32 bits
    return store_error(StoreErr::kInvalidRecord, "%s: segments %lld to %lld span more offsets than a segment holds",
                       log->dir.c_str(), static_cast<long long>(first), static_cast<long long>(last));
  }
  Status st = log_begin_change(log);
  if (!st.ok()) return st;
  // Readers that already hold an old Segment map its files lazily by path, and those paths are
  // about to name new files or none: map the old ones now so that those readers keep the old inodes.
  for (size_t k = i; k <= j; k++) {
    std::shared_ptr<Mapping> pinned;
    uint32_t entries = 0;
    st = segment_view_map(segs[k].get(), &pinned);
    if (st.ok()) st = entry_file_snapshot(&segs[k]->offset_index, &pinned, &entries);
    if (st.ok()) st = entry_file_snapshot(&segs[k]->time_index, &pinned, &entries);
    if (!st.ok()) return st;
  }
  std::string from = cleaned_path;
  if (j > i) {
    from = swap_path(log->dir, first, end);
    if (std::rename(cleaned_path.c_str(), from.c_str()) != 0) return sys_error(errno, "rename", cleaned_path);
    st = fsync_dir(log->dir);
    if (!st.ok()) return st;
    for (size_t k = i + 1; k <= j; k++) segment_unlink(segs[k].get());
  }
  st = replace_with_prefix(segment_path(log->dir, first, ".index"), 0);
  if (st.ok()) st = replace_with_prefix(segment_path(log->dir, first, ".timeindex"), 0);
  if (!st.ok()) return st;
  std::string log_path = segment_path(log->dir, first, ".log");
  if (std::rename(from.c_str(), log_path.c_str()) != 0) return sys_error(errno, "rename", from);
  st = fsync_dir(log->dir);
  if (!st.ok()) return st;
  std::shared_ptr<Segment> fresh;
  SegmentRecovery rep;
  st = segment_open_active(log->dir, first, log->config, true, &rep, &fresh);
  if (st.ok()) st = segment_seal(fresh.get());
  if (!st.ok()) return st;
  if (rep.truncated_bytes > 0) {
    return store_error(StoreErr::kCorruptMessage, "%s: cleaned segment %lld has %llu invalid bytes", log->dir.c_str(),
                       static_cast<long long>(first), static_cast<unsigned long long>(rep.truncated_bytes));
  }
  fresh->next_offset.store(end, std::memory_order_release);
  std::lock_guard<std::mutex> lock(log->mu);
  segs.erase(segs.begin() + static_cast<ptrdiff_t>(i) + 1, segs.begin() + static_cast<ptrdiff_t>(j) + 1);
  segs[i] = std::move(fresh);
  return Status{};
}

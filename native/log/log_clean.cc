// Compaction support: the segment list as the cleaner sees it, and the swap of one sealed segment
// for its cleaned copy. The cleaning itself (which records survive) is decided in TypeScript
// (src/storage/cleaner.ts), where every compression codec can be decoded.
//
// Swap order, chosen so that a crash at any point leaves a log that recovery accepts:
//   1. the old index files are replaced by empty ones (a crash here: the old data with no index,
//      which the sealed-segment check accepts and reads by scanning from position 0);
//   2. the cleaned file is renamed over `<base>.log` (atomic: old or new data, never a mix);
//   3. the indexes are rebuilt from the new file and the segment is sealed;
//   4. the new Segment replaces the old one in the list under `mu`.
// The cleaned copy keeps the segment's last batch (emptied if need be), so its next offset, and the
// recovery check that the next segment follows it, are unchanged.
#include <cerrno>
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

Status log_replace_segment(Log* log, int64_t base, const std::string& cleaned_path) {
  {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->closed) return closed_error(log);
  }
  Status changing = log_begin_change(log);
  if (!changing.ok()) return changing;
  auto& segs = log->segments;  // only the writer changes the list
  size_t i = 0;
  while (i + 1 < segs.size() && segs[i]->base_offset != base) i++;
  if (i + 1 >= segs.size()) {
    return store_error(StoreErr::kOffsetOutOfRange, "%s: no sealed segment with base offset %lld", log->dir.c_str(),
                       static_cast<long long>(base));
  }
  std::shared_ptr<Segment> old = segs[i];
  // Readers that already hold the old Segment map its files lazily by path, and the paths are about
  // to name the new files: map the old ones now so that those readers keep the old inodes.
  std::shared_ptr<Mapping> pinned;
  uint32_t entries = 0;
  Status st = segment_view_map(old.get(), &pinned);
  if (st.ok()) st = entry_file_snapshot(&old->offset_index, &pinned, &entries);
  if (st.ok()) st = entry_file_snapshot(&old->time_index, &pinned, &entries);
  if (st.ok()) st = replace_with_prefix(segment_path(log->dir, base, ".index"), 0);
  if (st.ok()) st = replace_with_prefix(segment_path(log->dir, base, ".timeindex"), 0);
  if (!st.ok()) return st;
  std::string log_path = segment_path(log->dir, base, ".log");
  if (std::rename(cleaned_path.c_str(), log_path.c_str()) != 0) return sys_error(errno, "rename", cleaned_path);
  st = fsync_dir(log->dir);
  if (!st.ok()) return st;
  std::shared_ptr<Segment> fresh;
  SegmentRecovery rep;
  st = segment_open_active(log->dir, base, log->config, true, &rep, &fresh);
  if (st.ok()) st = segment_seal(fresh.get());
  if (!st.ok()) return st;
  if (rep.truncated_bytes > 0) {
    return store_error(StoreErr::kCorruptMessage, "%s: cleaned segment %lld has %llu invalid bytes", log->dir.c_str(),
                       static_cast<long long>(base), static_cast<unsigned long long>(rep.truncated_bytes));
  }
  fresh->next_offset.store(old->next_offset.load(std::memory_order_relaxed), std::memory_order_release);
  std::lock_guard<std::mutex> lock(log->mu);
  segs[i] = std::move(fresh);
  return Status{};
}

// Opening a partition log: list the segments, trust sealed ones after a cheap check, recover the
// tail of the last one, and report what was cut.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "log.h"

namespace {

bool all_digits(const std::string& s, size_t from, size_t len) {
  for (size_t k = from; k < from + len; k++) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  return true;
}

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = strlen(suffix);
  return s.size() > n && s.compare(s.size() - n, n, suffix) == 0;
}

struct Swap {
  int64_t first;
  int64_t end;
};

// Base offsets of `<20 digits>.log` files, ascending, and the swaps of an interrupted merge of
// compacted segments (`<20 digits>.<20 digits>.swap`). Stray temp files and cleaned copies of an
// interrupted rewrite go.
std::vector<int64_t> list_segments(const std::string& dir, std::vector<Swap>* swaps) {
  std::vector<int64_t> bases;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return bases;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (ends_with(name, ".tmp") || ends_with(name, ".cleaned")) {
      unlink((dir + "/" + name).c_str());
      continue;
    }
    if (name.size() == 46 && ends_with(name, kSwapSuffix) && name[20] == '.' && all_digits(name, 0, 20) &&
        all_digits(name, 21, 20)) {
      swaps->push_back({std::strtoll(name.c_str(), nullptr, 10), std::strtoll(name.c_str() + 21, nullptr, 10)});
      continue;
    }
    if (name.size() != 24 || !ends_with(name, ".log") || !all_digits(name, 0, 20)) continue;
    bases.push_back(std::strtoll(name.c_str(), nullptr, 10));
  }
  closedir(d);
  std::sort(bases.begin(), bases.end());
  return bases;
}

void remove_segment_files(const std::string& dir, int64_t base) {
  for (const char* ext : {".log", ".index", ".timeindex"}) unlink(segment_path(dir, base, ext).c_str());
}

// The base offset of a segment's file (`<20 digits>.log`, `.index` or `.timeindex`), -1 for others.
int64_t segment_file_base(const std::string& name) {
  bool segment_file = ends_with(name, ".log") || ends_with(name, ".index") || ends_with(name, ".timeindex");
  return segment_file && name.size() > 21 && name[20] == '.' && all_digits(name, 0, 20) ? std::strtoll(name.c_str(), nullptr, 10) : -1;
}

// Finishes each merge of compacted segments that a crash interrupted (log_clean.cc): the swap file
// holds the cleaned copy of every segment in [first, end), complete (it was written and synced under
// another name before it was renamed to the swap), so those segments' files go and the swap takes
// their place.
Status complete_swaps(const std::string& dir, const std::vector<Swap>& swaps, std::vector<int64_t>* bases) {
  if (swaps.empty()) return Status{};
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) names.emplace_back(e->d_name);
    closedir(d);
  }
  for (const Swap& swap : swaps) {
    auto covered = [&swap](int64_t base) { return base >= swap.first && base < swap.end; };
    for (const std::string& name : names) {
      if (covered(segment_file_base(name))) unlink((dir + "/" + name).c_str());
    }
    bases->erase(std::remove_if(bases->begin(), bases->end(), covered), bases->end());
    std::string from = swap_path(dir, swap.first, swap.end);
    if (std::rename(from.c_str(), segment_path(dir, swap.first, ".log").c_str()) != 0) {
      return sys_error(errno, "rename", from);
    }
    bases->push_back(swap.first);
  }
  std::sort(bases->begin(), bases->end());
  return fsync_dir(dir);
}

void add_recovery(RecoveryReport* rep, const SegmentRecovery& seg) {
  rep->scanned_bytes += seg.scanned_bytes;
  rep->truncated_bytes += seg.truncated_bytes;
  if (seg.truncated_at_offset >= 0 && rep->truncated_at_offset < 0) rep->truncated_at_offset = seg.truncated_at_offset;
  if (seg.rebuilt_index) rep->rebuilt_indexes++;
}

// Loads every segment; the one that ends up last is opened active. A sealed segment that fails its
// check is recovered with a full scan; if that cut anything, the segments after it are dropped
// (their offsets would no longer follow) and it becomes the active one.
Status load_segments(Log* log, const std::vector<int64_t>& bases, bool clean) {
  for (size_t i = 0; i < bases.size(); i++) {
    bool last = i + 1 == bases.size();
    std::shared_ptr<Segment> seg;
    bool ok = false;
    if (!last) {
      Status st = segment_open_sealed(log->dir, bases[i], bases[i + 1], !clean, &ok, &seg);
      if (!st.ok()) return st;
    }
    if (ok) {
      log->segments.push_back(std::move(seg));
      continue;
    }
    SegmentRecovery rep;
    // After a crash the active segment is scanned whole: any of it may be unflushed. After a clean
    // close, only its tail from the last index entry.
    Status st = segment_open_active(log->dir, bases[i], log->config, !last || !clean, &rep, &seg);
    if (!st.ok()) return st;
    add_recovery(&log->recovery, rep);
    bool cut = !last && (rep.truncated_bytes > 0 || seg->next_offset != bases[i + 1]);
    if (!last && !cut && seg->size.load() > 0) {
      st = segment_seal(seg.get());
      if (!st.ok()) return st;
      log->segments.push_back(std::move(seg));
      continue;
    }
    if (!last && seg->size.load() == 0 && !cut) {
      remove_segment_files(log->dir, bases[i]);  // an empty sealed segment holds nothing
      continue;
    }
    log->segments.push_back(std::move(seg));
    for (size_t j = i + 1; j < bases.size(); j++) remove_segment_files(log->dir, bases[j]);
    break;
  }
  return Status{};
}

int64_t read_log_start(const std::string& dir) {
  std::ifstream in(dir + "/" + kLogStartName);
  int64_t offset = -1;
  return (in >> offset) ? offset : -1;
}

}  // namespace

Status log_open(const std::string& dir, const LogConfig& cfg, std::shared_ptr<Log>* out) {
  auto started = std::chrono::steady_clock::now();
  auto log = std::make_shared<Log>();
  log->dir = dir;
  log->config = cfg;
  Status st = fd_open(dir + "/.lock", O_RDWR | O_CREAT, &log->lock);
  if (!st.ok()) return st;
  if (flock(log->lock.fd, LOCK_EX | LOCK_NB) != 0) {
    return store_error(StoreErr::kAlreadyOpen, "log %s is open in another process", dir.c_str());
  }
  std::string marker = dir + "/" + kCleanShutdownName;
  bool clean = access(marker.c_str(), F_OK) == 0;
  log->clean_marker = clean;  // removed before the first change (log_begin_change)
  std::vector<Swap> swaps;
  std::vector<int64_t> bases = list_segments(dir, &swaps);
  st = complete_swaps(dir, swaps, &bases);
  if (!st.ok()) return st;
  log->recovery.unclean = !clean && !bases.empty();
  st = load_segments(log.get(), bases, clean);
  if (!st.ok()) return st;
  if (log->segments.empty()) {
    std::shared_ptr<Segment> seg;
    st = segment_create(dir, 0, cfg, static_cast<uint64_t>(cfg.segment_bytes), &seg);
    if (!st.ok()) return st;
    log->segments.push_back(std::move(seg));
    log->dir_dirty = true;
  }
  int64_t end = log->segments.back()->next_offset;
  int64_t start = std::max(log->segments.front()->base_offset, std::min(read_log_start(dir), end));
  epoch_cache_load(dir, &log->epochs);
  st = epoch_cache_drop_past_end(&log->epochs, end);
  if (st.ok()) st = epoch_cache_truncate_from_start(&log->epochs, start);
  if (!st.ok()) return st;
  log->high_watermark.store(end, std::memory_order_release);
  log->log_start.store(start, std::memory_order_release);
  log->recovery.segments = static_cast<uint32_t>(log->segments.size());
  log->recovery.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  *out = std::move(log);
  return Status{};
}

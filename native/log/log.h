// log.h: a partition log: an ordered list of segments, the high watermark, the leader epochs.
//
// Threads: exactly one writer (the handle that opened the log) calls the writer functions; any
// thread may call the reader functions at the same time. `mu` guards the segment list, the epoch
// cache and `closed`; readers hold it only to copy shared_ptrs out. The writer publishes
// `high_watermark` (release) after a batch's bytes, the segment size and index entries are written;
// readers load it (acquire) first and never look at bytes of batches at or beyond it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "epoch_cache.h"
#include "mapping.h"
#include "segment.h"

struct RecoveryReport {
  uint32_t segments = 0;
  uint64_t scanned_bytes = 0;
  uint64_t truncated_bytes = 0;
  int64_t truncated_at_offset = -1;
  uint32_t rebuilt_indexes = 0;
  double duration_ms = 0;
  bool unclean = false;  // segments were found without the clean-shutdown marker: a crash, so a full scan
};

struct Log {
  std::string dir;
  LogConfig config;  // writer only
  std::mutex mu;
  std::vector<std::shared_ptr<Segment>> segments;  // by base offset; the last one is active
  EpochCache epochs;
  bool closed = false;
  bool dir_dirty = false;  // writer only: segment files created since the last directory fsync
  bool clean_marker = false;  // writer only: the clean-shutdown marker is still on disk (log_begin_change)
  int64_t recorded_base = -1;  // writer only, fault-test mode: the furthest sync recorded (log.cc)
  uint64_t recorded_size = 0;
  std::atomic<int64_t> high_watermark{0};
  std::atomic<int64_t> log_start{0};
  RecoveryReport recovery;
  Fd lock;  // flock(LOCK_EX) on <dir>/.lock: one opener across processes too
};

struct AppendOptions {
  int32_t leader_epoch;
  int64_t log_append_time;  // -1: keep CreateTime
  int64_t now_ms;
  bool allow_control;
};

struct AppendResult {
  int64_t base_offset;
  int64_t last_offset;
  int64_t log_append_time;
  int64_t log_start_offset;
};

// A zero-copy view. Lifetime rule: `data` stays readable for as long as `map` is held, whatever
// happens to the segment or its file afterwards (roll, retention, truncation, close).
struct View {
  std::shared_ptr<Mapping> map;
  const uint8_t* data;
  size_t len;
};

struct RetentionResult {
  uint32_t deleted_segments = 0;
  uint64_t deleted_bytes = 0;
  int64_t log_start_offset = 0;
};

// One segment as the cleaner sees it (log_clean.cc).
struct SegmentInfo {
  int64_t base_offset = 0;
  uint64_t size = 0;
  int64_t next_offset = 0;
  int64_t max_timestamp = -1;
};

constexpr const char* kCleanShutdownName = ".clean-shutdown";
constexpr const char* kLogStartName = "log-start-offset";
constexpr const char* kSwapSuffix = ".swap";
constexpr const char* kSyncedName = ".synced";  // fault-test mode only (log.cc)

// --- open / close (log_open.cc, log.cc) ---
Status log_open(const std::string& dir, const LogConfig& cfg, std::shared_ptr<Log>* out);
Status log_close(Log* log);
Status log_delete(Log* log);

// --- writer (log.cc, log_retention.cc) ---
// Every writer function that changes files calls this first: a log opened after a clean shutdown
// keeps its marker until its first change, which removes it durably, so a crash from then on is seen
// as unclean while a log that is only read pays no directory fsync at open.
Status log_begin_change(Log* log);
Status log_append(Log* log, const uint8_t* data, size_t len, const AppendOptions& opts, AppendResult* out);
// Appends `count` record sets with the same options in one write, as if appended one after the
// other: statuses[i] says how set i fared (a set that fails validation is left out, the others are
// written; a failed write fails them all), results[i] holds its offsets when it succeeded.
Status log_append_many(Log* log, const AppendSpan* spans, size_t count, const AppendOptions& opts,
                       AppendResult* results, Status* statuses);
Status log_flush(Log* log);
Status log_roll(Log* log);  // no-op on an empty active segment
Status log_truncate_to(Log* log, int64_t offset);
Status log_advance_start(Log* log, int64_t offset, int64_t* new_start);
Status log_apply_retention(Log* log, int64_t now_ms, RetentionResult* out);
Status log_assign_epoch(Log* log, int32_t epoch, int64_t start_offset);
void log_set_config(Log* log, const LogConfig& cfg);
// Compaction (log_clean.cc): swaps the sealed segments from base offset `first` to base offset `last`
// (one or several in a row) for the cleaned copy at `cleaned_path` (base offset `first`, a subset of
// their batches, ending with the last one's last batch). Views and readers of the old segments keep
// the old files.
Status log_replace_segments(Log* log, int64_t first, int64_t last, const std::string& cleaned_path);
// `<first>.<end>.swap`: the cleaned copy of the segments in [first, end) while they are replaced;
// log_open completes the swap of one a crash left behind.
std::string swap_path(const std::string& dir, int64_t first, int64_t end);

// A flush in three steps, so that the fsyncs can run on another thread while the writer appends:
//   log_flush_begin (writer): duplicates the descriptors of the files written since the last flush
//     (the active segment's and those of segments sealed since), notes whether the directory needs
//     an fsync;
//   flush_job_run (any thread): fdatasync of each, then fsync of the directory;
//   log_flush_end (writer): closes the descriptors of segments that were sealed when the job began
//     (they are synced whole), or marks the directory dirty again when the job failed.
// When run succeeds, everything appended before begin is on disk. The job owns duplicates of the
// descriptors and references to the segments, so the writer may append, roll, seal, close or delete
// meanwhile. log_flush() is the three steps in a row.
struct FlushJob {
  std::vector<Fd> fds;
  std::vector<std::string> paths;                 // for error messages, one per fd
  std::vector<std::shared_ptr<Segment>> sealed;   // sealed before begin: descriptors close at end
  std::string dir;
  bool sync_dir = false;
  int64_t active_base = -1;  // what the job covers of the active segment (fault-test record)
  uint64_t active_size = 0;
  Status status;
};
Status log_flush_begin(Log* log, FlushJob* job);
void flush_job_run(FlushJob* job);
void log_flush_end(Log* log, FlushJob* job);

// --- any thread (log_read.cc) ---
Status log_read(Log* log, int64_t offset, uint64_t max_bytes, int64_t up_to, std::vector<View>* out);
Status log_size_bytes(Log* log, uint64_t* out);
Status log_offset_for_timestamp(Log* log, int64_t ts, RecordHit* out);  // offset -1 when none
Status log_max_timestamp(Log* log, RecordHit* out);
Status log_end_offset_for_epoch(Log* log, int32_t epoch, int32_t* out_epoch, int64_t* end_offset);
Status log_latest_epoch(Log* log, int32_t* out);
Status log_segment_infos(Log* log, std::vector<SegmentInfo>* out);
// The records in the batches of `len` bytes at `offset` of the file open as `fd` (a read view's
// bytes), from their headers read with pread: counting them through the mapping would fault in the
// pages that the answer's send never touches (net/send.h). Stops at a header that is not all there.
Status file_record_count(int fd, uint64_t offset, uint64_t len, uint64_t* out);

// Shared by the writer functions: copies the segment list under `mu`.
std::vector<std::shared_ptr<Segment>> log_segments(Log* log);

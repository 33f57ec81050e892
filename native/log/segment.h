// segment.h: one segment of a partition log: `<base>.log` with its `.index` and `.timeindex`, named
// by the base offset in 20 zero-padded digits as Kafka names them.
//
// A segment is either ACTIVE (the log's last; a GrowFile written with pwritev, read through a
// read-only mapping of its whole capacity; only the writer thread mutates it) or SEALED (trimmed,
// read-only; files mapped lazily at their length on first read, so reopening a log of many segments
// costs a few stats and reads per segment). Readers on any thread hold a shared_ptr<Segment> and
// read `size`, the index counts and the read-only view mapping; they never read past the high
// watermark, which the log publishes after the segment's bytes, size and index entries.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../batch/batch.h"
#include "entry_file.h"
#include "mapping.h"

struct LogConfig {
  int64_t segment_bytes = 1LL << 30;
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  int64_t index_interval_bytes = 4096;
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  int64_t retention_bytes = -1;
};

// What a recovery scan of one segment found.
struct SegmentRecovery {
  uint64_t scanned_bytes = 0;
  uint64_t truncated_bytes = 0;      // bytes cut that were not preallocation
  int64_t truncated_at_offset = -1;  // the offset where the cut happened, -1 if none
  bool rebuilt_index = false;
};

struct Segment {
  int64_t base_offset = 0;
  std::string dir;
  bool active = false;
  GrowFile log;                        // active (and sealed until its last sync): fd + reservation
  std::mutex lazy_mu;                  // guards the first mapping of view_map for a sealed segment
  std::shared_ptr<Mapping> view_map;   // read-only mapping that views point into
  std::atomic<uint64_t> size{0};       // committed bytes (release after the bytes are written)
  EntryFile offset_index;
  EntryFile time_index;
  // Largest timestamp and the first offset of the batch holding it; -1 until known (sealed segments
  // read it from the time index's last entry on first use).
  std::mutex meta_mu;
  int64_t max_timestamp = -1;
  int64_t max_timestamp_offset = -1;
  bool max_timestamp_known = false;
  std::atomic<int64_t> next_offset{0};  // offset after the last batch (written by the writer only)
  // Writer-only state of the active segment.
  uint64_t bytes_since_index = 0;
  int64_t last_time_entry_ts = -1;
  int64_t first_append_ms = -1;        // for segment.ms; -1 while empty
  Status sticky;                       // a failed write: every later append returns it (not a
                                       // reservation refused for lack of space: nothing was written)
};

std::string segment_path(const std::string& dir, int64_t base, const char* ext);

// A new, empty active segment. `capacity` bytes of address space (not disk) are mapped.
Status segment_create(const std::string& dir, int64_t base, const LogConfig& cfg, uint64_t capacity,
                      std::shared_ptr<Segment>* out);
// An existing segment opened as active: validates from the last good index entry (or from 0 when
// full_scan or the index is unusable), cuts the file at the first bad batch, rebuilds index entries.
Status segment_open_active(const std::string& dir, int64_t base, const LogConfig& cfg, bool full_scan,
                           SegmentRecovery* rep, std::shared_ptr<Segment>* out);
// An existing sealed segment, checked cheaply: whole index entries, the last one pointing at a batch
// with the offset it names (and, when scan_tail, valid batches from there to the end of the file and
// not beyond next_base). False in *ok means: reopen it with segment_open_active(full_scan).
Status segment_open_sealed(const std::string& dir, int64_t base, int64_t next_base, bool scan_tail, bool* ok,
                           std::shared_ptr<Segment>* out);

// Writer: append validated batches. The caller has made sure they fit in the segment's capacity.
// Offsets are assigned from seg->next_offset; the stored copy is stamped, written, indexed, and then
// `size` is published.
struct AppendStamp {
  int32_t leader_epoch;
  int64_t log_append_time;  // -1 keeps CreateTime
  int64_t now_ms;
  int64_t index_interval_bytes;
  uint32_t batches;
};
// One record set of an append: `len` bytes of whole, validated batches.
struct AppendSpan {
  const uint8_t* data;
  size_t len;
};
// Writes the spans one after the other (`len`: their total) in one pwritev.
Status segment_append(Segment* seg, const AppendSpan* spans, size_t count, size_t len, const AppendStamp& stamp);
uint64_t segment_capacity(const Segment* seg);  // bytes the active mapping can hold
Status segment_seal(Segment* seg);    // final time-index entry, trim files, close descriptors
// Duplicates of the segment's open descriptors (.log, .index, .timeindex), for a flush job.
Status segment_dup_fds(const Segment* seg, std::vector<Fd>* fds, std::vector<std::string>* paths);
void segment_close_fds(Segment* seg);  // a sealed segment needs its descriptors only until its last sync
Status segment_view_map(Segment* seg, std::shared_ptr<Mapping>* out);
void segment_unlink(const Segment* seg);
// Largest timestamp (and its batch's first offset); -1 when the segment has no timestamps.
void segment_max_timestamp(Segment* seg, int64_t* ts, int64_t* offset);
// Position of the first batch whose last offset >= offset (or `size` if none), scanning forward from
// the index. Reads only below `size`.
Status segment_find(Segment* seg, int64_t offset, const uint8_t* data, uint64_t size, uint64_t* pos);

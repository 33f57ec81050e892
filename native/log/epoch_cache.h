// epoch_cache.h: leader epochs of a partition and the offset each began at, persisted as Kafka's
// `leader-epoch-checkpoint`:
//   0                      version
//   N                      number of entries
//   <epoch> <startOffset>  N lines, epochs and start offsets strictly increasing
// Rewritten whole on every change via a temp file + fsync + rename + directory fsync.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../errors.h"

struct EpochEntry {
  int32_t epoch;
  int64_t start_offset;
};

struct EpochCache {
  std::string dir;
  std::vector<EpochEntry> entries;
};

constexpr const char* kEpochCheckpointName = "leader-epoch-checkpoint";

// Loads the checkpoint; a missing file is an empty cache, a malformed one is ignored (empty) because
// the epochs can be re-learned from appends, while refusing to open the log could not be undone.
void epoch_cache_load(const std::string& dir, EpochCache* cache);
// Records that `epoch` starts at `start_offset`, dropping entries it supersedes (an epoch or start
// offset >= the new one). No-op when it is already the latest epoch.
Status epoch_cache_assign(EpochCache* cache, int32_t epoch, int64_t start_offset);
// Drops entries starting at or after `offset` (log truncation).
Status epoch_cache_truncate_from_end(EpochCache* cache, int64_t offset);
// At open: drops entries starting past the log end `end`. One starting exactly at `end` stays (Kafka
// drops it too, then re-adds it when the broker leads the partition again): it is the epoch a leader
// assigned before its next append, and an empty partition's only entry, which dropping would cost
// two checkpoint rewrites (four fsyncs) per empty partition at every start.
Status epoch_cache_drop_past_end(EpochCache* cache, int64_t end);
// Drops entries wholly below the new log start; the one spanning it now starts at `offset`.
Status epoch_cache_truncate_from_start(EpochCache* cache, int64_t offset);
int32_t epoch_cache_latest(const EpochCache* cache);  // -1 if empty
// OffsetForLeaderEpoch: the largest epoch <= requested and the offset where the next epoch starts
// (the log end offset for the latest epoch); (-1, -1) when requested is newer than any or unknown.
void epoch_cache_end_offset_for(const EpochCache* cache, int32_t requested, int64_t log_end, int32_t* epoch,
                                int64_t* end_offset);

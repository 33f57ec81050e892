// segment_internal.h: pieces shared by segment.cc (appends) and segment_open.cc (recovery).
#pragma once

#include <cstdint>

#include "segment.h"

// .log files are reserved on disk ahead of the data by an eighth of what they hold, at least 1 MiB
// and at most 16 MiB: an idle partition holds 1 MiB it has not used (1000 partitions: ~1 GiB),
// a busy one calls fallocate about once per 16 MiB (~10 ms of appends at 1.5 GB/s).
constexpr size_t kLogReserveMinStep = 1u << 20;
constexpr size_t kLogReserveMaxStep = 16u << 20;

// One batch being indexed: at append time, or when recovery re-reads a segment's tail.
struct IndexPoint {
  int64_t base_offset;
  uint64_t position;
  uint32_t size;
  int64_t max_timestamp;
  int64_t interval;
  bool offset_fits;
  bool time_fits;
};

uint32_t segment_index_capacity(uint64_t capacity, int64_t interval);
Status segment_open_files(Segment* seg, uint64_t capacity, int64_t interval);
// Adds index entries for the batch if more than `interval` bytes went by since the last entry, and
// tracks the segment's largest timestamp.
void segment_index_batch(Segment* seg, const IndexPoint& pt);
bool segment_has_fds(const Segment* seg);

// segment_internal.h: pieces shared by segment.cc (appends) and segment_open.cc (recovery).
#pragma once

#include <cstdint>

#include "segment.h"

// .log files are reserved on disk 4 MiB at a time: at ~2 GB/s that is one fallocate per ~2 ms of
// appends, and an idle partition holds at most 4 MiB it has not used.
constexpr size_t kLogReserveStep = 4u << 20;

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

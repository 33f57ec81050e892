// time_index.h: the sparse time index of a segment (`<base>.timeindex`).
//
// Layout: 12-byte entries, big-endian, in the order appended:
//   int64 timestamp        the largest timestamp in the segment so far
//   int32 relativeOffset   first offset of the batch holding it, minus the segment's base offset
// Timestamps strictly increase; offsets never decrease. An entry is considered at each offset-index
// point and added only if the largest timestamp grew. Sealing a segment appends a final entry when
// needed, so the last entry always names the segment's largest timestamp (what retention.ms and
// ListOffsets -3 read without scanning). Invariant used by lookups: every batch before an entry's
// batch has maxTimestamp <= the entry's timestamp.
#pragma once

#include <cstdint>

#include "entry_file.h"

constexpr uint32_t kTimeEntrySize = 12;

struct TimeEntry {
  int64_t timestamp;
  int32_t relative_offset;
};

TimeEntry time_index_entry(const uint8_t* entries, uint32_t i);
void time_index_append(EntryFile* ef, int64_t timestamp, int32_t relative_offset);
// Relative offset of the last entry whose timestamp < target (a batch from which a forward scan for
// the first timestamp >= target may start), or -1 to start at the beginning of the segment.
int64_t time_index_lookup(const uint8_t* entries, uint32_t count, int64_t target);
// Leading entries that are well formed (timestamps strictly increasing, offsets non-decreasing and
// below next_relative).
uint32_t time_index_valid_prefix(const uint8_t* entries, uint32_t count, int64_t next_relative);

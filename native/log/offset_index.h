// offset_index.h: the sparse offset index of a segment (`<base>.index`).
//
// Layout: 8-byte entries, big-endian, in the order appended:
//   int32 relativeOffset   base offset of an indexed batch minus the segment's base offset
//   int32 position         byte position of that batch in the segment's .log file
// Both fields strictly increase from entry to entry. An entry is added for a batch when more than
// index.interval.bytes have been appended since the previous entry (so the first batch, at position
// 0, has none). Unlike Kafka's, entries name the batch's FIRST offset, so an entry can be checked
// against the batch it points at.
#pragma once

#include <cstdint>

#include "entry_file.h"

constexpr uint32_t kOffsetEntrySize = 8;

struct OffsetEntry {
  int32_t relative_offset;
  int32_t position;
};

OffsetEntry offset_index_entry(const uint8_t* entries, uint32_t i);
void offset_index_append(EntryFile* ef, int32_t relative_offset, int32_t position);
// Position of the last indexed batch whose first offset <= relative_offset; 0 if none.
uint32_t offset_index_lookup(const uint8_t* entries, uint32_t count, int64_t relative_offset);
// The largest indexed position <= position; 0 if none (positions increase with the entries).
uint32_t offset_index_position_at_or_before(const uint8_t* entries, uint32_t count, uint64_t position);
// How many leading entries are well formed (strictly increasing, positions below log_size): the
// valid prefix of an index left by a crash, whose tail may be preallocated zeros or torn.
uint32_t offset_index_valid_prefix(const uint8_t* entries, uint32_t count, uint64_t log_size);

#include "offset_index.h"

#include "../bytes.h"

OffsetEntry offset_index_entry(const uint8_t* entries, uint32_t i) {
  const uint8_t* p = entries + static_cast<size_t>(i) * kOffsetEntrySize;
  return OffsetEntry{static_cast<int32_t>(load_be32(p)), static_cast<int32_t>(load_be32(p + 4))};
}

void offset_index_append(EntryFile* ef, int32_t relative_offset, int32_t position) {
  uint8_t* slot = entry_file_next_slot(ef);
  store_be32(slot, static_cast<uint32_t>(relative_offset));
  store_be32(slot + 4, static_cast<uint32_t>(position));
  entry_file_publish(ef);
}

uint32_t offset_index_lookup(const uint8_t* entries, uint32_t count, int64_t relative_offset) {
  uint32_t lo = 0;
  uint32_t hi = count;  // first entry with offset > target is in [lo, hi]
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (offset_index_entry(entries, mid).relative_offset <= relative_offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? 0 : static_cast<uint32_t>(offset_index_entry(entries, lo - 1).position);
}

uint32_t offset_index_position_at_or_before(const uint8_t* entries, uint32_t count, uint64_t position) {
  uint32_t lo = 0;
  uint32_t hi = count;  // first entry with a position > target is in [lo, hi]
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (static_cast<uint64_t>(offset_index_entry(entries, mid).position) <= position) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? 0 : static_cast<uint32_t>(offset_index_entry(entries, lo - 1).position);
}

uint32_t offset_index_valid_prefix(const uint8_t* entries, uint32_t count, uint64_t log_size) {
  int64_t prev_offset = -1;
  int64_t prev_pos = 0;  // a real entry never points at position 0
  for (uint32_t i = 0; i < count; i++) {
    OffsetEntry e = offset_index_entry(entries, i);
    if (e.relative_offset <= prev_offset || e.position <= prev_pos ||
        static_cast<uint64_t>(e.position) >= log_size) {
      return i;
    }
    prev_offset = e.relative_offset;
    prev_pos = e.position;
  }
  return count;
}

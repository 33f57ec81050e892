#include "time_index.h"

#include "../bytes.h"

TimeEntry time_index_entry(const uint8_t* entries, uint32_t i) {
  const uint8_t* p = entries + static_cast<size_t>(i) * kTimeEntrySize;
  return TimeEntry{static_cast<int64_t>(load_be64(p)), static_cast<int32_t>(load_be32(p + 8))};
}

void time_index_append(EntryFile* ef, int64_t timestamp, int32_t relative_offset) {
  uint8_t* slot = entry_file_next_slot(ef);
  store_be64(slot, static_cast<uint64_t>(timestamp));
  store_be32(slot + 8, static_cast<uint32_t>(relative_offset));
  entry_file_publish(ef);
}

int64_t time_index_lookup(const uint8_t* entries, uint32_t count, int64_t target) {
  uint32_t lo = 0;
  uint32_t hi = count;  // first entry with timestamp >= target
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (time_index_entry(entries, mid).timestamp < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? -1 : time_index_entry(entries, lo - 1).relative_offset;
}

uint32_t time_index_valid_prefix(const uint8_t* entries, uint32_t count, int64_t next_relative) {
  int64_t prev_ts = -1;
  int64_t prev_offset = 0;
  for (uint32_t i = 0; i < count; i++) {
    TimeEntry e = time_index_entry(entries, i);
    if (e.timestamp <= prev_ts || e.relative_offset < prev_offset || e.relative_offset >= next_relative ||
        (e.timestamp == 0 && e.relative_offset == 0)) {  // (0, 0): preallocated zeros
      return i;
    }
    prev_ts = e.timestamp;
    prev_offset = e.relative_offset;
  }
  return count;
}

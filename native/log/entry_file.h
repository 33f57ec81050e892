// entry_file.h: a file of fixed-size index entries, shared by the offset index and the time index.
// The active segment's entry file is a GrowFile appended through its mapping; a sealed segment's is
// mapped read-only on first use. Readers on any thread see `count` entries (acquire); the writer
// stores an entry and then publishes the new count (release).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "mapping.h"

struct EntryFile {
  std::string path;
  uint32_t entry_size = 0;
  uint32_t capacity = 0;       // entries the active file may hold (it never grows past its mapping)
  GrowFile grow;               // active only: fd + writable mapping
  std::mutex lazy_mu;          // guards the first map of a sealed file
  std::shared_ptr<Mapping> map;  // entries; null until mapped
  std::atomic<uint32_t> count{0};
};

// Opens a sealed entry file lazily: records the entry count from the file length (whole entries only).
void entry_file_init_sealed(EntryFile* ef, const std::string& path, uint32_t entry_size, size_t file_len);
// Opens (or creates) the active entry file. `valid_count` entries are kept; the rest is preallocation.
Status entry_file_open_active(EntryFile* ef, const std::string& path, uint32_t entry_size, uint32_t capacity);
// The mapping to search and how many entries it holds; maps a sealed file on first use.
Status entry_file_snapshot(EntryFile* ef, std::shared_ptr<Mapping>* map, uint32_t* count);
// Reserves disk for `extra` more entries; false if the capacity is reached (then the caller skips
// indexing: indexes are sparse, and a lookup that starts earlier only scans further).
Status entry_file_reserve(EntryFile* ef, uint32_t extra, bool* fits);
// Writer: the slot for the next entry. Write it, then entry_file_publish().
uint8_t* entry_file_next_slot(EntryFile* ef);
void entry_file_publish(EntryFile* ef);
// Writer: keep only the first `count` entries (recovery). Their bytes stay; later slots are zeroed.
void entry_file_set_count(EntryFile* ef, uint32_t count);
Status entry_file_trim(EntryFile* ef);  // cuts the file to its entries (on seal)
Status entry_file_sync(EntryFile* ef);

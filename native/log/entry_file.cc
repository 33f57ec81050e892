#include "entry_file.h"

#include <cassert>
#include <cstring>

namespace {
constexpr size_t kIndexStep = 64 * 1024;  // index files grow 64 KiB at a time
}

void entry_file_init_sealed(EntryFile* ef, const std::string& path, uint32_t entry_size, size_t file_len) {
  ef->path = path;
  ef->entry_size = entry_size;
  ef->count.store(static_cast<uint32_t>(file_len / entry_size), std::memory_order_release);
  ef->capacity = ef->count.load(std::memory_order_relaxed);
}

Status entry_file_open_active(EntryFile* ef, const std::string& path, uint32_t entry_size, uint32_t capacity) {
  ef->path = path;
  ef->entry_size = entry_size;
  ef->capacity = capacity;
  Status st = grow_open(path, static_cast<size_t>(capacity) * entry_size, {kIndexStep, kIndexStep}, true, &ef->grow);
  if (!st.ok()) return st;
  size_t whole = ef->grow.allocated / entry_size;
  ef->capacity = static_cast<uint32_t>(ef->grow.rw->len / entry_size);
  ef->map = ef->grow.rw;
  ef->count.store(static_cast<uint32_t>(whole), std::memory_order_release);
  return Status{};
}

Status entry_file_snapshot(EntryFile* ef, std::shared_ptr<Mapping>* map, uint32_t* count) {
  uint32_t n = ef->count.load(std::memory_order_acquire);
  std::lock_guard<std::mutex> lock(ef->lazy_mu);
  if (ef->map == nullptr) {
    size_t len = 0;
    Status st = mapping_map_file(ef->path, &ef->map, &len);
    if (!st.ok()) return st;
    if (len / ef->entry_size < n) n = static_cast<uint32_t>(len / ef->entry_size);
  }
  *map = ef->map;
  *count = n;
  return Status{};
}

Status entry_file_reserve(EntryFile* ef, uint32_t extra, bool* fits) {
  uint32_t n = ef->count.load(std::memory_order_relaxed);
  *fits = n + static_cast<uint64_t>(extra) <= ef->capacity;
  if (!*fits) return Status{};
  return grow_reserve(&ef->grow, static_cast<size_t>(n + extra) * ef->entry_size);
}

uint8_t* entry_file_next_slot(EntryFile* ef) {
  uint32_t n = ef->count.load(std::memory_order_relaxed);
  assert(n < ef->capacity && (n + 1u) * ef->entry_size <= ef->grow.allocated);
  return ef->grow.rw->base + static_cast<size_t>(n) * ef->entry_size;
}

void entry_file_publish(EntryFile* ef) {
  ef->count.store(ef->count.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void entry_file_set_count(EntryFile* ef, uint32_t count) {
  size_t keep = static_cast<size_t>(count) * ef->entry_size;
  if (keep < ef->grow.allocated) memset(ef->grow.rw->base + keep, 0, ef->grow.allocated - keep);
  ef->count.store(count, std::memory_order_release);
}

Status entry_file_trim(EntryFile* ef) {
  return grow_trim(&ef->grow, static_cast<size_t>(ef->count.load(std::memory_order_relaxed)) * ef->entry_size);
}

Status entry_file_sync(EntryFile* ef) { return grow_sync(&ef->grow); }

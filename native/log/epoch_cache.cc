#include "epoch_cache.h"

#include <fstream>

#include "mapping.h"

namespace {

Status persist(const EpochCache* cache) {
  std::string text = "0\n" + std::to_string(cache->entries.size()) + "\n";
  for (const EpochEntry& e : cache->entries) {
    text += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
  }
  return write_file_atomic(cache->dir, kEpochCheckpointName, text);
}

}  // namespace

void epoch_cache_load(const std::string& dir, EpochCache* cache) {
  cache->dir = dir;
  cache->entries.clear();
  std::ifstream in(dir + "/" + kEpochCheckpointName);
  int version = -1;
  size_t count = 0;
  if (!(in >> version >> count) || version != 0) return;
  std::vector<EpochEntry> entries;
  for (size_t i = 0; i < count; i++) {
    EpochEntry e{};
    if (!(in >> e.epoch >> e.start_offset)) return;
    if (!entries.empty() && (e.epoch <= entries.back().epoch || e.start_offset < entries.back().start_offset)) {
      return;
    }
    entries.push_back(e);
  }
  cache->entries = std::move(entries);
}

Status epoch_cache_assign(EpochCache* cache, int32_t epoch, int64_t start_offset) {
  if (epoch < 0) return Status{};
  if (!cache->entries.empty() && cache->entries.back().epoch == epoch) return Status{};
  while (!cache->entries.empty() &&
         (cache->entries.back().epoch >= epoch || cache->entries.back().start_offset >= start_offset)) {
    cache->entries.pop_back();
  }
  cache->entries.push_back(EpochEntry{epoch, start_offset});
  return persist(cache);
}

Status epoch_cache_truncate_from_end(EpochCache* cache, int64_t offset) {
  size_t before = cache->entries.size();
  while (!cache->entries.empty() && cache->entries.back().start_offset >= offset) cache->entries.pop_back();
  return before == cache->entries.size() ? Status{} : persist(cache);
}

Status epoch_cache_drop_past_end(EpochCache* cache, int64_t end) {
  size_t before = cache->entries.size();
  while (!cache->entries.empty() && cache->entries.back().start_offset > end) cache->entries.pop_back();
  return before == cache->entries.size() ? Status{} : persist(cache);
}

Status epoch_cache_truncate_from_start(EpochCache* cache, int64_t offset) {
  size_t below = 0;
  while (below < cache->entries.size() && cache->entries[below].start_offset <= offset) below++;
  if (below == 0) return Status{};
  EpochEntry spanning = cache->entries[below - 1];
  if (below == 1 && spanning.start_offset == offset) return Status{};
  cache->entries.erase(cache->entries.begin(), cache->entries.begin() + static_cast<ptrdiff_t>(below));
  cache->entries.insert(cache->entries.begin(), EpochEntry{spanning.epoch, offset});
  return persist(cache);
}

int32_t epoch_cache_latest(const EpochCache* cache) {
  return cache->entries.empty() ? -1 : cache->entries.back().epoch;
}

void epoch_cache_end_offset_for(const EpochCache* cache, int32_t requested, int64_t log_end, int32_t* epoch,
                                int64_t* end_offset) {
  *epoch = -1;
  *end_offset = -1;
  if (requested < 0 || cache->entries.empty()) return;
  if (cache->entries.back().epoch == requested) {
    *epoch = requested;
    *end_offset = log_end;
    return;
  }
  size_t higher = 0;
  while (higher < cache->entries.size() && cache->entries[higher].epoch <= requested) higher++;
  if (higher == cache->entries.size()) return;  // newer than the latest epoch
  *epoch = higher == 0 ? requested : cache->entries[higher - 1].epoch;
  *end_offset = cache->entries[higher].start_offset;
}

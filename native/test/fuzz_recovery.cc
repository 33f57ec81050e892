// libFuzzer target: opening a log whose only segment holds arbitrary bytes (and an index made of
// the input's first bytes). Recovery must never crash or read out of bounds, must leave a log that
// reads back consistently, and must accept appends afterwards. Files go to /dev/shm when it exists.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "log/log.h"

namespace {

std::string g_dir;

void put(const std::string& path, const uint8_t* data, size_t len) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return;
  if (len > 0) std::fwrite(data, 1, len, f);
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/dev/shm/sluice-fuzz-XXXXXX";
  char tmpl2[] = "/tmp/sluice-fuzz-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) dir = mkdtemp(tmpl2);
  g_dir = dir == nullptr ? "/tmp" : dir;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t len) {
  size_t index_len = len == 0 ? 0 : (input[0] % 4) * 8;  // 0-3 index entries from the input
  if (len < 1 + index_len) return 0;
  const uint8_t* index = input + 1;
  const uint8_t* log_bytes = input + 1 + index_len;
  size_t log_len = len - 1 - index_len;
  put(segment_path(g_dir, 0, ".log"), log_bytes, log_len);
  put(segment_path(g_dir, 0, ".index"), index, index_len);
  put(segment_path(g_dir, 0, ".timeindex"), nullptr, 0);
  if ((input[0] & 4) != 0) put(g_dir + "/" + kCleanShutdownName, nullptr, 0);
  LogConfig cfg;
  cfg.segment_bytes = 1 << 20;
  cfg.index_interval_bytes = 64;
  std::shared_ptr<Log> log;
  if (!log_open(g_dir, cfg, &log).ok()) return 0;
  int64_t hw = log->high_watermark.load();
  for (int64_t offset = 0; offset < hw;) {
    std::vector<View> views;
    if (!log_read(log.get(), offset, 4096, -1, &views).ok() || views.empty()) __builtin_trap();
    BatchHeader h = batch_header(views.back().data);
    size_t p = 0;
    while (p < views.back().len) {
      h = batch_header(views.back().data + p);
      p += h.size;
    }
    offset = h.last_offset() + 1;
  }
  RecordHit hit;
  log_max_timestamp(log.get(), &hit);
  log_offset_for_timestamp(log.get(), 0, &hit);
  log_delete(log.get());
  mkdir(g_dir.c_str(), 0755);
  return 0;
}

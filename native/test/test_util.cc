#include "test_util.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "batch/batch.h"
#include "batch/crc32c.h"
#include "bytes.h"

namespace {

void put_varint(std::vector<uint8_t>* out, int64_t v) {
  auto z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<uint8_t>(z | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<uint8_t>(z));
}

}  // namespace

std::vector<uint8_t> make_batch(int count, size_t value_bytes, int64_t base_ts, int64_t ts_step) {
  std::vector<uint8_t> b(kBatchHeaderSize, 0);
  for (int i = 0; i < count; i++) {
    std::vector<uint8_t> body{0};
    put_varint(&body, i * ts_step);
    put_varint(&body, i);
    put_varint(&body, -1);  // null key
    put_varint(&body, static_cast<int64_t>(value_bytes));
    body.insert(body.end(), value_bytes, static_cast<uint8_t>('a' + i % 26));
    put_varint(&body, 0);  // no headers
    put_varint(&b, static_cast<int64_t>(body.size()));
    b.insert(b.end(), body.begin(), body.end());
  }
  store_be32(&b[kOffBatchLength], static_cast<uint32_t>(b.size() - kBatchLengthOverhead));
  store_be32(&b[kOffLeaderEpoch], 0xFFFFFFFFu);
  b[kOffMagic] = 2;
  store_be32(&b[kOffLastOffsetDelta], static_cast<uint32_t>(count - 1));
  store_be64(&b[kOffBaseTimestamp], static_cast<uint64_t>(base_ts));
  store_be64(&b[kOffMaxTimestamp], static_cast<uint64_t>(base_ts + (count - 1) * ts_step));
  store_be64(&b[kOffProducerId], ~0ull);
  store_be16(&b[51], 0xFFFF);
  store_be32(&b[kOffBaseSequence], 0xFFFFFFFFu);
  store_be32(&b[kOffRecordsCount], static_cast<uint32_t>(count));
  fix_crc(b.data());
  return b;
}

void fix_crc(uint8_t* batch) {
  uint32_t size = load_be32(batch + kOffBatchLength) + kBatchLengthOverhead;
  store_be32(batch + kOffCrc, crc32c(batch + kBatchCrcStart, size - kBatchCrcStart));
}

std::string make_temp_dir() {
  char tmpl[] = "/tmp/sluice-native-test-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  return dir == nullptr ? std::string("/tmp") : std::string(dir);
}

void remove_dir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    if (e->d_type == DT_DIR) {
      remove_dir(path);
    } else {
      unlink(path.c_str());
    }
  }
  closedir(d);
  rmdir(dir.c_str());
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// libFuzzer target: batch validation, recovery checks, stamping and record walks over arbitrary
// bytes. The first input byte picks a mode; in "fixed CRC" mode the CRC of every framed batch is
// recomputed first, so the fuzzer gets past the checksum into the header and record parsing.
#include <cstdint>
#include <cstring>
#include <vector>

#include "batch/batch.h"
#include "batch/crc32c.h"
#include "bytes.h"

namespace {

void fix_crcs(std::vector<uint8_t>* data) {
  size_t pos = 0;
  while (pos + kBatchHeaderSize <= data->size()) {
    uint32_t size = load_be32(data->data() + pos + kOffBatchLength) + static_cast<uint32_t>(kBatchLengthOverhead);
    if (size < kBatchHeaderSize || size > data->size() - pos) return;
    store_be32(data->data() + pos + kOffCrc, crc32c(data->data() + pos + kBatchCrcStart, size - kBatchCrcStart));
    pos += size;
  }
}

void exercise(std::vector<uint8_t>* data) {
  BatchSetInfo info;
  if (batch_validate_set(data->data(), data->size(), true, &info).ok()) {
    // What an append does to a validated set: stamp each batch, then walk its records.
    size_t pos = 0;
    while (pos < data->size()) {
      uint8_t* b = data->data() + pos;
      batch_stamp(b, BatchStamp{1000, 3, (pos & 1) != 0 ? 123456 : -1});
      BatchHeader h = batch_header(b);
      batch_first_at_or_after(b, h, h.base_timestamp);
      batch_max_timestamp_record(b, h);
      pos += h.size;
    }
  }
  // What recovery does: accept batches while each is valid and offsets do not go backwards.
  size_t pos = 0;
  int64_t next = 0;
  BatchHeader h;
  const char* why = nullptr;
  while (batch_valid_at(data->data(), data->size(), pos, next, &h, &why)) {
    batch_first_at_or_after(data->data() + pos, h, h.max_timestamp);
    pos += h.size;
    next = h.last_offset() + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t len) {
  if (len == 0) return 0;
  std::vector<uint8_t> data(input + 1, input + len);
  if ((input[0] & 1) != 0) fix_crcs(&data);
  exercise(&data);
  return 0;
}

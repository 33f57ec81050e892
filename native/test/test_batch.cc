// CRC32C vectors and RecordBatch validation, stamping and record walking.
#include <cstring>

#include "batch/batch.h"
#include "batch/crc32c.h"
#include "bytes.h"
#include "harness.h"
#include "test_util.h"

namespace {
const uint8_t kDigits[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
}

TEST(crc32c_matches_rfc3720_vectors_in_both_implementations) {
  uint8_t zeros[32] = {};
  uint8_t ones[32];
  memset(ones, 0xFF, sizeof ones);
  CHECK_EQ(crc32c_table(zeros, 32, 0), 0x8A9136AAu);
  CHECK_EQ(crc32c_table(ones, 32, 0), 0x62A8AB43u);
  CHECK_EQ(crc32c_table(kDigits, 9, 0), 0xE3069283u);
  if (crc32c_has_hw()) {
    CHECK_EQ(crc32c_hw(zeros, 32, 0), 0x8A9136AAu);
    CHECK_EQ(crc32c_hw(ones, 32, 0), 0x62A8AB43u);
    CHECK_EQ(crc32c_hw(kDigits, 9, 0), 0xE3069283u);
  }
  CHECK_EQ(crc32c(kDigits + 4, 5, crc32c(kDigits, 4)), 0xE3069283u);
}

TEST(crc32c_hardware_and_table_agree_on_every_length_and_alignment) {
  // Lengths around the three-way split points (3 x 256 and 3 x 2048 bytes) and beyond.
  std::vector<size_t> lengths{767, 768, 769, 6143, 6144, 6145, 12289, 16384, 20003};
  for (size_t len = 0; len <= 300; len += 13) lengths.push_back(len);
  std::vector<uint8_t> data(20016);
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<uint8_t>(i * 131 + 7);
  for (size_t off = 0; off < 8; off++) {
    for (size_t len : lengths) {
      CHECK_EQ(crc32c_table(data.data() + off, len, 0x1234), crc32c(data.data() + off, len, 0x1234));
    }
  }
}

TEST(a_well_formed_batch_set_validates_and_counts_offsets) {
  auto a = make_batch(3, 10, 1000);
  auto b = make_batch(5, 20, 2000);
  a.insert(a.end(), b.begin(), b.end());
  BatchSetInfo info;
  CHECK_OK(batch_validate_set(a.data(), a.size(), false, &info));
  CHECK_EQ(info.batches, 2u);
  CHECK_EQ(info.offset_count, 8);
}

static StoreErr validate(const std::vector<uint8_t>& b, bool allow_control = false) {
  BatchSetInfo info;
  return batch_validate_set(b.data(), b.size(), allow_control, &info).code;
}

TEST(framing_and_crc_errors_are_corrupt_message) {
  auto b = make_batch(2, 10, 1000);
  auto flipped = b;
  flipped[70] ^= 1;
  CHECK(validate(flipped) == StoreErr::kCorruptMessage);
  auto magic = b;
  magic[kOffMagic] = 1;
  CHECK(validate(magic) == StoreErr::kCorruptMessage);
  auto cut = b;
  cut.pop_back();
  CHECK(validate(cut) == StoreErr::kCorruptMessage);
  auto tiny = b;
  store_be32(&tiny[kOffBatchLength], 10);
  CHECK(validate(tiny) == StoreErr::kCorruptMessage);
  auto negative = b;
  store_be32(&negative[kOffBatchLength], 0x80000000u);
  CHECK(validate(negative) == StoreErr::kCorruptMessage);
  CHECK(validate(std::vector<uint8_t>()) == StoreErr::kCorruptMessage);
}

TEST(rule_breaks_are_invalid_record) {
  auto count = make_batch(2, 10, 1000);
  store_be32(&count[kOffLastOffsetDelta], 0);
  fix_crc(count.data());
  CHECK(validate(count) == StoreErr::kInvalidRecord);
  auto control = make_batch(1, 10, 1000);
  store_be16(&control[kOffAttributes], kAttrControl);
  fix_crc(control.data());
  CHECK(validate(control) == StoreErr::kInvalidRecord);
  CHECK(validate(control, true) == StoreErr::kOk);
  auto codec = make_batch(1, 10, 1000);
  store_be16(&codec[kOffAttributes], 5);
  fix_crc(codec.data());
  CHECK(validate(codec) == StoreErr::kInvalidRecord);
  auto sequence = make_batch(1, 10, 1000);
  store_be64(&sequence[kOffProducerId], 7);
  fix_crc(sequence.data());
  CHECK(validate(sequence) == StoreErr::kInvalidRecord);
}

TEST(stamping_log_append_time_rewrites_max_timestamp_and_crc) {
  auto b = make_batch(3, 10, 1000, 5);
  batch_stamp(b.data(), BatchStamp{42, 7, 99999});
  BatchHeader h = batch_header(b.data());
  CHECK_EQ(h.base_offset, 42);
  CHECK_EQ(h.leader_epoch, 7);
  CHECK_EQ(h.max_timestamp, 99999);
  CHECK((h.attributes & kAttrLogAppendTime) != 0);
  const char* why = nullptr;
  CHECK(batch_valid_at(b.data(), b.size(), 0, 0, &h, &why));
  auto create_time = make_batch(3, 10, 1000, 5);
  uint32_t crc = batch_header(create_time.data()).crc;
  batch_stamp(create_time.data(), BatchStamp{42, 7, -1});
  CHECK_EQ(batch_header(create_time.data()).crc, crc);  // baseOffset and epoch are outside the CRC
}

TEST(recovery_check_rejects_offsets_going_backwards) {
  auto b = make_batch(3, 10, 1000);
  batch_stamp(b.data(), BatchStamp{10, 0, -1});
  BatchHeader h;
  const char* why = nullptr;
  CHECK(batch_valid_at(b.data(), b.size(), 0, 10, &h, &why));
  CHECK(!batch_valid_at(b.data(), b.size(), 0, 11, &h, &why));
  CHECK(std::strcmp(why, "offset goes backwards") == 0);
}

TEST(record_walk_finds_the_first_record_at_or_after_a_timestamp) {
  auto b = make_batch(4, 10, 1000, 10);  // timestamps 1000, 1010, 1020, 1030
  batch_stamp(b.data(), BatchStamp{100, 0, -1});
  BatchHeader h = batch_header(b.data());
  RecordHit hit = batch_first_at_or_after(b.data(), h, 1015);
  CHECK_EQ(hit.offset, 102);
  CHECK_EQ(hit.timestamp, 1020);
  hit = batch_max_timestamp_record(b.data(), h);
  CHECK_EQ(hit.offset, 103);
  store_be16(&b[kOffAttributes], 4);  // "compressed": not walkable, answer at batch level
  hit = batch_first_at_or_after(b.data(), h = batch_header(b.data()), 1015);
  CHECK_EQ(hit.offset, 100);
}

TEST_MAIN()

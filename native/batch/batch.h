// batch.h: RecordBatch v2 headers: parse, validate, stamp. The storage core works on whole batches;
// records are only walked (never decoded into objects) to answer timestamp lookups.
//
// RecordBatch v2 header, 61 bytes, all integers big-endian:
//   off size field                  notes
//     0    8 baseOffset             rewritten by the broker at append
//     8    4 batchLength            bytes that FOLLOW this field (total size - 12)
//    12    4 partitionLeaderEpoch   rewritten by the broker at append (not covered by the CRC)
//    16    1 magic                  must be 2
//    17    4 crc                    CRC-32C over bytes 21 .. end of batch
//    21    2 attributes             bits 0-2 codec, 3 timestampType, 4 transactional, 5 control
//    23    4 lastOffsetDelta
//    27    8 baseTimestamp
//    35    8 maxTimestamp           rewritten (and the CRC recomputed) for LogAppendTime
//    43    8 producerId
//    51    2 producerEpoch
//    53    4 baseSequence
//    57    4 recordsCount
//    61  ... records (compressed as one blob when codec != 0)
#pragma once

#include <cstddef>
#include <cstdint>

#include "../errors.h"

constexpr size_t kBatchHeaderSize = 61;
constexpr size_t kBatchLengthOverhead = 12;  // baseOffset + batchLength precede the counted bytes
constexpr size_t kBatchCrcStart = 21;
constexpr size_t kOffBaseOffset = 0;
constexpr size_t kOffBatchLength = 8;
constexpr size_t kOffLeaderEpoch = 12;
constexpr size_t kOffMagic = 16;
constexpr size_t kOffCrc = 17;
constexpr size_t kOffAttributes = 21;
constexpr size_t kOffLastOffsetDelta = 23;
constexpr size_t kOffBaseTimestamp = 27;
constexpr size_t kOffMaxTimestamp = 35;
constexpr size_t kOffProducerId = 43;
constexpr size_t kOffBaseSequence = 53;
constexpr size_t kOffRecordsCount = 57;
constexpr uint16_t kAttrCodecMask = 0x7;
constexpr uint16_t kAttrLogAppendTime = 1u << 3;
constexpr uint16_t kAttrControl = 1u << 5;

struct BatchHeader {
  int64_t base_offset;
  uint32_t size;  // whole batch in bytes: batchLength + 12
  int32_t leader_epoch;
  int8_t magic;
  uint32_t crc;
  uint16_t attributes;
  int32_t last_offset_delta;
  int64_t base_timestamp;
  int64_t max_timestamp;
  int64_t producer_id;
  int32_t base_sequence;
  int32_t records_count;
  int64_t last_offset() const { return base_offset + last_offset_delta; }
};

// Parses the fixed header; `p` must have kBatchHeaderSize readable bytes. Does not validate.
BatchHeader batch_header(const uint8_t* p);

// Summary of a validated produce payload (one or more concatenated batches).
struct BatchSetInfo {
  uint32_t batches = 0;
  int64_t offset_count = 0;  // sum of lastOffsetDelta + 1: how many offsets the set takes
};

// Validates every batch of a produce payload (client rules: magic 2, exact lengths, CRC, recordsCount
// >= 1 and lastOffsetDelta == recordsCount - 1, codec 0-4, no control bit unless allowed, idempotent
// batches carry a sequence unless allowed: the broker's own markers and offset commits have none). CORRUPT_MESSAGE for framing/CRC, INVALID_RECORD for rule breaks.
Status batch_validate_set(const uint8_t* data, size_t len, bool allow_control, BatchSetInfo* out);

// Recovery check of the batch at data[pos..len): framing, magic, CRC, and base offset >= min_offset.
// Returns false (with a static reason) when no valid batch starts there: the log ends at `pos`.
bool batch_valid_at(const uint8_t* data, size_t len, size_t pos, int64_t min_offset, BatchHeader* out,
                    const char** why);

// Stamps a batch at append: baseOffset and partitionLeaderEpoch (outside the CRC); for
// log_append_time >= 0 also timestampType=1 and maxTimestamp, and then the CRC is recomputed.
struct BatchStamp {
  int64_t base_offset;
  int32_t leader_epoch;
  int64_t log_append_time;  // -1: keep CreateTime
};
// `header` is a writable copy of the batch's 61-byte header; `records` the bytes that follow it in
// the original (read only for the CRC).
void batch_stamp_header(uint8_t* header, const uint8_t* records, size_t records_len, const BatchStamp& stamp);
// The same on a whole batch in place.
void batch_stamp(uint8_t* batch, const BatchStamp& stamp);

// A record found by walking a batch: its offset and timestamp.
struct RecordHit {
  int64_t offset;
  int64_t timestamp;
};

// The first record with timestamp >= target, walking uncompressed records. For a compressed batch
// (records not readable without the codec) or one using LogAppendTime, the first offset of the batch
// with the batch's baseTimestamp/maxTimestamp: never later than the exact answer. The caller has
// checked max_timestamp >= target. `batch` holds `h.size` valid bytes.
RecordHit batch_first_at_or_after(const uint8_t* batch, const BatchHeader& h, int64_t target);

// The record holding the batch's maxTimestamp (the first such), by the same rules.
RecordHit batch_max_timestamp_record(const uint8_t* batch, const BatchHeader& h);

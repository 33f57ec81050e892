#include "batch.h"

#include <cinttypes>

#include "../bytes.h"
#include "crc32c.h"

BatchHeader batch_header(const uint8_t* p) {
  BatchHeader h;
  h.base_offset = static_cast<int64_t>(load_be64(p + kOffBaseOffset));
  h.size = load_be32(p + kOffBatchLength) + static_cast<uint32_t>(kBatchLengthOverhead);
  h.leader_epoch = static_cast<int32_t>(load_be32(p + kOffLeaderEpoch));
  h.magic = static_cast<int8_t>(p[kOffMagic]);
  h.crc = load_be32(p + kOffCrc);
  h.attributes = load_be16(p + kOffAttributes);
  h.last_offset_delta = static_cast<int32_t>(load_be32(p + kOffLastOffsetDelta));
  h.base_timestamp = static_cast<int64_t>(load_be64(p + kOffBaseTimestamp));
  h.max_timestamp = static_cast<int64_t>(load_be64(p + kOffMaxTimestamp));
  h.producer_id = static_cast<int64_t>(load_be64(p + kOffProducerId));
  h.base_sequence = static_cast<int32_t>(load_be32(p + kOffBaseSequence));
  h.records_count = static_cast<int32_t>(load_be32(p + kOffRecordsCount));
  return h;
}

// Framing shared by append validation and recovery: header present, length sane and within `avail`,
// magic 2, CRC right. Returns the reason on failure.
static const char* check_framing(const uint8_t* p, size_t avail, BatchHeader* h) {
  if (avail < kBatchHeaderSize) return "truncated header";
  // batchLength is read raw so that a negative int32 is rejected rather than wrapped.
  auto raw_length = static_cast<int32_t>(load_be32(p + kOffBatchLength));
  if (raw_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLengthOverhead)) return "batchLength too small";
  *h = batch_header(p);
  if (h->size > avail) return "batchLength beyond the data";
  if (h->magic != 2) return "magic is not 2";
  if (crc32c(p + kBatchCrcStart, h->size - kBatchCrcStart) != h->crc) return "CRC mismatch";
  return nullptr;
}

Status batch_validate_set(const uint8_t* data, size_t len, bool allow_control, BatchSetInfo* out) {
  *out = BatchSetInfo{};
  if (len == 0) return store_error(StoreErr::kCorruptMessage, "empty record set");
  size_t pos = 0;
  while (pos < len) {
    BatchHeader h;
    const char* why = check_framing(data + pos, len - pos, &h);
    if (why != nullptr) {
      return store_error(StoreErr::kCorruptMessage, "batch %u at byte %zu: %s", out->batches, pos, why);
    }
    if (h.records_count < 1 || h.last_offset_delta != h.records_count - 1) {
      return store_error(StoreErr::kInvalidRecord, "batch %u at byte %zu: recordsCount %" PRId32
                         " does not match lastOffsetDelta %" PRId32, out->batches, pos, h.records_count,
                         h.last_offset_delta);
    }
    if ((h.attributes & kAttrCodecMask) > 4) {
      return store_error(StoreErr::kInvalidRecord, "batch %u at byte %zu: unknown compression codec %u",
                         out->batches, pos, h.attributes & kAttrCodecMask);
    }
    if ((h.attributes & kAttrControl) != 0 && !allow_control) {
      return store_error(StoreErr::kInvalidRecord, "batch %u at byte %zu: control batch from a client",
                         out->batches, pos);
    }
    // The broker's own batches (transaction markers, transactional offset commits) carry a producer
    // id but no sequence, as in Kafka; only client batches must have one.
    if (h.producer_id >= 0 && h.base_sequence < 0 && !allow_control) {
      return store_error(StoreErr::kInvalidRecord, "batch %u at byte %zu: producerId %" PRId64
                         " without a baseSequence", out->batches, pos, h.producer_id);
    }
    out->batches++;
    out->offset_count += static_cast<int64_t>(h.last_offset_delta) + 1;
    pos += h.size;
  }
  return Status{};
}

bool batch_valid_at(const uint8_t* data, size_t len, size_t pos, int64_t min_offset, BatchHeader* out,
                    const char** why) {
  if (pos > len) {
    *why = "position beyond the data";
    return false;
  }
  *why = check_framing(data + pos, len - pos, out);
  if (*why == nullptr && out->base_offset < min_offset) *why = "offset goes backwards";
  if (*why == nullptr && out->last_offset_delta < 0) *why = "negative lastOffsetDelta";
  if (*why == nullptr && out->base_offset >= INT64_MAX - out->last_offset_delta) *why = "offset overflows";
  return *why == nullptr;
}

void batch_stamp_header(uint8_t* header, const uint8_t* records, size_t records_len, const BatchStamp& stamp) {
  store_be64(header + kOffBaseOffset, static_cast<uint64_t>(stamp.base_offset));
  store_be32(header + kOffLeaderEpoch, static_cast<uint32_t>(stamp.leader_epoch));
  if (stamp.log_append_time < 0) return;
  uint16_t attributes = load_be16(header + kOffAttributes) | kAttrLogAppendTime;
  store_be16(header + kOffAttributes, attributes);
  store_be64(header + kOffMaxTimestamp, static_cast<uint64_t>(stamp.log_append_time));
  uint32_t crc = crc32c(header + kBatchCrcStart, kBatchHeaderSize - kBatchCrcStart);
  store_be32(header + kOffCrc, crc32c(records, records_len, crc));
}

void batch_stamp(uint8_t* batch, const BatchStamp& stamp) {
  uint32_t size = load_be32(batch + kOffBatchLength) + static_cast<uint32_t>(kBatchLengthOverhead);
  batch_stamp_header(batch, batch + kBatchHeaderSize, size - kBatchHeaderSize, stamp);
}

static int64_t wrapping_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// Zig-zag base-128 varint as in Protocol Buffers sint64; false when it runs past `end` or 10 bytes.
static bool read_varlong(const uint8_t** p, const uint8_t* end, int64_t* out) {
  uint64_t raw = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*p >= end) return false;
    uint8_t b = *(*p)++;
    raw |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
      return true;
    }
  }
  return false;
}

// Visits each record's (offset, timestamp) until `stop` returns true. Returns false when the records
// cannot be walked (compressed, LogAppendTime, or malformed), so the caller falls back to batch level.
template <typename Stop>
static bool walk_records(const uint8_t* batch, const BatchHeader& h, Stop stop) {
  if ((h.attributes & (kAttrCodecMask | kAttrLogAppendTime)) != 0) return false;
  const uint8_t* p = batch + kBatchHeaderSize;
  const uint8_t* end = batch + h.size;
  for (int32_t i = 0; i < h.records_count; i++) {
    int64_t length = 0;
    int64_t ts_delta = 0;
    int64_t offset_delta = 0;
    if (!read_varlong(&p, end, &length) || length < 1 || length > end - p) return false;
    const uint8_t* next = p + length;
    p++;  // record attributes, unused
    if (!read_varlong(&p, next, &ts_delta) || !read_varlong(&p, next, &offset_delta)) return false;
    // Wrapping adds: on-disk bytes are untrusted and signed overflow would be undefined.
    if (stop(wrapping_add(h.base_offset, offset_delta), wrapping_add(h.base_timestamp, ts_delta))) return true;
    p = next;
  }
  return false;
}

RecordHit batch_first_at_or_after(const uint8_t* batch, const BatchHeader& h, int64_t target) {
  RecordHit hit{h.base_offset, (h.attributes & kAttrLogAppendTime) != 0 ? h.max_timestamp : h.base_timestamp};
  walk_records(batch, h, [&](int64_t offset, int64_t ts) {
    if (ts < target) return false;
    hit = RecordHit{offset, ts};
    return true;
  });
  return hit;
}

RecordHit batch_max_timestamp_record(const uint8_t* batch, const BatchHeader& h) {
  RecordHit hit{h.base_offset, h.max_timestamp};
  walk_records(batch, h, [&](int64_t offset, int64_t ts) {
    if (ts != h.max_timestamp) return false;
    hit = RecordHit{offset, ts};
    return true;
  });
  return hit;
}

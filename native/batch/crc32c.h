// crc32c.h: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2.
// crc32c() picks the SSE4.2 `crc32` instruction at run time when the CPU has it, and a slice-by-8
// table otherwise. Both are exposed so the tests can check each against the RFC 3720 vectors.
#pragma once

#include <cstddef>
#include <cstdint>

// `seed` is a previous result, so a checksum can be computed in pieces: crc32c(b, crc32c(a)) ==
// crc32c(a ++ b). Start with 0.
uint32_t crc32c(const uint8_t* data, size_t len, uint32_t seed = 0);
uint32_t crc32c_table(const uint8_t* data, size_t len, uint32_t seed);
uint32_t crc32c_hw(const uint8_t* data, size_t len, uint32_t seed);  // call only if crc32c_has_hw()
bool crc32c_has_hw();

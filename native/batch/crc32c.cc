#include "crc32c.h"

#include <cstring>

namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

// tables[k][b]: the CRC of byte b followed by k zero bytes; slice-by-8 folds 8 input bytes per step.
struct Tables {
  uint32_t t[8][256];
  Tables() {
    for (uint32_t b = 0; b < 256; b++) {
      uint32_t c = b;
      for (int i = 0; i < 8; i++) c = (c >> 1) ^ ((c & 1u) != 0 ? kPoly : 0u);
      t[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; b++) {
      for (int k = 1; k < 8; k++) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
    }
  }
};

const Tables& tables() {
  static const Tables kTables;
  return kTables;
}

}  // namespace

uint32_t crc32c_table(const uint8_t* data, size_t len, uint32_t seed) {
  const auto& t = tables().t;
  uint32_t crc = ~seed;
  while (len >= 8) {
    uint32_t lo;
    uint32_t hi;
    memcpy(&lo, data, 4);  // little-endian host assumed, as on every platform Node supports
    memcpy(&hi, data + 4, 4);
    lo ^= crc;
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    data += 8;
    len -= 8;
  }
  while (len-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *data++) & 0xFF];
  return ~crc;
}

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) uint32_t crc32c_hw(const uint8_t* data, size_t len, uint32_t seed) {
  uint64_t crc = ~seed;
  while (len >= 8) {
    uint64_t word;
    memcpy(&word, data, 8);
    crc = _mm_crc32_u64(crc, word);
    data += 8;
    len -= 8;
  }
  auto c32 = static_cast<uint32_t>(crc);
  while (len-- > 0) c32 = _mm_crc32_u8(c32, *data++);
  return ~c32;
}

bool crc32c_has_hw() {
  static const bool kHas = __builtin_cpu_supports("sse4.2");
  return kHas;
}
#else
uint32_t crc32c_hw(const uint8_t* data, size_t len, uint32_t seed) { return crc32c_table(data, len, seed); }
bool crc32c_has_hw() { return false; }
#endif

uint32_t crc32c(const uint8_t* data, size_t len, uint32_t seed) {
  return crc32c_has_hw() ? crc32c_hw(data, len, seed) : crc32c_table(data, len, seed);
}

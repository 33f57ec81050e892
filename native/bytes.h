// bytes.h: big-endian loads and stores for the on-disk formats (Kafka is big-endian throughout).
// Unaligned access goes through memcpy, which compiles to a single load/store on x86 and arm64.
#pragma once

#include <cstdint>
#include <cstring>

inline uint16_t load_be16(const uint8_t* p) { uint16_t v; memcpy(&v, p, 2); return __builtin_bswap16(v); }
inline uint32_t load_be32(const uint8_t* p) { uint32_t v; memcpy(&v, p, 4); return __builtin_bswap32(v); }
inline uint64_t load_be64(const uint8_t* p) { uint64_t v; memcpy(&v, p, 8); return __builtin_bswap64(v); }
inline void store_be16(uint8_t* p, uint16_t v) { v = __builtin_bswap16(v); memcpy(p, &v, 2); }
inline void store_be32(uint8_t* p, uint32_t v) { v = __builtin_bswap32(v); memcpy(p, &v, 4); }
inline void store_be64(uint8_t* p, uint64_t v) { v = __builtin_bswap64(v); memcpy(p, &v, 8); }

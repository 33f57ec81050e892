// test_util.h: helpers for the native tests: RecordBatch v2 construction and temp directories.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

// An uncompressed batch of `count` records with `value_bytes`-byte values and record timestamps
// base_ts + i * ts_step; CRC set, baseOffset 0, producer fields -1.
std::vector<uint8_t> make_batch(int count, size_t value_bytes, int64_t base_ts, int64_t ts_step = 0);
// Recomputes the CRC of a batch after the test changed bytes it covers.
void fix_crc(uint8_t* batch);
std::string make_temp_dir();
void remove_dir(const std::string& dir);
std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);

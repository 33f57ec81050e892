// Recovery on open: torn writes, flipped bytes, crashes with a preallocated tail, damaged indexes.
#include <unistd.h>

#include "harness.h"
#include "log/log.h"
#include "test_util.h"

namespace {

LogConfig config(int64_t segment_bytes) {
  LogConfig cfg;
  cfg.segment_bytes = segment_bytes;
  cfg.index_interval_bytes = 1024;
  cfg.retention_ms = -1;
  return cfg;
}

const AppendOptions kOpts{0, -1, 1000000, false};

// Writes `n` batches of 5 records (each batch the same size) and closes the log cleanly.
uint32_t write_log(const std::string& dir, int n, int64_t segment_bytes) {
  std::shared_ptr<Log> log;
  auto b = make_batch(5, 100, 1000000);
  if (!log_open(dir, config(segment_bytes), &log).ok()) return 0;
  for (int i = 0; i < n; i++) {
    AppendResult r;
    if (!log_append(log.get(), b.data(), b.size(), kOpts, &r).ok()) return 0;
  }
  return log_close(log.get()).ok() ? static_cast<uint32_t>(b.size()) : 0;
}

}  // namespace

TEST(a_torn_final_batch_is_cut_and_everything_before_it_kept) {
  std::string dir = make_temp_dir();
  uint32_t batch = write_log(dir, 20, 1 << 20);
  std::string path = segment_path(dir, 0, ".log");
  CHECK_EQ(truncate(path.c_str(), 19 * batch + 100), 0);
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(1 << 20), &log));
  CHECK_EQ(log->recovery.truncated_at_offset, 95);
  CHECK_EQ(log->recovery.truncated_bytes, 100u);
  CHECK_EQ(log->high_watermark.load(), 95);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(a_flipped_byte_in_the_tail_cuts_the_log_at_that_batch) {
  std::string dir = make_temp_dir();
  uint32_t batch = write_log(dir, 20, 1 << 20);
  std::string path = segment_path(dir, 0, ".log");
  auto bytes = read_file(path);
  bytes[19 * batch + 200] ^= 0x40;
  write_file(path, bytes);
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(1 << 20), &log));
  CHECK_EQ(log->recovery.truncated_at_offset, 95);
  CHECK_EQ(log->recovery.truncated_bytes, batch);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(after_a_crash_the_whole_active_segment_is_scanned) {
  std::string dir = make_temp_dir();
  uint32_t batch = write_log(dir, 20, 1 << 20);
  unlink((dir + "/" + kCleanShutdownName).c_str());
  std::string path = segment_path(dir, 0, ".log");
  auto bytes = read_file(path);
  bytes[3 * batch + 100] ^= 0x01;
  write_file(path, bytes);
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(1 << 20), &log));
  CHECK_EQ(log->recovery.truncated_at_offset, 15);
  CHECK_EQ(log->recovery.truncated_bytes, 17u * batch);
  CHECK_EQ(log->high_watermark.load(), 15);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(a_crash_leaves_a_preallocated_zero_tail_that_is_not_reported_as_loss) {
  std::string dir = make_temp_dir();
  {
    std::shared_ptr<Log> log;
    CHECK_OK(log_open(dir, config(64 << 20), &log));
    auto b = make_batch(5, 100, 1000000);
    for (int i = 0; i < 30; i++) {
      AppendResult r;
      CHECK_OK(log_append(log.get(), b.data(), b.size(), kOpts, &r));
    }
    // Dropped without close, as a crash would: no trim, no clean-shutdown marker.
  }
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(64 << 20), &log));
  CHECK_EQ(log->recovery.truncated_at_offset, -1);
  CHECK_EQ(log->recovery.truncated_bytes, 0u);
  CHECK_EQ(log->high_watermark.load(), 150);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(a_damaged_index_of_a_sealed_segment_is_rebuilt) {
  std::string dir = make_temp_dir();
  write_log(dir, 100, 16 * 1024);
  std::string index = segment_path(dir, 0, ".index");
  auto bytes = read_file(index);
  CHECK(bytes.size() >= 16);
  bytes.resize(bytes.size() - 3);  // not a whole number of entries
  write_file(index, bytes);
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(16 * 1024), &log));
  CHECK_EQ(log->recovery.rebuilt_indexes, 1u);
  CHECK_EQ(log->recovery.truncated_at_offset, -1);
  CHECK_EQ(log->high_watermark.load(), 500);
  std::vector<View> views;
  CHECK_OK(log_read(log.get(), 7, 1, -1, &views));
  CHECK_EQ(batch_header(views[0].data).base_offset, 5);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(a_torn_sealed_segment_after_a_crash_drops_the_segments_after_it) {
  std::string dir = make_temp_dir();
  uint32_t batch = write_log(dir, 100, 16 * 1024);
  unlink((dir + "/" + kCleanShutdownName).c_str());
  std::string first = segment_path(dir, 0, ".log");
  auto bytes = read_file(first);
  size_t batches_in_first = bytes.size() / batch;
  bytes.resize(bytes.size() - 10);
  write_file(first, bytes);
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(16 * 1024), &log));
  CHECK_EQ(log->segments.size(), 1u);
  CHECK_EQ(log->high_watermark.load(), static_cast<int64_t>((batches_in_first - 1) * 5));
  CHECK_EQ(log->recovery.truncated_at_offset, static_cast<int64_t>((batches_in_first - 1) * 5));
  CHECK(access(segment_path(dir, static_cast<int64_t>(batches_in_first * 5), ".log").c_str(), F_OK) != 0);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(reopening_a_clean_log_of_many_segments_trusts_their_indexes) {
  std::string dir = make_temp_dir();
  write_log(dir, 400, 16 * 1024);
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(16 * 1024), &log));
  CHECK(log->recovery.segments > 10);
  CHECK(log->recovery.scanned_bytes < 16u * 1024);
  CHECK_EQ(log->recovery.rebuilt_indexes, 0u);
  CHECK_EQ(log->high_watermark.load(), 2000);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(a_clean_log_keeps_its_marker_until_its_first_change_and_a_crash_after_it_is_unclean) {
  std::string dir = make_temp_dir();
  std::string marker = dir + "/" + kCleanShutdownName;
  CHECK(write_log(dir, 10, 64 << 20) > 0);
  {
    std::shared_ptr<Log> log;
    CHECK_OK(log_open(dir, config(64 << 20), &log));
    CHECK(!log->recovery.unclean);
    std::vector<View> views;
    CHECK_OK(log_read(log.get(), 0, 1 << 20, 50, &views));
    CHECK(access(marker.c_str(), F_OK) == 0);  // opened and read: nothing changed, no fsync spent
    auto b = make_batch(5, 100, 1000000);
    AppendResult r;
    CHECK_OK(log_append(log.get(), b.data(), b.size(), kOpts, &r));
    CHECK(access(marker.c_str(), F_OK) != 0);  // gone before the first change reached the file
    // Dropped without close, as a crash would.
  }
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(64 << 20), &log));
  CHECK(log->recovery.unclean);
  CHECK_EQ(log->high_watermark.load(), 55);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

namespace {

// The bytes of sealed segments first..last, one after the other: their merged copy, nothing removed.
std::vector<uint8_t> merged_copy(const std::string& dir, const std::vector<int64_t>& bases, size_t first, size_t last) {
  std::vector<uint8_t> out;
  for (size_t k = first; k <= last; k++) {
    auto bytes = read_file(segment_path(dir, bases[k], ".log"));
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

}  // namespace

TEST(merged_compacted_segments_become_one_and_an_interrupted_merge_is_completed_on_open) {
  std::string dir = make_temp_dir();
  write_log(dir, 400, 16 * 1024);
  std::vector<int64_t> bases;
  {
    std::shared_ptr<Log> log;
    CHECK_OK(log_open(dir, config(16 * 1024), &log));
    for (const auto& seg : log->segments) bases.push_back(seg->base_offset);
    CHECK(bases.size() > 8);
    std::vector<View> held;  // a reader's views of the segments about to go stay readable
    CHECK_OK(log_read(log.get(), bases[2], 1 << 20, 2000, &held));
    std::string cleaned = dir + "/1.cleaned";
    write_file(cleaned, merged_copy(dir, bases, 1, 3));
    CHECK_OK(log_replace_segments(log.get(), bases[1], bases[3], cleaned));
    CHECK_EQ(log->segments.size(), bases.size() - 2);
    CHECK_EQ(log->segments[1]->base_offset, bases[1]);
    CHECK_EQ(log->segments[1]->next_offset.load(), bases[4]);
    CHECK(access(segment_path(dir, bases[2], ".log").c_str(), F_OK) != 0);
    CHECK(!held.empty());
    std::vector<View> views;
    CHECK_OK(log_read(log.get(), bases[2], 1 << 20, 2000, &views));  // the middle of the merged segment
    CHECK(!views.empty());
    CHECK_EQ(log->high_watermark.load(), 2000);
    CHECK_OK(log_close(log.get()));
  }
  // A crash in the middle of merging segments 4 to 6 (renumbered 2 to 4 now): the swap is in place and
  // the first later segment's files are gone.
  write_file(swap_path(dir, bases[4], bases[7]), merged_copy(dir, bases, 4, 6));
  unlink(segment_path(dir, bases[5], ".log").c_str());
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, config(16 * 1024), &log));
  CHECK_EQ(log->segments.size(), bases.size() - 4);
  CHECK_EQ(log->segments[2]->base_offset, bases[4]);
  CHECK_EQ(log->segments[3]->base_offset, bases[7]);
  CHECK_EQ(log->recovery.truncated_bytes, 0u);
  CHECK_EQ(log->high_watermark.load(), 2000);
  CHECK(access(swap_path(dir, bases[4], bases[7]).c_str(), F_OK) != 0);
  CHECK(access(segment_path(dir, bases[5], ".index").c_str(), F_OK) != 0);
  CHECK(access(segment_path(dir, bases[6], ".log").c_str(), F_OK) != 0);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST_MAIN()

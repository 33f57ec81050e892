// Partition log behaviour: append/read/index, rolls, retention, truncation, epochs, view lifetime,
// and reads concurrent with appends.
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "bytes.h"
#include "harness.h"
#include "log/log.h"
#include "log/offset_index.h"
#include "log/registry.h"
#include "test_util.h"

namespace {

LogConfig small_config() {
  LogConfig cfg;
  cfg.segment_bytes = 16 * 1024;
  cfg.index_interval_bytes = 1024;
  cfg.retention_ms = -1;
  return cfg;
}

const AppendOptions kOpts{0, -1, 1000000, false};

Status append_batches(Log* log, int n, int64_t base_ts = 1000000, int64_t ts_step = 0) {
  for (int i = 0; i < n; i++) {
    auto b = make_batch(5, 100, base_ts + i * ts_step);
    AppendResult r;
    Status st = log_append(log, b.data(), b.size(), kOpts, &r);
    if (!st.ok()) return st;
  }
  return Status{};
}

// Offsets of all batches readable from `from`, following read() across segments.
std::vector<int64_t> read_batch_offsets(Log* log, int64_t from) {
  std::vector<int64_t> bases;
  for (int64_t offset = from; offset < log->high_watermark.load();) {
    std::vector<View> views;
    if (!log_read(log, offset, 8192, -1, &views).ok() || views.empty()) break;
    for (const View& v : views) {
      for (size_t p = 0; p < v.len;) {
        BatchHeader h = batch_header(v.data + p);
        bases.push_back(h.base_offset);
        offset = h.last_offset() + 1;
        p += h.size;
      }
    }
  }
  return bases;
}

uint64_t file_size(const std::string& path) {
  struct stat sb;
  return stat(path.c_str(), &sb) == 0 ? static_cast<uint64_t>(sb.st_size) : 0;
}

}  // namespace

TEST(appends_assign_offsets_roll_segments_and_read_back_in_order) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(append_batches(log.get(), 100));
  CHECK_EQ(log->high_watermark.load(), 500);
  CHECK(log->segments.size() >= 4);
  for (size_t i = 1; i < log->segments.size(); i++) {
    CHECK(log->segments[i]->base_offset == log->segments[i - 1]->next_offset.load());
    CHECK(log->segments[i - 1]->size.load() <= 16u * 1024);
  }
  auto bases = read_batch_offsets(log.get(), 0);
  CHECK_EQ(bases.size(), 100u);
  for (size_t i = 0; i < bases.size(); i++) CHECK_EQ(bases[i], static_cast<int64_t>(i * 5));
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(a_flush_job_runs_on_another_thread_while_the_writer_appends_and_rolls) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(append_batches(log.get(), 100));  // several segments, sealed since the open
  CHECK(log->segments.size() >= 3);
  FlushJob job;
  CHECK_OK(log_flush_begin(log.get(), &job));
  CHECK(!job.sealed.empty());
  std::thread runner([&job] { flush_job_run(&job); });
  Status appended = append_batches(log.get(), 100);  // rolls again while the job syncs
  runner.join();
  CHECK_OK(appended);
  CHECK_OK(job.status);
  log_flush_end(log.get(), &job);
  // Sealed before the job began: synced whole, so their descriptors are closed. The rest keep theirs
  // for the next flush, which covers what was appended meanwhile.
  for (const auto& seg : job.sealed) CHECK(seg->log.fd.fd < 0);
  CHECK(log->segments.back()->log.fd.fd >= 0);
  CHECK_OK(log_flush(log.get()));
  for (size_t i = 0; i + 1 < log->segments.size(); i++) CHECK(log->segments[i]->log.fd.fd < 0);
  CHECK_EQ(read_batch_offsets(log.get(), 0).size(), 200u);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(append_many_writes_record_sets_in_one_call_and_skips_a_refused_one) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  auto a = make_batch(5, 100, 1000000);
  auto b = make_batch(3, 100, 1000000);
  auto bad = make_batch(2, 100, 1000000);
  bad[70] ^= 1;
  AppendSpan spans[] = {{a.data(), a.size()}, {bad.data(), bad.size()}, {b.data(), b.size()}};
  AppendResult results[3];
  Status statuses[3];
  CHECK_OK(log_append_many(log.get(), spans, 3, kOpts, results, statuses));
  CHECK_OK(statuses[0]);
  CHECK(statuses[1].code == StoreErr::kCorruptMessage);
  CHECK_OK(statuses[2]);
  CHECK_EQ(results[0].base_offset, 0);
  CHECK_EQ(results[0].last_offset, 4);
  CHECK_EQ(results[2].base_offset, 5);
  CHECK_EQ(results[2].last_offset, 7);
  CHECK_EQ(log->high_watermark.load(), 8);
  auto bases = read_batch_offsets(log.get(), 0);
  CHECK_EQ(bases.size(), 2u);
  CHECK_EQ(bases[1], 5);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(the_offset_index_points_at_batches_every_interval) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  LogConfig cfg = small_config();
  cfg.segment_bytes = 1 << 20;
  CHECK_OK(log_open(dir, cfg, &log));
  CHECK_OK(append_batches(log.get(), 50));
  Segment* seg = log->segments.back().get();
  uint32_t count = seg->offset_index.count.load();
  CHECK(count >= 20);
  for (uint32_t i = 0; i < count; i++) {
    OffsetEntry e = offset_index_entry(seg->offset_index.map->base, i);
    CHECK_EQ(static_cast<int64_t>(load_be64(seg->view_map->base + e.position)), e.relative_offset);
  }
  uint64_t pos = 0;
  CHECK_OK(segment_find(seg, 123, seg->view_map->base, seg->size.load(), &pos));
  CHECK_EQ(static_cast<int64_t>(load_be64(seg->view_map->base + pos)), 120);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(reads_return_whole_batches_within_max_bytes_and_below_the_watermark) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(append_batches(log.get(), 10));
  std::vector<View> views;
  CHECK_OK(log_read(log.get(), 7, 1, -1, &views));
  CHECK_EQ(views.size(), 1u);
  CHECK_EQ(batch_header(views[0].data).base_offset, 5);
  CHECK_EQ(views[0].len, batch_header(views[0].data).size);
  views.clear();
  CHECK_OK(log_read(log.get(), 50, 1024, -1, &views));
  CHECK(views.empty());
  CHECK(log_read(log.get(), 51, 1024, -1, &views).code == StoreErr::kOffsetOutOfRange);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(retention_deletes_old_segments_by_time_and_size_but_never_the_active_one) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(append_batches(log.get(), 100, 1000000, 1000));
  size_t before = log->segments.size();
  LogConfig cfg = small_config();
  cfg.retention_ms = 50000;
  log_set_config(log.get(), cfg);
  RetentionResult r;
  CHECK_OK(log_apply_retention(log.get(), 1000000 + 100000, &r));
  CHECK(r.deleted_segments > 0 && r.deleted_segments < before);
  CHECK_EQ(r.log_start_offset, log->segments.front()->base_offset);
  CHECK(file_size(segment_path(dir, 0, ".log")) == 0);
  cfg.retention_ms = -1;
  cfg.retention_bytes = 0;
  log_set_config(log.get(), cfg);
  CHECK_OK(log_apply_retention(log.get(), 0, &r));
  CHECK_EQ(log->segments.size(), 1u);
  CHECK(log->segments.back()->size.load() > 0);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(truncation_drops_whole_batches_and_keeps_old_views_intact) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(append_batches(log.get(), 100));
  std::vector<View> views;
  CHECK_OK(log_read(log.get(), 480, 1 << 20, -1, &views));
  std::vector<uint8_t> copy(views[0].data, views[0].data + views[0].len);
  CHECK_OK(log_truncate_to(log.get(), 252));
  CHECK_EQ(log->high_watermark.load(), 250);
  CHECK(std::equal(copy.begin(), copy.end(), views[0].data));
  CHECK_OK(append_batches(log.get(), 2));
  auto bases = read_batch_offsets(log.get(), 0);
  CHECK_EQ(bases.size(), 52u);
  CHECK_EQ(bases.back(), 255);
  CHECK_OK(log_truncate_to(log.get(), 0));
  CHECK_EQ(log->high_watermark.load(), 0);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(views_outlive_segment_deletion_and_close) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(append_batches(log.get(), 100));
  std::vector<View> views;
  CHECK_OK(log_read(log.get(), 0, 4096, -1, &views));
  std::vector<uint8_t> copy(views[0].data, views[0].data + views[0].len);
  int64_t start = 0;
  CHECK_OK(log_advance_start(log.get(), 300, &start));
  CHECK_EQ(start, 300);
  CHECK_OK(log_delete(log.get()));
  log.reset();
  CHECK(std::equal(copy.begin(), copy.end(), views[0].data));
  remove_dir(dir);
}

TEST(leader_epochs_answer_end_offsets_and_follow_truncation) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(log_assign_epoch(log.get(), 1, 0));
  CHECK_OK(append_batches(log.get(), 4));
  CHECK_OK(log_assign_epoch(log.get(), 3, 20));
  CHECK_OK(append_batches(log.get(), 4));
  int32_t epoch = 0;
  int64_t end = 0;
  CHECK_OK(log_end_offset_for_epoch(log.get(), 2, &epoch, &end));
  CHECK(epoch == 1 && end == 20);
  CHECK_OK(log_end_offset_for_epoch(log.get(), 3, &epoch, &end));
  CHECK(epoch == 3 && end == 40);
  CHECK_OK(log_truncate_to(log.get(), 20));
  CHECK_OK(log_latest_epoch(log.get(), &epoch));
  CHECK_EQ(epoch, 1);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(an_epoch_starting_at_the_log_end_survives_a_reopen_without_a_checkpoint_rewrite) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  CHECK_OK(log_assign_epoch(log.get(), 0, 0));  // an empty partition its leader has just taken
  CHECK_OK(log_close(log.get()));
  struct stat before;
  CHECK(stat((dir + "/" + kEpochCheckpointName).c_str(), &before) == 0);
  log.reset();
  CHECK_OK(log_open(dir, small_config(), &log));
  int32_t epoch = -1;
  CHECK_OK(log_latest_epoch(log.get(), &epoch));
  CHECK_EQ(epoch, 0);
  struct stat after;
  CHECK(stat((dir + "/" + kEpochCheckpointName).c_str(), &after) == 0);
  CHECK_EQ(after.st_ino, before.st_ino);  // a rewrite renames a new file over it
  CHECK_OK(append_batches(log.get(), 2));
  CHECK_OK(log_assign_epoch(log.get(), 2, 10));
  CHECK_OK(log_close(log.get()));
  log.reset();
  CHECK_OK(log_open(dir, small_config(), &log));
  int64_t end = -1;
  CHECK_OK(log_end_offset_for_epoch(log.get(), 0, &epoch, &end));
  CHECK(epoch == 0 && end == 10);
  CHECK_OK(log_latest_epoch(log.get(), &epoch));
  CHECK_EQ(epoch, 2);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST(the_active_segment_reserves_disk_in_steps_and_is_trimmed_on_close) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  LogConfig cfg;  // 1 GiB segments
  CHECK_OK(log_open(dir, cfg, &log));
  CHECK_OK(append_batches(log.get(), 10));
  uint64_t data = log->segments.back()->size.load();
  CHECK(file_size(segment_path(dir, 0, ".log")) <= 4u << 20);
  CHECK_OK(log_close(log.get()));
  CHECK_EQ(file_size(segment_path(dir, 0, ".log")), data);
  remove_dir(dir);
}

TEST(a_reader_thread_sees_every_batch_while_the_writer_appends_and_rolls) {
  std::string dir = make_temp_dir();
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, small_config(), &log));
  constexpr int kBatches = 3000;
  std::atomic<int> seen{0};
  std::atomic<bool> bad{false};
  std::thread reader([&] {
    int64_t next = 0;
    for (int spins = 0; next < kBatches * 5 && spins < 50000000; spins++) {
      std::vector<View> views;
      if (!log_read(log.get(), next, 8192, -1, &views).ok()) bad = true;
      for (const View& v : views) {
        for (size_t p = 0; p < v.len;) {
          BatchHeader h = batch_header(v.data + p);
          if (h.base_offset > next || h.magic != 2) bad = true;
          if (h.last_offset() >= next) seen++;
          next = h.last_offset() + 1;
          p += h.size;
        }
      }
    }
  });
  Status st = append_batches(log.get(), kBatches);
  reader.join();
  CHECK_OK(st);
  CHECK(!bad.load());
  CHECK_EQ(seen.load(), kBatches);
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}


// Shards open their own logs at the same time at start: the registry must let them (no lock held
// across an open), and still let only one thread open any one directory.
TEST(threads_open_their_own_logs_side_by_side_and_each_directory_once) {
  std::string root = make_temp_dir();
  constexpr int kThreads = 4;
  constexpr int kLogsEach = 8;
  std::atomic<int> opened_shared{0};
  std::atomic<int> refused_shared{0};
  std::atomic<bool> bad{false};
  std::vector<std::shared_ptr<Log>> own(kThreads * kLogsEach);
  std::shared_ptr<Log> shared_logs[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLogsEach; i++) {
        std::string dir = root + "/t-" + std::to_string(t * kLogsEach + i);
        if (!registry_open(dir, small_config(), &own[t * kLogsEach + i]).ok()) bad = true;
      }
      Status st = registry_open(root + "/shared-0", small_config(), &shared_logs[t]);
      if (st.ok()) {
        opened_shared++;
      } else if (st.code == StoreErr::kAlreadyOpen) {
        refused_shared++;
      } else {
        bad = true;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(!bad.load());
  CHECK_EQ(opened_shared.load(), 1);
  CHECK_EQ(refused_shared.load(), kThreads - 1);
  std::vector<std::shared_ptr<Log>> all = own;
  for (auto& log : shared_logs) {
    if (log != nullptr) all.push_back(log);
  }
  for (auto& log : all) {
    std::shared_ptr<Log> attached;
    CHECK_OK(registry_attach(log->dir, &attached));
    CHECK(attached == log);
    CHECK_OK(log_close(log.get()));
    registry_remove(log.get());
  }
  std::shared_ptr<Log> gone;
  CHECK_EQ(static_cast<int>(registry_attach(root + "/shared-0", &gone).code), static_cast<int>(StoreErr::kNotOpen));
  remove_dir(root);
}

// Reads of at least 256 KiB skip, with the offset index, the batches that surely fit (log_read.cc):
// they must still return exactly the longest run of whole batches that fits, below the bound.
TEST(large_reads_return_the_same_batches_as_a_header_walk) {
  std::string dir = make_temp_dir();
  LogConfig cfg = small_config();
  cfg.segment_bytes = 8 << 20;
  std::shared_ptr<Log> log;
  CHECK_OK(log_open(dir, cfg, &log));
  for (int i = 0; i < 400; i++) {  // batches of 1 to 10 records: sizes that do not line up with the index
    auto b = make_batch(1 + i % 10, 300, 1000000);
    AppendResult r;
    CHECK_OK(log_append(log.get(), b.data(), b.size(), kOpts, &r));
  }
  int64_t hw = log->high_watermark.load();
  CHECK_EQ(log->segments.size(), 1u);
  for (uint64_t max_bytes : {uint64_t{256 << 10}, uint64_t{300000}, uint64_t{1 << 20}, uint64_t{8 << 20}}) {
    for (int64_t from : {int64_t{0}, int64_t{777}, int64_t{1500}}) {
      for (int64_t up_to : {int64_t{-1}, int64_t{1600}}) {
        std::vector<View> views;
        CHECK_OK(log_read(log.get(), from, max_bytes, up_to, &views));
        CHECK_EQ(views.size(), 1u);
        // The expected end: walk every header from the read's first batch.
        const uint8_t* data = views[0].data;
        int64_t bound = up_to >= 0 && up_to < hw ? up_to : hw;
        uint64_t end = 0;
        uint64_t size = log->segments.back()->size.load();
        uint64_t available = size - static_cast<uint64_t>(data - views[0].map->base);
        while (end + kBatchHeaderSize <= available) {
          BatchHeader h = batch_header(data + end);
          if (h.size < kBatchHeaderSize || h.base_offset >= bound || end + h.size > max_bytes) break;
          end += h.size;
        }
        CHECK_EQ(views[0].len, end);
        CHECK(batch_header(data).last_offset() >= from);
        CHECK(batch_header(data).base_offset <= from);
      }
    }
  }
  CHECK_OK(log_close(log.get()));
  remove_dir(dir);
}

TEST_MAIN()

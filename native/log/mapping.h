// mapping.h: owners of file descriptors and memory mappings, plus GrowFile, a file reserved on disk in
// steps ahead of its write position.
//
// Why GrowFile looks like this: a mapping reserves address space for a whole segment (no disk), while
// fallocate() reserves blocks a step at a time just ahead of the data, so a thousand idle partitions
// hold a thousand small steps of disk, not a thousand segments, and a full disk surfaces as
// ENOSPC from fallocate before any byte is written, never as SIGBUS from a store into a mapping.
// Index files are written through a writable mapping (`rw`); .log files with pwritev and read through
// a separate read-only mapping. Nothing is stored or read past `allocated` (the file's length).
// Trimming (ftruncate to the data length) happens on seal/close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "../errors.h"

// Owns one file descriptor. Movable, not copyable.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
};

// Owns one mmap'd region. Movable, not copyable. Shared (shared_ptr) between a segment and the JS
// views over it: the region is unmapped when the last owner lets go, whatever happened to the file.
// A segment's read mapping also holds a read-only descriptor of the file it maps (`file`), so that
// its bytes can be sent without touching the mapping (net/send.h): the same inode as the mapping,
// whatever renames or deletes happened to the path since.
struct Mapping {
  uint8_t* base = nullptr;
  size_t len = 0;
  Fd file;
  Mapping() = default;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  Mapping(Mapping&& o) noexcept
      : base(std::exchange(o.base, nullptr)), len(std::exchange(o.len, 0)), file(std::move(o.file)) {}
  Mapping& operator=(Mapping&& o) noexcept;
  ~Mapping();
};

Status fd_open(const std::string& path, int flags, Fd* out);
// Maps `len` bytes of `fd` (which may be shorter than len: pages past EOF must not be touched).
Status mapping_map(int fd, size_t len, bool writable, const std::string& path, std::shared_ptr<Mapping>* out);
// Maps a whole existing file read-only. A zero-length file gets an empty mapping. `keep_file`: the
// mapping keeps the descriptor (Mapping::file).
Status mapping_map_file(const std::string& path, std::shared_ptr<Mapping>* out, size_t* file_len,
                        bool keep_file = false);
// Gives `map` a read-only descriptor of the file open as `fd` (Mapping::file).
Status mapping_keep_file(Mapping* map, int fd, const std::string& path);

struct GrowFile {
  std::string path;
  Fd fd;
  std::shared_ptr<Mapping> rw;  // capacity bytes of address space, writable; null if written with pwrite
  size_t capacity = 0;          // the file never grows past this
  size_t allocated = 0;         // file length == bytes reserved on disk; stores stay below it
  size_t step = 0;              // reservation granularity: the smallest step
  size_t max_step = 0;          // steps grow with the file (an eighth of it) up to this
};

// Opens or creates `path` as a GrowFile (an existing file, e.g. with a preallocated tail left by a
// crash, keeps its length). `map_rw` maps `capacity` bytes writable for stores.
struct GrowSteps {
  size_t min;
  size_t max;
};
Status grow_open(const std::string& path, size_t capacity, GrowSteps steps, bool map_rw, GrowFile* out);
// Ensures bytes [0, end) are reserved on disk, plus a step ahead (capped at capacity).
Status grow_reserve(GrowFile* gf, size_t end);
// Cuts the file to `len` bytes (the data). The mapping stays for readers, who never read past len.
Status grow_trim(GrowFile* gf, size_t len);
Status grow_sync(GrowFile* gf);  // fdatasync; a no-op once the descriptor is closed
// Writes `count` iovecs at `offset`, all of them (retrying short writes and EINTR).
Status grow_pwritev(GrowFile* gf, struct iovec* iov, int count, uint64_t offset);

Status fsync_dir(const std::string& dir);
// Writes `text` to dir/name via a temp file, fsync, rename, fsync of the directory.
Status write_file_atomic(const std::string& dir, const std::string& name, const std::string& text);
// Replaces `path` by a new file holding its first `len` bytes (copied, fsynced, renamed over it).
// Used instead of ftruncate when cutting a file that may be mapped: old mappings keep the old inode
// whole, so no view or concurrent reader can fault on pages that a shrink would have removed.
Status replace_with_prefix(const std::string& path, size_t len);

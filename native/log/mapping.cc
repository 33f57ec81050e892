#include "mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <climits>
#include <cerrno>


Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd >= 0) close(fd);
    fd = std::exchange(o.fd, -1);
  }
  return *this;
}

Fd::~Fd() {
  if (fd >= 0) close(fd);
}

Mapping& Mapping::operator=(Mapping&& o) noexcept {
  if (this != &o) {
    if (base != nullptr) munmap(base, len);
    base = std::exchange(o.base, nullptr);
    len = std::exchange(o.len, 0);
    file = std::move(o.file);
  }
  return *this;
}

Mapping::~Mapping() {
  if (base != nullptr) munmap(base, len);
}

Status fd_open(const std::string& path, int flags, Fd* out) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return sys_error(errno, "open", path);
  *out = Fd(fd);
  return Status{};
}

Status mapping_map(int fd, size_t len, bool writable, const std::string& path, std::shared_ptr<Mapping>* out) {
  auto m = std::make_shared<Mapping>();
  if (len > 0) {
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void* p = mmap(nullptr, len, prot, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return sys_error(errno, "mmap", path);
    m->base = static_cast<uint8_t*>(p);
    m->len = len;
  }
  *out = std::move(m);
  return Status{};
}

Status mapping_map_file(const std::string& path, std::shared_ptr<Mapping>* out, size_t* file_len, bool keep_file) {
  Fd fd;
  Status st = fd_open(path, O_RDONLY, &fd);
  if (!st.ok()) return st;
  struct stat sb;
  if (fstat(fd.fd, &sb) != 0) return sys_error(errno, "fstat", path);
  *file_len = static_cast<size_t>(sb.st_size);
  st = mapping_map(fd.fd, *file_len, false, path, out);
  if (st.ok() && keep_file) (*out)->file = std::move(fd);
  return st;
}

Status mapping_keep_file(Mapping* map, int fd, const std::string& path) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return sys_error(errno, "dup", path);
  map->file = Fd(copy);
  return Status{};
}

Status grow_open(const std::string& path, size_t capacity, GrowSteps steps, bool map_rw, GrowFile* out) {
  out->path = path;
  out->step = steps.min;
  out->max_step = steps.max;
  Status st = fd_open(path, O_RDWR | O_CREAT, &out->fd);
  if (!st.ok()) return st;
  struct stat sb;
  if (fstat(out->fd.fd, &sb) != 0) return sys_error(errno, "fstat", path);
  out->allocated = static_cast<size_t>(sb.st_size);
  out->capacity = out->allocated > capacity ? out->allocated : capacity;
  return map_rw ? mapping_map(out->fd.fd, out->capacity, true, path, &out->rw) : Status{};
}

Status grow_reserve(GrowFile* gf, size_t end) {
  if (end <= gf->allocated) return Status{};
  size_t step = gf->allocated / 8;
  step = step < gf->step ? gf->step : step > gf->max_step ? gf->max_step : step;
  size_t want = (end + step - 1) / gf->step * gf->step;
  if (want > gf->capacity) want = gf->capacity;
  if (want < end) {
    return store_error(StoreErr::kIo, "reserve %s: %zu bytes exceed the capacity of %zu", gf->path.c_str(), end,
                       gf->capacity);
  }
  auto from = static_cast<off_t>(gf->allocated);
  auto len = static_cast<off_t>(want - gf->allocated);
  if (fallocate(gf->fd.fd, 0, from, len) != 0) {
    int err = errno;
    // Filesystems without fallocate (some network and overlay filesystems): glibc writes zeros.
    if (err != EOPNOTSUPP || (err = posix_fallocate(gf->fd.fd, from, len)) != 0) {
      return sys_error(err, "fallocate", gf->path);
    }
  }
  gf->allocated = want;
  return Status{};
}

Status grow_trim(GrowFile* gf, size_t len) {
  if (gf->fd.fd < 0) return Status{};
  if (gf->allocated != len && ftruncate(gf->fd.fd, static_cast<off_t>(len)) != 0) {
    return sys_error(errno, "ftruncate", gf->path);
  }
  gf->allocated = len;
  return Status{};
}

Status grow_sync(GrowFile* gf) {
  if (gf->fd.fd >= 0 && fdatasync(gf->fd.fd) != 0) return sys_error(errno, "fdatasync", gf->path);
  return Status{};
}

Status grow_pwritev(GrowFile* gf, struct iovec* iov, int count, uint64_t offset) {
  while (count > 0) {
    ssize_t n = pwritev(gf->fd.fd, iov, count < IOV_MAX ? count : IOV_MAX, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "pwritev", gf->path);
    offset += static_cast<uint64_t>(n);
    auto left = static_cast<size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      iov++;
      count--;
    }
    if (count > 0) {
      iov->iov_base = static_cast<uint8_t*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return Status{};
}

Status fsync_dir(const std::string& dir) {
  Fd fd;
  Status st = fd_open(dir, O_RDONLY | O_DIRECTORY, &fd);
  if (!st.ok()) return st;
  if (fsync(fd.fd) != 0) return sys_error(errno, "fsync", dir);
  return Status{};
}

static Status write_all(int fd, const uint8_t* p, size_t len, const std::string& path) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "write", path);
    p += n;
    len -= static_cast<size_t>(n);
  }
  return Status{};
}

static Status fsync_rename(Fd* fd, const std::string& tmp, const std::string& path) {
  if (fsync(fd->fd) != 0) return sys_error(errno, "fsync", tmp);
  *fd = Fd();
  if (rename(tmp.c_str(), path.c_str()) != 0) return sys_error(errno, "rename", tmp);
  return Status{};
}

Status write_file_atomic(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::string tmp = path + ".tmp";
  Fd fd;
  Status st = fd_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, &fd);
  if (st.ok()) st = write_all(fd.fd, reinterpret_cast<const uint8_t*>(text.data()), text.size(), tmp);
  if (st.ok()) st = fsync_rename(&fd, tmp, path);
  if (st.ok()) st = fsync_dir(dir);
  return st;
}

Status replace_with_prefix(const std::string& path, size_t len) {
  std::shared_ptr<Mapping> src;
  size_t src_len = 0;
  Status st = mapping_map_file(path, &src, &src_len);
  if (!st.ok()) return st;
  if (len > src_len) len = src_len;
  std::string tmp = path + ".tmp";
  Fd fd;
  st = fd_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, &fd);
  if (st.ok()) st = write_all(fd.fd, src->base, len, tmp);
  if (st.ok()) st = fsync_rename(&fd, tmp, path);
  return st;
}

#include "registry.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <mutex>

namespace {

std::mutex g_mu;
std::map<std::string, std::shared_ptr<Log>>& logs() {
  static std::map<std::string, std::shared_ptr<Log>> kLogs;
  return kLogs;
}

Status make_dirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); i++) {
    if (i != dir.size() && dir[i] != '/') continue;
    std::string part = dir.substr(0, i);
    if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return sys_error(errno, "mkdir", part);
  }
  return Status{};
}

bool canonical(const std::string& dir, std::string* out) {
  char buf[PATH_MAX];
  if (realpath(dir.c_str(), buf) == nullptr) return false;
  *out = buf;
  return true;
}

}  // namespace

Status registry_open(const std::string& dir, const LogConfig& cfg, std::shared_ptr<Log>* out) {
  Status st = make_dirs(dir);
  if (!st.ok()) return st;
  std::string path;
  if (!canonical(dir, &path)) return sys_error(errno, "realpath", dir);
  // The entry is reserved (null) while the log opens, so that two threads opening one directory
  // cannot both recover it; the lock itself is not held across the open, so shards open their own
  // logs side by side (at start each opens dozens).
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (logs().count(path) != 0) return store_error(StoreErr::kAlreadyOpen, "log %s is already open", path.c_str());
    logs()[path] = nullptr;
  }
  st = log_open(path, cfg, out);
  std::lock_guard<std::mutex> lock(g_mu);
  if (st.ok()) {
    logs()[path] = *out;
  } else {
    logs().erase(path);
  }
  return st;
}

Status registry_attach(const std::string& dir, std::shared_ptr<Log>* out) {
  std::string path;
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = canonical(dir, &path) ? logs().find(path) : logs().end();
  if (it == logs().end() || it->second == nullptr) return store_error(StoreErr::kNotOpen, "log %s is not open", dir.c_str());
  *out = it->second;
  return Status{};
}

void registry_remove(const Log* log) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = logs().find(log->dir);
  if (it != logs().end() && it->second.get() == log) logs().erase(it);
}

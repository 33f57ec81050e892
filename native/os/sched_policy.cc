#include "os/sched_policy.h"

#include <cerrno>
#include <cstdlib>

#ifdef __linux__
#include <dirent.h>
#include <sched.h>
#endif

int sched_batch_all_threads() {
#ifdef __linux__
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return errno;
  int first_err = 0;
  sched_param param{};
  param.sched_priority = 0;  // the only priority SCHED_BATCH has
  for (dirent* e = readdir(dir); e != nullptr; e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    // A thread that ended since readdir listed it is no failure.
    pid_t tid = static_cast<pid_t>(strtol(e->d_name, nullptr, 10));
    if (sched_setscheduler(tid, SCHED_BATCH, &param) != 0 && errno != ESRCH && first_err == 0) first_err = errno;
  }
  closedir(dir);
  return first_err;
#else
  return ENOSYS;
#endif
}

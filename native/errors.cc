#include "errors.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

const char* store_err_code(StoreErr code) {
  switch (code) {
    case StoreErr::kOk: return "OK";
    case StoreErr::kCorruptMessage: return "CORRUPT_MESSAGE";
    case StoreErr::kInvalidRecord: return "INVALID_RECORD";
    case StoreErr::kOffsetOutOfRange: return "OFFSET_OUT_OF_RANGE";
    case StoreErr::kNotOpen: return "NOT_OPEN";
    case StoreErr::kAlreadyOpen: return "ALREADY_OPEN";
    case StoreErr::kNotWriter: return "NOT_WRITER";
    case StoreErr::kClosed: return "CLOSED";
    case StoreErr::kIo: return "IO";
    case StoreErr::kNoSpace: return "NO_SPACE";
  }
  return "IO";
}

Status store_error(StoreErr code, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return Status{code, 0, buf};
}

Status sys_error(int err, const char* what, const std::string& path) {
  StoreErr code = (err == ENOSPC || err == EDQUOT) ? StoreErr::kNoSpace : StoreErr::kIo;
  Status st = store_error(code, "%s %s: %s", what, path.c_str(), strerror(err));
  st.sys_errno = err;
  return st;
}

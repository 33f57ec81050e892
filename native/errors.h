// errors.h: the storage core's error vocabulary. Every storage function returns a Status; addon.cc
// turns it into a JS StoreError with the stable `code` string below (one function does that).
#pragma once

#include <string>

enum class StoreErr {
  kOk = 0,
  kCorruptMessage,    // a batch's length, magic or CRC is wrong
  kInvalidRecord,     // a well-formed batch that breaks a rule (record count, control bit, ...)
  kOffsetOutOfRange,  // read below the log start or above the high watermark
  kNotOpen,           // attach() to a directory no thread has opened
  kAlreadyOpen,       // open() of a directory that is open in this process
  kNotWriter,         // a writer-only call on an attached handle
  kClosed,            // any call after close()/delete()
  kIo,                // a system call failed; sys_errno says which way
  kNoSpace,           // ENOSPC/EDQUOT while reserving blocks; sticky for the segment
};

struct Status {
  StoreErr code = StoreErr::kOk;
  int sys_errno = 0;
  std::string message;
  bool ok() const { return code == StoreErr::kOk; }
};

const char* store_err_code(StoreErr code);  // "CORRUPT_MESSAGE", ... (the JS `code`)

// printf-style constructor for a failed Status.
Status store_error(StoreErr code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// A failed system call: `what` names the call, `path` the file. ENOSPC and EDQUOT map to kNoSpace.
Status sys_error(int err, const char* what, const std::string& path);

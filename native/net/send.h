// send.h: writing an answer to a non-blocking socket, part by part, where a part is either bytes in
// memory or a range of a file. A file range is read with pread into a reused buffer and sent from
// there, so a Fetch answer's record bytes never go through this process's mapping of the segment.
// Why: touching a mapped page for the first time is what made a first catch-up pass slow here. On
// this VM (paravirtualised, shadow page tables) the first access to each freshly mapped 4 KiB page
// costs ~1.5 us and a fault ~13 us: ~0.5 s per GB, where pread copies a GB in ~0.12 s and the copy
// into the socket from a buffer already in cache costs about what it costs from a warm mapping.
// (sendfile was tried: it saves the broker the copy but hands the consumer cold page-cache pages to
// copy from; in total it cost more CPU than this on a warm pass and barely less on a first one.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

// One part of an answer: `len` bytes at `data` in memory, or, when file_fd >= 0, at `file_offset` of
// that file (which must hold them: a short file fails the send with EIO).
struct SendPart {
  const uint8_t* data;
  int file_fd;
  uint64_t file_offset;
  size_t len;
};

// How far a send has got: parts[part] is sent up to byte `done`. For a file part, buffer[from, to)
// holds its next bytes, read but not sent yet. The buffer comes from a per-thread pool and goes back
// to it when the cursor is destroyed.
struct SendCursor {
  size_t part = 0;
  size_t done = 0;
  std::unique_ptr<uint8_t[]> buffer;
  size_t from = 0;
  size_t to = 0;
  SendCursor() = default;
  SendCursor(const SendCursor&) = delete;
  SendCursor& operator=(const SendCursor&) = delete;
  ~SendCursor();
};

constexpr size_t kSendBufferBytes = 1 << 20;

// Sends parts from the cursor on (memory parts gathered into one sendmsg, MSG_MORE while parts
// follow) until all are sent (returns 0), the socket is full (EAGAIN: call again once it is writable)
// or a call fails (its errno). Never raises SIGPIPE (MSG_NOSIGNAL).
int send_parts(int socket_fd, const std::vector<SendPart>& parts, SendCursor* cursor);

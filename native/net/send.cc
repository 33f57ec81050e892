#include "send.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace {

// Memory parts from the cursor on, up to the next file part, as one sendmsg. Returns the bytes sent
// or -errno.
ssize_t send_memory(int socket_fd, const std::vector<SendPart>& parts, const SendCursor& c) {
  iovec iov[64];
  int count = 0;
  size_t i = c.part;
  for (; i < parts.size() && parts[i].file_fd < 0 && count < 64; i++, count++) {
    size_t skip = i == c.part ? c.done : 0;
    iov[count].iov_base = const_cast<uint8_t*>(parts[i].data + skip);
    iov[count].iov_len = parts[i].len - skip;
  }
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = static_cast<size_t>(count);
  int flags = MSG_NOSIGNAL | MSG_DONTWAIT | (i < parts.size() ? MSG_MORE : 0);
  ssize_t n = sendmsg(socket_fd, &msg, flags);
  return n < 0 ? -errno : n;
}

// Buffers let go of by finished sends, for the next ones: a buffer is touched (faulted in) once.
constexpr size_t kPoolMax = 8;
thread_local std::vector<std::unique_ptr<uint8_t[]>> t_pool;

// Sends the file part's next bytes: reads up to a buffer's worth first when none are pending.
ssize_t send_file(int socket_fd, const std::vector<SendPart>& parts, SendCursor* c) {
  const SendPart& part = parts[c->part];
  if (c->from == c->to) {
    if (c->buffer == nullptr) {
      if (t_pool.empty()) {
        c->buffer = std::make_unique<uint8_t[]>(kSendBufferBytes);
      } else {
        c->buffer = std::move(t_pool.back());
        t_pool.pop_back();
      }
    }
    size_t left = part.len - c->done;
    ssize_t n = pread(part.file_fd, c->buffer.get(), left < kSendBufferBytes ? left : kSendBufferBytes,
                      static_cast<off_t>(part.file_offset + c->done));
    if (n < 0) return -errno;
    if (n == 0) return -EIO;  // the file ends before the part does
    c->from = 0;
    c->to = static_cast<size_t>(n);
  }
  bool more = c->done + (c->to - c->from) < part.len || c->part + 1 < parts.size();
  ssize_t n = send(socket_fd, c->buffer.get() + c->from, c->to - c->from, MSG_NOSIGNAL | MSG_DONTWAIT | (more ? MSG_MORE : 0));
  if (n < 0) return -errno;
  c->from += static_cast<size_t>(n);
  return n;
}

// Moves the cursor past `sent` bytes and past any empty parts.
void advance(const std::vector<SendPart>& parts, SendCursor* c, size_t sent) {
  while (c->part < parts.size()) {
    size_t left = parts[c->part].len - c->done;
    if (sent < left) {
      c->done += sent;
      return;
    }
    sent -= left;
    c->part++;
    c->done = 0;
  }
}

}  // namespace

SendCursor::~SendCursor() {
  if (buffer != nullptr && t_pool.size() < kPoolMax) t_pool.push_back(std::move(buffer));
}

int send_parts(int socket_fd, const std::vector<SendPart>& parts, SendCursor* cursor) {
  for (advance(parts, cursor, 0); cursor->part < parts.size();) {
    const SendPart& part = parts[cursor->part];
    ssize_t n = part.file_fd >= 0 ? send_file(socket_fd, parts, cursor) : send_memory(socket_fd, parts, *cursor);
    if (n == -EINTR) continue;
    if (n == -EWOULDBLOCK) return EAGAIN;
    if (n < 0) return static_cast<int>(-n);
    advance(parts, cursor, static_cast<size_t>(n));
  }
  return 0;
}

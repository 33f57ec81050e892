// Sending an answer of memory and file parts to a non-blocking socket (net/send.h): every byte in
// order across a socket that fills up again and again, and a file shorter than its part.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "harness.h"
#include "log/mapping.h"
#include "net/send.h"
#include "test_util.h"

namespace {

std::vector<uint8_t> pattern(size_t len, uint8_t seed) {
  std::vector<uint8_t> out(len);
  for (size_t i = 0; i < len; i++) out[i] = static_cast<uint8_t>(seed + i * 7 + i / 251);
  return out;
}

// A connected pair whose first end is non-blocking with a small send buffer.
bool socket_pair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return false;
  int small = 16 * 1024;
  setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  return fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) == 0;
}

}  // namespace

TEST(memory_and_file_parts_arrive_in_order_through_a_socket_that_fills_up) {
  std::string dir = make_temp_dir();
  std::vector<uint8_t> file = pattern(3 * kSendBufferBytes + 12345, 1);
  write_file(dir + "/data", file);
  Fd fd;
  CHECK_OK(fd_open(dir + "/data", O_RDONLY, &fd));
  std::vector<uint8_t> head = pattern(100, 2);
  std::vector<uint8_t> middle = pattern(5000, 3);
  std::vector<SendPart> parts = {
      {head.data(), -1, 0, head.size()},
      {nullptr, fd.fd, 10, 2 * kSendBufferBytes + 5},  // more than one buffer's worth, from an odd offset
      {middle.data(), -1, 0, middle.size()},
      {nullptr, -1, 0, 0},                             // an empty part
      {nullptr, fd.fd, 7, 3000},
  };
  std::vector<uint8_t> expected(head);
  expected.insert(expected.end(), file.begin() + 10, file.begin() + 10 + 2 * kSendBufferBytes + 5);
  expected.insert(expected.end(), middle.begin(), middle.end());
  expected.insert(expected.end(), file.begin() + 7, file.begin() + 7 + 3000);

  int fds[2];
  CHECK(socket_pair(fds));
  std::vector<uint8_t> received;
  std::thread reader([&] {
    uint8_t buf[7000];
    ssize_t n;
    while ((n = read(fds[1], buf, sizeof buf)) > 0) received.insert(received.end(), buf, buf + n);
  });
  SendCursor cursor;
  int result = EAGAIN;
  int full = 0;
  while (result == EAGAIN) {
    result = send_parts(fds[0], parts, &cursor);
    if (result == EAGAIN) full++;
  }
  close(fds[0]);
  reader.join();
  close(fds[1]);
  CHECK_EQ(result, 0);
  CHECK(full > 0);  // the socket filled up at least once, so sends resumed mid-part
  CHECK_EQ(received.size(), expected.size());
  CHECK(received == expected);
  remove_dir(dir);
}

TEST(a_file_shorter_than_its_part_fails_the_send_with_eio) {
  std::string dir = make_temp_dir();
  write_file(dir + "/short", pattern(1000, 4));
  Fd fd;
  CHECK_OK(fd_open(dir + "/short", O_RDONLY, &fd));
  std::vector<SendPart> parts = {{nullptr, fd.fd, 500, 1000}};
  int fds[2];
  CHECK(socket_pair(fds));
  SendCursor cursor;
  CHECK_EQ(send_parts(fds[0], parts, &cursor), EIO);
  CHECK_EQ(cursor.done, 500u);  // the bytes the file had went out
  close(fds[0]);
  close(fds[1]);
  remove_dir(dir);
}

TEST(a_closed_peer_fails_the_send_without_a_signal) {
  std::vector<uint8_t> bytes = pattern(1000, 5);
  std::vector<SendPart> parts = {{bytes.data(), -1, 0, bytes.size()}};
  int fds[2];
  CHECK(socket_pair(fds));
  close(fds[1]);
  SendCursor cursor;
  CHECK_EQ(send_parts(fds[0], parts, &cursor), EPIPE);
  close(fds[0]);
}

TEST_MAIN()

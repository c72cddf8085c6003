#include "ddsafe/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <memory>

namespace ddsafe {

void UniqueFd::reset(int fd) noexcept {
  // close(2) is not retried on EINTR: Linux releases the descriptor before reporting it, and a
  // retry could close a descriptor another thread just opened (folly filterCloseReturn).
  if (fd_ >= 0) (void)::close(fd_);
  fd_ = fd;
}

Result<void> UniqueFd::close() {
  const int fd = release();
  if (fd < 0) return {};
  if (::close(fd) != 0 && errno != EINTR) return sys_error("close", "");
  return {};
}

Result<UniqueFd> open_fd(const std::filesystem::path& p, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(p.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return sys_error("open", p);
  return UniqueFd(fd);
}

Result<void> write_all(int fd, std::span<const char> data, const std::filesystem::path& what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("write", what);
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> pwrite_all(int fd, std::span<const char> data, off_t offset,
                        const std::filesystem::path& what) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("write", what);
    data = data.subspan(static_cast<std::size_t>(n));
    offset += n;
  }
  return {};
}

Result<std::string> pread_some(int fd, std::size_t max_bytes, off_t offset,
                               const std::filesystem::path& what) {
  // Not zero-filled: records are read on every acquisition and most reads are short.
  auto raw = std::make_unique_for_overwrite<char[]>(max_bytes);
  char* const buf = raw.get();
  std::size_t got = 0;
  while (got < max_bytes) {
    const std::size_t want = max_bytes - got;
    const ssize_t n = ::pread(fd, buf + got, want, offset + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read", what);
    got += static_cast<std::size_t>(n);
    // A short read of a regular file is its end: no second call just to learn that.
    if (static_cast<std::size_t>(n) < want) break;
  }
  return std::string(buf, got);
}

Result<std::string> read_small_file(const std::filesystem::path& p, std::size_t max_bytes) {
  auto fd = open_fd(p, O_RDONLY | O_NOCTTY);
  if (!fd) return std::move(fd).error();
  std::string out;
  char buf[4096];
  while (out.size() < max_bytes) {
    const ssize_t n = ::read(fd->get(), buf, std::min(sizeof buf, max_bytes - out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read", p);
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace ddsafe

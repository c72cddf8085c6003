#pragma once

#include <sys/types.h>

#include <filesystem>
#include <span>
#include <string>
#include <utility>

#include "ddsafe/result.hpp"

namespace ddsafe {

/// Owns one file descriptor; move-only. fd_ == -1 means empty.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the held fd once (EINTR is not retried: on Linux the fd is gone either way).
  void reset(int fd = -1) noexcept;
  /// Closes and reports the close error, for fds that were written to.
  [[nodiscard]] Result<void> close();

 private:
  int fd_;
};

/// open(2) with O_CLOEXEC always added. On failure: the errno of open, context names the path.
Result<UniqueFd> open_fd(const std::filesystem::path& p, int flags, mode_t mode = 0600);

/// Writes all of data, retrying on EINTR and short writes. Errors name `what`.
Result<void> write_all(int fd, std::span<const char> data, const std::filesystem::path& what);
/// pwrite(2) of all of data at offset, retrying on EINTR and short writes.
Result<void> pwrite_all(int fd, std::span<const char> data, off_t offset,
                        const std::filesystem::path& what);
/// Reads a whole small file (procfs included, whose reads may return less than asked before
/// the end) with read(2) until end of file or max_bytes. Errors (ENOENT, ESRCH for a process
/// that just exited, ...) are returned, never thrown.
Result<std::string> read_small_file(const std::filesystem::path& p, std::size_t max_bytes);

/// Reads up to max_bytes from offset (retrying EINTR); fewer bytes means end of file.
Result<std::string> pread_some(int fd, std::size_t max_bytes, off_t offset,
                               const std::filesystem::path& what);

}  // namespace ddsafe

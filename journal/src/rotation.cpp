#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "ddsafe/journal/journal.hpp"
#include "ddsafe/unique_fd.hpp"
#include "rotation_internal.hpp"

namespace ddsafe::journal {
namespace {

// "16777216", "64K", "16M", "1G" (binary multiples); nullopt when anything else is there.
std::optional<std::uint64_t> parse_size(std::string_view s) {
  std::uint64_t n = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  if (r.ec != std::errc() || r.ptr == s.data()) return std::nullopt;
  const std::string_view unit(r.ptr, static_cast<std::size_t>(s.data() + s.size() - r.ptr));
  int shift = 0;
  if (unit == "K" || unit == "k") shift = 10;
  else if (unit == "M" || unit == "m") shift = 20;
  else if (unit == "G" || unit == "g") shift = 30;
  else if (!unit.empty()) return std::nullopt;
  if (n > (std::uint64_t{1} << (62 - shift))) return std::nullopt;
  return n << shift;
}

Result<void> lock_exclusive(int fd, const std::filesystem::path& what) {
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) return sys_error("lock", what);
  return {};
}

}  // namespace

Result<Rotation> Rotation::from_env() {
  Rotation r;
  if (const char* v = std::getenv("DD_JOURNAL_MAX_BYTES"); v && *v) {
    const auto n = parse_size(v);
    if (!n)
      return make_error(errc::invalid_argument,
                        fmt::format("invalid DD_JOURNAL_MAX_BYTES '{}' (bytes, or with K/M/G)", v));
    r.max_bytes = *n;
  }
  if (const char* v = std::getenv("DD_JOURNAL_KEEP"); v && *v) {
    const std::string_view s(v);
    int n = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), n);
    if (res.ec != std::errc() || res.ptr != s.data() + s.size() || n < 1 || n > 1000)
      return make_error(errc::invalid_argument,
                        fmt::format("invalid DD_JOURNAL_KEEP '{}' (1-1000)", v));
    r.keep = n;
  }
  return r;
}

Rotation Rotation::from_env_or_default() {
  auto r = from_env();
  return r ? *r : Rotation{};
}

std::filesystem::path rotated_path(const std::filesystem::path& journal, int n) {
  auto p = journal;
  p += fmt::format(".{}", n);
  return p;
}

std::filesystem::path rotate_lock_path(const std::filesystem::path& journal) {
  return journal.parent_path() / fmt::format(".{}.rotate.lock", journal.filename().string());
}

UniqueFd lock_rotation_shared(const std::filesystem::path& journal) {
  // O_RDONLY and no O_CREAT: a reader must not need write access to the directory.
  auto lock = open_fd(rotate_lock_path(journal), O_RDONLY | O_NOCTTY);
  if (!lock) return UniqueFd();
  while (::flock(lock->get(), LOCK_SH) != 0)
    if (errno != EINTR) return UniqueFd();
  return std::move(*lock);
}

Result<bool> rotate_if_due(const std::filesystem::path& journal, int written_fd,
                           const Rotation& rotation) {
  if (rotation.max_bytes == 0) return false;
  struct stat mine {};
  if (::fstat(written_fd, &mine) != 0) return sys_error("fstat journal", journal);
  if (static_cast<std::uint64_t>(mine.st_size) < rotation.max_bytes) return false;
  // The lock lives on a file that is never renamed: locking the journal itself would lock an
  // inode that the first rotation moves to .1, and the next rotator would lock the new one.
  const auto lock_path = rotate_lock_path(journal);
  auto lock = open_fd(lock_path, O_RDWR | O_CREAT | O_NOCTTY, 0644);
  if (!lock) return std::move(lock).error();
  if (auto locked = lock_exclusive(lock->get(), lock_path); !locked) return std::move(locked).error();
  // Under the lock, re-check: another appender may have rotated while we waited, in which case
  // the path names a fresh file (or none) and our file is already .1.
  struct stat now {};
  if (::stat(journal.c_str(), &now) != 0)
    return errno == ENOENT ? Result<bool>(false) : Result<bool>(sys_error("stat", journal));
  if (now.st_dev != mine.st_dev || now.st_ino != mine.st_ino) return false;
  if (static_cast<std::uint64_t>(now.st_size) < rotation.max_bytes) return false;
  // Shift oldest first, so every record keeps a name at every instant (rename(2) replaces
  // atomically; the file beyond `keep` is the one replaced). Writers holding a descriptor keep
  // writing into the inode, whatever its name is now.
  for (int n = std::max(rotation.keep, 1) - 1; n >= 1; --n) {
    const auto from = rotated_path(journal, n);
    if (::rename(from.c_str(), rotated_path(journal, n + 1).c_str()) != 0 && errno != ENOENT)
      return sys_error("rotate", from);
  }
  if (::rename(journal.c_str(), rotated_path(journal, 1).c_str()) != 0)
    return sys_error("rotate", journal);
  return true;
}

}  // namespace ddsafe::journal

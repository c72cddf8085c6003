#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "ddsafe/journal/journal.hpp"
#include "ddsafe/journal/reader.hpp"
#include "rotation_internal.hpp"

namespace ddsafe::journal {
namespace {

// Rotated files beyond this are not looked for (Rotation::keep is at most 1000).
constexpr int kMaxRotated = 1000;
// How often open_set starts over when rotations keep moving names under it.
constexpr int kMaxOpenRounds = 50;

struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const Identity&) const = default;
};

// Opens one file of the set for reading; nullopt when it does not exist.
Result<std::optional<SetFile>> open_member(const std::filesystem::path& p) {
  auto fd = open_fd(p, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (!fd) {
    if (fd.error().code == std::errc::no_such_file_or_directory) return std::optional<SetFile>();
    auto e = std::move(fd).error();
    e.context = fmt::format("open journal '{}'", p.string());
    return e;
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return sys_error("fstat journal", p);
  if (S_ISDIR(st.st_mode)) return sys_error(EISDIR, "read journal", p);
  if (!S_ISREG(st.st_mode))
    return make_error(errc::not_a_regular_file,
                      fmt::format("read journal '{}'", p.string()));
  return std::optional<SetFile>(SetFile{p, std::move(*fd)});
}

Identity identity_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

// Whether every name still names the file opened under it (no rotation happened meanwhile).
bool still_named(const std::vector<SetFile>& files) {
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.path.c_str(), &st) != 0) return false;
    if (!(Identity{st.st_dev, st.st_ino} == identity_of(f.fd.get()))) return false;
  }
  return true;
}

// The highest n for which journal.n exists (0 for none).
int highest_rotated(const std::filesystem::path& journal) {
  int n = 0;
  struct stat st {};
  while (n < kMaxRotated && ::stat(rotated_path(journal, n + 1).c_str(), &st) == 0) ++n;
  return n;
}

Result<std::vector<SetFile>> open_once(const std::filesystem::path& journal) {
  std::vector<SetFile> files;
  for (int n = highest_rotated(journal); n >= 0; --n) {
    auto f = open_member(n == 0 ? journal : rotated_path(journal, n));
    if (!f) return std::move(f).error();
    if (*f) files.push_back(std::move(**f));
  }
  return files;
}

}  // namespace

Result<std::vector<SetFile>> open_set(const std::filesystem::path& journal) {
  // Opening .N first and the live file last, a rotation in between would shift a file from a
  // name not yet opened to one already opened, and it would be missed. Starting over until no
  // name moved gives a set that existed at one instant; files opened keep their content.
  // still_named() only sees names it opened, though: in the middle of a rotator's shift .N is
  // briefly missing and the older files are never opened at all. The shared rotation lock keeps
  // shifts out while the set is opened (held only for that: reading may take long).
  const auto no_shift = lock_rotation_shared(journal);
  for (int round = 0;; ++round) {
    auto files = open_once(journal);
    if (!files) return files;
    if (files->empty()) return sys_error(ENOENT, "open journal", journal);
    if (round + 1 >= kMaxOpenRounds || still_named(*files)) return files;
  }
}

}  // namespace ddsafe::journal

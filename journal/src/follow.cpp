#include "ddsafe/journal/follow.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "ddsafe/journal/journal.hpp"
#include "rotation_internal.hpp"

namespace ddsafe::journal {
namespace {

constexpr int kMaxRotated = 1000;
constexpr int kMaxChainRounds = 50;

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The n for which journal.n names the file open as `fd`; 0 when none does.
int rotated_index(const std::filesystem::path& journal, int fd) {
  struct stat mine {}, st {};
  if (::fstat(fd, &mine) != 0) return 0;
  for (int n = 1; n <= kMaxRotated; ++n) {
    if (::stat(rotated_path(journal, n).c_str(), &st) != 0) return 0;
    if (same_file(st, mine)) return n;
  }
  return 0;
}

Result<std::optional<SetFile>> open_if_exists(const std::filesystem::path& p) {
  auto fd = open_fd(p, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (fd) return std::optional<SetFile>(SetFile{p, std::move(*fd)});
  if (fd.error().code == std::errc::no_such_file_or_directory) return std::optional<SetFile>();
  auto e = std::move(fd).error();
  e.context = fmt::format("open journal '{}'", p.string());
  return e;
}

// Whether every file still has the name it was opened under.
bool still_named(const std::vector<SetFile>& files) {
  for (const auto& f : files) {
    struct stat st {}, mine {};
    if (::stat(f.path.c_str(), &st) != 0 || ::fstat(f.fd.get(), &mine) != 0) return false;
    if (!same_file(st, mine)) return false;
  }
  return true;
}

// The files newer than the one open as `fd`: journal.(k-1) ... journal.1, journal, where
// journal.k names `fd`'s file (or just journal when it has no rotated name any more).
Result<std::vector<SetFile>> newer_files(const std::filesystem::path& journal, int fd) {
  // rotated_index() stops at the first missing .N, which a rotator's shift leaves for a moment;
  // the shared rotation lock keeps shifts out meanwhile (see open_set).
  const auto no_shift = lock_rotation_shared(journal);
  for (int round = 0;; ++round) {
    const int k = fd >= 0 ? rotated_index(journal, fd) : 0;
    std::vector<SetFile> chain;
    for (int n = std::max(k - 1, 0); n >= 0; --n) {
      auto f = open_if_exists(n == 0 ? journal : rotated_path(journal, n));
      if (!f) return std::move(f).error();
      if (*f) chain.push_back(std::move(**f));
    }
    if (round + 1 >= kMaxChainRounds || still_named(chain)) return chain;
  }
}

}  // namespace

Follower::Follower(std::filesystem::path journal, std::optional<SetFile> current,
                   LineFeeder feeder)
    : journal_(std::move(journal)) {
  if (current) current_.emplace(Tracked{std::move(*current), std::move(feeder)});
}

Result<bool> Follower::feed(Tracked& t, RecordVisitor& visitor) {
  return t.feeder.feed(t.file.fd.get(), t.file.path, visitor, stats_);
}

void Follower::retire(Tracked t) {
  old_.push_back(std::move(t));
  if (old_.size() <= kOldFilesKept) return;
  old_.front().feeder.finish(stats_);
  old_.pop_front();
}

Result<bool> Follower::restart_if_truncated(std::int64_t size, RecordVisitor& visitor) {
  // Truncated in place (": > journal.jsonl"): the offset lies beyond the end, and without this
  // every record written after it would be skipped until the file grew past the old offset.
  // As tail -F does, start again from 0; the held-back part line belonged to the old content.
  const int fd = current_->file.fd.get();
  const off_t offset = ::lseek(fd, 0, SEEK_CUR);
  if (offset < 0 || size >= offset) return true;
  if (::lseek(fd, 0, SEEK_SET) != 0) return sys_error("seek", current_->file.path);
  current_->feeder = LineFeeder();
  return feed(*current_, visitor);
}

Result<bool> Follower::follow_rotation(RecordVisitor& visitor) {
  struct stat named {}, mine {};
  const bool exists = ::stat(journal_.c_str(), &named) == 0;
  if (!current_ && !exists) return true;  // nothing to follow yet
  if (current_ && exists && ::fstat(current_->file.fd.get(), &mine) == 0 &&
      same_file(named, mine))
    return restart_if_truncated(mine.st_size, visitor);
  // The name moved on, or is gone (rotated and not yet recreated, while the files we have not
  // read may already be .1, .2, ...).
  // Finish the current file first: records appended before the rename come before the newer
  // files' records.
  if (current_) {
    if (auto go = feed(*current_, visitor); !go || !*go) return go;
  }
  auto chain = newer_files(journal_, current_ ? current_->file.fd.get() : -1);
  if (!chain) return std::move(chain).error();
  if (chain->empty()) return true;
  if (current_) retire(std::move(*current_));
  current_.reset();
  for (auto& f : *chain) {
    if (current_) retire(std::move(*current_));
    current_.emplace(Tracked{std::move(f), LineFeeder()});
    if (auto go = feed(*current_, visitor); !go || !*go) return go;
  }
  return true;
}

Result<bool> Follower::poll(RecordVisitor& visitor) {
  for (auto& t : old_)
    if (auto go = feed(t, visitor); !go || !*go) return go;
  if (current_)
    if (auto go = feed(*current_, visitor); !go || !*go) return go;
  return follow_rotation(visitor);
}

}  // namespace ddsafe::journal

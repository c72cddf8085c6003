#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <sstream>

#include <fmt/format.h>

#include "ddsafe/file_lock.hpp"
#include "lock_internal.hpp"

namespace ddsafe {
namespace {

using Clock = std::chrono::steady_clock;

// Counts FLOCK entries on (dev, ino) in /proc/locks, whose lines read
// "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" (major:minor in hex, inode decimal).
// Blocked waiters appear as "1: -> FLOCK ..." and are skipped. Returns -1 if unreadable.
int count_flock_holders(detail::FileId id) {
  auto text = read_small_file("/proc/locks", std::size_t{64} << 20);
  if (!text) return -1;
  std::istringstream in(*text);
  const auto want = fmt::format("{:02x}:{:02x}:{}", major(id.dev), minor(id.dev), id.ino);
  int holders = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string num, kind, adv, rw, pid, dev;
    fields >> num >> kind;
    if (kind != "FLOCK") continue;
    fields >> adv >> rw >> pid >> dev;
    if (dev == want) ++holders;
  }
  return holders;
}

// Without /proc/locks: a shared probe that fails proves an exclusive holder; one that succeeds
// cannot tell "free" from "shared holders", so also probe exclusive (released at once).
bool probe_held(int fd) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    (void)::flock(fd, LOCK_UN);
    return false;
  }
  return true;
}

}  // namespace

Result<LockStatus> lock_status(const std::filesystem::path& path) {
  LockStatus st;
  auto opened = detail::open_lock_file(path, /*create=*/false);
  if (!opened) {
    const auto& e = opened.error();
    struct stat parent {};
    const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    if (e.code == std::errc::no_such_file_or_directory && ::stat(dir.c_str(), &parent) == 0)
      return st;  // no lock file: nobody holds it
    return std::move(opened).error();
  }
  st.exists = true;
  const int fd = opened->fd.get();
  const int holders = count_flock_holders(opened->id);
  st.holders = holders < 0 ? 0 : holders;
  st.held = holders < 0 ? probe_held(fd) : holders > 0;
  auto text = pread_some(fd, kMaxRecordBytes, 0, path);
  if (!text) return std::move(text).error();
  st.record = parse_record(*text);
  st.record_unreadable = !st.record && !text->empty();
  if (!st.record || !st.held || st.record->state != "held") return st;
  st.owner = liveness_of(st.record->owner);
  st.stale_if_expired_broken = judge_stale(*st.record, /*break_expired=*/true);
  st.held_for = std::chrono::milliseconds(wall_clock_ms() -
                                          std::max<std::int64_t>(st.record->acquired_at_ms, 0));
  if (st.record->ttl_ms > 0 && st.record->owner.boot_id == self_identity().boot_id)
    st.lease_left = std::chrono::milliseconds(lease_end_ms(*st.record) - boot_clock_ms());
  return st;
}

}  // namespace ddsafe

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

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
  std::ifstream in("/proc/locks");
  if (!in) return -1;
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
  st.held_for = std::chrono::milliseconds(wall_clock_ms() - st.record->acquired_at_ms);
  if (st.record->ttl_ms > 0 && st.record->owner.boot_id == self_identity().boot_id)
    st.lease_left = std::chrono::milliseconds(st.record->renewed_boot_ms + st.record->ttl_ms -
                                              boot_clock_ms());
  return st;
}

Result<FdLockOutcome> lock_fd(int fd, const LockOptions& o, pid_t owner_pid) {
  const auto start = Clock::now();
  const std::filesystem::path shown = fmt::format("fd {}", fd);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) return sys_error(EBADF, "lock", shown);
  if (!S_ISREG(st.st_mode)) return make_error(errc::not_a_regular_file, fmt::format("lock {}", shown.string()));
  // The inherited descriptor may be write-only (`exec 9>f`): read and write the record through
  // a second open of the same inode.
  const auto self_link = fmt::format("/proc/self/fd/{}", fd);
  auto rw = open_fd(self_link, O_RDWR | O_NOCTTY | O_NONBLOCK);
  struct stat rst {};
  if (rw && (::fstat(rw->get(), &rst) != 0 || rst.st_ino != st.st_ino || rst.st_dev != st.st_dev))
    rw = Error{};
  const int op = (o.mode == LockMode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    if (::flock(fd, op) == 0) break;
    if (errno != EWOULDBLOCK && errno != EINTR) return sys_error("flock", shown);
    const auto now = Clock::now();
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
    if (o.timeout && now - start >= *o.timeout) {
      std::optional<OwnerRecord> holder;
      if (rw) {
        auto r = detail::read_record(rw->get(), shown);
        if (r) holder = *r;
      }
      const bool fail_open = o.on_timeout == TimeoutPolicy::fail_open;
      const bool nonblocking = o.timeout->count() == 0;
      if (o.events && (fail_open || !nonblocking)) {
        Event ev{fail_open ? "lock_fail_open" : "lock_timeout", {}};
        ev.add("path", o.command.empty() ? shown.string() : o.command)
            .add("tool", o.tool)
            .add("waited_ms", static_cast<std::int64_t>(waited.count()))
            .add("holder", describe_holder(holder))
            .add("holder_pid", std::int64_t{holder ? holder->owner.pid : 0});
        o.events->emit(ev);
      }
      if (fail_open) return FdLockOutcome{false, 0, waited};
      return make_error(nonblocking ? errc::lock_busy : errc::lock_timeout,
                        fmt::format("cannot lock {} (holder: {})", shown.string(), describe_holder(holder)));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::duration_cast<std::chrono::microseconds>(o.poll_interval));
  }
  FdLockOutcome out{true, 0, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
  if (!rw) return out;  // not writable for us: locked, but no record
  auto old = pread_some(rw->get(), kMaxRecordBytes, 0, shown);
  if (!old) return out;
  OwnerRecord rec;
  rec.state = "held";
  rec.mode = o.mode == LockMode::shared ? "shared" : "exclusive";
  rec.owner = identity_of(owner_pid);
  rec.owner.host = self_identity().host;
  rec.owner.boot_id = self_identity().boot_id;
  rec.uid = ::getuid();
  rec.ttl_ms = o.ttl.count();
  rec.cmd = o.command;
  rec.token = next_token(parse_record(*old));
  rec.acquired_at_ms = rec.renewed_at_ms = wall_clock_ms();
  rec.renewed_boot_ms = boot_clock_ms();
  std::string line = format_record(rec);
  if (old->size() > line.size()) line.insert(line.size() - 1, old->size() - line.size(), ' ');
  if (pwrite_all(rw->get(), line, 0, shown)) out.token = rec.token;
  return out;
}

Result<void> unlock_fd(int fd) {
  const std::filesystem::path shown = fmt::format("fd {}", fd);
  if (::flock(fd, LOCK_UN) != 0) return sys_error("unlock", shown);
  return {};
}

}  // namespace ddsafe

// flock(1)'s descriptor form: lock a descriptor the calling shell holds open.

#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "ddsafe/file_lock.hpp"
#include "lock_internal.hpp"

namespace ddsafe {
namespace {

using Clock = std::chrono::steady_clock;

// The path the descriptor was opened with, as the kernel knows it ("" if unknown).
std::string path_of(int fd) {
  std::array<char, 4096> buf{};
  const auto link = fmt::format("/proc/self/fd/{}", fd);
  const ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size() - 1);
  return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string();
}

// The file behind a descriptor, for messages and events ("fd 9" if /proc cannot tell).
std::string describe_fd(int fd) {
  const auto path = path_of(fd);
  if (path.empty()) return fmt::format("fd {}", fd);
  return fmt::format("'{}' (fd {})", path, fd);
}

// The owner's command line, NUL-separated in /proc/PID/cmdline, joined with spaces.
std::string command_line_of(pid_t pid) {
  auto text = read_small_file(fmt::format("/proc/{}/cmdline", pid), 64 * 1024);
  if (!text) return {};
  while (!text->empty() && text->back() == '\0') text->pop_back();
  std::replace(text->begin(), text->end(), '\0', ' ');
  return *text;
}

enum class Shares { yes, no, unknown };

// Whether process `p` has, under any number, the very open file description our `fd` is
// (kcmp(2) KCMP_FILE). Unknown when that cannot be told (kcmp or /proc/P/fd not permitted).
Shares shares_description(pid_t self, pid_t p, int fd) {
  auto same = [&](int theirs) { return ::syscall(SYS_kcmp, self, p, KCMP_FILE, fd, theirs); };
  const long direct = same(fd);
  if (direct == 0) return Shares::yes;
  if (direct < 0 && errno != EBADF) return Shares::unknown;
  std::error_code ec;
  std::filesystem::directory_iterator dir(fmt::format("/proc/{}/fd", p), ec);
  if (ec) return Shares::unknown;
  for (const auto& entry : dir) {
    int theirs = -1;
    const auto name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), theirs).ec != std::errc()) continue;
    const long r = same(theirs);
    if (r == 0) return Shares::yes;
    if (r < 0 && errno != EBADF) return Shares::unknown;  // EBADF: closed meanwhile
  }
  return Shares::no;
}

// Who keeps the lock alive in the descriptor form: the one ancestor (from our parent up, while
// they share it) holding the very open file description we lock. With two or more sharers (a
// wrapper such as `timeout dd-lock 9`, a subshell, a background job whose shell exits first)
// no single process's death proves anything; nor when sharing cannot be told. Then nullopt:
// the record names no provable owner, and nobody breaks it as owner-dead.
std::optional<pid_t> descriptor_owner(int fd) {
  std::vector<pid_t> sharers;
  const pid_t self = ::getpid();
  for (pid_t p = ::getppid(); p > 1; p = parent_of(p)) {
    const auto shares = shares_description(self, p, fd);
    if (shares == Shares::unknown) return std::nullopt;
    if (shares == Shares::no) break;
    sharers.push_back(p);
  }
  if (sharers.size() != 1) return std::nullopt;
  return sharers.front();
}

// The inherited descriptor may be write-only (`exec 9>f`) or read-only: read and write the
// record through a second open of the same inode, if we may.
std::optional<UniqueFd> reopen_rw(int fd, const struct stat& st) {
  auto rw = open_fd(fmt::format("/proc/self/fd/{}", fd), O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (!rw) return std::nullopt;
  struct stat rst {};
  if (::fstat(rw->get(), &rst) != 0 || rst.st_ino != st.st_ino || rst.st_dev != st.st_dev)
    return std::nullopt;
  return std::move(*rw);
}

// Writes the owner record after the flock succeeded, with the same rule as FileLock: after a
// "held" record (a crashed holder, or an inheritor that just let go) under the guard, and then
// check that the path still names the locked inode. Returns the token (0: no record written);
// errc::lock_lost if a breaker replaced the file: the shell's descriptor cannot follow it.
Result<std::uint64_t> record_grant(int rw, int fd, const struct stat& st, const LockOptions& o,
                                   const std::string& what, const std::string& path,
                                   std::optional<Clock::time_point> deadline) {
  auto old = pread_some(rw, kMaxRecordBytes, 0, what);
  if (!old) return std::uint64_t{0};
  auto prev = parse_record_head(*old);
  std::optional<detail::Guard> guard;
  if (o.mode == LockMode::shared || (prev && prev->state == "held")) {
    auto g = detail::Guard::take(rw, what, deadline);
    if (!g) return std::move(g).error();
    guard.emplace(std::move(*g));
    old = pread_some(rw, kMaxRecordBytes, 0, what);
    if (!old) return std::uint64_t{0};
    prev = parse_record_head(*old);
  }
  OwnerRecord rec;
  rec.state = "held";
  rec.mode = o.mode == LockMode::shared ? "shared" : "exclusive";
  const auto owner = descriptor_owner(fd);
  const pid_t owner_pid = owner.value_or(::getppid());
  rec.owner = identity_of(owner_pid);
  if (!owner) rec.owner.start_time = 0;  // not proven: liveness unknown, never "dead"
  rec.owner.host = self_identity().host;
  rec.owner.boot_id = self_identity().boot_id;
  rec.uid = ::getuid();
  rec.ttl_ms = o.ttl.count();
  rec.cmd = command_line_of(owner_pid);
  rec.token = next_token(prev);
  rec.acquired_at_ms = rec.renewed_at_ms = wall_clock_ms();
  rec.renewed_boot_ms = boot_clock_ms();
  if (!detail::write_record(rw, what, rec, old->size())) return std::uint64_t{0};
  if (path.empty() || path.front() != '/') return rec.token;
  auto same = detail::still_names(path, detail::FileId{st.st_dev, st.st_ino});
  if (same && !*same)
    return make_error(errc::lock_lost,
                      fmt::format("{} was replaced (a stale lock was broken) while locking it; "
                                  "reopen it and try again", what));
  return rec.token;
}

}  // namespace

Result<FdLockOutcome> lock_fd(int fd, const LockOptions& o) {
  const auto start = Clock::now();
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) return sys_error(EBADF, "lock", fmt::format("fd {}", fd));
  const auto what = describe_fd(fd);
  if (!S_ISREG(st.st_mode))
    return make_error(errc::not_a_regular_file, fmt::format("lock {}", what));
  auto rw = reopen_rw(fd, st);
  const int op = (o.mode == LockMode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  auto pause = std::chrono::microseconds(50);
  while (::flock(fd, op) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return sys_error("flock", what);
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (o.timeout && Clock::now() - start >= *o.timeout) {
      std::optional<OwnerRecord> holder;
      if (rw) {
        auto r = detail::read_record(rw->get(), what);
        if (r) holder = *r;
      }
      detail::emit_wait_event(o, what, holder, waited);
      if (o.on_timeout == TimeoutPolicy::fail_open) return FdLockOutcome{false, 0, waited};
      return detail::wait_error(o, what, holder, waited);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, o.poll_interval);
  }
  FdLockOutcome out{true, 0,
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
  if (!rw) return out;
  std::optional<Clock::time_point> deadline;
  if (o.timeout) deadline = start + *o.timeout;
  auto token = record_grant(rw->get(), fd, st, o, what, path_of(fd), deadline);
  if (!token) {
    (void)::flock(fd, LOCK_UN);
    return std::move(token).error();
  }
  out.token = *token;
  return out;
}

Result<void> unlock_fd(int fd) {
  if (::flock(fd, LOCK_UN) != 0) return sys_error("unlock", fmt::format("fd {}", fd));
  return {};
}

}  // namespace ddsafe

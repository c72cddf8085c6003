#include "ddsafe/file_lock.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "lock_internal.hpp"

namespace ddsafe {
namespace detail {

// Byte offset of the guard lock. The guard is an OFD lock (fcntl F_OFD_SETLK, per open file
// description like flock, independent of flock on Linux) on one byte of the lock file's own
// inode. Holders take it while they write their record; breakers take it while they judge and
// replace. Being per inode, it needs no second file, and a breaker that waited on the guard of
// an inode that was meanwhile replaced sees so when it re-checks the path.
constexpr off_t kGuardOffset = kGuardByte;

Result<OpenedLockFile> open_lock_file(const std::filesystem::path& path, bool create) {
  // O_NOFOLLOW: a symlink planted at the lock path in a shared directory must never redirect
  // our create/write. O_NONBLOCK: a FIFO or device at the path must not hang the open; it is
  // refused below anyway. O_NOCTTY as flock(1).
  const int flags = (create ? O_RDWR | O_CREAT : O_RDONLY) | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
  auto fd = open_fd(path, flags, 0666);
  if (!fd) return explain_open_error(std::move(fd).error(), path);
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return sys_error("fstat", path);
  if (!S_ISREG(st.st_mode))
    return make_error(errc::not_a_regular_file, fmt::format("lock file '{}'", path.string()));
  return OpenedLockFile{std::move(*fd), FileId{st.st_dev, st.st_ino}};
}

Error explain_open_error(Error e, const std::filesystem::path& path) {
  const auto shown = path.string();
  if (e.code == std::errc::too_many_symbolic_link_levels)
    return make_error(errc::symlink_refused, fmt::format("lock file '{}'", shown));
  if (e.code == std::errc::is_a_directory)
    return make_error(errc::not_a_regular_file, fmt::format("lock file '{}' is a directory", shown));
  if (e.code == std::errc::no_such_file_or_directory) {
    auto parent = path.parent_path();
    if (parent.empty()) parent = ".";
    e.context = fmt::format("open lock file '{}' (directory '{}' must exist)", shown,
                            parent.string());
    return e;
  }
  e.context = fmt::format("open lock file '{}'", shown);
  return e;
}

Result<bool> still_names(const std::filesystem::path& path, FileId id) {
  // If the path names the inode, the inode has a name: no fstat for the link count needed.
  struct stat by_path {};
  if (::stat(path.c_str(), &by_path) != 0) {
    if (errno == ENOENT || errno == ESTALE) return false;
    return sys_error("stat", path);
  }
  return by_path.st_dev == id.dev && by_path.st_ino == id.ino;
}

Result<std::optional<OwnerRecord>> read_record(int fd, const std::filesystem::path& path) {
  auto text = pread_some(fd, kMaxRecordBytes, 0, path);
  if (!text) return std::move(text).error();
  return parse_record(*text);
}

// Writes `rec` over the record at offset 0 with one pwrite, padded to the old record's length so
// that no byte of the old record survives before the first newline (readers stop there).
Result<std::size_t> write_record(int fd, const std::filesystem::path& path,
                                 const OwnerRecord& rec, std::size_t old_size) {
  std::string line = format_record(rec);
  if (old_size > line.size()) line.insert(line.size() - 1, old_size - line.size(), ' ');
  if (auto w = pwrite_all(fd, line, 0, path); !w) return std::move(w).error();
  return line.size();
}

std::string absolute_path(const std::filesystem::path& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p.string() : abs.lexically_normal().string();
}

void emit_wait_event(const LockOptions& o, const std::string& path,
                     const std::optional<OwnerRecord>& holder, std::chrono::milliseconds waited) {
  const bool nonblocking = o.timeout && o.timeout->count() == 0;
  const bool fail_open = o.on_timeout == TimeoutPolicy::fail_open;
  if (!o.events || (!fail_open && nonblocking)) return;
  Event ev{fail_open ? "lock_fail_open" : "lock_timeout", {}};
  ev.add("path", path)
      .add("tool", o.tool)
      .add("mode", o.mode == LockMode::shared ? "shared" : "exclusive")
      .add("waited_ms", static_cast<std::int64_t>(waited.count()))
      .add("holder", describe_holder(holder))
      .add("holder_pid", std::int64_t{holder ? holder->owner.pid : 0})
      .add("holder_cmd", holder ? holder->cmd : std::string())
      .add("holder_token", static_cast<std::int64_t>(holder ? holder->token : 0));
  if (!o.command.empty()) ev.add("cmd", o.command);
  o.events->emit(ev);
}

Error wait_error(const LockOptions& o, const std::string& what,
                 const std::optional<OwnerRecord>& holder, std::chrono::milliseconds waited) {
  const bool nonblocking = o.timeout && o.timeout->count() == 0;
  return make_error(nonblocking ? errc::lock_busy : errc::lock_timeout,
                    fmt::format("cannot lock {}{} (holder: {})", what,
                                nonblocking ? "" : fmt::format(" within {} ms", waited.count()),
                                describe_holder(holder)));
}

Result<Guard> Guard::take(int fd, const std::filesystem::path& path,
                          std::optional<std::chrono::steady_clock::time_point> deadline) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = kGuardOffset;
  fl.l_len = 1;
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    if (::fcntl(fd, F_OFD_SETLK, &fl) == 0) return Guard(fd);
    if (errno != EAGAIN && errno != EACCES && errno != EINTR)
      return sys_error("lock guard of", path);
    if (deadline && std::chrono::steady_clock::now() >= *deadline)
      return make_error(errc::lock_timeout, fmt::format("guard of lock file '{}'", path.string()));
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

Guard::~Guard() {
  if (fd_ < 0) return;
  struct flock fl {};
  fl.l_type = F_UNLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = kGuardOffset;
  fl.l_len = 1;
  (void)::fcntl(fd_, F_OFD_SETLK, &fl);  // closing the fd would release it too
}

}  // namespace detail

namespace {

using detail::FileId;
using detail::Guard;
using Clock = std::chrono::steady_clock;


// Process-wide table of lock files this process holds or is acquiring (LevelDB's
// PosixLockTable): locking one twice would self-deadlock with flock, or silently succeed where
// flock is emulated with fcntl.
// The table belongs to one pid: a forked child starts with an empty one, since the locks of
// its parent are not its own (they belong to open file descriptions it merely shares).
class LockTable {
 public:
  bool insert(FileId id) {
    std::lock_guard g(mu_);
    forget_parent();
    return ids_.insert({id.dev, id.ino}).second;
  }
  void erase(FileId id) {
    std::lock_guard g(mu_);
    forget_parent();
    ids_.erase({id.dev, id.ino});
  }

 private:
  void forget_parent() {
    if (owner_ == self_pid()) return;
    owner_ = self_pid();
    ids_.clear();
  }
  std::mutex mu_;
  pid_t owner_ = 0;
  std::set<std::pair<dev_t, ino_t>> ids_;
};

// Leaked on purpose: a FileLock in a static or global object is released by exit handlers,
// possibly after function-local statics were destroyed.
LockTable& lock_table() {
  static auto* table = new LockTable;
  return *table;
}

// RAII for an entry in the lock table.
class Reservation {
 public:
  Reservation() = default;
  Reservation(Reservation&&) = delete;
  ~Reservation() { clear(); }
  bool take(FileId id) {
    clear();
    if (!lock_table().insert(id)) return false;
    id_ = id;
    active_ = true;
    return true;
  }
  void clear() {
    if (active_) lock_table().erase(id_);
    active_ = false;
  }
  void keep() { active_ = false; }  // ownership passes to the FileLock

 private:
  FileId id_;
  bool active_ = false;
};

bool flock_nb(int fd, LockMode mode) {
  const int op = (mode == LockMode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  return rc == 0;
}

const char* mode_name(LockMode m) { return m == LockMode::shared ? "shared" : "exclusive"; }

OwnerRecord base_record(const LockOptions& o, const ProcessIdentity& owner) {
  OwnerRecord r;
  r.state = "held";
  r.mode = mode_name(o.mode);
  r.owner = owner;
  r.uid = owner.uid;
  r.ttl_ms = o.ttl.count();
  r.cmd = o.command;
  return r;
}

// Writes our record over `old`, carrying the token after `prev`; returns its length on disk.
Result<std::size_t> write_grant(int fd, const std::filesystem::path& path, std::size_t old_size,
                                const std::optional<RecordHead>& prev, OwnerRecord& rec) {
  rec.token = next_token(prev);
  const auto wall = wall_clock_ms();
  rec.acquired_at_ms = wall;
  rec.renewed_at_ms = wall;
  rec.renewed_boot_ms = boot_clock_ms();
  return detail::write_record(fd, path, rec, old_size);
}

class IdleFiles;
IdleFiles& idle_files();

// Lock files this process released lately, kept open (unlocked) so that the next acquisition
// of the same path skips open(2) and close(2), the two dearest calls of a lock cycle. Bounded.
// After a fork both processes drop them (pthread_atfork): a child that has not yet been scheduled
// still shares each open file description, so if the parent later locked through one and died,
// the child's copy would keep the lock alive. Forgetting them in the parent as well means a
// later lock never uses a description a child may hold. A reused descriptor is revalidated after
// flock like any other.
// close_idle_lock_files() closes them (a cached descriptor keeps its filesystem busy for umount).
class IdleFiles {
 public:
  IdleFiles() {
    (void)::pthread_atfork([] { idle_files().mu_.lock(); }, [] { idle_files().forget_after_fork(); },
                           [] { idle_files().forget_after_fork(); });
  }
  std::optional<detail::OpenedLockFile> take(const std::filesystem::path& path) {
    std::lock_guard g(mu_);
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->first.native() != path.native()) continue;
      auto file = std::move(it->second);
      idle_.erase(it);
      return file;
    }
    return std::nullopt;
  }
  void put(const std::filesystem::path& path, detail::OpenedLockFile file) {
    std::lock_guard g(mu_);
    if (idle_.size() >= kMaxIdle) idle_.erase(idle_.begin());
    idle_.emplace_back(path, std::move(file));
  }
  void clear() {
    std::lock_guard g(mu_);
    idle_.clear();
  }

 private:
  static constexpr std::size_t kMaxIdle = 4;
  friend IdleFiles& idle_files();
  // In the parent and in the child of fork, with mu_ held since the prepare handler: each
  // closes its own copies (all unlocked).
  void forget_after_fork() {
    idle_.clear();
    mu_.unlock();
  }
  std::mutex mu_;
  std::vector<std::pair<std::filesystem::path, detail::OpenedLockFile>> idle_;
};

IdleFiles& idle_files() {
  static auto* files = new IdleFiles;  // leaked on purpose, as lock_table()
  return *files;
}

class Backoff {
 public:
  explicit Backoff(std::chrono::microseconds cap) : cap_(std::max(cap, kFirst)), next_(kFirst) {}
  // Jittered exponential backoff, so that many waiters do not poll in lock-step.
  std::chrono::microseconds next() {
    const auto now = next_;
    next_ = std::min(next_ * 2, cap_);
    std::uniform_int_distribution<long> jitter(now.count() * 3 / 4, now.count());
    return std::chrono::microseconds(jitter(rng_));
  }

 private:
  static constexpr std::chrono::microseconds kFirst{50};
  std::chrono::microseconds cap_;
  std::chrono::microseconds next_;
  std::minstd_rand rng_{static_cast<unsigned>(self_pid()) ^
                        static_cast<unsigned>(Clock::now().time_since_epoch().count())};
};

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

const char* reason_name(StaleReason r) {
  return r == StaleReason::owner_dead ? "owner_dead" : "lease_expired";
}

enum class BreakOutcome { not_stale, broke, lost_race };

void emit_break(const LockOptions& o, const std::filesystem::path& path, const OwnerRecord& old,
                StaleReason why, std::uint64_t new_token) {
  if (!o.events) return;
  Event ev{"lock_stale_break", {}};
  ev.add("path", detail::absolute_path(path))
      .add("tool", o.tool)
      .add("reason", reason_name(why))
      .add("old_pid", std::int64_t{old.owner.pid})
      .add("old_host", old.owner.host)
      .add("old_cmd", old.cmd)
      .add("old_token", static_cast<std::int64_t>(old.token))
      .add("new_token", static_cast<std::int64_t>(new_token));
  o.events->emit(ev);
}

// Replaces the lock file by a fresh one carrying the next token. Called with the guard of the
// stale inode held and the staleness re-judged under it, so two breakers never both win: the
// second one finds, under the same guard, that the path no longer names the inode it judged.
Result<std::uint64_t> replace_lock_file(int old_fd, const std::filesystem::path& path,
                                        const OwnerRecord& stale) {
  struct stat st {};
  if (::fstat(old_fd, &st) != 0) return sys_error("fstat", path);
  auto dir = path.parent_path();
  // A short fixed name, so that lock names near NAME_MAX can still be broken.
  const auto tmp = (dir.empty() ? std::filesystem::path(".") : dir) /
                   fmt::format(".ddsafe-break-{}-{}", self_pid(), random_suffix().substr(0, 8));
  auto fd = open_fd(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (!fd) return std::move(fd).error();
  auto fail = [&](Error e) -> Result<std::uint64_t> {
    (void)::unlink(tmp.c_str());
    return e;
  };
  // Keep the lock file usable by whoever used it before: same mode, same owner where permitted.
  if (::fchmod(fd->get(), st.st_mode & 07777) != 0) return fail(sys_error("fchmod", tmp));
  (void)::fchown(fd->get(), st.st_uid, st.st_gid);  // only root may; others keep their own
  OwnerRecord fresh = stale;
  fresh.state = "broken";
  fresh.token = stale.token + 1;
  if (auto w = detail::write_record(fd->get(), tmp, fresh, 0); !w) return fail(std::move(w).error());
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(sys_error("rename", fmt::format("{}' -> '{}", tmp.string(), path.string())));
  return fresh.token;
}

// Whether two reads of a record show the same grant, unrenewed.
bool same_grant(const OwnerRecord& a, const OwnerRecord& b) {
  return a.state == b.state && a.token == b.token && a.owner.pid == b.owner.pid &&
         a.owner.start_time == b.owner.start_time && a.renewed_boot_ms == b.renewed_boot_ms;
}

Result<BreakOutcome> try_break(int fd, const std::filesystem::path& path, FileId id,
                               const LockOptions& o, std::optional<Clock::time_point> deadline) {
  // Judge first, from a record read outside the guard: an owner judged dead here was dead
  // before the re-read below. Judging after the re-read would be wrong: the owner could mark
  // its record free, unlock and exit between our read and our liveness check, and a new holder
  // could have taken the lock on the strength of that "free" record, without the guard.
  auto first = detail::read_record(fd, path);
  if (!first) return std::move(first).error();
  if (!*first) return BreakOutcome::not_stale;
  const auto why = judge_stale(**first, o.break_expired);
  if (why == StaleReason::none) return BreakOutcome::not_stale;
  auto guard = Guard::take(fd, path, deadline);
  if (!guard) return BreakOutcome::not_stale;  // deadline reached; the caller times out
  auto same = detail::still_names(path, id);
  if (!same) return std::move(same).error();
  if (!*same) return BreakOutcome::lost_race;
  // Under the guard the record must still be the very one judged. A dead owner writes nothing
  // more, and a new holder that found its record writes only under this guard, so an unchanged
  // record means nobody took the lock since; a changed one is judged afresh at the next poll.
  // (A lease holder renews and releases only under the guard: its record is frozen while we
  // hold it.)
  auto rec = detail::read_record(fd, path);
  if (!rec) return std::move(rec).error();
  if (!*rec || !same_grant(**rec, **first)) return BreakOutcome::not_stale;
  if (why == StaleReason::lease_expired && judge_stale(**rec, o.break_expired) == StaleReason::none)
    return BreakOutcome::not_stale;
  auto token = replace_lock_file(fd, path, **rec);
  if (!token) return std::move(token).error();
  emit_break(o, path, **rec, why, *token);
  return BreakOutcome::broke;
}

Result<void> check_options(const LockOptions& o, const std::filesystem::path& path) {
  if (path.empty()) return make_error(errc::invalid_argument, "empty lock path");
  if (o.ttl.count() < 0)
    return make_error(errc::invalid_argument, fmt::format("negative ttl for '{}'", path.string()));
  if (o.timeout && o.timeout->count() < 0)
    return make_error(errc::invalid_argument,
                      fmt::format("negative timeout for '{}'", path.string()));
  if (o.poll_interval.count() <= 0)
    return make_error(errc::invalid_argument, "poll interval must be positive");
  return {};
}

std::chrono::milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t);
}

// A timed-out wait: fail naming the holder, or proceed unlocked and say so in the journal.
Result<void> timeout_outcome(int fd, const std::filesystem::path& path, const LockOptions& o,
                             std::chrono::milliseconds waited,
                             const std::optional<Error>& break_error) {
  std::optional<OwnerRecord> holder;
  if (fd >= 0) {
    auto rec = detail::read_record(fd, path);
    if (rec) holder = *rec;
  }
  detail::emit_wait_event(o, detail::absolute_path(path), holder, waited);
  if (o.on_timeout == TimeoutPolicy::fail_open) return {};
  auto e = detail::wait_error(o, fmt::format("'{}'", path.string()), holder, waited);
  if (break_error)
    e.context += fmt::format("; its stale lock could not be broken: {}", break_error->message());
  return e;
}

// Rewrites our own record as "free" (the whole line, so that its check stays true).
Result<void> mark_free(int fd, const std::filesystem::path& path, const OwnerRecord& held,
                       std::size_t length) {
  OwnerRecord rec = held;
  rec.state = "free";
  auto w = detail::write_record(fd, path, rec, length);
  if (!w) return std::move(w).error();
  return {};
}

// A granted record and its length on disk.
struct Grant {
  OwnerRecord record;
  std::size_t length = 0;
};

// Called right after flock succeeded: writes our record with the next token and checks that the
// path still names the locked inode (nullopt: it was replaced; the caller starts over).
//
// Breakers act only on a readable "held" record, and they re-judge it holding the guard. So an
// exclusive acquirer that finds anything else in the file (released, broken, empty, garbage)
// cannot race a breaker and needs no guard: the fast path of every ordinary acquisition. One that
// finds a "held" record (its holder crashed, or an inheritor just let go) takes the guard, so
// that a breaker that judged that record stale either finishes first (we then see the path
// renamed away) or sees our fresh record when it re-reads under the guard.
Result<std::optional<Grant>> grant(const std::filesystem::path& path,
                                   const detail::OpenedLockFile& file, const LockOptions& o,
                                   std::optional<Clock::time_point> deadline) {
  const int fd = file.fd.get();
  auto old = pread_some(fd, kMaxRecordBytes, 0, path);
  if (!old) return std::move(old).error();
  std::optional<Guard> guard;
  auto prev = parse_record_head(*old);
  if (o.mode == LockMode::shared || (prev && prev->state == "held")) {
    auto g = Guard::take(fd, path, deadline);
    if (!g) return std::move(g).error();
    guard.emplace(std::move(*g));
    old = pread_some(fd, kMaxRecordBytes, 0, path);  // may have changed before we had the guard
    if (!old) return std::move(old).error();
    prev = parse_record_head(*old);
  }
  Grant g{base_record(o, self_identity()), 0};
  auto length = write_grant(fd, path, old->size(), prev, g.record);
  if (!length) return std::move(length).error();
  g.length = *length;
  auto same = detail::still_names(path, file.id);
  if (!same) return std::move(same).error();
  if (!*same) return std::optional<Grant>();
  return std::optional<Grant>(std::move(g));
}

}  // namespace

struct FileLockAccess {
  static void init(FileLock& l, const std::filesystem::path& path, detail::OpenedLockFile f,
                   LockMode mode, Grant&& g, std::chrono::milliseconds waited, bool broke) {
    l.record_len_ = g.length;
    l.holder_pid_ = self_pid();
    l.path_ = path;
    l.fd_ = std::move(f.fd);
    l.dev_ = f.id.dev;
    l.ino_ = f.id.ino;
    l.mode_ = mode;
    l.token_ = g.record.token;
    l.record_ = std::move(g.record);
    l.waited_ = waited;
    l.broke_stale_ = broke;
  }
  static void not_held(FileLock& l, const std::filesystem::path& path, LockMode mode,
                       std::chrono::milliseconds waited) {
    l.path_ = path;
    l.mode_ = mode;
    l.waited_ = waited;
  }
};

Result<FileLock> FileLock::acquire(const std::filesystem::path& path, const LockOptions& o) {
  if (auto ok = check_options(o, path); !ok) return std::move(ok).error();
  const auto start = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (o.timeout) deadline = start + *o.timeout;
  Backoff backoff(o.poll_interval);
  Reservation reservation;
  bool broke = false;
  bool first_try = true;
  std::optional<Error> break_error;
  std::optional<detail::OpenedLockFile> file;
  for (;;) {
    if (!file && first_try) file = idle_files().take(path);
    first_try = false;
    if (file && !reservation.take(file->id)) {
      idle_files().put(path, std::move(*file));
      return make_error(errc::lock_held_by_self, fmt::format("lock file '{}'", path.string()));
    }
    if (!file) {
      auto opened = detail::open_lock_file(path, /*create=*/true);
      if (!opened) return std::move(opened).error();
      if (!reservation.take(opened->id))
        return make_error(errc::lock_held_by_self, fmt::format("lock file '{}'", path.string()));
      file = std::move(*opened);
    }
    const int fd = file->fd.get();
    if (flock_nb(fd, o.mode)) {
      auto granted = grant(path, *file, o, deadline);
      if (!granted && granted.error().code == errc::lock_timeout) {
        // A breaker holds the guard past our deadline (a break is in progress): a timeout like
        // any other, naming the record it is judging.
        auto outcome = timeout_outcome(fd, path, o, since(start), break_error);
        file.reset();
        if (!outcome) return std::move(outcome).error();
        FileLock lock;
        FileLockAccess::not_held(lock, path, o.mode, since(start));
        return lock;
      }
      if (!granted) return std::move(granted).error();
      if (!granted->has_value()) {  // replaced (broken) between our open and our flock
        file.reset();
        continue;
      }
      reservation.keep();
      FileLock lock;
      FileLockAccess::init(lock, path, std::move(*file), o.mode, std::move(**granted),
                           since(start), broke);
      return lock;
    }
    if (errno != EWOULDBLOCK) return sys_error("flock", path);
    // Busy. A waiter must notice within one poll that the file it waits on was replaced.
    auto same = detail::still_names(path, file->id);
    if (!same) return std::move(same).error();
    if (!*same) {
      file.reset();
      continue;
    }
    if (o.break_dead_owner || o.break_expired) {
      auto b = try_break(fd, path, file->id, o, deadline);
      // A break that fails (no write permission in the directory, say) leaves the lock as it
      // is: keep waiting, and name the failure if the wait times out.
      if (!b) break_error = std::move(b).error();
      else if (*b != BreakOutcome::not_stale) {
        broke = broke || *b == BreakOutcome::broke;
        file.reset();
        continue;
      }
    }
    const auto now = Clock::now();
    if (deadline && now >= *deadline) {
      auto outcome = timeout_outcome(fd, path, o, since(start), break_error);
      if (!outcome) return std::move(outcome).error();
      FileLock lock;
      FileLockAccess::not_held(lock, path, o.mode, since(start));
      return lock;
    }
    auto pause = backoff.next();
    if (deadline)
      pause = std::min(pause, std::chrono::duration_cast<std::chrono::microseconds>(*deadline - now));
    std::this_thread::sleep_for(pause);
  }
}

FileLock::FileLock(FileLock&& other) noexcept { *this = std::move(other); }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this == &other) return *this;
  (void)release();
  path_ = std::move(other.path_);
  fd_ = std::move(other.fd_);
  dev_ = other.dev_;
  ino_ = other.ino_;
  mode_ = other.mode_;
  token_ = std::exchange(other.token_, 0);
  waited_ = other.waited_;
  broke_stale_ = other.broke_stale_;
  record_ = std::move(other.record_);
  holder_pid_ = std::exchange(other.holder_pid_, 0);
  record_len_ = other.record_len_;
  return *this;
}

FileLock::~FileLock() { (void)release(); }

Result<void> FileLock::verify() const {
  if (!held()) return make_error(errc::lock_lost, fmt::format("lock file '{}' is not held", path_.string()));
  auto same = detail::still_names(path_, FileId{dev_, ino_});
  if (!same) return std::move(same).error();
  if (!*same)
    return make_error(errc::lock_lost,
                      fmt::format("lock file '{}' was replaced while held", path_.string()));
  return {};
}

Result<void> FileLock::renew() {
  if (!held()) return make_error(errc::lock_lost, fmt::format("lock file '{}' is not held", path_.string()));
  auto guard = Guard::take(fd_.get(), path_, Clock::now() + std::chrono::seconds(1));
  if (!guard) return std::move(guard).error();
  if (auto ok = verify(); !ok) return ok;
  auto old = pread_some(fd_.get(), kMaxRecordBytes, 0, path_);
  if (!old) return std::move(old).error();
  record_.renewed_at_ms = wall_clock_ms();
  record_.renewed_boot_ms = boot_clock_ms();
  OwnerRecord rec = record_;
  // Shared holders share one record; keep the newest token in it.
  if (const auto cur = parse_record(*old); cur && cur->token > rec.token) rec.token = cur->token;
  auto w = detail::write_record(fd_.get(), path_, rec, old->size());
  if (!w) return std::move(w).error();
  record_len_ = std::max(record_len_, *w);
  return {};
}

Result<void> FileLock::release() {
  if (!held()) return {};
  // In a forked child only the descriptor is closed: the lock belongs to the open file
  // description it shares with its parent, and unlocking it here would unlock the parent.
  if (holder_pid_ == self_pid()) {
    if (mode_ == LockMode::exclusive) {
      // Say on disk that nobody holds it, so a later reader never takes us for a holder. With a
      // lease, under the guard: a breaker may have judged our lease expired and be about to
      // replace the file; it must either see "free" or finish before a successor locks.
      // If the guard cannot be had (a breaker stalled while holding it), the record is left
      // "held": the next acquirer then takes the guard and waits for that breaker.
      std::optional<Guard> guard;
      bool may_mark = true;
      if (record_.ttl_ms > 0) {
        auto g = Guard::take(fd_.get(), path_, std::chrono::steady_clock::now() + std::chrono::seconds(1));
        if (g) guard.emplace(std::move(*g));
        may_mark = guard.has_value();
      }
      if (may_mark) (void)mark_free(fd_.get(), path_, record_, record_len_);  // best effort
    }
    (void)::flock(fd_.get(), LOCK_UN);
    lock_table().erase(FileId{dev_, ino_});
    idle_files().put(path_, detail::OpenedLockFile{std::move(fd_), FileId{dev_, ino_}});
  }
  fd_.reset();
  token_ = 0;
  return {};
}

void close_idle_lock_files() { idle_files().clear(); }

}  // namespace ddsafe

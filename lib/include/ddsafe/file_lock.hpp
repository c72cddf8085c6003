#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "ddsafe/events.hpp"
#include "ddsafe/owner_record.hpp"
#include "ddsafe/result.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe {

enum class LockMode { exclusive, shared };

/// On-disk protocol: the byte of a lock file on which breakers, and holders that could race a
/// breaker, take an open-file-description write lock (fcntl F_OFD_SETLK) while they judge,
/// replace or write a record. Anything else that writes ddsafe lock files must honour it.
inline constexpr off_t kGuardByte = off_t{1} << 40;
/// What a timed-out acquisition does: fail with errc::lock_timeout / lock_busy, or proceed
/// without the lock (FileLock::held() is false) after journaling lock_fail_open.
enum class TimeoutPolicy { fail, fail_open };

struct LockOptions {
  LockMode mode = LockMode::exclusive;
  /// How long to wait: nullopt waits forever, zero does not wait at all.
  std::optional<std::chrono::nanoseconds> timeout;
  /// Lease length; zero means no lease. A holder with a lease must call renew() well within it.
  std::chrono::milliseconds ttl{0};
  TimeoutPolicy on_timeout = TimeoutPolicy::fail;
  /// Also break live holders whose lease expired (they are fenced by the new token).
  bool break_expired = false;
  /// Break locks whose owner is provably dead while the lock is still held (an inherited fd).
  bool break_dead_owner = true;
  /// Longest sleep between two attempts while waiting (attempts start faster and back off).
  std::chrono::microseconds poll_interval{2000};
  /// Written into the owner record; shown to waiters and in the journal.
  std::string command;
  /// Name of the tool or program, for journal events.
  std::string tool = "ddsafe";
  /// Receives lock_fail_open, lock_timeout and lock_stale_break. May be null.
  EventSink* events = nullptr;
};

/// An flock(2) lock on a lock file, with an owner record, lease and fencing token.
///
/// The lock file is never the data file: protect `cfg.json` through `.cfg.json.lock`, because
/// renaming over a locked file moves the name to an unlocked inode. Lock files are never
/// unlinked; stale ones are atomically replaced.
///
/// Process safety: flock excludes other open file descriptions, so other processes and other
/// FileLock objects in this process exclude each other. Locking a file this process already holds
/// (or is waiting for) fails at once with errc::lock_held_by_self instead of deadlocking.
/// Thread safety: one FileLock must not be used from two threads at once.
class FileLock {
 public:
  /// Opens (creating if missing, mode 0666 & ~umask) and locks `path`.
  /// Waits per options.timeout, breaking stale locks on the way (owner dead; lease expired when
  /// break_expired). Fails with: errc::lock_busy (timeout zero) or errc::lock_timeout, naming the
  /// holder; errc::symlink_refused, errc::not_a_regular_file, ENOENT (parent directory missing),
  /// EACCES, EROFS; errc::lock_held_by_self. With TimeoutPolicy::fail_open a timeout instead
  /// returns a FileLock whose held() is false, after emitting lock_fail_open.
  /// Nothing but `path` itself (and, while breaking, a hidden temp beside it) is ever created.
  static Result<FileLock> acquire(const std::filesystem::path& path, const LockOptions& options);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  /// Best-effort release.
  ~FileLock();

  /// False only for a fail-open result (the caller proceeds without the lock).
  [[nodiscard]] bool held() const noexcept { return fd_.get() >= 0; }
  /// Fencing token of this grant; strictly increasing per lock path. 0 when not held.
  [[nodiscard]] std::uint64_t token() const noexcept { return token_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] LockMode mode() const noexcept { return mode_; }
  /// How long acquire() waited.
  [[nodiscard]] std::chrono::milliseconds waited() const noexcept { return waited_; }
  /// Whether acquire() broke a stale lock on the way.
  [[nodiscard]] bool broke_stale() const noexcept { return broke_stale_; }

  /// Heartbeat: extends the lease and checks the lock is still ours. errc::lock_lost when the
  /// lock file was replaced (a breaker judged us stale): stop writing, the token is fenced off.
  [[nodiscard]] Result<void> renew();
  /// Checks, without writing, that the path still names the inode we hold (else lock_lost).
  [[nodiscard]] Result<void> verify() const;
  /// Marks the record released and unlocks. Idempotent; never fails (the kernel releases the
  /// lock with the descriptor in any case). Use verify() first to learn whether it was lost.
  [[nodiscard]] Result<void> release();

 private:
  FileLock() = default;
  friend struct FileLockAccess;

  std::filesystem::path path_;
  UniqueFd fd_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  LockMode mode_ = LockMode::exclusive;
  std::uint64_t token_ = 0;
  std::chrono::milliseconds waited_{0};
  bool broke_stale_ = false;
  OwnerRecord record_;
  pid_t holder_pid_ = 0;  ///< a forked child must not unlock its parent's lock
  std::size_t record_len_ = 0;  ///< bytes of our record on disk (the release record pads to it)
};

/// Closes the lock files this process keeps open after release() for quick reuse (at most 4,
/// unlocked). Call it before unmounting a filesystem that held lock files of this process.
void close_idle_lock_files();

/// What --status shows: who holds a lock file, since when, with how much lease left.
struct LockStatus {
  bool exists = false;
  bool held = false;          ///< some process holds an flock on the file now
  int holders = 0;            ///< flock holders counted in /proc/locks (0 if unavailable)
  std::optional<OwnerRecord> record;
  bool record_unreadable = false;  ///< file non-empty but its record is garbage
  Liveness owner = Liveness::unknown;
  StaleReason stale_if_expired_broken = StaleReason::none;  ///< judge_stale(record, true)
  std::optional<std::chrono::milliseconds> held_for;
  std::optional<std::chrono::milliseconds> lease_left;      ///< negative: expired
};

/// Reads a lock file's state without creating, locking or changing anything.
/// Fails with ENOENT only when the parent directory is missing (a missing file is "not held"),
/// errc::symlink_refused, errc::not_a_regular_file, EACCES.
Result<LockStatus> lock_status(const std::filesystem::path& path);

/// Outcome of locking an inherited descriptor (flock(1)'s `flock FD` form).
struct FdLockOutcome {
  bool held = false;  ///< false: fail-open after a timeout
  std::uint64_t token = 0;
  std::chrono::milliseconds waited{0};
};

/// Locks an already open descriptor of a lock file in place (the lock then belongs to whoever
/// shares that open file description, e.g. the calling shell). The owner recorded is the
/// outermost ancestor shown (kcmp) to share the descriptor; if none can be shown, the record
/// names no provable owner and is never broken as owner-dead. No breaking here: the descriptor
/// cannot be moved to a replacement file (errc::lock_lost if a breaker replaced it meanwhile).
/// The record is written when the file can be opened for writing through /proc/self/fd.
Result<FdLockOutcome> lock_fd(int fd, const LockOptions& options);
/// Unlocks an inherited descriptor (flock(1) -u).
Result<void> unlock_fd(int fd);

}  // namespace ddsafe

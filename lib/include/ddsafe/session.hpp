#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "ddsafe/events.hpp"
#include "ddsafe/file_lock.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe {

/// Name of the lock file a live session holds in its directory: `ROOT/<id>/.session.lock`.
inline constexpr std::string_view kSessionLockName = ".session.lock";
/// Prefix of the hidden staging names under which sessions are built before they appear.
inline constexpr std::string_view kSessionStagingPrefix = ".new-";

/// Checks that `id` can name a directory right under a root and nothing else: not empty, at
/// most 255 bytes, no '/', no NUL, not "." or "..", not starting with '.' (hidden names belong
/// to ddsafe: `.trash`, `.gc.lock`, staging dirs). Fails with errc::path_escapes_root naming
/// the id and the rule it breaks. Not retryable.
Result<void> validate_session_id(std::string_view id);

struct SessionOptions {
  /// Mode of the new directory (before the umask). Session dirs often hold credentials.
  mode_t mode = 0700;
  /// Written into the session lock's owner record and into session_start.
  std::string command;
  /// Name of the tool or program, for journal events.
  std::string tool = "ddsafe";
  /// Receives session_start and session_end. May be null.
  EventSink* events = nullptr;
};

/// A live session: `ROOT/<id>/` whose `.session.lock` this process holds for the session's
/// whole life, so that a garbage collector (ddsafe::gc) can never judge it dead.
///
/// The directory is built under a hidden staging name (`ROOT/.new-*`), its lock is taken, and
/// only then is it renamed to `ROOT/<id>` (renameat2 RENAME_NOREPLACE). Whoever lists ROOT
/// therefore never sees the session's directory without its lock held. Ending the session
/// releases the lock and leaves the directory for the collector.
///
/// Process safety: the lock is an flock(2), held by this process's open file description
/// (children that inherit nothing keep nothing alive; the descriptor is O_CLOEXEC).
/// Thread safety: one Session must not be used from two threads at once.
class Session {
 public:
  /// Creates `root/<id>` and takes its session lock; journals session_start.
  /// Fails with: errc::path_escapes_root (invalid id), EEXIST (a session or other entry named
  /// `id` exists already: pick another id), ENOENT/ENOTDIR (root missing), EACCES, EROFS,
  /// ENOSPC. On failure nothing is left under root (a staging dir is removed again).
  static Result<Session> create(const std::filesystem::path& root, std::string_view id,
                                const SessionOptions& options = {});

  Session(Session&& other) noexcept = default;
  Session& operator=(Session&& other) noexcept = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  /// Ends the session if end() was not called (best effort).
  ~Session();

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  /// `root/<id>`.
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  /// `root/<id>/.session.lock`.
  [[nodiscard]] std::filesystem::path lock_path() const { return dir_ / kSessionLockName; }
  /// True until end().
  [[nodiscard]] bool active() const noexcept { return lock_.held(); }

  /// Journals session_end (with `status`, the session's exit status if it has one, and
  /// `reason`, a short word such as "exited", "timeout" or "stopped", when not empty) and
  /// releases the lock; the directory stays for the collector. Idempotent; never fails.
  [[nodiscard]] Result<void> end(int status = 0, std::string_view reason = {});

  /// Ends the session and removes its directory the way the collector removes a dead one,
  /// while the session lock is still held: renamed into `root/.trash/` (RENAME_NOREPLACE), then
  /// deleted there with fd-relative calls that never follow a symlink nor leave the root's
  /// mount. The lock is released last, so no collector or launcher ever sees the directory half
  /// deleted and unlocked. session_end is journaled first, with `removed: true`.
  /// Fails (after releasing the lock) with what stopped the removal: the move (EACCES, EBUSY,
  /// errc::path_escapes_root for a trash that is not a directory on the root's mount), or the
  /// first entry that could not be deleted; what remains is in the trash, where the collector
  /// finds it. Does nothing when the session has ended already.
  [[nodiscard]] Result<void> remove(int status = 0, std::string_view reason = {});

 private:
  Session(FileLock lock, std::string id, std::filesystem::path dir, const SessionOptions& o);

  FileLock lock_;
  std::string id_;
  std::filesystem::path dir_;
  std::string tool_;
  EventSink* events_ = nullptr;
  std::chrono::steady_clock::time_point started_;

  void journal_end(int status, std::string_view reason, bool removing);
};

}  // namespace ddsafe

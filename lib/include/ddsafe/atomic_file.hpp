#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ddsafe/error.hpp"
#include "ddsafe/events.hpp"
#include "ddsafe/result.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe {

/// How much a commit promises after it returns (docs/atomic.md).
enum class Durability {
  /// fsync(temp) before the rename, fsync(directory) after: the new content survives a crash
  /// or power cut from the moment commit() returns, and a crash before that leaves the old.
  durable,
  /// rename only: readers see the old or the new content, never a mix, but after a power cut
  /// the file may be the old version or, on some filesystems, empty.
  atomic,
};

/// What a target that is a symbolic link means.
enum class SymlinkPolicy {
  follow,   ///< write through to the file the link points to; the link stays
  replace,  ///< replace the link itself by a regular file
  refuse,   ///< fail with errc::symlink_refused
};

/// What a target with more than one hard link means (a rename replaces one name only).
enum class HardLinkPolicy {
  refuse,       ///< fail with errc::hard_link_refused
  break_links,  ///< replace this name; the other names keep the old content
};

/// A fencing check made right before the rename: the commit is refused with
/// errc::fence_token_stale when the lock file's current token is newer than `token`.
struct Fence {
  std::filesystem::path lock_path;
  std::uint64_t token = 0;
};

struct AtomicOptions {
  Durability durability = Durability::durable;
  SymlinkPolicy symlinks = SymlinkPolicy::follow;
  HardLinkPolicy hard_links = HardLinkPolicy::refuse;
  /// Final permission bits. Default: the old file's, or 0666 & ~umask for a new file.
  std::optional<mode_t> mode;
  /// Give the new file the old one's owner and group where permitted (always as root).
  bool keep_owner = true;
  /// Keep the previous version as NAME+suffix (hard link made before the rename).
  std::optional<std::string> backup_suffix;
  /// Identical content: no commit; the file's inode and mtime stay as they are.
  bool if_changed = false;
  /// False: an empty new content never replaces a non-empty file (errc::empty_output_refused).
  bool allow_empty = true;
  std::optional<Fence> fence;
  /// Receives atomic_abort (always) and atomic_commit (when journal_commits). May be null.
  EventSink* events = nullptr;
  bool journal_commits = false;
  /// Name of the tool or program, for journal events.
  std::string tool = "ddsafe";
};

/// What a commit did.
struct CommitInfo {
  bool changed = true;  ///< false: if_changed found identical bytes and left the file alone
  std::uint64_t bytes = 0;
  std::optional<std::filesystem::path> backup;  ///< where the previous version was kept
  /// The commit happened, but the previous version could not be kept as asked (the old inode
  /// is gone). Rare: a rename within the same directory failed.
  std::optional<Error> backup_error;
};

/// A new version of a file, written to a temp in the target's directory and renamed over the
/// target on commit(), so that readers and crashes see the old or the new content, never a mix.
///
/// The temp is unnamed (O_TMPFILE) where the filesystem allows, else a hidden
/// `.NAME~ddnPID-RAND` created O_EXCL, mode 0600 until commit. Temps left by writers that were
/// killed are removed by later writers of the same target (see docs/atomic.md).
/// Thread safety: one AtomicFile must not be used from two threads at once.
class AtomicFile {
 public:
  /// Prepares a temp for `target` (following a symlink per options.symlinks). Fails with
  /// ENOENT/ENOTDIR (directory missing), EACCES, EROFS, ENOSPC, errc::symlink_refused,
  /// errc::not_a_regular_file (the target is a directory, FIFO...), errc::hard_link_refused.
  /// Nothing on disk changes on failure.
  static Result<AtomicFile> create(const std::filesystem::path& target,
                                   AtomicOptions options = {});

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// Aborts (temp removed, atomic_abort emitted) unless committed or aborted already.
  ~AtomicFile();

  /// Appends to the temp. On failure (ENOSPC, EIO...) the caller should abort().
  [[nodiscard]] Result<void> write(std::string_view data);
  /// The temp's descriptor (write-only), e.g. for a producer's stdout. -1 once finished.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  /// The file that commit() replaces: the target after following a symlink.
  [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }
  /// A path naming the temp, for a checker that must open it (an unnamed temp is linked
  /// under a hidden name first). Fails like write().
  [[nodiscard]] Result<std::filesystem::path> temp_path();

  /// Checks what commit() would refuse for the content written so far (empty output over a
  /// non-empty file, a target that became a symlink, a directory or hard-linked), without
  /// committing or aborting: lets a caller report that before running validators.
  [[nodiscard]] Result<void> precheck() const;
  /// Makes the new content the target's: owner and mode, fsync(temp), fence check, rename
  /// (an exchange with the old version when a backup is wanted), backup, fsync(directory). Any failure before the rename removes the temp, leaves
  /// the target untouched, emits atomic_abort and returns the error (fsync is never retried).
  /// If only the final directory fsync fails, the new content is in place but may not survive
  /// a crash: errc::not_durable. Requires: not committed or aborted yet.
  [[nodiscard]] Result<CommitInfo> commit();
  /// Removes the temp and emits atomic_abort with `reason`. Idempotent.
  void abort(std::string_view reason) noexcept;

 private:
  AtomicFile() = default;
  friend struct AtomicFileAccess;

  UniqueFd dir_;
  UniqueFd fd_;
  std::filesystem::path target_;  ///< resolved target path (for messages and events)
  std::string name_;              ///< target's name in dir_
  std::string temp_name_;         ///< empty while the temp is unnamed
  std::string temp_prefix_;
  AtomicOptions options_;
  std::uint64_t bytes_ = 0;
  long name_max_ = 255;  ///< NAME_MAX of the target's directory
  bool finished_ = true;
};

/// The sidecar lock of a target: `.NAME.lock` in the directory of the target as resolved by
/// `symlinks` (a symlink and the file it names share one lock). The target itself is never
/// locked: a rename over it would move the name to an unlocked inode.
Result<std::filesystem::path> sidecar_lock_path(const std::filesystem::path& target,
                                                SymlinkPolicy symlinks = SymlinkPolicy::follow);

/// The new content computed from the old (nullopt: no file yet). An error aborts the update.
using Transform = std::function<Result<std::string>(const std::optional<std::string>& old)>;

struct UpdateOptions {
  AtomicOptions atomic;
  /// How long to wait for the sidecar lock: nullopt waits forever.
  std::optional<std::chrono::nanoseconds> lock_timeout;
};

/// Read-modify-write: takes the sidecar lock, reads the target, commits fn(old) with a fence on
/// the lock's token, releases. Concurrent updaters through this function (or dd-atomic --lock)
/// never lose an update. Fails like FileLock::acquire, AtomicFile::commit, or with fn's error.
Result<CommitInfo> update_file(const std::filesystem::path& target, const Transform& fn,
                               const UpdateOptions& options = {});

}  // namespace ddsafe

#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ddsafe/events.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe::gc {

/// Name of the directory under the root where victims are moved before they are deleted.
inline constexpr const char* kTrashName = ".trash";
/// Name of the lock file under the root that keeps two collectors from sweeping at once.
inline constexpr const char* kGcLockName = ".gc.lock";

/// An external liveness source: a shell command that prints the ids of live sessions.
struct LiveCommand {
  /// Run as `/bin/sh -c command`, stdin from /dev/null, in its own process group.
  std::string command;
  /// ECMAScript regex searched in each non-blank line: the id is its first capture group, or
  /// the whole match when it has none. A line that matches with the group unset names no
  /// session; a line that does not match makes the output unparsable. Without a regex each
  /// non-blank line (blanks trimmed) is one id.
  std::optional<std::string> regex;
  /// After this the command's process group is killed and the source has failed.
  std::chrono::milliseconds timeout{30000};
};

struct Options {
  /// The state root: session dirs are `root/<id>/`. Followed if it is a symlink (it is the
  /// caller's choice); nothing under it is ever followed.
  std::filesystem::path root;
  /// Liveness from a command, besides the session locks. nullopt: session locks only.
  std::optional<LiveCommand> live;
  /// Dirs whose mtime is younger than this are kept.
  std::chrono::seconds min_age{3600};
  /// Circuit breaker: a pass that would remove more dirs than this is skipped.
  std::size_t max_remove = 1000;
  /// Run past the circuit breakers (not past a failed liveness source: nothing overrides that).
  bool force = false;
  /// Keep a dir that has no session lock file ("not a session dir") instead of judging it
  /// dead: for a root that may hold other things than sessions (a mistyped --state-dir of
  /// dd-launch), where only a dir with a free session lock is evidence of a dead session.
  bool require_lock_file = false;
  /// Judge and report, remove nothing, journal nothing, create nothing.
  bool dry_run = false;
  /// Name of the tool or program, for journal events.
  std::string tool = "ddsafe";
  /// Receives gc_reaped, gc_skipped and gc_error. May be null.
  EventSink* events = nullptr;
};

/// What became of one entry of the root (or of the trash).
struct Entry {
  enum class Action { removed, would_remove, kept, error };
  std::string id;  ///< the name under root (`.trash/NAME` for leftovers of earlier passes)
  Action action = Action::kept;
  std::string reason;  ///< why: "session lock free", "session lock held", "younger than ..."
  std::optional<Error> error;  ///< for Action::error: the first failure
  std::int64_t age_s = -1;     ///< -1 when not known
};

struct Report {
  /// Another collector holds the root's GC lock; nothing was judged.
  bool another_running = false;
  /// The pass was skipped as a whole: the liveness source failed, a circuit breaker tripped or
  /// the root could not be read. Nothing was removed.
  bool skipped = false;
  /// Short, stable reason for a skip: liveness_source_failed, max_remove, all_sessions,
  /// root_unusable.
  std::string skip_reason;
  /// Human-readable detail of the skip (the command's status and stderr, the counts...).
  std::string skip_detail;
  /// Ids the live command listed (nullopt when there is no live command or it failed).
  std::optional<std::size_t> live_ids;
  std::size_t sessions = 0;  ///< session dirs seen (hidden names excluded)
  std::size_t removed = 0;   ///< dirs removed (or that would be, in a dry run)
  std::size_t kept = 0;
  std::size_t errors = 0;
  /// The first per-item error, or why the root was unusable.
  std::optional<Error> first_error;
  std::vector<Entry> entries;
};

/// One garbage-collection pass over `options.root`. Never fatal: per-item failures are
/// recorded in the report (and journaled as gc_error) and the sweep goes on.
///
/// A session dir is removed only when it is provably dead: its session lock could be taken
/// (or it has none), the live command (if any) ran cleanly and did not list it, and it is at
/// least min_age old. Anything unknown is kept. The victim is locked, re-checked to be the same
/// inode, renamed into `root/.trash/`, and deleted there with fd-relative calls (never
/// following a symlink, never leaving the root's mount) while its lock is still held.
/// Leftovers in the trash from earlier passes are deleted first.
///
/// Fails only with errc::invalid_argument (an invalid live regex). Everything else is in the
/// report: a failed liveness source or a tripped circuit breaker skips the pass (gc_skipped),
/// another collector on the same root sets another_running.
/// Process safety: collectors on one root exclude each other through `root/.gc.lock`.
Result<Report> collect(const Options& options);

/// What a removal did: how many entries went, how many could not, and the first failure.
struct RemoveStats {
  std::size_t removed = 0;
  std::size_t failed = 0;
  std::optional<Error> first_error;
};

/// Removes the entry `name` of the directory open at `parent_fd` and, for a directory,
/// everything below it, with fd-relative calls only (openat O_NOFOLLOW|O_DIRECTORY, unlinkat).
/// Symbolic links are removed, never followed; directories on another mount (mount points,
/// bind mounts, other filesystems) are neither entered nor removed (errc::path_escapes_root);
/// an entry swapped for another while it is being removed is left alone. Every failure is
/// counted and the removal goes on with the other entries. `shown_as` names the entry in errors.
/// Requires: `name` has no '/' and is not "." or "..".
RemoveStats remove_tree_at(int parent_fd, const std::string& name,
                           const std::filesystem::path& shown_as);

}  // namespace ddsafe::gc

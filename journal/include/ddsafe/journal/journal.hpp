#pragma once

#include <atomic>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "ddsafe/events.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe::journal {

/// Schema version written as "v" in every record (docs/journal.md).
inline constexpr int kSchemaVersion = 1;
/// Largest record, newline included. Longer string fields are cut and the record marked.
inline constexpr std::size_t kMaxRecordBytes = 4096;

/// The journal path: `explicit_path` if given, else $DD_JOURNAL, else
/// $XDG_STATE_HOME/ddsafe/journal.jsonl, else $HOME/.local/state/ddsafe/journal.jsonl.
/// Relative XDG_STATE_HOME values are ignored, as the XDG spec requires.
std::filesystem::path resolve_path(const std::optional<std::filesystem::path>& explicit_path);
/// Whether resolve_path falls back to the XDG/HOME default (neither a flag nor $DD_JOURNAL).
bool is_default_path(const std::optional<std::filesystem::path>& explicit_path);

/// Size-based rotation of the journal (docs/journal.md, "Rotation"). After an append leaves
/// the file at max_bytes or more, the appender renames journal.jsonl -> journal.jsonl.1, .1 ->
/// .2, ... under a sidecar lock; .keep is the oldest kept (older ones are replaced).
struct Rotation {
  static constexpr std::uint64_t kDefaultMaxBytes = std::uint64_t{16} << 20;
  static constexpr int kDefaultKeep = 5;
  std::uint64_t max_bytes = kDefaultMaxBytes;  ///< 0: never rotate
  int keep = kDefaultKeep;                     ///< rotated files kept, at least 1

  /// The defaults overridden by $DD_JOURNAL_MAX_BYTES (bytes, or with a K/M/G suffix; 0 turns
  /// rotation off) and $DD_JOURNAL_KEEP (1-1000). Fails with errc::invalid_argument naming the
  /// variable when one is set but invalid.
  static Result<Rotation> from_env();
  /// from_env(), or the defaults when the environment is invalid (an appender never fails on it).
  static Rotation from_env_or_default();
};

/// The name of rotated file number n (1 = newest): "journal.jsonl.1".
std::filesystem::path rotated_path(const std::filesystem::path& journal, int n);
/// The sidecar lock file serialising rotators: ".journal.jsonl.rotate.lock" beside the journal.
/// It is never renamed, so every rotator locks the same inode.
std::filesystem::path rotate_lock_path(const std::filesystem::path& journal);

/// Rotates `journal` if it still names the file open as `written_fd` and that file has reached
/// rotation.max_bytes. Serialised by an flock on rotate_lock_path(); other appenders may go on
/// writing meanwhile: one holding the old file keeps writing into journal.jsonl.1, the next
/// open creates a fresh journal.jsonl. Returns whether this call rotated. Fails (nothing
/// renamed, or the shift stopped part-way with every record still under some name) with the
/// errno of open/flock/rename, naming the file.
Result<bool> rotate_if_due(const std::filesystem::path& journal, int written_fd,
                           const Rotation& rotation);

/// Who writes: stamped into every record unless the event's fields override them.
struct Origin {
  std::string tool;
  std::int64_t pid = 0;  ///< 0: this process
};

/// One record as a JSON line (ending in '\n', at most kMaxRecordBytes): v, ts (RFC 3339 UTC,
/// microseconds), event, host, pid, tool, then the event's fields. Fields named v, ts or event
/// are ignored; host, pid and tool may be overridden. Never throws on invalid UTF-8.
std::string format_event(const Event& event, const Origin& origin);

/// Append-only JSON Lines journal. Each append is one write(2) on an O_APPEND descriptor, so
/// concurrent appenders (threads or processes) never interleave within a record.
/// Thread safety: all members may be called from any thread.
class Journal final : public EventSink {
 public:
  /// `warn` is called at most once, on the first failed append, so a broken journal is
  /// reported once and never fails the caller. `create_parents`: make missing parent
  /// directories (mode 0700), right for the default XDG path, not for a path a user typed.
  /// `rotation`: when to rotate (default: the environment, see Rotation::from_env()).
  Journal(std::filesystem::path path, Origin origin,
          std::function<void(const Error&)> warn = {}, bool sync = true,
          bool create_parents = true, Rotation rotation = Rotation::from_env_or_default());

  /// Appends one record (fdatasync'ed when sync is on), then rotates the journal if the record
  /// brought it to the size limit. On failure nothing was written, or (for a failed sync) the
  /// record may not be durable; the error names the journal path. A failed rotation is an
  /// error too, but the record is written.
  [[nodiscard]] Result<void> append(const Event& event);
  /// EventSink: append, and on failure warn once and go on.
  void emit(const Event& event) noexcept override;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  Origin origin_;
  std::function<void(const Error&)> warn_;
  bool sync_;
  bool create_parents_;
  Rotation rotation_;
  std::atomic<bool> warned_{false};
};

}  // namespace ddsafe::journal

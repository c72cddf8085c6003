#pragma once

#include <atomic>
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
  Journal(std::filesystem::path path, Origin origin,
          std::function<void(const Error&)> warn = {}, bool sync = true,
          bool create_parents = true);

  /// Appends one record (fdatasync'ed when sync is on). On failure nothing was written, or (for
  /// a failed sync) the record may not be durable; the error names the journal path.
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
  std::atomic<bool> warned_{false};
};

}  // namespace ddsafe::journal

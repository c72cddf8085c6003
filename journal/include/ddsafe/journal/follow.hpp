#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <vector>

#include "ddsafe/journal/reader.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe::journal {

/// Follows a journal as it grows and rotates (like `tail -F`): each poll() visits the records
/// completed since the last one, never a partial line (an incomplete last line is held back until
/// its newline arrives). When the journal is rotated, the follower finishes the old file, reads
/// the rotated files it has not seen (several rotations between two polls), then goes on in the
/// new file; it keeps reading the last few old files too, for appenders that still write into
/// them. A journal truncated in place is read again from its start (its size fell below the
/// offset read so far). A journal that does not exist yet is waited for.
/// Thread safety: one Follower must not be used from two threads at once.
class Follower {
 public:
  /// Old files still read after a rotation (appenders that opened them before the rename).
  static constexpr std::size_t kOldFilesKept = 4;

  /// Follows `journal` from its current end. `current` is the file read so far (opened by
  /// open_set, positioned where reading stopped) and `feeder` holds its incomplete last line;
  /// without `current`, follows from the start of the next journal file that appears.
  Follower(std::filesystem::path journal, std::optional<SetFile> current, LineFeeder feeder);

  /// Visits the records completed since the last poll. Errors are read errors of the followed
  /// files, or a rotated file that cannot be opened (EACCES), naming the file. Returns false
  /// when the visitor asked to stop.
  Result<bool> poll(RecordVisitor& visitor);

  /// Damage seen so far (torn lines are counted only when a file is dropped with one).
  [[nodiscard]] const ReadStats& stats() const noexcept { return stats_; }

 private:
  struct Tracked {
    SetFile file;
    LineFeeder feeder;
  };
  Result<bool> follow_rotation(RecordVisitor& visitor);
  Result<bool> restart_if_truncated(std::int64_t size, RecordVisitor& visitor);
  Result<bool> feed(Tracked& t, RecordVisitor& visitor);
  void retire(Tracked t);

  std::filesystem::path journal_;
  std::optional<Tracked> current_;
  std::deque<Tracked> old_;
  ReadStats stats_;
};

}  // namespace ddsafe::journal

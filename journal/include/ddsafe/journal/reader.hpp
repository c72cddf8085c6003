#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ddsafe/result.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::journal {

/// Longest line the reader keeps whole; a longer one is skipped to its newline and counted as
/// garbage (ddsafe writes at most kMaxRecordBytes; this leaves room for foreign writers).
inline constexpr std::size_t kMaxLineBytes = std::size_t{4} << 20;

/// What the reader made of the lines it examined (lines skipped by a prefilter are not counted).
struct ReadStats {
  std::uint64_t good = 0;     ///< records returned (including newer-schema ones)
  std::uint64_t torn = 0;     ///< a last line without its newline: crash mid-write, or a write
                              ///< still in progress
  std::uint64_t garbage = 0;  ///< unparsable lines, or unparsable parts before a record on the
                              ///< same line; NUL runs, over-long lines
  std::uint64_t newer = 0;    ///< good records with a schema version above kSchemaVersion
  std::uint64_t bytes = 0;    ///< bytes read

  [[nodiscard]] bool damaged() const noexcept { return torn + garbage > 0; }
  ReadStats& operator+=(const ReadStats& o) noexcept;
};

/// One journal record, read as far as understood: views into the reader's buffers, valid only
/// during the visit. A field that is absent or of another type is empty / nullopt.
class Record {
 public:
  std::string_view line;     ///< the record's JSON text, without newline or damaged prefix
  std::int64_t v = 0;        ///< schema version (>= 1)
  std::string_view ts;       ///< as written
  std::string_view event;
  std::string_view host;
  std::string_view tool;
  std::optional<std::string_view> path;
  std::optional<std::int64_t> pid;

  /// The time of `ts` in microseconds since the epoch; nullopt when ts is not RFC 3339.
  [[nodiscard]] std::optional<std::int64_t> time_us() const;
  /// Field `key` as text: strings as they are, numbers and booleans as JSON writes them,
  /// null as "null", arrays and objects as compact JSON. nullopt when absent.
  [[nodiscard]] std::optional<std::string> field(std::string_view key) const;
  /// Calls fn(key, text) for every field in record order, text as in field().
  void for_each_field(const std::function<void(std::string_view, const std::string&)>& fn) const;

  const void* impl_ = nullptr;  ///< the parsed document (private to the reader)
};

/// What a reader looks for. Prefilters let it skip most lines without parsing them.
class RecordVisitor {
 public:
  virtual ~RecordVisitor() = default;
  /// Text that every wanted line contains verbatim (lines without it are never parsed); empty
  /// for none.
  [[nodiscard]] virtual std::string_view anchor() const { return {}; }
  /// Whether a line can hold a wanted record. Must be true for a line whenever it is true for
  /// some part of that line (a record is recovered from the end of a damaged line).
  [[nodiscard]] virtual bool wants(std::string_view /*line*/) const { return true; }
  /// Called for each good, wanted record, oldest first. Return false to stop reading.
  virtual bool visit(const Record& record) = 0;
};

/// One file of the rotated set, open for reading.
struct SetFile {
  std::filesystem::path path;
  UniqueFd fd;
};

/// Opens the rotated set of `journal` oldest first: journal.N ... journal.1, then journal itself
/// (each one that exists). The set is a consistent snapshot: when a rotation renames files while
/// they are being opened, it opens them again. Fails with ENOENT when none of the files exists,
/// EISDIR when one is a directory (errc::not_a_regular_file for other non-regular files),
/// EACCES; the error names the file.
Result<std::vector<SetFile>> open_set(const std::filesystem::path& journal);

/// Reads `files` in order to their current end, visiting every good record the visitor wants.
/// A final line without newline counts as torn (not returned). Damage is never an error; read(2)
/// errors are (naming the file). Memory stays bounded: files are read in blocks.
Result<ReadStats> read_set(std::vector<SetFile>& files, RecordVisitor& visitor);

/// Splits a descriptor's bytes into lines across reads, keeping an incomplete last line until its
/// newline arrives (follow mode) or until it is declared torn. Used by read_set and the follower.
class LineFeeder {
 public:
  LineFeeder();
  ~LineFeeder();
  LineFeeder(LineFeeder&&) noexcept;
  LineFeeder& operator=(LineFeeder&&) noexcept;

  /// Reads `fd` from its offset to its current end, visiting the records of complete lines.
  /// Returns false in the Result when the visitor asked to stop.
  Result<bool> feed(int fd, const std::filesystem::path& what, RecordVisitor& visitor,
                    ReadStats& stats);
  /// Bytes of an incomplete last line held back so far.
  [[nodiscard]] std::size_t pending() const noexcept;
  /// Declares the held-back bytes torn (counted, dropped).
  void finish(ReadStats& stats) noexcept;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace ddsafe::journal

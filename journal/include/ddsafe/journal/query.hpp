#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ddsafe/journal/reader.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe::journal {

/// Which records a query wants. Every condition given must hold (events: any of them).
struct Filter {
  std::vector<std::string> events;          ///< event is one of these (empty: any)
  std::optional<std::int64_t> since_us;     ///< ts >= since (records without a valid ts fail)
  std::optional<std::int64_t> until_us;     ///< ts < until
  std::optional<std::string> path;          ///< path is exactly this
  std::optional<std::string> path_prefix;   ///< path is this or below it (whole components)
  std::optional<std::int64_t> pid;
  std::optional<std::string> host;
  std::optional<std::string> tool;
  /// field == value: a string field equal to value; a number, boolean or null whose JSON text is
  /// value. A record without the field does not match.
  std::vector<std::pair<std::string, std::string>> where;

  /// Parses "key=value" for `where`. errc::invalid_argument when there is no '=' or no key.
  [[nodiscard]] Result<void> add_where(std::string_view key_value);
  /// Whether the parsed record meets every condition.
  [[nodiscard]] bool matches(const Record& r) const;
};

/// A visitor over the records that match a filter, with the filter's prefilters (the raw
/// lines are searched for the values asked for before any parsing).
/// Limitation: values are looked for as ddsafe (and most JSON writers) write them; a foreign
/// record that escapes plain ASCII characters (such as "\/" for '/') is not found by a value.
class FilterVisitor : public RecordVisitor {
 public:
  explicit FilterVisitor(const Filter& filter);
  [[nodiscard]] std::string_view anchor() const override { return anchor_; }
  [[nodiscard]] bool wants(std::string_view line) const override;
  bool visit(const Record& r) final;
  /// Called for each matching record; return false to stop.
  virtual bool on_match(const Record& r) = 0;

 private:
  const Filter& filter_;
  std::vector<std::string> event_needles_;
  std::vector<std::string> needles_;  ///< all must occur
  std::string anchor_;
};

/// One group of `dd-journal stats`.
struct Group {
  std::string key;
  std::uint64_t count = 0;
  std::string first_ts;  ///< earliest ts seen (as written)
  std::string last_ts;   ///< latest ts seen
};

enum class GroupBy { event, path, host, tool, hour };

/// The group key of a record: its event, path, host or tool ("" when absent), or the UTC hour
/// of its ts ("2026-11-24T23:00:00Z"; "" when ts is not RFC 3339).
std::string group_key(const Record& r, GroupBy by);

/// Counts the records matching `filter` in the rotated set of `journal`, per group. Groups come
/// sorted by count (largest first, then key), or by time for GroupBy::hour. Fails as open_set
/// and read_set do.
Result<std::vector<Group>> group_records(const std::filesystem::path& journal,
                                         const Filter& filter, GroupBy by,
                                         ReadStats* stats = nullptr);

}  // namespace ddsafe::journal

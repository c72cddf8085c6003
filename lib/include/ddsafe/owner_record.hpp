#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ddsafe/process.hpp"

namespace ddsafe {

/// The JSON line a lock holder writes into the lock file it holds (schema in docs/semantics.md).
struct OwnerRecord {
  static constexpr int kVersion = 1;
  std::string state;  ///< "held", "free" (released) or "broken" (a stale lock's replacement)
  std::string mode;   ///< "exclusive" or "shared"
  std::uint64_t token = 0;
  ProcessIdentity owner;
  std::uint32_t uid = 0;
  std::int64_t acquired_at_ms = 0;  ///< wall clock
  std::int64_t renewed_at_ms = 0;   ///< wall clock of the last heartbeat
  std::int64_t renewed_boot_ms = 0; ///< CLOCK_BOOTTIME of the last heartbeat (lease judgement)
  std::int64_t ttl_ms = 0;          ///< 0: no lease
  std::string cmd;
};

/// Largest token a record may carry (2^63 - 1, so tokens fit signed 64-bit consumers such as
/// the journal); a record with a larger one is unreadable, and counting restarts from the clock.
inline constexpr std::uint64_t kMaxToken = (std::uint64_t{1} << 63) - 1;

/// Longest command text kept in a record; longer ones are cut and marked.
inline constexpr std::size_t kMaxRecordCmdBytes = 1024;
/// The most of a lock file that is read to find its record.
inline constexpr std::size_t kMaxRecordBytes = 4096;

/// Serializes a record as one JSON line ending in '\n', closed by a "check" field (a hash of
/// the line before it) so that a read torn between two records is never taken for a record.
std::string format_record(const OwnerRecord& r);

/// Parses the first line of a lock file. Empty, partial or garbage input gives nullopt, never
/// an exception. Unknown fields are ignored; missing optional fields keep their defaults.
std::optional<OwnerRecord> parse_record(std::string_view text);

/// What an acquisition needs of the previous record.
struct RecordHead {
  std::string state;
  std::string mode;
  std::uint64_t token = 0;
};

/// parse_record's answer for state, mode and token, without a JSON parser when the line starts
/// the way format_record writes it (the case on every acquisition); otherwise parse_record.
/// Where parse_record reads a record, both agree; a line with our prefix but a damaged tail is
/// read here too (its token then still leads to a larger one).
std::optional<RecordHead> parse_record_head(std::string_view text);

/// The token a new grant must carry after `previous` (nullopt: unreadable or empty record).
/// Strictly above any token issued on this path, as long as only ddsafe wrote the file; for an
/// unreadable record it restarts from the wall clock in microseconds, which lies above any
/// counter reached by then.
std::uint64_t next_token(const std::optional<OwnerRecord>& previous);
std::uint64_t next_token(const std::optional<RecordHead>& previous);

/// Why a record makes its lock stale, if it does.
enum class StaleReason { none, owner_dead, lease_expired };

/// Judges a record of a lock that is currently held by someone. Only exclusive records can be
/// stale (shared holders share one record, which proves nothing of the others): owner_dead for
/// an owner proven dead; lease_expired only when break_expired is set and the lease (judged on
/// CLOCK_BOOTTIME, same boot only) ran out.
StaleReason judge_stale(const OwnerRecord& r, bool break_expired);

/// CLOCK_BOOTTIME milliseconds at which the record's lease runs out (saturating; forged values
/// cannot overflow).
std::int64_t lease_end_ms(const OwnerRecord& r);

/// One line for humans: "pid 123 (sleep 100) on host h, held for 4.2s, token 17".
std::string describe_holder(const std::optional<OwnerRecord>& r);

}  // namespace ddsafe

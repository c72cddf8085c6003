#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ddsafe/result.hpp"

namespace ddsafe::journal {

/// Microseconds since the epoch of an RFC 3339 timestamp ("2026-11-24T23:46:49.123456Z",
/// "2026-11-24T23:46:49+01:00", 't'/'z' and a space separator accepted). nullopt for anything
/// else, including an invalid date such as February 30.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

/// "2026-11-24T23:46:49.123456Z" for a time in microseconds since the epoch (UTC).
std::string format_rfc3339(std::int64_t us);

/// The current time in microseconds since the epoch.
std::int64_t now_us();

/// A --since/--until expression as microseconds since the epoch: RFC 3339; a date
/// ("2026-11-24", local midnight) or date and time without zone ("2026-11-24 10:30[:00]", local
/// time); "now", "today", "yesterday", "tomorrow" (local midnights); a time ago such as "90s",
/// "15m", "1h", "2d", "1w", "1h30m" (optionally "-1h" or "1h ago"); "@SECONDS" since the epoch.
/// Fails with errc::invalid_argument naming the text.
Result<std::int64_t> parse_time_expr(std::string_view text, std::int64_t now);

}  // namespace ddsafe::journal

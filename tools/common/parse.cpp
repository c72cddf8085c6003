#include "common/parse.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace ddsafe::tools {
namespace {

Error bad_value(const std::string& text, const char* flag, const char* why) {
  return make_error(errc::invalid_argument,
                    fmt::format("invalid value '{}' for {}: {}", text, flag, why));
}

}  // namespace

Result<std::chrono::nanoseconds> parse_seconds(const std::string& text, const char* flag) {
  auto bad = [&](const char* why) { return bad_value(text, flag, why); };
  if (text.empty()) return bad("empty");
  // Decimal seconds only: strtod would also take leading blanks, hex ("0x10") and "inf".
  if (text.find_first_not_of("0123456789.eE+-") != std::string::npos) {
    const bool special = text.find_first_of("nNiI") != std::string::npos;
    return bad(special ? "must be a finite number of seconds" : "not a number of seconds");
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return bad("not a number of seconds");
  if (v < 0) return bad("must not be negative");
  if (errno == ERANGE && v < 1.0) v = 0;  // underflow: below a nanosecond
  if (v > 1e9 || errno == ERANGE) return bad("too large (at most 1e9 seconds)");
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(v * 1e9)));
}

Result<mode_t> parse_mode(const std::string& text, const char* flag) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("01234567") != std::string::npos)
    return bad_value(text, flag, "want an octal mode such as 644 or 0600");
  const auto mode = std::strtoul(text.c_str(), nullptr, 8);
  if (mode > 07777) return bad_value(text, flag, "at most 7777");
  return static_cast<mode_t>(mode);
}

Result<std::uint64_t> parse_count(const std::string& text, const char* flag, std::uint64_t max) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, v);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      r.ec != std::errc() || r.ptr != end || v > max)
    return bad_value(text, flag, fmt::format("want a whole number from 0 to {}", max).c_str());
  return v;
}

SplitArgv split_at_separator(int argc, const char* const* argv) {
  SplitArgv out;
  int i = 0;
  for (; i < argc; ++i) {
    if (i > 0 && std::string_view(argv[i]) == "--") {
      out.had_separator = true;
      break;
    }
    out.own.emplace_back(argv[i]);
  }
  for (++i; i < argc; ++i) out.command.emplace_back(argv[i]);
  return out;
}

}  // namespace ddsafe::tools

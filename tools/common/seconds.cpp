#include "common/seconds.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace ddsafe::tools {

Result<std::chrono::nanoseconds> parse_seconds(const std::string& text, const char* flag) {
  auto bad = [&](const char* why) {
    return make_error(errc::invalid_argument,
                      fmt::format("invalid value '{}' for {}: {}", text, flag, why));
  };
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

}  // namespace ddsafe::tools

#include "ddsafe/journal/time.hpp"

#include <time.h>

#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace ddsafe::journal {
namespace {

constexpr std::int64_t kUs = 1000000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos`.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

struct Civil {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::int64_t micros = 0;
};

// "YYYY-MM-DD" at the start of s.
std::optional<Civil> parse_date(std::string_view s) {
  const auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  if (!y || !mo || !d || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || static_cast<unsigned>(*d) > days_in_month(*y, static_cast<unsigned>(*mo)))
    return std::nullopt;
  return Civil{*y, *mo, *d};
}

// "HH:MM[:SS[.frac]]" at `pos`; returns the position after it.
std::optional<std::size_t> parse_clock(std::string_view s, std::size_t pos, Civil& c,
                                       bool seconds_required) {
  const auto h = digits(s, pos, 2), mi = digits(s, pos + 3, 2);
  if (!h || !mi || s[pos + 2] != ':' || *h > 23 || *mi > 59) return std::nullopt;
  c.hour = *h;
  c.minute = *mi;
  pos += 5;
  if (pos >= s.size() || s[pos] != ':') return seconds_required ? std::nullopt : std::optional(pos);
  const auto sec = digits(s, pos + 1, 2);
  if (!sec || *sec > 60) return std::nullopt;  // 60: a leap second, read as :59.999999
  c.second = std::min(*sec, 59);
  pos += 3;
  if (pos < s.size() && s[pos] == '.') {
    std::int64_t scale = 100000;
    std::size_t i = pos + 1;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, scale /= 10)
      c.micros += scale > 0 ? (s[i] - '0') * scale : 0;
    if (i == pos + 1) return std::nullopt;
    pos = i;
  }
  return pos;
}

std::int64_t utc_us(const Civil& c) {
  const auto days = days_from_civil(c.year, static_cast<unsigned>(c.month),
                                    static_cast<unsigned>(c.day));
  return ((days * 24 + c.hour) * 60 + c.minute) * 60 * kUs + c.second * kUs + c.micros;
}

std::optional<std::int64_t> local_us(const Civil& c) {
  struct tm tm {};
  tm.tm_year = c.year - 1900;
  tm.tm_mon = c.month - 1;
  tm.tm_mday = c.day;
  tm.tm_hour = c.hour;
  tm.tm_min = c.minute;
  tm.tm_sec = c.second;
  tm.tm_isdst = -1;
  const time_t t = ::mktime(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<std::int64_t>(t) * kUs + c.micros;
}

// "Z", "+HH:MM" or "-HH:MM" exactly at `pos`, to the end: the offset east of UTC in seconds.
std::optional<std::int64_t> parse_zone(std::string_view s, std::size_t pos) {
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) return 0;
  if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':')
    return std::nullopt;
  const auto h = digits(s, pos + 1, 2), m = digits(s, pos + 4, 2);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  const std::int64_t off = (*h * 60 + *m) * 60;
  return s[pos] == '-' ? -off : off;
}

bool is_separator(char c) { return c == 'T' || c == 't' || c == ' '; }

// The longest duration accepted, term by term and in total: far beyond any journal's age, and
// far enough from INT64_MAX that neither the sum nor now - total can overflow.
constexpr std::int64_t kMaxDurationS = 100LL * 365 * 86400;

// "1h30m", "90s", "2d", "1w": a duration in microseconds, at most kMaxDurationS.
std::optional<std::int64_t> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total = 0;
  while (!s.empty()) {
    std::int64_t n = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec != std::errc() || r.ptr == s.data() || r.ptr == s.data() + s.size() || n < 0)
      return std::nullopt;
    const char unit = *r.ptr;
    const std::int64_t seconds = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600
                                 : unit == 'd' ? 86400 : unit == 'w' ? 604800 : 0;
    if (seconds == 0 || n > kMaxDurationS / seconds) return std::nullopt;
    // Each term is capped, so the sum can only overflow over many terms ("36500d36500d..."):
    // cap it as well, before adding.
    if (total > (kMaxDurationS - n * seconds) * kUs) return std::nullopt;
    total += n * seconds * kUs;
    s.remove_prefix(static_cast<std::size_t>(r.ptr + 1 - s.data()));
  }
  return total;
}

std::optional<std::int64_t> local_midnight(std::int64_t now, int day_offset) {
  const time_t t = static_cast<time_t>(now / kUs);
  struct tm tm {};
  ::localtime_r(&t, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_mday += day_offset;
  tm.tm_isdst = -1;
  const time_t m = ::mktime(&tm);
  if (m == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<std::int64_t>(m) * kUs;
}

// A date, or date and time with or without zone (no zone: local time).
std::optional<std::int64_t> parse_absolute(std::string_view s) {
  auto c = parse_date(s);
  if (!c) return std::nullopt;
  if (s.size() == 10) return local_us(*c);
  if (!is_separator(s[10])) return std::nullopt;
  const auto end = parse_clock(s, 11, *c, /*seconds_required=*/false);
  if (!end) return std::nullopt;
  if (*end == s.size()) return local_us(*c);
  const auto zone = parse_zone(s, *end);
  if (!zone) return std::nullopt;
  return utc_us(*c) - *zone * kUs;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  auto c = parse_date(s);
  if (!c || s.size() < 20 || !is_separator(s[10])) return std::nullopt;
  const auto end = parse_clock(s, 11, *c, /*seconds_required=*/true);
  if (!end) return std::nullopt;
  const auto zone = parse_zone(s, *end);
  if (!zone) return std::nullopt;
  return utc_us(*c) - *zone * kUs;
}

std::string format_rfc3339(std::int64_t us) {
  const auto secs = us >= 0 ? us / kUs : (us - kUs + 1) / kUs;
  const auto micros = us - secs * kUs;
  const time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  ::gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

std::int64_t now_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kUs + ts.tv_nsec / 1000;
}

Result<std::int64_t> parse_time_expr(std::string_view text, std::int64_t now) {
  std::optional<std::int64_t> t;
  std::string_view s = text;
  if (s == "now") t = now;
  else if (s == "today") t = local_midnight(now, 0);
  else if (s == "yesterday") t = local_midnight(now, -1);
  else if (s == "tomorrow") t = local_midnight(now, 1);
  else if (!s.empty() && s[0] == '@') {
    std::int64_t secs = 0;
    const auto r = std::from_chars(s.data() + 1, s.data() + s.size(), secs);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && s.size() > 1 &&
        secs > -(1LL << 40) && secs < (1LL << 40))
      t = secs * kUs;
  } else if (s.size() >= 10 && s[4] == '-') {
    t = parse_absolute(s);
  } else {
    if (s.ends_with(" ago")) s.remove_suffix(4);
    else if (s.starts_with('-')) s.remove_prefix(1);
    if (auto d = parse_duration(s)) t = now - *d;
  }
  if (!t)
    return make_error(errc::invalid_argument,
                      fmt::format("invalid time '{}' (want RFC 3339 such as "
                                  "2026-01-31T12:00:00Z, a date, 'today', '1h', '2d' or "
                                  "'@SECONDS')", text));
  return *t;
}

}  // namespace ddsafe::journal

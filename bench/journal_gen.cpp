// Deterministic journal generator for bench/journal.sh: N events (default 1,000,000, about
// 220 MB) of schema v1, one per line, with a fixed seed, so every run queries the same bytes.
// Usage: dd-bench-journal-gen FILE [EVENTS]

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>

namespace {

// mt19937_64's output sequence is fixed by the standard (unlike std distributions), so the
// file is the same on every platform.
std::mt19937_64 rng(20260101);
std::uint64_t pick(std::uint64_t n) { return rng() % n; }

struct Kind {
  const char* event;
  const char* tool;
  int weight;  // per 1000
};
constexpr Kind kKinds[] = {
    {"atomic_commit", "dd-atomic", 380}, {"gc_reaped", "dd-gc", 180},
    {"session_start", "dd-launch", 90},  {"session_end", "dd-launch", 90},
    {"lock_fail_open", "dd-lock", 50},   {"lock_timeout", "dd-lock", 50},
    {"gc_skipped", "dd-gc", 50},         {"atomic_abort", "dd-atomic", 40},
    {"lock_stale_break", "dd-lock", 40}, {"gc_error", "dd-gc", 30}};

const Kind& pick_kind() {
  auto r = static_cast<int>(pick(1000));
  for (const auto& k : kKinds) {
    if (r < k.weight) return k;
    r -= k.weight;
  }
  return kKinds[0];
}

std::string ts_of(std::int64_t us) {
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(us % 1000000));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dd-bench-journal-gen FILE [EVENTS]\n");
    return 64;
  }
  const long events = argc > 2 ? std::atol(argv[2]) : 1000000;
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) {
    std::perror(argv[1]);
    return 73;
  }
  std::int64_t us = std::int64_t{1767225600} * 1000000;  // 2026-01-01T00:00:00Z, 30 days on
  for (long i = 0; i < events; ++i) {
    us += 1000000 + static_cast<std::int64_t>(pick(4000000));
    const auto& k = pick_kind();
    std::fprintf(out,
                 "{\"v\":1,\"ts\":\"%s\",\"event\":\"%s\",\"host\":\"node%02d\",\"pid\":%d,"
                 "\"tool\":\"%s\",\"path\":\"/srv/state/sess-%04d.lock\","
                 "\"waited_ms\":%d,\"cmd\":\"worker --job %d --queue q%d\","
                 "\"token\":%llu}\n",
                 ts_of(us).c_str(), k.event, static_cast<int>(pick(24)),
                 static_cast<int>(1000 + pick(60000)), k.tool, static_cast<int>(pick(2000)),
                 static_cast<int>(pick(30000)), static_cast<int>(pick(100000)),
                 static_cast<int>(pick(8)), static_cast<unsigned long long>(rng() >> 16));
  }
  return std::fclose(out) == 0 ? 0 : 74;
}

#pragma once
// The timing loop shared by the C++ benchmarks (dd-bench-lock, dd-bench-atomic).
//
// Each workload is a callable doing one operation. Repetitions go round-robin over the
// workloads, so that load from other processes on a shared machine lands on all of them alike
// and the ratios between them stay meaningful. Each prints one machine-readable line:
//   bench=NAME ns_per_op=MEDIAN min=MIN max=MAX iters=N reps=R

#include <errno.h>  // program_invocation_short_name (glibc)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ddsafe::bench {

/// One operation; false on failure (the run aborts: a failing operation is not a figure).
using Cycle = std::function<bool()>;

struct Workload {
  std::string name;
  Cycle cycle;
  std::vector<double> per_op;  ///< ns per operation, one entry per repetition
};

/// Prints "PROGRAM: WHAT: strerror(errno)" (just "PROGRAM: WHAT failed" when errno is 0) and
/// exits 1.
[[noreturn]] inline void die(const std::string& what) {
  const int err = errno;
  std::fprintf(stderr, "%s: %s%s%s\n", program_invocation_short_name, what.c_str(),
               err ? ": " : " failed", err ? std::strerror(err) : "");
  std::exit(1);
}

inline double time_per_op(const Workload& w, long iters) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  for (long i = 0; i < iters; ++i)
    if (!w.cycle()) die(w.name);
  const std::chrono::duration<double, std::nano> took = Clock::now() - t0;
  return took.count() / static_cast<double>(iters);
}

/// Warms every workload up (iters / 10 operations), then runs `reps` rounds of `iters`
/// operations each, round-robin, and prints one line per workload.
inline void run_all(std::vector<Workload>& all, long iters, int reps) {
  for (auto& w : all) (void)time_per_op(w, std::max(1L, iters / 10));
  for (int r = 0; r < reps; ++r)
    for (auto& w : all) w.per_op.push_back(time_per_op(w, iters));
  for (auto& w : all) {
    std::sort(w.per_op.begin(), w.per_op.end());
    std::printf("bench=%s ns_per_op=%.0f min=%.0f max=%.0f iters=%ld reps=%d\n", w.name.c_str(),
                w.per_op[w.per_op.size() / 2], w.per_op.front(), w.per_op.back(), iters, reps);
  }
  std::fflush(stdout);
}

/// The flags every timed run takes: --dir DIR [--iters N] [--reps R] [--only PREFIX] [--steps].
struct RunFlags {
  std::filesystem::path dir;
  long iters = 0;
  int reps = 0;
  bool steps = false;   ///< also run the step-by-step breakdown workloads
  std::string only;     ///< run only the workloads whose name starts with one of these (a,b,..)
};

/// True when `only` is empty or `name` starts with one of its comma-separated prefixes.
inline bool selected(std::string_view name, std::string_view only) {
  if (only.empty()) return true;
  for (std::size_t at = 0; at != std::string_view::npos;) {
    const std::size_t comma = only.find(',', at);
    if (name.starts_with(only.substr(at, comma - at))) return true;
    at = comma == std::string_view::npos ? comma : comma + 1;
  }
  return false;
}

/// A flag of a benchmark's own that takes a value: returns false when `flag` is not one.
using ExtraFlag = std::function<bool(std::string_view flag, const char* value)>;

/// Parses argv[first..], with `iters` and `reps` as the defaults; calls `usage` (which must
/// not return) on an unknown flag, a missing value, no --dir, or a non-positive count.
inline RunFlags parse_run_flags(int argc, char** argv, int first, long iters, int reps,
                                void (*usage)(), const ExtraFlag& extra = {}) {
  RunFlags f;
  f.iters = iters;
  f.reps = reps;
  for (int i = first; i < argc; ++i) {
    const std::string_view a = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--steps") {
      f.steps = true;
      continue;
    }
    if (!value) usage();
    if (a == "--dir") f.dir = value;
    else if (a == "--iters") f.iters = std::atol(value);
    else if (a == "--reps") f.reps = std::atoi(value);
    else if (a == "--only") f.only = value;
    else if (!extra || !extra(a, value)) usage();
    ++i;
  }
  if (f.dir.empty() || f.iters <= 0 || f.reps <= 0) usage();
  return f;
}

}  // namespace ddsafe::bench

// Stress: acquire() must return within its timeout whatever other processes are doing, also
// when one of them is SIGSTOPped in the middle of a lock operation.

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "ddsafe/error.hpp"
#include "ddsafe/file_lock.hpp"
#include "stress/stress_support.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using ddsafe::FileLock;
using ddsafe::LockMode;
using ddsafe::LockOptions;
using ddsafe::stress::ErrorBox;
using ddsafe::stress::SharedArray;
using ddsafe::stress::wait_until;
using ddsafe::test::ChildProcess;
using ddsafe::test::TempDir;

struct TimeoutWitness {
  std::atomic<int> holder_ready{0};
  std::atomic<int> stop{0};
  std::atomic<std::uint64_t> renewals{0};
  std::atomic<int> in_renew{0};              // the holder is inside renew()
  std::atomic<std::int64_t> elapsed_ms{-1};  // of the current attempt
  std::atomic<int> outcome{0};               // 1 held, 2 lock_timeout, 3 other error
  ErrorBox error;
};

// Whether process `pid` is stopped (state T in /proc/PID/stat).
bool is_stopped(pid_t pid) {
  const auto stat = ddsafe::test::read_file(fmt::format("/proc/{}/stat", pid));
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'T';
}

// A shared holder renews its lease over and over. It is SIGSTOPped while inside renew() (which
// holds the lock file's guard for most of its run), and a second shared acquirer with a 200 ms
// timeout then tries to join. Shared holders coexist, so the joiner gets the flock at once;
// whatever it waits for after that must still end by its deadline.
TEST_CASE(
    "FileLock stress: a timed shared acquisition returns within its timeout while another "
    "holder is SIGSTOPped mid-renewal",
    "[stress][lock][timeout]") {
  constexpr auto kTimeout = 200ms;
  constexpr auto kSlack = 800ms;     // scheduling on a loaded 2-core machine
  constexpr auto kStopFor = 1500ms;  // how long the holder stays stopped at most
  constexpr int kAttempts = 10;
  TempDir dir;
  const auto path = dir / "timeout.lock";
  SharedArray<TimeoutWitness> w;

  ChildProcess holder([&] {
    LockOptions o;
    o.mode = LockMode::shared;
    o.ttl = 10s;
    o.command = "stress-renewing-holder";
    auto lock = FileLock::acquire(path, o);
    if (!lock || !lock->held()) {
      w->error.set(lock ? "holder: not held" : lock.error().message());
      return 2;
    }
    w->holder_ready.store(1);
    while (w->stop.load() == 0) {
      w->in_renew.store(1);
      auto r = lock->renew();
      w->in_renew.store(0);
      if (!r) {
        w->error.set(fmt::format("holder: renew: {}", r.error().message()));
        return 2;
      }
      w->renewals.fetch_add(1);
      std::this_thread::sleep_for(200us);  // leave the guard free most of the time
    }
    return 0;
  });
  REQUIRE(wait_until([&] { return w->holder_ready.load() == 1; }, 10s));

  std::int64_t worst_ms = 0;
  int overdue = 0;
  int attempts = 0;
  for (int tries = 0; attempts < kAttempts && tries < 100 * kAttempts; ++tries) {
    // Stop the holder inside renew(); a stop that lands outside is undone and retried.
    const auto before = w->renewals.load();
    REQUIRE(wait_until([&] { return w->renewals.load() > before; }, 10s));
    REQUIRE(wait_until([&] { return w->in_renew.load() == 1; }, 10s));
    holder.kill(SIGSTOP);
    REQUIRE(wait_until([&] { return is_stopped(holder.pid()); }, 10s));
    if (w->in_renew.load() != 1) {
      holder.kill(SIGCONT);
      continue;
    }
    ++attempts;
    w->elapsed_ms.store(-1);
    ChildProcess joiner([&] {
      LockOptions o;
      o.mode = LockMode::shared;
      o.timeout = kTimeout;
      o.command = "stress-timed-joiner";
      const auto t0 = std::chrono::steady_clock::now();
      auto lock = FileLock::acquire(path, o);
      w->elapsed_ms.store(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count());
      if (lock && lock->held())
        w->outcome.store(1);
      else if (!lock && lock.error().code == ddsafe::errc::lock_timeout)
        w->outcome.store(2);
      else
        w->outcome.store(3);
      return 0;
    });
    // Resume the holder once the joiner is done, or after kStopFor at the latest.
    auto status = joiner.wait(kStopFor);
    holder.kill(SIGCONT);
    if (!status) status = joiner.wait(30s);  // (wait() reaps: it cannot be asked twice)
    REQUIRE(status.has_value());
    REQUIRE(WIFEXITED(*status));
    const auto ms = w->elapsed_ms.load();
    worst_ms = std::max(worst_ms, ms);
    if (std::chrono::milliseconds(ms) > kTimeout + kSlack) ++overdue;
  }
  w->stop.store(1);
  REQUIRE(holder.exit_code(30s) == 0);
  INFO("first error: " << (w->error.count.load() ? w->error.get() : "none"));
  INFO(overdue << " of " << attempts << " acquisitions with a " << kTimeout.count()
               << " ms timeout overran it; the worst took " << worst_ms << " ms");
  CHECK(attempts == kAttempts);
  CHECK(overdue == 0);
  CHECK(w->error.count.load() == 0);
}

}  // namespace

// Stress: several processes, released together by a shared-memory barrier, break the same stale
// lock at once. Every trial must have exactly one winner (one lock_stale_break event).

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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
using ddsafe::StaleReason;
using ddsafe::stress::BreakCounter;
using ddsafe::stress::ErrorBox;
using ddsafe::stress::SharedArray;
using ddsafe::stress::wait_until;
using ddsafe::test::ChildProcess;
using ddsafe::test::TempDir;
using std::uint64_t;

constexpr int kBreakers = 3;

struct Trial {
  std::atomic<int> finished{0};           // breakers done with this trial
  std::atomic<uint64_t> breaks_lease{0};  // lock_stale_break events, by reason
  std::atomic<uint64_t> breaks_dead{0};
  std::atomic<int> broke_stale{0};  // acquisitions whose broke_stale() was true
  std::atomic<uint64_t> holder_token{0};
  std::atomic<uint64_t> min_token{0};  // smallest token a breaker was granted
};

struct Race {
  std::atomic<int> setup{-1};  // trial the (lease) holder should lock for
  std::atomic<int> held{-1};   // trial whose stale lock is in place
  std::atomic<int> go{-1};     // trial the breakers may start on
  std::atomic<int> done{-1};   // trial the parent has checked; holders may let go
  std::atomic<int> orphan_pid{0};
  ErrorBox error;
};

enum class Staleness { lease_expired, owner_dead };

// A breaker: for each trial, waits at the barrier, then acquires with breaking enabled.
int breaker(Race& race, SharedArray<Trial>& trials, int trial_count,
            const std::filesystem::path& path, Staleness kind, int self) {
  BreakCounter sink(nullptr, nullptr);
  LockOptions o;
  o.mode = LockMode::exclusive;
  o.timeout = 20s;
  o.break_expired = kind == Staleness::lease_expired;
  o.break_dead_owner = true;
  o.events = &sink;
  o.command = fmt::format("stress-breaker-{}", self);
  for (int i = 0; i < trial_count; ++i) {
    Trial& t = trials[static_cast<std::size_t>(i)];
    sink.retarget(&t.breaks_lease, &t.breaks_dead);
    // Busy-wait (yielding) so that all breakers leave the barrier as close together as possible.
    if (!wait_until([&] { return race.go.load() >= i; }, 60s)) {
      race.error.set(fmt::format("breaker {}: trial {} never started", self, i));
      return 3;
    }
    auto lock = FileLock::acquire(path, o);
    if (!lock || !lock->held()) {
      race.error.set(fmt::format("breaker {} trial {}: {}", self, i,
                                 lock ? "lock not held" : lock.error().message()));
      return 2;
    }
    if (lock->broke_stale()) t.broke_stale.fetch_add(1);
    auto tok = t.min_token.load();
    while ((tok == 0 || lock->token() < tok) &&
           !t.min_token.compare_exchange_weak(tok, lock->token())) {
    }
    if (auto r = lock->release(); !r) {
      race.error.set(fmt::format("breaker {} trial {}: release: {}", self, i, r.error().message()));
      return 2;
    }
    t.finished.fetch_add(1);
  }
  return 0;
}

// The lease holder: locks with a 1 ms lease for each trial and never renews it.
int lease_holder(Race& race, SharedArray<Trial>& trials, int trial_count,
                 const std::filesystem::path& path) {
  LockOptions o;
  o.mode = LockMode::exclusive;
  o.ttl = 1ms;
  o.timeout = 20s;
  o.command = "stress-expiring-holder";
  for (int i = 0; i < trial_count; ++i) {
    if (!wait_until([&] { return race.setup.load() >= i; }, 60s)) return 3;
    auto lock = FileLock::acquire(path, o);
    if (!lock || !lock->held()) {
      race.error.set(
          fmt::format("holder trial {}: {}", i, lock ? "lock not held" : lock.error().message()));
      return 2;
    }
    trials[static_cast<std::size_t>(i)].holder_token.store(lock->token());
    race.held.store(i);
    if (!wait_until([&] { return race.done.load() >= i; }, 60s)) return 3;
    (void)lock->release();  // lock_lost: it was broken, as intended
  }
  return 0;
}

// Sets up the dead-owner stale lock of trial i: a child locks, forks a grandchild that inherits
// the descriptor (and so the flock), and dies. The record then names a dead pid while the lock
// is still held. Returns the grandchild's pid (ours to reap: we are its subreaper).
std::optional<pid_t> make_dead_owner_lock(Race& race, SharedArray<Trial>& trials, int i,
                                          const std::filesystem::path& path) {
  race.orphan_pid.store(0);
  ChildProcess owner([&] {
    LockOptions o;
    o.mode = LockMode::exclusive;
    o.timeout = 20s;
    o.command = "stress-dying-owner";
    auto lock = FileLock::acquire(path, o);
    if (!lock || !lock->held()) {
      race.error.set(
          fmt::format("owner trial {}: {}", i, lock ? "lock not held" : lock.error().message()));
      return 2;
    }
    trials[static_cast<std::size_t>(i)].holder_token.store(lock->token());
    const pid_t g = ::fork();
    if (g < 0) return 4;
    if (g == 0) {
      race.orphan_pid.store(static_cast<int>(::getpid()));
      (void)wait_until([&] { return race.done.load() >= i; }, 120s);
      ::_exit(0);  // closes the inherited descriptor: only now is the flock gone
    }
    (void)wait_until([&] { return race.orphan_pid.load() != 0; }, 60s);
    ::_exit(0);  // die holding the lock: no destructor may unlock the shared description
  });
  const auto code = owner.exit_code(60s);
  if (!code || *code != 0 || race.orphan_pid.load() == 0) return std::nullopt;
  return static_cast<pid_t>(race.orphan_pid.load());
}

void run_break_race(Staleness kind) {
  const auto soak = ddsafe::stress::soak();
  const int trial_count = 1000 * soak.factor;
  TempDir dir;
  const auto path = dir / "stale.lock";
  SharedArray<Race> race;
  SharedArray<Trial> trials(static_cast<std::size_t>(trial_count));
  const StaleReason want =
      kind == Staleness::lease_expired ? StaleReason::lease_expired : StaleReason::owner_dead;
  if (kind == Staleness::owner_dead) REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  struct ResetSubreaper {
    bool on;
    ~ResetSubreaper() {
      if (on) (void)::prctl(PR_SET_CHILD_SUBREAPER, 0);
    }
  } reset_subreaper{kind == Staleness::owner_dead};

  std::vector<ChildProcess> children;
  children.reserve(kBreakers + 1);
  for (int b = 0; b < kBreakers; ++b)
    children.emplace_back([&, b] { return breaker(*race, trials, trial_count, path, kind, b); });
  if (kind == Staleness::lease_expired)
    children.emplace_back([&] { return lease_holder(*race, trials, trial_count, path); });

  std::string failure;
  int bad_trials = 0;
  std::string first_bad;
  for (int i = 0; i < trial_count && failure.empty(); ++i) {
    Trial& t = trials[static_cast<std::size_t>(i)];
    std::optional<pid_t> orphan;
    if (kind == Staleness::lease_expired) {
      race->setup.store(i);
      if (!wait_until([&] { return race->held.load() >= i; }, 30s)) {
        failure = fmt::format("trial {}: holder never locked", i);
        break;
      }
    } else {
      orphan = make_dead_owner_lock(*race, trials, i, path);
      if (!orphan) {
        failure = fmt::format("trial {}: could not set up a dead-owner lock", i);
        break;
      }
    }
    // Release the breakers only once the lock is observably stale to them (a lease expires
    // after at most 2 ms; a reaped owner is dead at once).
    const bool stale = wait_until(
        [&] {
          auto st = ddsafe::lock_status(path);
          return st && st->held && st->stale_if_expired_broken == want;
        },
        10s);
    if (!stale) {
      failure = fmt::format("trial {}: lock never became stale", i);
      break;
    }
    race->go.store(i);
    if (!wait_until([&] { return t.finished.load() == kBreakers; }, 60s)) {
      failure = fmt::format("trial {}: breakers did not finish: {}", i, race->error.get());
      break;
    }
    const auto breaks = t.breaks_lease.load() + t.breaks_dead.load();
    const auto right_reason =
        kind == Staleness::lease_expired ? t.breaks_lease.load() : t.breaks_dead.load();
    if (breaks != 1 || right_reason != 1 || t.broke_stale.load() != 1 ||
        t.min_token.load() <= t.holder_token.load()) {
      if (bad_trials++ == 0)
        first_bad = fmt::format(
            "trial {}: {} breaks ({} lease_expired, {} owner_dead), {} acquisitions reported "
            "broke_stale, holder token {}, lowest breaker token {}",
            i, breaks, t.breaks_lease.load(), t.breaks_dead.load(), t.broke_stale.load(),
            t.holder_token.load(), t.min_token.load());
    }
    race->done.store(i);
    if (orphan) {
      int status = 0;
      (void)::waitpid(*orphan, &status, 0);
    }
  }
  race->done.store(trial_count);
  for (auto& child : children) {
    const auto code = child.exit_code(failure.empty() ? 60s : 0s);
    if (failure.empty() && (!code || *code != 0))
      failure = fmt::format("a child exited with {}", code ? std::to_string(*code) : "timeout");
  }
  INFO("first error in a child: " << (race->error.count.load() ? race->error.get() : "none"));
  INFO("failure: " << failure);
  REQUIRE(failure.empty());
  REQUIRE(race->error.count.load() == 0);
  INFO(first_bad);
  CHECK(bad_trials == 0);
}

TEST_CASE(
    "FileLock stress: 3 processes breaking one expired lease at once produce exactly one "
    "break in each of 1000 trials",
    "[stress][lock][break]") {
  run_break_race(Staleness::lease_expired);
}

TEST_CASE(
    "FileLock stress: 3 processes breaking one dead-owner lock at once produce exactly one "
    "break in each of 1000 trials",
    "[stress][lock][break]") {
  run_break_race(Staleness::owner_dead);
}

}  // namespace

// Stress: real processes (fork) contend for one lock file; a Boost.Interprocess shared-memory
// witness records what each of them did inside its critical section.

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "ddsafe/error.hpp"
#include "ddsafe/file_lock.hpp"
#include "ddsafe/process.hpp"
#include "stress/stress_support.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using ddsafe::FileLock;
using ddsafe::LockMode;
using ddsafe::LockOptions;
using ddsafe::stress::BreakCounter;
using ddsafe::stress::ErrorBox;
using ddsafe::stress::raise_to;
using ddsafe::stress::SharedArray;
using ddsafe::stress::wait_until;
using ddsafe::test::ChildProcess;
using ddsafe::test::TempDir;
using std::uint64_t;

// Waits for every child; returns a description of the first one that failed or hung, else "".
std::string wait_all(std::vector<ChildProcess>& children, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::string failure;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    const auto code = children[i].exit_code(std::max(left, std::chrono::milliseconds(0)));
    if (!code && failure.empty())
      failure = fmt::format("child {} did not finish within {} ms (deadlock?)", i, timeout.count());
    else if (code && *code != 0 && failure.empty())
      failure = fmt::format("child {} exited with {}", i, *code);
  }
  return failure;  // children still running are killed by ~ChildProcess
}

// Every child finished in time with status 0, and none reported an error.
void require_clean_finish(std::vector<ChildProcess>& children, ErrorBox& error,
                          std::chrono::milliseconds timeout) {
  const auto failure = wait_all(children, timeout);
  INFO("first error in a child: " << (error.count.load() ? error.get() : "none"));
  INFO("failure: " << failure);
  REQUIRE(failure.empty());
  REQUIRE(error.count.load() == 0);
}

// ---------------------------------------------------------------------------------------------
// Exclusive: occupancy witness, lost-update counter and fencing tokens in grant order.

struct ExclusiveWitness {
  std::atomic<int> occupancy{0};
  std::atomic<int> max_occupancy{0};
  std::atomic<uint64_t> grants{0};
  std::atomic<uint64_t> counter{0};  // read-modify-written without atomicity: lost updates show
  std::atomic<uint64_t> breaks_lease{0};
  std::atomic<uint64_t> breaks_dead{0};
  std::atomic<int> last_holder{-1};
  std::atomic<uint64_t> handoffs{0};  // grants to another process than the previous grant's
  ErrorBox error;
};

TEST_CASE(
    "FileLock stress: 4 processes x 2000 exclusive acquisitions never overlap and tokens "
    "strictly increase",
    "[stress][lock]") {
  const auto soak = ddsafe::stress::soak();
  constexpr int kProcs = 4;
  const int iters = 2000 * soak.factor;
  const auto total = static_cast<uint64_t>(kProcs) * static_cast<uint64_t>(iters);
  TempDir dir;
  const auto path = dir / "exclusive.lock";
  SharedArray<ExclusiveWitness> w;
  SharedArray<std::atomic<uint64_t>> tokens(total);

  std::vector<ChildProcess> children;
  children.reserve(kProcs);
  for (int p = 0; p < kProcs; ++p) {
    children.emplace_back([&, p] {
      BreakCounter sink(&w->breaks_lease, &w->breaks_dead);
      LockOptions o;
      o.mode = LockMode::exclusive;
      o.events = &sink;
      o.command = fmt::format("stress-exclusive-{}", p);
      // Waiters poll; a short poll interval and a pause outside the lock make the processes
      // take turns instead of one of them re-acquiring in a burst.
      o.poll_interval = 200us;
      std::minstd_rand rng(static_cast<unsigned>(p) + 1);
      for (int i = 0; i < iters; ++i) {
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
        auto lock = FileLock::acquire(path, o);
        if (!lock) {
          w->error.set(lock.error().message());
          return 2;
        }
        if (!lock->held()) {
          w->error.set("acquire without timeout returned a lock that is not held");
          return 2;
        }
        const int occ = w->occupancy.fetch_add(1) + 1;
        raise_to(w->max_occupancy, occ);
        const auto n = w->grants.fetch_add(1);
        if (n < total) tokens[n].store(lock->token());
        if (w->last_holder.exchange(p) != p) w->handoffs.fetch_add(1);
        const auto v = w->counter.load(std::memory_order_relaxed);
        ddsafe::stress::busy_work(300);
        w->counter.store(v + 1, std::memory_order_relaxed);
        w->occupancy.fetch_sub(1);
        if (auto r = lock->release(); !r) {
          w->error.set(r.error().message());
          return 2;
        }
      }
      return 0;
    });
  }
  require_clean_finish(children, w->error, 240s);

  std::printf("exclusive: %llu grants, %llu handoffs between processes\n",
              static_cast<unsigned long long>(w->grants.load()),
              static_cast<unsigned long long>(w->handoffs.load()));
  CHECK(w->max_occupancy.load() == 1);
  CHECK(w->grants.load() == total);
  CHECK(w->counter.load() == total);  // no lost update
  std::optional<uint64_t> first_bad;
  for (uint64_t i = 1; i < total && !first_bad; ++i)
    if (tokens[i].load() <= tokens[i - 1].load()) first_bad = i;
  INFO("grant " << first_bad.value_or(0) << " token " << (first_bad ? tokens[*first_bad].load() : 0)
                << " after " << (first_bad ? tokens[*first_bad - 1].load() : 0));
  CHECK_FALSE(first_bad.has_value());
  // Nobody died and nobody has a lease: a break here would have broken a live holder.
  CHECK(w->breaks_lease.load() + w->breaks_dead.load() == 0);
}

// ---------------------------------------------------------------------------------------------
// Shared: shared holders provably coexist (they meet at a barrier inside the lock); an exclusive
// holder never overlaps any of them, in either direction of waiting.

constexpr int kSharedHolders = 3;
constexpr int kMaxRounds = 10000;

struct SharedWitness {
  std::atomic<int> shared_in{0};
  std::atomic<int> excl_in{0};
  std::atomic<int> max_shared{0};
  std::atomic<int> violations{0};
  std::atomic<int> excl_entered{
      0};  // exclusive turns started (it is inside for turn excl_entered-1)
  std::atomic<int> arrived[kMaxRounds]{};  // shared holders inside the lock in round r
  std::atomic<int> trying[kMaxRounds]{};   // shared holders about to acquire for round r
  ErrorBox error;
};

TEST_CASE("FileLock stress: shared holders coexist and an exclusive holder never overlaps them",
          "[stress][lock]") {
  const auto soak = ddsafe::stress::soak();
  const int rounds = std::min(1000 * soak.factor, kMaxRounds);
  TempDir dir;
  const auto path = dir / "shared.lock";
  SharedArray<SharedWitness> w;

  std::vector<ChildProcess> children;
  children.reserve(kSharedHolders + 1);
  for (int p = 0; p < kSharedHolders; ++p) {
    children.emplace_back([&, p] {
      LockOptions o;
      o.mode = LockMode::shared;
      o.command = fmt::format("stress-shared-{}", p);
      for (int r = 0; r < rounds; ++r) {
        // From round 1 on, start trying only once the exclusive holder is inside, so that
        // shared acquirers also wait on an exclusive holder.
        if (r > 0 && !wait_until([&] { return w->excl_entered.load() >= r; }, 10s)) {
          w->error.set(fmt::format("round {}: exclusive holder never got in", r));
          return 3;
        }
        w->trying[r].fetch_add(1);
        auto lock = FileLock::acquire(path, o);
        if (!lock || !lock->held()) {
          w->error.set(lock ? "shared lock not held" : lock.error().message());
          return 2;
        }
        w->shared_in.fetch_add(1);
        if (w->excl_in.load() != 0) w->violations.fetch_add(1);
        w->arrived[r].fetch_add(1);
        // All shared holders of this round must be inside at once; if shared locks excluded
        // each other this barrier could never complete.
        if (!wait_until([&] { return w->arrived[r].load() == kSharedHolders; }, 10s)) {
          w->error.set(fmt::format("round {}: shared holders did not coexist ({} of {} inside)", r,
                                   w->arrived[r].load(), kSharedHolders));
          return 3;
        }
        raise_to(w->max_shared, w->shared_in.load());
        if (w->excl_in.load() != 0) w->violations.fetch_add(1);
        w->shared_in.fetch_sub(1);
        if (auto rel = lock->release(); !rel) {
          w->error.set(rel.error().message());
          return 2;
        }
      }
      return 0;
    });
  }
  children.emplace_back([&] {
    LockOptions o;
    o.mode = LockMode::exclusive;
    o.command = "stress-shared-exclusive";
    for (int r = 0; r < rounds; ++r) {
      // Start trying while all shared holders of round r are inside: we must wait for them.
      if (!wait_until([&] { return w->arrived[r].load() == kSharedHolders; }, 20s)) {
        w->error.set(fmt::format("round {}: shared holders never all got in", r));
        return 3;
      }
      auto lock = FileLock::acquire(path, o);
      if (!lock || !lock->held()) {
        w->error.set(lock ? "exclusive lock not held" : lock.error().message());
        return 2;
      }
      if (w->excl_in.fetch_add(1) != 0) w->violations.fetch_add(1);
      if (w->shared_in.load() != 0) w->violations.fetch_add(1);
      w->excl_entered.store(r + 1);
      // Hold until every shared holder of the next round is about to acquire, then a while
      // longer; none of them may get in meanwhile.
      if (r + 1 < rounds &&
          !wait_until([&] { return w->trying[r + 1].load() == kSharedHolders; }, 10s)) {
        w->error.set(fmt::format("round {}: shared holders never tried again", r + 1));
        return 3;
      }
      for (int i = 0; i < 20; ++i) {
        ddsafe::stress::busy_work(200);
        if (w->shared_in.load() != 0) w->violations.fetch_add(1);
      }
      w->excl_in.fetch_sub(1);
      if (auto rel = lock->release(); !rel) {
        w->error.set(rel.error().message());
        return 2;
      }
    }
    return 0;
  });
  require_clean_finish(children, w->error, 240s);
  CHECK(w->max_shared.load() == kSharedHolders);
  CHECK(w->excl_entered.load() == rounds);
  CHECK(w->violations.load() == 0);
}

// ---------------------------------------------------------------------------------------------
// Chaos: workers loop acquire (lease, break_expired) while the parent SIGKILLs holders (and
// respawns them) and SIGSTOPs holders until their lease expires and they get broken.
//
// With lease breaking, an expired live holder is fenced, not excluded: it may still be inside
// when the breaker enters. The witness therefore measures what must hold:
//  * two holders inside at once are legitimate only if the one with the lower token had a lease
//    that had provably expired (its published deadline, a lower bound of the deadline in its
//    owner record, lies in the past); anything else is an accepted-occupancy violation;
//  * no two grants carry the same token;
//  * a fencing-aware resource (`fence`: the highest token any write was accepted with) rejects
//    every write of a fenced holder, and each holder re-verifies its lock before each write.

constexpr int kWorkers = 4;
constexpr auto kTtl = 40ms;
constexpr std::int64_t kRenewMarginMs = 15;
constexpr int kStepsPerSection = 4;

struct Slot {
  std::atomic<uint64_t> seq{0};  // odd while the owner updates the fields below (seqlock)
  std::atomic<int> inside{0};
  std::atomic<uint64_t> token{0};
  std::atomic<std::int64_t> lease_deadline_ms{0};  // CLOCK_BOOTTIME; <= the record's deadline
  std::atomic<int> killed{0};                      // set by the parent just before SIGKILL
  std::atomic<uint64_t> beats{0};                  // loop iterations of the worker: its liveness
};

struct SlotView {
  bool inside = false;
  uint64_t token = 0;
  std::int64_t deadline = 0;
};

void publish(Slot& s, bool inside, uint64_t token, std::int64_t deadline) {
  s.seq.fetch_add(1);
  s.token.store(token);
  s.lease_deadline_ms.store(deadline);
  s.inside.store(inside ? 1 : 0);
  s.seq.fetch_add(1);
}

// Reset by the parent once the slot's previous worker is reaped: a worker SIGKILLed halfway
// through publish() leaves the sequence odd.
void reset_slot(Slot& s) {
  s.token.store(0);
  s.lease_deadline_ms.store(0);
  s.inside.store(0);
  s.beats.store(0);
  s.seq.store((s.seq.load() | 1U) + 1);
  s.killed.store(0);
}

SlotView snapshot(const Slot& s) {
  for (;;) {
    const auto a = s.seq.load();
    if (a % 2 == 1) {
      if (s.killed.load() != 0) return SlotView{};  // died mid-update; the parent resets it
      ::sched_yield();
      continue;
    }
    SlotView v{s.inside.load() != 0, s.token.load(), s.lease_deadline_ms.load()};
    if (s.seq.load() == a) return v;
  }
}

struct ChaosWitness {
  Slot slots[kWorkers];
  std::atomic<int> stop{0};
  std::atomic<uint64_t> fence{0};
  std::atomic<int> max_accepted{0};
  std::atomic<uint64_t> overlaps{0};         // violation: second holder while a lease was valid
  std::atomic<uint64_t> dup_tokens{0};       // violation: one token granted twice
  std::atomic<uint64_t> fenced_overlaps{0};  // legit: a holder with an expired lease still inside
  std::atomic<uint64_t> grants{0};
  std::atomic<int> last_holder{-1};
  std::atomic<uint64_t> handoffs{0};
  std::atomic<uint64_t> sections{0};       // completed critical sections
  std::atomic<uint64_t> long_sections{0};  // completed sections that outlasted the lease
  std::atomic<uint64_t> writes_accepted{0};
  std::atomic<uint64_t> writes_rejected{0};  // fenced writes refused by the resource
  std::atomic<uint64_t> lost{0};             // renew()/verify() said lock_lost
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> breaks_lease{0};
  std::atomic<uint64_t> breaks_dead{0};
  ErrorBox error;
  ErrorBox violation;
};

// The resource's write check: a write with a token below the highest one seen is refused. The
// first write of a grant must carry a token above every earlier grant's.
bool admit(ChaosWitness& c, uint64_t token, bool first_write) {
  auto f = c.fence.load();
  for (;;) {
    if (token < f) return false;
    if (token == f) {
      if (!first_write) return true;
      c.dup_tokens.fetch_add(1);
      c.violation.set(fmt::format("token {} granted twice", token));
      return false;
    }
    if (c.fence.compare_exchange_weak(f, token)) return true;
  }
}

// Called right after publishing ourselves inside. Each pair of overlapping holders is seen by at
// least the later of the two (both publish, then scan; all seq_cst).
void scan_others(ChaosWitness& c, int self, uint64_t token) {
  int accepted = 1;
  const auto mine = snapshot(c.slots[self]);
  for (int o = 0; o < kWorkers; ++o) {
    if (o == self) continue;
    const auto other = snapshot(c.slots[o]);
    if (!other.inside || c.slots[o].killed.load() != 0) continue;
    const auto now = ddsafe::boot_clock_ms();
    if (other.token == token) {
      c.dup_tokens.fetch_add(1);
      c.violation.set(
          fmt::format("workers {} and {} inside with the same token {}", self, o, token));
      ++accepted;
      continue;
    }
    const auto& lower = other.token < token ? other : mine;
    if (now > lower.deadline) {
      c.fenced_overlaps.fetch_add(1);
    } else {
      c.overlaps.fetch_add(1);
      ++accepted;
      c.violation.set(fmt::format(
          "worker {} (token {}) entered while worker {} (token {}) was inside with its lease "
          "valid for {} more ms",
          self, token, o, other.token, lower.deadline - now));
    }
  }
  raise_to(c.max_accepted, accepted);
}

bool expected_loss(const ddsafe::Error& e) {
  return e.code == ddsafe::errc::lock_lost || e.code == ddsafe::errc::lock_timeout;
}

int chaos_worker(ChaosWitness& c, int self, const std::filesystem::path& path) {
  Slot& me = c.slots[self];
  BreakCounter sink(&c.breaks_lease, &c.breaks_dead);
  LockOptions o;
  o.mode = LockMode::exclusive;
  o.ttl = kTtl;
  o.break_expired = true;
  o.timeout = 1s;
  o.events = &sink;
  o.command = fmt::format("stress-chaos-{}", self);
  o.poll_interval = 500us;
  std::minstd_rand rng(static_cast<unsigned>(::getpid()));
  while (c.stop.load() == 0) {
    me.beats.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));  // take turns
    auto lock = FileLock::acquire(path, o);
    if (!lock) {
      if (lock.error().code == ddsafe::errc::lock_timeout) {
        c.timeouts.fetch_add(1);
        continue;
      }
      c.error.set(fmt::format("worker {}: {}", self, lock.error().message()));
      return 2;
    }
    if (!lock->held()) {
      c.error.set("acquire returned a lock that is not held");
      return 2;
    }
    c.grants.fetch_add(1);
    if (c.last_holder.exchange(self) != self) c.handoffs.fetch_add(1);
    const auto token = lock->token();
    // Start our own lease clock: renew() writes a renewal time no earlier than `t0`.
    auto t0 = ddsafe::boot_clock_ms();
    if (auto r = lock->renew(); !r) {
      if (!expected_loss(r.error())) {
        c.error.set(fmt::format("worker {}: renew: {}", self, r.error().message()));
        return 2;
      }
      c.lost.fetch_add(1);
      continue;  // ~FileLock releases
    }
    auto deadline = t0 + kTtl.count();
    publish(me, true, token, deadline);
    scan_others(c, self, token);
    // Most sections are short; some outlast the lease several times over, renewing as they go,
    // so that a breaker judging a lease too early would meet a holder whose lease is valid.
    const bool long_section = rng() % 64 == 0;
    const auto section_end = ddsafe::boot_clock_ms() + 3 * kTtl.count();
    bool ok = true;
    for (int step = 0;
         ok && (long_section ? ddsafe::boot_clock_ms() < section_end : step < kStepsPerSection);
         ++step) {
      if (ddsafe::boot_clock_ms() + kRenewMarginMs >= deadline) {
        t0 = ddsafe::boot_clock_ms();
        if (auto r = lock->renew(); !r) {
          if (!expected_loss(r.error())) {
            c.error.set(fmt::format("worker {}: renew: {}", self, r.error().message()));
            return 2;
          }
          c.lost.fetch_add(1);
          ok = false;
          break;
        }
        deadline = t0 + kTtl.count();
        publish(me, true, token, deadline);
      }
      if (auto v = lock->verify(); !v) {
        if (v.error().code != ddsafe::errc::lock_lost) {
          c.error.set(fmt::format("worker {}: verify: {}", self, v.error().message()));
          return 2;
        }
        c.lost.fetch_add(1);
        ok = false;
        break;
      }
      if (!admit(c, token, step == 0)) {
        c.writes_rejected.fetch_add(1);
        ok = false;
        break;
      }
      c.writes_accepted.fetch_add(1);
      ddsafe::stress::busy_work(500);
      if (long_section) std::this_thread::sleep_for(1ms);  // pacing: leave the CPU to others
    }
    if (long_section && ok) c.long_sections.fetch_add(1);
    publish(me, false, token, deadline);
    if (ok) c.sections.fetch_add(1);
    if (auto r = lock->release(); !r && r.error().code != ddsafe::errc::lock_lost) {
      c.error.set(fmt::format("worker {}: release: {}", self, r.error().message()));
      return 2;
    }
  }
  return 0;
}

TEST_CASE(
    "FileLock stress: under SIGKILL and SIGSTOP chaos with lease breaking at most one "
    "unfenced holder is inside and nothing deadlocks",
    "[stress][lock][chaos]") {
  const auto soak = ddsafe::stress::soak();
  const auto duration = soak.chaos_duration;
  // Deadlock check: every so often the chaos pauses (no kill, no stop: a kill could break a
  // deadlock, since the kernel drops a dead process's locks) and every worker must complete two
  // more loop iterations. One iteration is bounded (acquire times out after 1 s, a section lasts
  // at most 3 leases, renew and release give up on the guard after 1 s), so a worker that does
  // not within kQuietLimit is stuck.
  constexpr auto kQuietEvery = 2s;
  constexpr auto kQuietLimit = 15s;
  TempDir dir;
  const auto path = dir / "chaos.lock";
  SharedArray<ChaosWitness> c;

  std::vector<std::optional<ChildProcess>> workers(kWorkers);
  auto spawn = [&](int i) {
    reset_slot(c->slots[i]);
    workers[static_cast<std::size_t>(i)].emplace([&, i] { return chaos_worker(*c, i, path); });
  };
  for (int i = 0; i < kWorkers; ++i) spawn(i);

  std::mt19937 rng(std::random_device{}());
  auto pick = [&](bool prefer_inside) {
    std::vector<int> inside;
    for (int i = 0; i < kWorkers; ++i)
      if (c->slots[i].inside.load() != 0) inside.push_back(i);
    if (prefer_inside && !inside.empty())
      return inside[std::uniform_int_distribution<std::size_t>(0, inside.size() - 1)(rng)];
    return std::uniform_int_distribution<int>(0, kWorkers - 1)(rng);
  };
  auto pause = [&](int lo_ms, int hi_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int>(lo_ms, hi_ms)(rng)));  // pacing only
  };

  int kills = 0;
  int stops = 0;
  int quiet_checks = 0;
  std::string failure;
  const auto start = std::chrono::steady_clock::now();
  auto last_quiet = start;
  auto violated = [&] { return c->overlaps.load() + c->dup_tokens.load() > 0; };
  while (failure.empty() && !violated() && std::chrono::steady_clock::now() - start < duration) {
    pause(5, 40);
    const int action = std::uniform_int_distribution<int>(0, 99)(rng);
    if (action < 35) {  // SIGKILL a holder (or anyone), respawn it
      const int v = pick(true);
      auto& child = workers[static_cast<std::size_t>(v)];
      c->slots[v].killed.store(1);
      child->kill(SIGKILL);
      if (!child->wait(10s)) failure = fmt::format("worker {} did not die of SIGKILL", v);
      child.reset();
      spawn(v);
      ++kills;
    } else if (action < 85) {  // SIGSTOP a holder until its lease has long expired
      const int v = pick(action < 75);
      auto& child = workers[static_cast<std::size_t>(v)];
      child->kill(SIGSTOP);
      pause(2 * static_cast<int>(kTtl.count()), 5 * static_cast<int>(kTtl.count()));
      child->kill(SIGCONT);
      ++stops;
    }
    for (int i = 0; i < kWorkers && failure.empty(); ++i) {
      if (auto st = workers[static_cast<std::size_t>(i)]->wait(0ms))
        failure =
            fmt::format("worker {} exited on its own (status {}): {}", i, *st, c->error.get());
    }
    if (failure.empty() && std::chrono::steady_clock::now() - last_quiet >= kQuietEvery) {
      uint64_t before[kWorkers];
      for (int i = 0; i < kWorkers; ++i) before[i] = c->slots[i].beats.load();
      for (int i = 0; i < kWorkers && failure.empty(); ++i) {
        if (!wait_until([&] { return c->slots[i].beats.load() >= before[i] + 2; }, kQuietLimit))
          failure = fmt::format(
              "worker {} completed no loop iteration in {} s without chaos: "
              "deadlock",
              i, std::chrono::duration_cast<std::chrono::seconds>(kQuietLimit).count());
      }
      ++quiet_checks;
      last_quiet = std::chrono::steady_clock::now();
    }
  }
  c->stop.store(1);
  for (auto& child : workers) child->kill(SIGCONT);
  const auto stop_deadline = std::chrono::steady_clock::now() + (failure.empty() ? 30s : 1s);
  for (int i = 0; i < kWorkers; ++i) {
    auto& child = workers[static_cast<std::size_t>(i)];
    const auto code =
        child->exit_code(std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      stop_deadline - std::chrono::steady_clock::now()),
                                  0ms));
    if (!code && failure.empty())
      failure = fmt::format("worker {} did not stop within 30 s of being told to: deadlock", i);
    else if (code && *code != 0 && failure.empty())
      failure = fmt::format("worker {} exited with {}", i, *code);
  }

  std::printf(
      "chaos %lds: %d kills, %d stops, %llu grants (%llu handoffs), %llu sections (%llu long), "
      "%llu writes (%llu rejected), %llu lost, %llu timeouts, breaks %llu lease / %llu dead, "
      "%llu fenced overlaps\n",
      static_cast<long>(duration.count()), kills, stops,
      static_cast<unsigned long long>(c->grants.load()),
      static_cast<unsigned long long>(c->handoffs.load()),
      static_cast<unsigned long long>(c->sections.load()),
      static_cast<unsigned long long>(c->long_sections.load()),
      static_cast<unsigned long long>(c->writes_accepted.load()),
      static_cast<unsigned long long>(c->writes_rejected.load()),
      static_cast<unsigned long long>(c->lost.load()),
      static_cast<unsigned long long>(c->timeouts.load()),
      static_cast<unsigned long long>(c->breaks_lease.load()),
      static_cast<unsigned long long>(c->breaks_dead.load()),
      static_cast<unsigned long long>(c->fenced_overlaps.load()));

  INFO("first error in a worker: " << (c->error.count.load() ? c->error.get() : "none"));
  INFO("first violation: " << (c->violation.count.load() ? c->violation.get() : "none"));
  INFO("failure: " << failure);
  REQUIRE(failure.empty());
  REQUIRE(c->error.count.load() == 0);
  CHECK(c->max_accepted.load() == 1);
  CHECK(c->overlaps.load() == 0);
  CHECK(c->dup_tokens.load() == 0);
  if (c->max_accepted.load() != 1 || c->dup_tokens.load() != 0) return;  // stopped early
  // The chaos did what it is for: leases expired and were broken, fenced holders were still
  // inside when the breaker entered, and they noticed (lock_lost or a refused write).
  CHECK(kills > 0);
  CHECK(quiet_checks > 0);
  CHECK(c->breaks_lease.load() > 0);
  CHECK(c->fenced_overlaps.load() > 0);
  CHECK(c->lost.load() + c->writes_rejected.load() > 0);
  CHECK(c->long_sections.load() > 0);
}

}  // namespace

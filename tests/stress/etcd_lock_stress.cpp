// Stress and fault tests of the etcd lock backend: throwaway etcd members on 127.0.0.1 (started
// and SIGKILLed by the test), real processes, and a Boost.Interprocess shared-memory witness.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "ddsafe/etcd_lock.hpp"
#include "stress/stress_support.hpp"
#include "support/child_process.hpp"
#include "support/etcd_cluster.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using ddsafe::EtcdLock;
using ddsafe::LockOptions;
using ddsafe::stress::ErrorBox;
using ddsafe::stress::raise_to;
using ddsafe::stress::SharedArray;
using ddsafe::stress::wait_until;
using ddsafe::test::ChildProcess;
using ddsafe::test::EtcdCluster;
using ddsafe::test::TempDir;
using std::int64_t;
using std::uint64_t;

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ExclusionWitness {
  std::atomic<int> occupancy{0};
  std::atomic<int> max_occupancy{0};
  std::atomic<uint64_t> grants{0};
  std::atomic<uint64_t> counter{0};  // read-modify-written without atomicity: lost updates show
  ErrorBox error;
};

TEST_CASE("EtcdLock stress: 4 processes on a 3-member cluster, each talking to another member "
          "first, never overlap and tokens strictly increase",
          "[stress][etcd]") {
  const auto soak = ddsafe::stress::soak();
  constexpr int kProcs = 4;
  const int iters = 60 * soak.factor;
  const auto total = static_cast<uint64_t>(kProcs) * static_cast<uint64_t>(iters);
  TempDir dir;
  EtcdCluster cluster(3, dir / "etcd");
  INFO(cluster.problem());
  REQUIRE(cluster.ok());
  SharedArray<ExclusionWitness> w;
  SharedArray<std::atomic<uint64_t>> tokens(total);

  std::vector<ChildProcess> children;
  for (int p = 0; p < kProcs; ++p) {
    children.emplace_back([&, p] {
      const auto target = cluster.target("stress", {p % 3, (p + 1) % 3, (p + 2) % 3});
      LockOptions o;
      o.ttl = 5s;
      o.timeout = 60s;
      o.command = fmt::format("etcd-stress-{}", p);
      std::minstd_rand rng(static_cast<unsigned>(p) + 1);
      for (int i = 0; i < iters; ++i) {
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
        auto lock = EtcdLock::acquire(target, "counter", o);
        if (!lock || !lock->held()) {
          w->error.set(lock ? "acquire returned a lock that is not held" : lock.error().message());
          return 2;
        }
        raise_to(w->max_occupancy, w->occupancy.fetch_add(1) + 1);
        const auto n = w->grants.fetch_add(1);
        if (n < total) tokens[n].store(lock->token());
        const auto v = w->counter.load(std::memory_order_relaxed);
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 500));
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
  for (auto& c : children) CHECK(c.exit_code(240s) == 0);
  INFO("first error in a child: " << w->error.get());
  CHECK(w->error.count.load() == 0);
  CHECK(w->max_occupancy.load() == 1);
  CHECK(w->grants.load() == total);
  CHECK(w->counter.load() == total);
  std::optional<uint64_t> first_bad;
  for (uint64_t i = 1; i < total && !first_bad; ++i)
    if (tokens[i].load() <= tokens[i - 1].load()) first_bad = i;
  CHECK_FALSE(first_bad.has_value());
}

struct TakeoverWitness {
  std::atomic<int> holder_in{0};
  std::atomic<uint64_t> holder_token{0};
  std::atomic<int> waiter_in{0};
  std::atomic<uint64_t> waiter_token{0};
  std::atomic<int64_t> waiter_at_ns{0};
  ErrorBox error;
};

// A waiter that acquires `name` and records when.
ChildProcess start_waiter(const ddsafe::EtcdTarget& target, TakeoverWitness& w) {
  return ChildProcess([&] {
    LockOptions o;
    o.ttl = 2s;
    o.timeout = 30s;
    auto lock = EtcdLock::acquire(target, "job", o);
    if (!lock || !lock->held()) {
      w.error.set(lock ? "not held" : lock.error().message());
      return 2;
    }
    w.waiter_at_ns.store(wall_ns());
    w.waiter_token.store(lock->token());
    w.waiter_in.store(1);
    return lock->release() ? 0 : 3;
  });
}

TEST_CASE("EtcdLock: after the holder is SIGKILLed a waiter acquires within TTL + 1 s, "
          "with a larger token, and not before the kill",
          "[stress][etcd]") {
  TempDir dir;
  EtcdCluster cluster(1, dir / "etcd");
  INFO(cluster.problem());
  REQUIRE(cluster.ok());
  const auto target = cluster.target("takeover");
  SharedArray<TakeoverWitness> w;
  ChildProcess holder([&] {
    LockOptions o;
    o.ttl = 2s;
    auto lock = EtcdLock::acquire(target, "job", o);
    if (!lock || !lock->held()) return 2;
    w->holder_token.store(lock->token());
    w->holder_in.store(1);
    for (;;) {
      std::this_thread::sleep_for(200ms);
      (void)lock->renew();
    }
  });
  REQUIRE(wait_until([&] { return w->holder_in.load() == 1; }, 10s));
  auto waiter = start_waiter(target, *w);
  // The holder renews, so for 3 s (more than a TTL) the waiter must stay out.
  CHECK_FALSE(wait_until([&] { return w->waiter_in.load() == 1; }, 3s));
  const auto killed_at = wall_ns();
  holder.kill(SIGKILL);
  (void)holder.wait(5s);
  REQUIRE(waiter.exit_code(20s) == 0);
  INFO("first error: " << w->error.get());
  const auto takeover_ms = (w->waiter_at_ns.load() - killed_at) / 1'000'000;
  std::printf("etcd takeover after holder SIGKILL (TTL 2 s): %lld ms\n",
              static_cast<long long>(takeover_ms));
  CHECK(takeover_ms >= 0);
  CHECK(takeover_ms <= 3000);
  CHECK(w->waiter_token.load() > w->holder_token.load());
}

// The holder is dd-lock, talking to member `victim` only; its command stamps the wall-clock
// time at which it is told to stop. The waiter talks to the other members.
void member_killed_case(bool kill_leader) {
  TempDir dir;
  EtcdCluster cluster(3, dir / "etcd");
  INFO(cluster.problem());
  REQUIRE(cluster.ok());
  std::optional<int> leader;
  REQUIRE(wait_until([&] { return (leader = cluster.leader()).has_value(); }, 10s));
  const int victim = kill_leader ? *leader : (*leader + 1) % 3;
  std::vector<int> others;
  for (int i = 0; i < 3; ++i)
    if (i != victim) others.push_back(i);
  const auto stamp = (dir / "stopped").string();
  const auto started = (dir / "started").string();
  const auto url = fmt::format("etcd://{}/fault", cluster.endpoint(victim));
  const auto script = fmt::format(
      "trap 'date +%s%N > {}; exit 0' TERM; touch {}; while :; do sleep 0.02; done", stamp,
      started);
  ChildProcess holder([&] {
    ::execl(DDSAFE_DD_LOCK, "dd-lock", "-q", "--backend", url.c_str(), "--ttl", "2", "job", "--",
            "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    return 127;
  });
  REQUIRE(wait_until([&] { return std::filesystem::exists(started); }, 10s));
  SharedArray<TakeoverWitness> w;
  auto waiter = start_waiter(cluster.target("fault", others), *w);
  CHECK_FALSE(wait_until([&] { return w->waiter_in.load() == 1; }, 1500ms));
  const auto killed_at = wall_ns();
  cluster.kill(victim);
  const auto holder_status = holder.exit_code(20s);
  REQUIRE(waiter.exit_code(30s) == 0);
  INFO("first error: " << w->error.get());
  CHECK(holder_status == 75);  // lock lost, documented exit code
  std::ifstream in(stamp);
  int64_t stopped_at = 0;
  in >> stopped_at;
  REQUIRE(stopped_at > 0);
  const auto lost_ms = (stopped_at - killed_at) / 1'000'000;
  const auto acquired_ms = (w->waiter_at_ns.load() - killed_at) / 1'000'000;
  std::printf("etcd %s of the holder killed (TTL 2 s): command stopped +%lld ms, waiter "
              "acquired +%lld ms\n",
              kill_leader ? "leader" : "follower", static_cast<long long>(lost_ms),
              static_cast<long long>(acquired_ms));
  CHECK(stopped_at < w->waiter_at_ns.load());  // the old command stopped first
  // TTL + election; a new leader also renews every lease to a full TTL when it takes over.
  CHECK(acquired_ms <= (kill_leader ? 2000 + 1000 + 2000 + 1000 : 2000 + 1000));
}

TEST_CASE("dd-lock on etcd: the holder's member (a follower) killed: its command is stopped "
          "before a waiter on the other members acquires, within TTL + 1 s",
          "[stress][etcd]") {
  member_killed_case(/*kill_leader=*/false);
}

TEST_CASE("dd-lock on etcd: the holder's member (the leader) killed: its command is stopped "
          "before a waiter on the other members acquires, within 2 TTL + election + 1 s",
          "[stress][etcd]") {
  member_killed_case(/*kill_leader=*/true);
}

TEST_CASE("EtcdLock: a waiter that wins after waiting starts with a fresh deadline (TTL less the "
          "margin), so renewing every TTL/3 from acquisition keeps it",
          "[stress][etcd]") {
  TempDir dir;
  EtcdCluster cluster(1, dir / "etcd");
  INFO(cluster.problem());
  REQUIRE(cluster.ok());
  const auto target = cluster.target("fresh");
  LockOptions o;
  o.ttl = 1s;
  const auto margin = ddsafe::etcd_safety_margin(o.ttl);
  for (int round = 0; round < 3; ++round) {
    ChildProcess holder([&] {
      auto lock = EtcdLock::acquire(target, "job", o);
      if (!lock || !lock->held()) return 2;
      std::this_thread::sleep_for(300ms);
      return lock->release() ? 0 : 3;
    });
    std::this_thread::sleep_for(100ms);
    auto lock = EtcdLock::acquire(target, "job", o);
    REQUIRE(lock);
    REQUIRE(lock->held());
    CHECK(lock->waited() > 100ms);
    // Without the refresh on winning, the lease could be up to TTL/3 old here.
    CHECK(lock->deadline() - std::chrono::steady_clock::now() > o.ttl - margin - o.ttl / 10);
    std::this_thread::sleep_for(o.ttl / 3);
    CHECK(lock->renew());
    CHECK(holder.exit_code(5s) == 0);
  }
}

}  // namespace

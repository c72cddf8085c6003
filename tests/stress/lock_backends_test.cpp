// ddsafe::Lock: one contract, checked the same way on a lock file and on an etcd key.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ddsafe/lock.hpp"
#include "support/child_process.hpp"
#include "support/etcd_cluster.hpp"
#include "support/event_recorder.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using namespace std::chrono_literals;

namespace {

void check_contract(const LockTarget& target) {
  INFO("backend: " << target.describe());
  test::EventRecorder rec;
  LockOptions now;
  now.timeout = 0ns;
  now.ttl = 3000ms;
  now.events = &rec;
  now.command = "lock_backends_test";

  auto first = Lock::acquire(target, now);
  REQUIRE(first);
  CHECK(first->held());
  const auto t1 = first->token();
  CHECK(t1 > 0);
  CHECK(first->token_text().ends_with(std::to_string(t1)));
  CHECK((first->token_text().find(':') != std::string::npos) == target.is_etcd());
  CHECK(first->renew());
  CHECK(first->verify());

  // Another process: busy fails closed with lock_busy, or fails open without the lock,
  // journaled.
  test::ChildProcess contender([&] {
    test::EventRecorder events;
    LockOptions o = now;
    o.events = &events;
    auto busy = Lock::acquire(target, o);
    if (busy || busy.error().code != errc::lock_busy) return 1;
    o.timeout = 200ms;
    o.on_timeout = TimeoutPolicy::fail_open;
    auto opened = Lock::acquire(target, o);
    if (!opened || opened->held() || opened->token() != 0 || !opened->token_text().empty())
      return 2;
    return events.of("lock_fail_open").size() == 1 ? 0 : 3;
  });
  CHECK(contender.exit_code() == 0);

  // Released: the next holder gets a larger token.
  REQUIRE(first->release());
  CHECK(first->release());  // idempotent
  auto second = Lock::acquire(target, now);
  REQUIRE(second);
  CHECK(second->held());
  CHECK(second->token() > t1);
  REQUIRE(second->release());
}

}  // namespace

TEST_CASE("Lock: the same contract on a lock file and on an etcd key", "[lock][etcd]") {
  test::TempDir dir;
  auto file = LockTarget::parse("file", (dir / "l.lock").string());
  REQUIRE(file);
  CHECK_FALSE(file->is_etcd());
  check_contract(*file);

  test::EtcdCluster cluster(1, dir / "etcd");
  REQUIRE(cluster.ok());
  auto etcd = LockTarget::parse("etcd://" + cluster.endpoint(0) + "/ddsafe-test", "l");
  REQUIRE(etcd);
  CHECK(etcd->is_etcd());
  CHECK(etcd->describe() == "ddsafe-test/l");
  check_contract(*etcd);

  CHECK_FALSE(LockTarget::parse("etcd://127.0.0.1:1/p", "a/b"));
  CHECK_FALSE(LockTarget::parse("etcd://nohost", "a"));
}

// Unit tests of the etcd backend that need no etcd: target parsing, the safety margin, the
// gateway's encoding rules (base64, int64 as strings, omitted zero values), and acquisition
// against an endpoint where nothing listens (fail-closed names it; fail-open is journaled).

#include "ddsafe/etcd_lock.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "etcd_client.hpp"
#include "support/etcd_cluster.hpp"
#include "support/event_recorder.hpp"

namespace {

using namespace std::chrono_literals;
using ddsafe::EtcdLock;
using ddsafe::LockOptions;
using ddsafe::TimeoutPolicy;
using ddsafe::test::EventRecorder;

TEST_CASE("parse_etcd_target: endpoints and prefix, with or without the scheme", "[etcd]") {
  auto t = ddsafe::parse_etcd_target("etcd://10.0.0.1:2379,h2:12379/locks/app/");
  REQUIRE(t);
  CHECK(t->endpoints == std::vector<std::string>{"10.0.0.1:2379", "h2:12379"});
  CHECK(t->prefix == "locks/app");
  CHECK(ddsafe::etcd_lock_key(*t, "job") == "locks/app/job");
  auto bare = ddsafe::parse_etcd_target("127.0.0.1:1/p");
  REQUIRE(bare);
  CHECK(bare->endpoints.size() == 1);
}

TEST_CASE("parse_etcd_target: missing prefix, missing or bad port are invalid_argument",
          "[etcd]") {
  for (const char* bad : {"etcd://h:1", "etcd://h:1/", "etcd://h/p", "etcd://h:0/p",
                          "etcd://h:99999/p", "etcd://:1/p", "etcd://h:1x/p", "etcd:///p"}) {
    INFO(bad);
    auto t = ddsafe::parse_etcd_target(bad);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == ddsafe::errc::invalid_argument);
  }
}

TEST_CASE("etcd_safety_margin: max(0.5 s, TTL/10), never above TTL/2", "[etcd]") {
  CHECK(ddsafe::etcd_safety_margin(2000ms) == 500ms);
  CHECK(ddsafe::etcd_safety_margin(30000ms) == 3000ms);
  CHECK(ddsafe::etcd_safety_margin(600ms) == 300ms);
}

TEST_CASE("etcd gateway encoding: base64 round trip, int64 fields as strings, absent fields "
          "are zero",
          "[etcd]") {
  using namespace ddsafe::detail;
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd",
                                                       std::string("\0\xff/x", 4)}) {
    auto back = base64_decode(base64_encode(s));
    REQUIRE(back);
    CHECK(*back == s);
  }
  CHECK(base64_encode("job") == "am9i");
  CHECK_FALSE(base64_decode("a*b="));
  const auto j = nlohmann::json::parse(
      R"({"ID":"9041998865172687124","revision":"5","n":7,"big":"18446744073709551615"})");
  CHECK(json_int(j, "ID") == 9041998865172687124LL);
  CHECK(json_int(j, "revision") == 5);
  CHECK(json_int(j, "n") == 7);
  CHECK(json_int(j, "big") == -1);  // the full 64 bits are kept (lease IDs are unsigned)
  CHECK(json_int(j, "TTL") == 0);   // proto3 leaves zero values out
  const auto kv = parse_kv(nlohmann::json::parse(
      R"({"key":"cC9qb2I=","create_revision":"12","lease":"7","value":"eyJ2IjoxfQ=="})"));
  CHECK(kv.key == "p/job");
  CHECK(kv.value == R"({"v":1})");
  CHECK(kv.create_revision == 12);
  CHECK(kv.lease == 7);
}

TEST_CASE("EtcdLock: nothing listening: fails with lock_timeout naming the endpoint, or "
          "fails open after journaling lock_fail_open",
          "[etcd]") {
  ddsafe::EtcdTarget target{{"127.0.0.1:" + std::to_string(ddsafe::test::free_port())}, "p"};
  EventRecorder events;
  LockOptions o;
  o.timeout = 300ms;
  o.ttl = 2s;
  o.events = &events;
  auto closed = EtcdLock::acquire(target, "job", o);
  REQUIRE_FALSE(closed);
  CHECK(closed.error().code == ddsafe::errc::lock_timeout);
  CHECK_THAT(closed.error().context, Catch::Contains("no etcd member answered at " +
                                                     target.endpoints[0]));
  CHECK(events.of("lock_timeout").size() == 1);
  o.on_timeout = TimeoutPolicy::fail_open;
  auto open = EtcdLock::acquire(target, "job", o);
  REQUIRE(open);
  CHECK_FALSE(open->held());
  CHECK(open->token() == 0);
  CHECK(events.of("lock_fail_open").size() == 1);
  o.mode = ddsafe::LockMode::shared;
  auto shared = EtcdLock::acquire(target, "job", o);
  REQUIRE_FALSE(shared);
  CHECK(shared.error().code == ddsafe::errc::invalid_argument);
}

}  // namespace

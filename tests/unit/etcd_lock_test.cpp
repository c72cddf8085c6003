// Unit tests of the etcd backend that need no etcd: target parsing, the safety margin, the
// gateway's encoding rules (base64, int64 as strings, omitted zero values), and acquisition
// against an endpoint where nothing listens (fail-closed names it; fail-open is journaled).

#include "ddsafe/etcd_lock.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
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
  for (const char* bad : {"", "a/b", "/", "a/"}) {
    INFO(bad);  // p + a/b would be the same key as p/a + b
    auto slash = EtcdLock::acquire(target, bad, o);
    REQUIRE_FALSE(slash);
    CHECK(slash.error().code == ddsafe::errc::invalid_argument);
    auto st = ddsafe::etcd_lock_status(target, bad);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == ddsafe::errc::invalid_argument);
    auto br = ddsafe::etcd_break_lock(target, bad, "test", nullptr);
    REQUIRE_FALSE(br);
    CHECK(br.error().code == ddsafe::errc::invalid_argument);
  }
  o.mode = ddsafe::LockMode::shared;
  auto shared = EtcdLock::acquire(target, "job", o);
  REQUIRE_FALSE(shared);
  CHECK(shared.error().code == ddsafe::errc::invalid_argument);
}

// A "gateway" on 127.0.0.1 that answers each POST /v3/<path> with a canned status and body
// (path not listed: the "*" entry), one request per connection. For hostile-reply tests.
class FakeGateway {
 public:
  explicit FakeGateway(std::map<std::string, std::pair<int, std::string>> replies)
      : replies_(std::move(replies)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeGateway() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] int requests(const std::string& path) const {
    std::lock_guard<std::mutex> g(mu_);
    const auto it = seen_.find(path);
    return it == seen_.end() ? 0 : it->second;
  }
  [[nodiscard]] ddsafe::EtcdTarget target() const {
    return {{"127.0.0.1:" + std::to_string(port_)}, "p"};
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string req;
      char buf[4096];
      std::size_t body_at = std::string::npos;
      std::size_t need = 0;
      for (;;) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 2000) <= 0) break;
        const auto n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
        if (body_at == std::string::npos && (body_at = req.find("\r\n\r\n")) != std::string::npos) {
          body_at += 4;
          const auto cl = req.find("Content-Length: ");
          if (cl != std::string::npos) need = std::stoul(req.substr(cl + 16));
          if (req.find("Expect: 100-continue") != std::string::npos) {
            const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
            (void)::write(c, cont.data(), cont.size());
          }
        }
        if (body_at != std::string::npos && req.size() >= body_at + need) break;
      }
      const auto sp = req.find(' ');
      const auto path = sp == std::string::npos ? "" : req.substr(sp + 1, req.find(' ', sp + 1) - sp - 1);
      {
        std::lock_guard<std::mutex> g(mu_);
        ++seen_[path];
      }
      auto it = replies_.find(path);
      if (it == replies_.end()) it = replies_.find("*");
      const auto& [status, body] = it->second;
      const auto out = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n"
                       "Connection: close\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\n\r\n" + body;
      for (std::size_t off = 0; off < out.size();) {  // the client may hang up early
        const auto w = ::send(c, out.data() + off, out.size() - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += static_cast<std::size_t>(w);
      }
      ::shutdown(c, SHUT_WR);
      ::close(c);
    }
  }

  std::map<std::string, std::pair<int, std::string>> replies_;
  mutable std::mutex mu_;
  std::map<std::string, int> seen_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_CASE("etcd gateway accessors never throw on fields of the wrong type", "[etcd]") {
  using namespace ddsafe::detail;
  const auto j = nlohmann::json::parse(R"({"b":"yes","s":1,"o":[1],"t":true})");
  CHECK_FALSE(json_true(j, "b"));
  CHECK(json_true(j, "t"));
  CHECK(json_text(j, "s").empty());
  CHECK(json_field(j, "missing").is_null());
  CHECK(json_field(json_field(j, "o"), "x").is_null());
  CHECK(json_field(nlohmann::json(5), "x").is_null());
  CHECK(json_int(nlohmann::json::parse(R"({"n":""})"), "n") == 0);
}

TEST_CASE("EtcdLock: hostile gateway replies (wrong JSON types, non-objects) fail cleanly, "
          "never throw",
          "[etcd]") {
  LockOptions o;
  o.timeout = 300ms;
  o.ttl = 2s;
  const std::pair<int, std::string> lease{200, R"({"ID":"5","TTL":"2"})"};
  const std::vector<std::map<std::string, std::pair<int, std::string>>> servers = {
      {{"*", {500, R"({"code":"x","message":1})"}}},
      {{"*", {400, R"({"code":3,"message":1})"}}},
      {{"*", {200, R"([1,2])"}}},
      {{"/v3/lease/grant", lease},
       {"*", {200, R"({"succeeded":"yes","header":"h","responses":[1]})"}}},
      {{"/v3/lease/grant", lease},
       {"/v3/kv/txn", {200, R"({"responses":{"a":1},"header":{"revision":"3"}})"}},
       {"/v3/watch",
        {200, "{\"result\":1}\n{\"result\":{\"created\":\"x\",\"events\":[1,{\"type\":5}]}}\n"}},
       {"*", {200, "{}"}}},
  };
  for (const auto& replies : servers) {
    INFO(replies.begin()->second.second);
    FakeGateway gw(replies);
    auto lock = EtcdLock::acquire(gw.target(), "job", o);
    CHECK_FALSE(lock);
    auto st = ddsafe::etcd_lock_status(gw.target(), "job");
    if (st) CHECK_FALSE(st->held);
  }
  // Holding: a keepalive reply whose result is no object means the lease is gone, not a crash.
  FakeGateway gw({{"/v3/lease/grant", lease},
                  {"/v3/kv/txn", {200, R"({"succeeded":true,"header":{"revision":"7","cluster_id":"9"}})"}},
                  {"/v3/lease/keepalive", {200, R"({"result":"x"})"}},
                  {"/v3/kv/range", {200, R"({"kvs":"x","header":[]})"}},
                  {"*", {200, "{}"}}});
  auto held = EtcdLock::acquire(gw.target(), "job", o);
  REQUIRE(held);
  CHECK(held->token() == 7);
  auto renewed = held->renew();
  REQUIRE_FALSE(renewed);
  CHECK(renewed.error().code == ddsafe::errc::lock_lost);
  auto st = ddsafe::etcd_lock_status(gw.target(), "job");
  REQUIRE(st);
  CHECK_FALSE(st->held);
}

TEST_CASE("EtcdLock: a watch refused at once (HTTP 404) does not turn the wait into a busy "
          "loop of transactions",
          "[etcd]") {
  FakeGateway gw({{"/v3/lease/grant", {200, R"({"ID":"5","TTL":"2"})"}},
                  {"/v3/kv/txn",
                   {200, R"({"header":{"revision":"3"},"responses":[{"response_range":{"kvs":[)"
                         R"({"key":"cC9qb2I=","create_revision":"2","lease":"9"}]}}]})"}},
                  {"/v3/watch", {404, "Not Found"}},
                  {"*", {200, "{}"}}});
  LockOptions o;
  o.timeout = 1s;
  o.ttl = 2s;
  auto lock = EtcdLock::acquire(gw.target(), "job", o);
  REQUIRE_FALSE(lock);
  CHECK(lock.error().code == ddsafe::errc::lock_timeout);
  // One try per pause of min(200 ms, TTL/10): about 5, not hundreds.
  CHECK(gw.requests("/v3/kv/txn") <= 12);
  CHECK(gw.requests("/v3/kv/txn") >= 2);
}

TEST_CASE("etcd client: a reply beyond 16 MiB is no answer, not a memory hog", "[etcd]") {
  FakeGateway gw({{"*", {200, R"({"kvs":[])" + std::string(20U << 20, ' ') + "}"}}});
  auto st = ddsafe::etcd_lock_status(gw.target(), "job");
  REQUIRE_FALSE(st);
  CHECK(st.error().code == ddsafe::errc::backend_unavailable);
}

TEST_CASE("EtcdLock: a member answering HTTP 500 or 429 is skipped for the next one, also by "
          "the holder's keepalive",
          "[etcd]") {
  const std::pair<int, std::string> lease{200, R"({"ID":"5","TTL":"2"})"};
  const std::pair<int, std::string> won{
      200, R"({"succeeded":true,"header":{"revision":"7","cluster_id":"9"}})"};
  for (const auto& bad : {std::pair<int, std::string>{500, R"({"code":2,"message":"internal"})"},
                          std::pair<int, std::string>{429, R"({"code":8,"message":"too many requests"})"}}) {
    INFO(bad.first);
    FakeGateway good({{"/v3/lease/grant", lease},
                      {"/v3/kv/txn", won},
                      {"/v3/lease/keepalive", {200, R"({"result":{"ID":"5","TTL":"2"}})"}},
                      {"*", {200, "{}"}}});
    FakeGateway sick({{"/v3/lease/grant", lease}, {"/v3/kv/txn", won}, {"*", bad}});
    auto target = sick.target();
    target.endpoints.push_back(good.target().endpoints[0]);
    LockOptions o;
    o.timeout = 1s;
    o.ttl = 2s;
    auto lock = EtcdLock::acquire(target, "job", o);
    REQUIRE(lock);
    CHECK(lock->renew());  // the sick member first, then the good one
    CHECK(good.requests("/v3/lease/keepalive") == 1);
  }
}

}  // namespace

#include <catch2/catch.hpp>

#include "ddsafe/owner_record.hpp"
#include "ddsafe/process.hpp"
#include "support/child_process.hpp"

using namespace ddsafe;

namespace {
OwnerRecord sample() {
  OwnerRecord r;
  r.state = "held";
  r.mode = "exclusive";
  r.token = 42;
  r.owner = self_identity();
  r.uid = 1000;
  r.acquired_at_ms = 1700000000000;
  r.renewed_at_ms = 1700000000500;
  r.renewed_boot_ms = boot_clock_ms();
  r.ttl_ms = 2000;
  r.cmd = "sh -c 'echo \"hi\"'\n";
  return r;
}
}  // namespace

TEST_CASE("OwnerRecord: format then parse gives the record back", "[record]") {
  const auto r = sample();
  const auto line = format_record(r);
  CHECK(line.back() == '\n');
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  const auto p = parse_record(line);
  REQUIRE(p);
  CHECK(p->token == 42);
  CHECK(p->owner.pid == r.owner.pid);
  CHECK(p->owner.start_time == r.owner.start_time);
  CHECK(p->owner.boot_id == r.owner.boot_id);
  CHECK(p->cmd == r.cmd);
  CHECK(p->ttl_ms == 2000);
}

TEST_CASE("OwnerRecord: a read torn between two records is never taken for a record",
          "[record]") {
  // A breaker's read racing an acquirer's write: the new head ("held", new token) over the old
  // tail (a dead owner's identity) would otherwise parse, and be judged stale.
  auto old_rec = sample();
  old_rec.state = "free";
  old_rec.owner.pid = 4242;
  auto new_rec = sample();
  new_rec.token = 43;
  new_rec.owner.pid = 4243;
  const auto a = format_record(new_rec);
  const auto b = format_record(old_rec);
  REQUIRE(a.size() == b.size());
  int mixtures_read = 0;
  for (std::size_t cut = 1; cut < a.size(); ++cut) {
    const auto torn = a.substr(0, cut) + b.substr(cut);
    // Whatever parses must be exactly one of the two records (a cut past the last byte where
    // they differ gives the new one whole), never a mixture.
    if (parse_record(torn) && torn != a && torn != b) ++mixtures_read;
  }
  CHECK(mixtures_read == 0);
}

TEST_CASE("parse_record_head: reads our own records without a parser, and falls back for others",
          "[record]") {
  auto r = sample();
  const auto h = parse_record_head(format_record(r));
  REQUIRE(h);
  CHECK(h->state == "held");
  CHECK(h->mode == "exclusive");
  CHECK(h->token == 42);
  const auto other = parse_record_head("{ \"token\": 9, \"state\": \"free\" }\n");
  REQUIRE(other);
  CHECK(other->token == 9);
  CHECK(other->state == "free");
  CHECK_FALSE(parse_record_head("{\"v\":1,\"state\":\"held\",\"mode\":\"x\",\"token\":7,"));
  CHECK_FALSE(parse_record_head("{\"v\":1,\"state\":\"held\",\"mode\":\"x\",\"token\":,}\n"));
}

TEST_CASE("OwnerRecord: empty, partial and garbage text parse to nothing", "[record]") {
  const auto line = format_record(sample());
  CHECK_FALSE(parse_record(""));
  CHECK_FALSE(parse_record(line.substr(0, line.size() / 2)));       // torn: no newline
  CHECK_FALSE(parse_record(line.substr(0, line.size() / 2) + "\n")); // torn then newline
  CHECK_FALSE(parse_record("\x01\xff garbage\n"));
  CHECK_FALSE(parse_record("[1,2,3]\n"));
  CHECK_FALSE(parse_record("{\"token\":-3}\n"));
  CHECK_FALSE(parse_record("{\"token\":\"7\"}\n"));
  CHECK(parse_record("{\"token\":7}\n")->token == 7);
}

TEST_CASE("OwnerRecord: only the first line counts, trailing bytes are ignored", "[record]") {
  auto line = format_record(sample());
  line.insert(line.size() - 1, 300, ' ');
  const auto p = parse_record(line + "{\"token\":1}\nleftover garbage");
  REQUIRE(p);
  CHECK(p->token == 42);
}

TEST_CASE("OwnerRecord: very long commands are cut and marked", "[record]") {
  auto r = sample();
  r.cmd = std::string(10000, 'a');
  const auto p = parse_record(format_record(r));
  REQUIRE(p);
  CHECK(p->cmd.size() < 1100);
  CHECK(p->cmd.find("[truncated]") != std::string::npos);
}

TEST_CASE("next_token: increments a readable token, restarts above any counter otherwise",
          "[record]") {
  OwnerRecord r;
  r.token = 41;
  CHECK(next_token(r) == 42);
  const auto floor = next_token(std::optional<OwnerRecord>{});
  CHECK(floor > 1'600'000'000'000'000u);  // microseconds since the epoch
  CHECK(next_token(std::optional<OwnerRecord>{}) >= floor);
}

TEST_CASE("judge_stale: a dead exclusive owner is stale, an alive one is not", "[record]") {
  auto r = sample();
  CHECK(judge_stale(r, /*break_expired=*/false) == StaleReason::none);
  test::ChildProcess child([] { return 0; });
  const pid_t dead = child.pid();
  auto id = identity_of(dead);
  REQUIRE(child.exit_code());
  r.owner.pid = dead;
  r.owner.start_time = id.start_time;
  CHECK(judge_stale(r, false) == StaleReason::owner_dead);
  r.mode = "shared";  // several holders share one record: one dead writer proves nothing
  CHECK(judge_stale(r, false) == StaleReason::none);
  r.mode = "exclusive";
  r.state = "free";
  CHECK(judge_stale(r, false) == StaleReason::none);
}

TEST_CASE("judge_stale: an expired lease counts only for break_expired callers", "[record]") {
  auto r = sample();
  r.ttl_ms = 100;
  r.renewed_boot_ms = boot_clock_ms() - 1000;
  CHECK(judge_stale(r, /*break_expired=*/false) == StaleReason::none);
  CHECK(judge_stale(r, /*break_expired=*/true) == StaleReason::lease_expired);
  r.renewed_boot_ms = boot_clock_ms();
  CHECK(judge_stale(r, true) == StaleReason::none);
  r.ttl_ms = 0;  // no lease: never expires
  r.renewed_boot_ms = 0;
  CHECK(judge_stale(r, true) == StaleReason::none);
}

TEST_CASE("describe_holder names pid, command and token", "[record]") {
  const auto text = describe_holder(sample());
  CHECK(text.find(std::to_string(self_identity().pid)) != std::string::npos);
  CHECK(text.find("token 42") != std::string::npos);
  CHECK(describe_holder(std::nullopt).find("unknown holder") != std::string::npos);
}

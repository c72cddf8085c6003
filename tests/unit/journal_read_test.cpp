// The reading side of the journal: rotation, the rotated set, the tolerant reader, time
// expressions, filters, stats and the follower.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "ddsafe/journal/follow.hpp"
#include "ddsafe/journal/journal.hpp"
#include "ddsafe/journal/query.hpp"
#include "ddsafe/journal/reader.hpp"
#include "ddsafe/journal/time.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
namespace jr = ddsafe::journal;

namespace {

struct Collect final : jr::RecordVisitor {
  std::vector<std::string> events;
  std::vector<std::string> lines;
  bool visit(const jr::Record& r) override {
    events.emplace_back(r.event);
    lines.emplace_back(r.line);
    return true;
  }
};

struct Matches final : jr::FilterVisitor {
  using FilterVisitor::FilterVisitor;
  std::vector<std::string> events;
  bool on_match(const jr::Record& r) override {
    events.emplace_back(r.event);
    return true;
  }
};

std::string rec(const std::string& event, const std::string& extra = "",
                const std::string& ts = "2026-01-02T03:04:05.000000Z") {
  return "{\"v\":1,\"ts\":\"" + ts + "\",\"event\":\"" + event +
         "\",\"host\":\"h1\",\"pid\":7,\"tool\":\"t\"" + extra + "}\n";
}

jr::ReadStats read_file_set(const std::filesystem::path& p, jr::RecordVisitor& v) {
  auto files = jr::open_set(p);
  REQUIRE(files);
  auto stats = jr::read_set(*files, v);
  REQUIRE(stats);
  return *stats;
}

std::vector<std::string> query(const std::filesystem::path& p, const jr::Filter& f) {
  Matches m(f);
  (void)read_file_set(p, m);
  return m.events;
}

}  // namespace

TEST_CASE("rotation: at the size limit the journal becomes .1, older files shift, keep bounds "
          "them", "[journal][rotation]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  jr::Journal j(p, {"unit", 0}, {}, /*sync=*/false, /*create_parents=*/false,
                jr::Rotation{200, 2});
  for (int i = 0; i < 12; ++i) REQUIRE(j.append(Event{"e" + std::to_string(i), {}}));
  CHECK(std::filesystem::exists(jr::rotated_path(p, 1)));
  CHECK(std::filesystem::exists(jr::rotated_path(p, 2)));
  CHECK_FALSE(std::filesystem::exists(jr::rotated_path(p, 3)));
  CHECK(std::filesystem::exists(dir / ".j.jsonl.rotate.lock"));
  Collect c;
  (void)read_file_set(p, c);
  REQUIRE_FALSE(c.events.empty());
  CHECK(c.events.back() == "e11");  // newest last: the set is read oldest first
  CHECK(std::is_sorted(c.events.begin(), c.events.end(), [](const auto& a, const auto& b) {
    return std::stoi(a.substr(1)) < std::stoi(b.substr(1));
  }));
}

TEST_CASE("rotation: an appender holding the old file keeps writing into .1", "[journal][rotation]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  test::write_file(p, rec("before"));
  const int old_fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  REQUIRE(old_fd >= 0);
  REQUIRE(jr::rotate_if_due(p, old_fd, jr::Rotation{1, 3}).value());
  const auto late = rec("late");
  REQUIRE(::write(old_fd, late.data(), late.size()) == static_cast<ssize_t>(late.size()));
  ::close(old_fd);
  CHECK(test::read_file(jr::rotated_path(p, 1)) == rec("before") + rec("late"));
  // A second rotator that judged the same (now renamed) file does nothing.
  const int again = ::open(jr::rotated_path(p, 1).c_str(), O_RDONLY | O_CLOEXEC);
  CHECK_FALSE(jr::rotate_if_due(p, again, jr::Rotation{1, 3}).value());
  ::close(again);
}

TEST_CASE("Rotation::from_env: sizes with K/M/G, keep 1-1000, invalid values named", "[journal]") {
  ::setenv("DD_JOURNAL_MAX_BYTES", "64K", 1);
  ::setenv("DD_JOURNAL_KEEP", "9", 1);
  auto r = jr::Rotation::from_env();
  REQUIRE(r);
  CHECK(r->max_bytes == 65536);
  CHECK(r->keep == 9);
  ::setenv("DD_JOURNAL_KEEP", "0", 1);
  CHECK_FALSE(jr::Rotation::from_env());
  CHECK(jr::Rotation::from_env_or_default().keep == jr::Rotation::kDefaultKeep);
  ::setenv("DD_JOURNAL_KEEP", "3", 1);
  ::setenv("DD_JOURNAL_MAX_BYTES", "12X", 1);
  auto bad = jr::Rotation::from_env();
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find("DD_JOURNAL_MAX_BYTES") != std::string::npos);
  ::unsetenv("DD_JOURNAL_MAX_BYTES");
  ::unsetenv("DD_JOURNAL_KEEP");
}

TEST_CASE("open_set: missing journal is ENOENT, a directory EISDIR, rotated files alone are a set",
          "[journal][reader]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  auto none = jr::open_set(p);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == std::errc::no_such_file_or_directory);
  CHECK(none.error().message().find("j.jsonl") != std::string::npos);
  std::filesystem::create_directory(dir / "d");
  auto d = jr::open_set(dir / "d");
  REQUIRE_FALSE(d);
  CHECK(d.error().code == std::errc::is_a_directory);
  test::write_file(jr::rotated_path(p, 2), rec("two"));
  test::write_file(jr::rotated_path(p, 1), rec("one"));
  Collect c;
  (void)read_file_set(p, c);
  CHECK(c.events == std::vector<std::string>{"two", "one"});
}

TEST_CASE("open_set: a reader counting while another process rotates never sees fewer records",
          "[journal][reader][rotation]") {
  // Each rotation shifts every .N up by one; a reader that opened the set in the middle of the
  // shift used to stop at the gap and miss the older files (counts fell from thousands to tens).
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  constexpr int kAppends = 3000;
  test::ChildProcess rotator([&] {
    jr::Journal j(p, {"unit", 0}, {}, /*sync=*/false, /*create_parents=*/false,
                  jr::Rotation{2048, 1000});
    for (int i = 0; i < kAppends; ++i)
      if (!j.append(Event{"e", {}})) return 1;
    return 0;
  });
  REQUIRE(test::eventually([&] { return std::filesystem::exists(jr::rotated_path(p, 2)); }));
  std::uint64_t last = 0;
  int drops = 0;
  std::optional<int> status;
  while (!status) {
    status = rotator.wait(std::chrono::milliseconds(0));
    auto files = jr::open_set(p);
    REQUIRE(files);
    Collect c;
    auto stats = jr::read_set(*files, c);
    REQUIRE(stats);
    if (c.events.size() < last) ++drops;
    last = std::max<std::uint64_t>(last, c.events.size());
  }
  CHECK((WIFEXITED(*status) && WEXITSTATUS(*status) == 0));
  CHECK(drops == 0);
  CHECK(last == kAppends);
}

TEST_CASE("reader: torn tail, garbage, NUL runs and over-long lines are skipped and counted",
          "[journal][reader]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  std::string content = rec("a") + "not json\n" + std::string(40, '\0') + rec("b") + "\n" +
                        "{\"v\":1,\"ts\":\"x\",\"event\":\"cut" + rec("c") +
                        std::string(jr::kMaxLineBytes + 10, 'g') + "\n" + rec("d") +
                        "{\"v\":1,\"ts\":\"2026";
  test::write_file(p, content);
  Collect c;
  const auto stats = read_file_set(p, c);
  CHECK(c.events == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(stats.good == 4);
  CHECK(stats.torn == 1);
  CHECK(stats.garbage == 4);  // "not json", the NUL run, the cut record, the over-long line
}

TEST_CASE("reader: a newer schema is read as far as understood, a record without v, ts or event "
          "is garbage", "[journal][reader]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  test::write_file(p, "{\"v\":3,\"ts\":\"2026-01-02T03:04:05Z\",\"event\":\"new\",\"pid\":\"x\","
                      "\"path\":{\"nested\":1},\"extra\":[1,2]}\n" +
                      std::string("{\"ts\":\"2026-01-02T03:04:05Z\",\"event\":\"nov\"}\n") +
                      "{\"v\":1,\"event\":\"nots\"}\n[1,2]\n");
  struct Check final : jr::RecordVisitor {
    int seen = 0;
    bool visit(const jr::Record& r) override {
      ++seen;
      CHECK(r.event == "new");
      CHECK(r.v == 3);
      CHECK_FALSE(r.pid.has_value());   // a string where a number was expected: not understood
      CHECK_FALSE(r.path.has_value());  // an object where a string was expected
      CHECK(r.field("extra") == std::optional<std::string>("[1,2]"));
      CHECK_FALSE(r.field("missing").has_value());
      return true;
    }
  } check;
  const auto stats = read_file_set(p, check);
  CHECK(check.seen == 1);
  CHECK(stats.newer == 1);
  CHECK(stats.garbage == 3);
}

TEST_CASE("time expressions: RFC 3339, dates, relative, keywords, invalid ones named",
          "[journal][time]") {
  const auto now = *jr::parse_rfc3339("2026-03-10T12:00:00Z");
  CHECK(jr::parse_time_expr("2026-03-10T11:00:00Z", now).value() == now - 3600000000LL);
  CHECK(jr::parse_time_expr("2026-03-10T13:30:00+01:30", now).value() == now);
  CHECK(jr::parse_time_expr("2026-03-10t12:00:00.5z", now).value() == now + 500000);
  CHECK(jr::parse_time_expr("1h", now).value() == now - 3600000000LL);
  CHECK(jr::parse_time_expr("2d", now).value() == now - 2 * 86400000000LL);
  CHECK(jr::parse_time_expr("1h30m", now).value() == now - 5400000000LL);
  CHECK(jr::parse_time_expr("-15m", now).value() == now - 900000000LL);
  CHECK(jr::parse_time_expr("90s ago", now).value() == now - 90000000LL);
  CHECK(jr::parse_time_expr("@1773144000", now).value() == now);
  CHECK(jr::parse_time_expr("now", now).value() == now);
  const auto today = jr::parse_time_expr("today", now).value();
  CHECK(today <= now);
  CHECK(now - today < 86400000000LL);
  CHECK(jr::parse_time_expr("yesterday", now).value() < today);
  for (const char* bad : {"", "1x", "h", "2026-02-30", "2026-13-01", "2026-01-01T25:00:00Z",
                          "yesterday-ish", "@", "1h-", "2026-01-01T00:00:00+0100", "36501d",
                          "36500d1s"}) {
    INFO(bad);
    auto r = jr::parse_time_expr(bad, now);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
  }
  // 100 years is the cap of each term and of their sum: a long sum used to overflow (UB).
  CHECK(jr::parse_time_expr("36500d", now).value() == now - 36500 * 86400000000LL);
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "36500d";
  auto sum = jr::parse_time_expr(many, now);
  REQUIRE_FALSE(sum);
  CHECK(sum.error().code == errc::invalid_argument);
}

TEST_CASE("filters: events (any), path, path prefix by whole components, pid, host, tool, where, "
          "half-open time window", "[journal][query]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  test::write_file(p, rec("a", ",\"path\":\"/srv/x/1\",\"n\":5", "2026-01-01T00:00:00Z") +
                          rec("b", ",\"path\":\"/srv/x\",\"ok\":true", "2026-01-01T01:00:00Z") +
                          rec("c", ",\"path\":\"/srv/xy\"", "2026-01-01T02:00:00Z") +
                          rec("d", "", "2026-01-01T03:00:00Z"));
  using V = std::vector<std::string>;
  jr::Filter f;
  f.events = {"a", "c"};
  CHECK(query(p, f) == V{"a", "c"});
  f = {};
  f.path_prefix = "/srv/x";
  CHECK(query(p, f) == V{"a", "b"});
  f.path_prefix = "/srv/x/";
  CHECK(query(p, f) == V{"a"});
  f = {};
  f.path = "/srv/x";
  CHECK(query(p, f) == V{"b"});
  f = {};
  f.since_us = jr::parse_rfc3339("2026-01-01T01:00:00Z");
  f.until_us = jr::parse_rfc3339("2026-01-01T03:00:00Z");
  CHECK(query(p, f) == V{"b", "c"});
  f = {};
  REQUIRE(f.add_where("n=5"));
  CHECK(query(p, f) == V{"a"});
  f = {};
  REQUIRE(f.add_where("ok=true"));
  CHECK(query(p, f) == V{"b"});
  f = {};
  REQUIRE(f.add_where("nosuchfield=1"));
  CHECK(query(p, f).empty());
  CHECK_FALSE(f.add_where("novalue"));
  f = {};
  f.pid = 7;
  f.host = "h1";
  f.tool = "t";
  CHECK(query(p, f).size() == 4);
  f.host = "h2";
  CHECK(query(p, f).empty());
}

TEST_CASE("group_records: counts with first and last seen, largest first, hours in time order",
          "[journal][query]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  test::write_file(p, rec("x", "", "2026-01-01T05:10:00Z") + rec("y", "", "2026-01-01T04:59:00Z") +
                          rec("x", "", "2026-01-01T04:00:00Z") + rec("x", "", "2026-01-01T05:20:00Z"));
  auto by_event = jr::group_records(p, {}, jr::GroupBy::event);
  REQUIRE(by_event);
  REQUIRE(by_event->size() == 2);
  CHECK(by_event->at(0).key == "x");
  CHECK(by_event->at(0).count == 3);
  CHECK(by_event->at(0).first_ts == "2026-01-01T04:00:00Z");
  CHECK(by_event->at(0).last_ts == "2026-01-01T05:20:00Z");
  auto by_hour = jr::group_records(p, {}, jr::GroupBy::hour);
  REQUIRE(by_hour);
  REQUIRE(by_hour->size() == 2);
  CHECK(by_hour->at(0).key == "2026-01-01T04:00:00Z");
  CHECK(by_hour->at(0).count == 2);
  CHECK(by_hour->at(1).count == 2);
}

TEST_CASE("Follower: never a partial line, follows two rotations between polls", "[journal][follow]") {
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  test::write_file(p, rec("a"));
  auto set = jr::open_set(p);
  REQUIRE(set);
  jr::Follower f(p, std::move(set->back()), jr::LineFeeder());
  Collect c;
  REQUIRE(f.poll(c).value());
  CHECK(c.events == std::vector<std::string>{"a"});
  const auto b = rec("b");
  test::write_file(p, rec("a") + b.substr(0, 10));  // a write in progress
  REQUIRE(f.poll(c).value());
  CHECK(c.events.size() == 1);
  test::write_file(p, rec("a") + b);
  // Two rotations before the next poll: j.jsonl -> .2 (with b), "c" in .1, "d" live.
  std::filesystem::rename(p, jr::rotated_path(p, 1));
  test::write_file(p, rec("c"));
  std::filesystem::rename(jr::rotated_path(p, 1), jr::rotated_path(p, 2));
  std::filesystem::rename(p, jr::rotated_path(p, 1));
  test::write_file(p, rec("d"));
  REQUIRE(f.poll(c).value());
  CHECK(c.events == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(f.stats().torn == 0);
}

TEST_CASE("Follower: a journal truncated in place is read again from its start",
          "[journal][follow]") {
  // ": > journal.jsonl" keeps the inode; the records written after it must not be lost until
  // the file grows past the offset read before.
  test::TempDir dir;
  const auto p = dir / "j.jsonl";
  test::write_file(p, rec("a") + rec("b"));
  auto set = jr::open_set(p);
  REQUIRE(set);
  jr::Follower f(p, std::move(set->back()), jr::LineFeeder());
  Collect c;
  REQUIRE(f.poll(c).value());
  CHECK(c.events == std::vector<std::string>{"a", "b"});
  test::write_file(p, rec("c"));  // truncates in place, shorter than what was read
  REQUIRE(f.poll(c).value());
  CHECK(c.events == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(f.poll(c).value());  // and not read twice
  CHECK(c.events == std::vector<std::string>{"a", "b", "c"});
}

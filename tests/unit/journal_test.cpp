#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ddsafe/journal/journal.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using ddsafe::journal::Journal;
using nlohmann::json;

namespace {
std::vector<json> lines_of(const std::filesystem::path& p) {
  std::vector<json> out;
  std::istringstream in(test::read_file(p));
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

struct EnvGuard {
  std::string name;
  std::optional<std::string> old;
  EnvGuard(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    if (value) ::setenv(name.c_str(), value, 1);
    else ::unsetenv(name.c_str());
  }
  ~EnvGuard() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};
}  // namespace

TEST_CASE("format_event: one JSON line with v, ts, event, host, pid, tool and the fields",
          "[journal]") {
  Event ev{"lock_fail_open", {}};
  ev.add("path", "/x/y.lock").add("waited_ms", std::int64_t{250}).add("ok", true).add("r", 0.5);
  const auto line = journal::format_event(ev, {"dd-lock", 0});
  REQUIRE(line.back() == '\n');
  const auto j = json::parse(line);
  CHECK(j["v"] == 1);
  CHECK(j["event"] == "lock_fail_open");
  CHECK(j["pid"] == ::getpid());
  CHECK(j["tool"] == "dd-lock");
  CHECK(j["path"] == "/x/y.lock");
  CHECK(j["waited_ms"] == 250);
  CHECK(j["ok"] == true);
  CHECK(j["r"] == 0.5);
  CHECK(j["ts"].get<std::string>().size() == 27);  // 2026-11-24T23:46:49.123456Z
  CHECK(line.rfind("{\"v\":1,\"ts\":", 0) == 0);   // fixed leading order
}

TEST_CASE("format_event: fields cannot replace v, ts or event, but may set pid", "[journal]") {
  Event ev{"custom", {}};
  ev.add("v", std::int64_t{9}).add("event", "forged").add("ts", "then").add("pid", std::int64_t{7});
  const auto j = json::parse(journal::format_event(ev, {"t", 0}));
  CHECK(j["v"] == 1);
  CHECK(j["event"] == "custom");
  CHECK(j["ts"] != "then");
  CHECK(j["pid"] == 7);
}

TEST_CASE("format_event: oversized records are cut to the cap and marked", "[journal]") {
  Event ev{"big", {}};
  ev.add("cmd", std::string(20000, 'c')).add("holder", std::string(9000, 'h')).add("n", std::int64_t{1});
  const auto line = journal::format_event(ev, {"t", 0});
  CHECK(line.size() <= journal::kMaxRecordBytes);
  const auto j = json::parse(line);
  CHECK(j["truncated"] == true);
  CHECK(j["n"] == 1);
  CHECK(j["cmd"].get<std::string>().find("[truncated]") != std::string::npos);
}

TEST_CASE("format_event: invalid UTF-8 never throws", "[journal]") {
  Event ev{"bytes", {}};
  ev.add("cmd", std::string("\xff\xfe\x80 ok"));
  const auto line = journal::format_event(ev, {"t", 0});
  CHECK_FALSE(json::parse(line, nullptr, false).is_discarded());
}

TEST_CASE("Journal: append writes one line each, creating missing directories", "[journal]") {
  test::TempDir dir;
  const auto p = dir / "state" / "ddsafe" / "journal.jsonl";
  Journal j(p, {"unit", 0});
  REQUIRE(j.append(Event{"a", {}}));
  REQUIRE(j.append(Event{"b", {}}));
  const auto lines = lines_of(p);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["event"] == "a");
  CHECK(lines[1]["event"] == "b");
  struct stat st {};
  REQUIRE(::stat((dir / "state").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("Journal: a journal that cannot be written warns once and never fails the caller",
          "[journal]") {
  test::TempDir dir;
  std::filesystem::create_directory(dir / "is-a-dir");
  int warnings = 0;
  std::string said;
  Journal j(dir / "is-a-dir", {"unit", 0}, [&](const Error& e) {
    ++warnings;
    said = e.message();
  });
  for (int i = 0; i < 3; ++i) j.emit(Event{"x", {}});
  CHECK(warnings == 1);
  CHECK(said.find("is-a-dir") != std::string::npos);
  CHECK_FALSE(j.append(Event{"x", {}}));
}

TEST_CASE("resolve_path: --journal, then DD_JOURNAL, then XDG_STATE_HOME, then HOME",
          "[journal]") {
  EnvGuard a("DD_JOURNAL", "/j/env.jsonl");
  EnvGuard b("XDG_STATE_HOME", "/xdg");
  EnvGuard c("HOME", "/home/u");
  CHECK(journal::resolve_path(std::filesystem::path("/flag.jsonl")) == "/flag.jsonl");
  CHECK(journal::resolve_path(std::nullopt) == "/j/env.jsonl");
  {
    EnvGuard none("DD_JOURNAL", nullptr);
    CHECK(journal::resolve_path(std::nullopt) == "/xdg/ddsafe/journal.jsonl");
    EnvGuard rel("XDG_STATE_HOME", "relative/dir");  // the XDG spec says: ignore it
    CHECK(journal::resolve_path(std::nullopt) == "/home/u/.local/state/ddsafe/journal.jsonl");
  }
}

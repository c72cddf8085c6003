// Properties of the journal reader: records round-trip through append and read; damage between
// good lines (arbitrary bytes, NUL runs, cut records) never costs a good line; a file cut at any
// byte yields exactly the lines wholly before the cut; random bytes never crash the reader.

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cmath>
#include <string>
#include <vector>

#include "ddsafe/journal/journal.hpp"
#include "ddsafe/journal/reader.hpp"
#include "ddsafe/journal/time.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;

namespace {

// Every good record the reader returns, as its raw JSON text.
struct Collect final : journal::RecordVisitor {
  std::vector<std::string> lines;
  std::vector<std::string> events;
  bool visit(const journal::Record& r) override {
    lines.emplace_back(r.line);
    events.emplace_back(r.event);
    return true;
  }
};

journal::ReadStats read_all(const std::filesystem::path& p, Collect& c) {
  auto files = journal::open_set(p);
  RC_ASSERT(files.has_value());
  auto stats = journal::read_set(*files, c);
  RC_ASSERT(stats.has_value());
  return *stats;
}

// Valid UTF-8 text: ASCII (controls included) and a few multi-byte characters.
rc::Gen<std::string> text() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::string>>(rc::gen::oneOf(
          rc::gen::map(rc::gen::inRange<int>(1, 128),
                       [](int c) { return std::string(1, static_cast<char>(c)); }),
          rc::gen::element<std::string>("\xc3\xa9", "\xe2\x86\x92", "\xf0\x9f\x94\x92", "\""))),
      [](const std::vector<std::string>& parts) {
        std::string s;
        for (const auto& p : parts) s += p;
        return s.substr(0, 300);
      });
}

// Damage between two good lines: random bytes, NUL runs, newlines, records cut short.
rc::Gen<std::string> damage(const std::string& sample_record) {
  return rc::gen::map(
      rc::gen::container<std::vector<std::string>>(rc::gen::oneOf(
          rc::gen::arbitrary<std::string>(),
          rc::gen::map(rc::gen::inRange<std::size_t>(1, 64), [](std::size_t n) { return std::string(n, '\0'); }),
          rc::gen::just(std::string("\n")),
          rc::gen::map(rc::gen::inRange<std::size_t>(0, sample_record.size() - 12),
                       [sample_record](std::size_t n) { return sample_record.substr(0, n); }))),
      [](const std::vector<std::string>& parts) {
        std::string s;
        for (const auto& p : parts) s += p;
        return s;
      });
}

}  // namespace

TEST_CASE("journal reader properties", "[journal][property]") {
  rc::prop("any event round-trips through append and the reader", [] {
    test::TempDir dir;
    Event ev{*text(), {}};
    const auto n = *rc::gen::inRange(0, 8);
    for (int i = 0; i < n; ++i) {
      const auto key = "k" + std::to_string(i);
      switch (*rc::gen::inRange(0, 4)) {
        case 0: ev.add(key, *text()); break;
        case 1: ev.add(key, *rc::gen::arbitrary<std::int64_t>()); break;
        case 2: ev.add(key, *rc::gen::arbitrary<bool>()); break;
        default: ev.add(key, static_cast<double>(*rc::gen::inRange(-100000, 100000)) / 4.0);
      }
    }
    journal::Journal j(dir / "j.jsonl", {"prop", 4242}, {}, /*sync=*/false);
    RC_ASSERT(j.append(ev).has_value());
    Collect c;
    const auto stats = read_all(dir / "j.jsonl", c);
    RC_ASSERT(stats.good == 1U);
    RC_ASSERT(!stats.damaged());
    RC_ASSERT(c.events.front() == ev.type);
    // Re-read the record to check every field by name.
    struct Check final : journal::RecordVisitor {
      const Event* ev = nullptr;
      bool visit(const journal::Record& r) override {
        RC_ASSERT(r.pid == std::optional<std::int64_t>(4242));
        RC_ASSERT(r.tool == "prop");
        for (const auto& [key, value] : ev->fields) {
          const auto got = r.field(key);
          RC_ASSERT(got.has_value());
          if (const auto* s = std::get_if<std::string>(&value)) RC_ASSERT(*got == *s);
          if (const auto* i = std::get_if<std::int64_t>(&value)) RC_ASSERT(*got == std::to_string(*i));
          if (const auto* b = std::get_if<bool>(&value)) RC_ASSERT(*got == (*b ? "true" : "false"));
          if (const auto* d = std::get_if<double>(&value)) RC_ASSERT(std::stod(*got) == *d);
        }
        return true;
      }
    } check;
    check.ev = &ev;
    auto files = journal::open_set(dir / "j.jsonl");
    RC_ASSERT(files.has_value());
    RC_ASSERT(journal::read_set(*files, check).has_value());
  });

  rc::prop("damage between good lines: exactly the good lines come back, in order", [] {
    test::TempDir dir;
    const auto count = *rc::gen::inRange(1, 12);
    std::string file;
    std::vector<std::string> want;
    for (int i = 0; i < count; ++i) {
      Event ev{"e" + std::to_string(i), {}};
      ev.add("seq", std::int64_t{i}).add("text", *text());
      const auto line = journal::format_event(ev, {"prop", 0});
      if (i > 0) file += *damage(line);
      file += line;
      want.push_back(line.substr(0, line.size() - 1));
    }
    test::write_file(dir / "j.jsonl", file);
    Collect c;
    const auto stats = read_all(dir / "j.jsonl", c);
    // Damage made of JSON whitespace ("\r", " ") glued in front of a record leaves a valid JSON
    // line: the same record, with the whitespace kept in front.
    for (auto& l : c.lines) l.erase(0, l.find_first_not_of(" \t\r"));
    RC_ASSERT(c.lines == want);
    RC_ASSERT(stats.good == want.size());
  });

  rc::prop("a file cut at any byte yields the lines wholly before the cut; a cut mid-line is "
           "one torn line", [] {
    test::TempDir dir;
    std::string file;
    std::vector<std::size_t> ends;  // offset just past each newline
    const auto count = *rc::gen::inRange(1, 10);
    for (int i = 0; i < count; ++i) {
      Event ev{"e", {}};
      ev.add("seq", std::int64_t{i}).add("text", *text());
      file += journal::format_event(ev, {"prop", 0});
      ends.push_back(file.size());
    }
    const auto cut = *rc::gen::inRange<std::size_t>(1, file.size() + 1);
    test::write_file(dir / "j.jsonl", file.substr(0, cut));
    Collect c;
    const auto stats = read_all(dir / "j.jsonl", c);
    std::size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= cut) ++whole;
    RC_ASSERT(c.lines.size() == whole);
    RC_ASSERT(stats.torn == (whole < ends.size() && (whole == 0 ? cut > 0 : cut > ends[whole - 1])
                                 ? 1U : 0U));
    RC_ASSERT(stats.garbage == 0U);
  });

  rc::prop("random bytes never crash the reader and every byte is accounted for", [] {
    test::TempDir dir;
    const auto bytes = *rc::gen::arbitrary<std::string>();
    RC_PRE(!bytes.empty());
    test::write_file(dir / "j.jsonl", bytes);
    Collect c;
    const auto stats = read_all(dir / "j.jsonl", c);
    RC_ASSERT(stats.bytes == bytes.size());
    RC_ASSERT(stats.good == c.lines.size());
  });

  rc::prop("RFC 3339 timestamps round-trip to the microsecond", [] {
    const auto us = *rc::gen::inRange<std::int64_t>(-62135596800LL * 1000000, 253402300799LL * 1000000);
    const auto text = journal::format_rfc3339(us);
    RC_ASSERT(journal::parse_rfc3339(text) == std::optional<std::int64_t>(us));
  });
}

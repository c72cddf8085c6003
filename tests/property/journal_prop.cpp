#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <rapidcheck/catch.h>

#include "ddsafe/journal/journal.hpp"

using namespace ddsafe;

namespace {
FieldValue arbitrary_value() {
  switch (*rc::gen::inRange(0, 4)) {
    case 0: return *rc::gen::arbitrary<std::string>();
    case 1: return *rc::gen::arbitrary<std::int64_t>();
    case 2: return *rc::gen::arbitrary<bool>();
    default: return static_cast<double>(*rc::gen::inRange(-1000000, 1000000)) / 8.0;
  }
}
}  // namespace

TEST_CASE("journal record properties", "[journal][property]") {
  rc::prop("any event becomes one valid JSON line within the cap", [] {
    Event ev{*rc::gen::arbitrary<std::string>(), {}};
    const auto n = *rc::gen::inRange(0, 20);
    for (int i = 0; i < n; ++i) ev.add(*rc::gen::arbitrary<std::string>(), arbitrary_value());
    const auto line = journal::format_event(ev, {"prop", 0});
    RC_ASSERT(line.size() <= journal::kMaxRecordBytes);
    RC_ASSERT(line.find('\n') == line.size() - 1);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    RC_ASSERT_FALSE(j.is_discarded());
    RC_ASSERT(j["v"] == journal::kSchemaVersion);
  });

  rc::prop("small events round-trip field for field", [] {
    const auto key = "k" + *rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'z'));
    const auto text = *rc::gen::container<std::string>(rc::gen::inRange<char>(1, 127));
    const auto number = *rc::gen::arbitrary<std::int64_t>();
    RC_PRE(text.size() < 1000);
    Event ev{"prop_event", {}};
    ev.add(key, text).add("n_" + key, number);
    const auto j = nlohmann::json::parse(journal::format_event(ev, {"prop", 0}));
    RC_ASSERT(j["event"] == "prop_event");
    RC_ASSERT(j[key] == text);
    RC_ASSERT(j["n_" + key] == number);
  });
}

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "ddsafe/file_lock.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;

namespace {
OwnerRecord arbitrary_record() {
  OwnerRecord r;
  r.state = *rc::gen::element<std::string>("held", "free", "broken");
  r.mode = *rc::gen::element<std::string>("exclusive", "shared");
  r.token = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << 62);
  r.owner.pid = *rc::gen::inRange<pid_t>(1, 4194304);
  r.owner.start_time = *rc::gen::arbitrary<std::uint32_t>();
  r.owner.pidns = *rc::gen::arbitrary<std::uint32_t>();
  r.owner.host = *rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~'));
  r.owner.boot_id = *rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~'));
  r.uid = *rc::gen::arbitrary<std::uint32_t>();
  r.acquired_at_ms = *rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 50);
  r.renewed_at_ms = *rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 50);
  r.renewed_boot_ms = *rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 50);
  r.ttl_ms = *rc::gen::inRange<std::int64_t>(0, 1'000'000);
  // Any bytes below 0x80 (valid UTF-8), including newlines, quotes and control characters.
  r.cmd = *rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
  return r;
}
}  // namespace

TEST_CASE("record properties", "[record][property]") {
  rc::prop("any record round-trips through one line", [] {
    const auto r = arbitrary_record();
    RC_PRE(r.cmd.size() <= kMaxRecordCmdBytes);
    const auto line = format_record(r);
    RC_ASSERT(std::count(line.begin(), line.end(), '\n') == 1);
    const auto p = parse_record(line);
    RC_ASSERT(p.has_value());
    RC_ASSERT(p->state == r.state);
    RC_ASSERT(p->mode == r.mode);
    RC_ASSERT(p->token == r.token);
    RC_ASSERT(p->owner.pid == r.owner.pid);
    RC_ASSERT(p->owner.start_time == r.owner.start_time);
    RC_ASSERT(p->owner.pidns == r.owner.pidns);
    RC_ASSERT(p->owner.host == r.owner.host);
    RC_ASSERT(p->owner.boot_id == r.owner.boot_id);
    RC_ASSERT(p->uid == r.uid);
    RC_ASSERT(p->acquired_at_ms == r.acquired_at_ms);
    RC_ASSERT(p->renewed_boot_ms == r.renewed_boot_ms);
    RC_ASSERT(p->ttl_ms == r.ttl_ms);
    RC_ASSERT(p->cmd == r.cmd);
  });

  rc::prop("parsing arbitrary bytes never throws, and gives a record only for a complete line",
           [](const std::string& bytes) {
             const auto p = parse_record(bytes);
             if (p) RC_ASSERT(bytes.find('\n') != std::string::npos);
           });

  rc::prop("a torn record (any strict prefix without its newline) is never taken for one", [] {
    const auto line = format_record(arbitrary_record());
    const auto cut = *rc::gen::inRange<std::size_t>(0, line.size() - 1);
    RC_ASSERT_FALSE(parse_record(line.substr(0, cut)).has_value());
  });

  // The head reader may also read our prefix in front of a damaged tail (it then hands out a
  // token after the one it read, which is harmless); where the full parser reads a record, the
  // two must agree.
  rc::prop("parse_record_head agrees with parse_record wherever that reads a record",
           [](const std::string& junk) {
    const auto line = *rc::gen::element(format_record(arbitrary_record()), junk + "\n", junk);
    const auto head = parse_record_head(line);
    const auto full = parse_record(line);
    if (full) {
      RC_ASSERT(head.has_value());
      RC_ASSERT(head->token == full->token);
      RC_ASSERT(head->state == full->state);
      RC_ASSERT(head->mode == full->mode);
    }
  });

  rc::prop("next_token is strictly above any readable token", [] {
    OwnerRecord r;
    r.token = *rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << 62);
    RC_ASSERT(next_token(r) > r.token);
  });
}

TEST_CASE("acquisition over arbitrary lock-file content", "[lock][property]") {
  test::TempDir dir;
  rc::prop("any previous content is tolerated; tokens then increase by one", [&](const std::string& junk) {
    const auto p = dir / "prop.lock";
    test::write_file(p, junk);
    std::uint64_t first = 0;
    {
      auto l = FileLock::acquire(p, {});
      RC_ASSERT(l.has_value());
      first = l->token();
      RC_ASSERT(first > 0);
      const auto rec = parse_record(test::read_file(p));
      RC_ASSERT(rec.has_value());
      RC_ASSERT(rec->token == first);
    }
    auto again = FileLock::acquire(p, {});
    RC_ASSERT(again.has_value());
    RC_ASSERT(again->token() == first + 1);
  });
}

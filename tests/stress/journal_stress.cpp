// Stress: 8 processes append to one journal while it rotates every ~1 MiB, and a follower
// process tails it. A Boost.Interprocess shared-memory witness counts what was appended and what
// the follower saw; the rotated set must then hold every record exactly once, with no torn line.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "ddsafe/journal/follow.hpp"
#include "ddsafe/journal/journal.hpp"
#include "ddsafe/journal/reader.hpp"
#include "stress/stress_support.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using ddsafe::stress::ErrorBox;
using ddsafe::stress::SharedArray;
using ddsafe::test::ChildProcess;
using ddsafe::test::TempDir;
namespace journal = ddsafe::journal;

constexpr int kWriters = 8;

struct Witness {
  std::atomic<std::uint64_t> appended{0};
  std::atomic<int> writers_done{0};
  std::atomic<std::uint64_t> rotations{0};
  ErrorBox error;
};

// Counts each (writer, seq) record into `seen`; anything else is an error.
struct Tally final : journal::RecordVisitor {
  Tally(SharedArray<std::atomic<int>>& seen, int per_writer, ErrorBox& error)
      : seen_(seen), per_writer_(per_writer), error_(error) {}
  bool visit(const journal::Record& r) override {
    const auto w = r.field("writer"), s = r.field("seq");
    const int wi = w ? std::stoi(*w) : -1, si = s ? std::stoi(*s) : -1;
    if (wi < 0 || wi >= kWriters || si < 0 || si >= per_writer_) {
      error_.set(fmt::format("unexpected record: {}", r.line));
      return true;
    }
    seen_[static_cast<std::size_t>(wi * per_writer_ + si)].fetch_add(1);
    return true;
  }
  SharedArray<std::atomic<int>>& seen_;
  int per_writer_;
  ErrorBox& error_;
};

int writer(const std::filesystem::path& path, int w, int per_writer, Witness& wit) {
  journal::Rotation rotation{std::uint64_t{1} << 20, 1000};
  journal::Journal j(path, {"stress", 0}, {}, /*sync=*/false, /*create_parents=*/false, rotation);
  for (int i = 0; i < per_writer; ++i) {
    ddsafe::Event ev{"stress_append", {}};
    ev.add("writer", std::int64_t{w}).add("seq", std::int64_t{i}).add("pad", std::string(120, 'x'));
    if (auto ok = j.append(ev); !ok) {
      wit.error.set(ok.error().message());
      return 1;
    }
    wit.appended.fetch_add(1);
  }
  wit.writers_done.fetch_add(1);
  return 0;
}

// Follows the (empty) journal from its start until every writer is done, then polls once more
// to drain.
int follower(const std::filesystem::path& path, Tally& tally, Witness& wit) {
  auto set = journal::open_set(path);
  if (!set || set->size() != 1) return 3;
  journal::Follower f(path, std::move(set->back()), journal::LineFeeder());
  for (;;) {
    const bool last = wit.writers_done.load() == kWriters;
    if (auto go = f.poll(tally); !go) {
      wit.error.set("follower: " + go.error().message());
      return 1;
    }
    if (last) return f.stats().garbage == 0 ? 0 : 2;
    std::this_thread::sleep_for(5ms);
  }
}

}  // namespace

TEST_CASE("journal: 8 appenders while rotating every 1 MiB lose nothing, tear nothing, a "
          "follower sees every record exactly once", "[journal][stress]") {
  const int per_writer = 20000 * ddsafe::stress::soak().factor;
  const auto total = static_cast<std::size_t>(kWriters * per_writer);
  TempDir dir;
  const auto path = dir / "journal.jsonl";
  SharedArray<Witness> wit;
  SharedArray<std::atomic<int>> followed(total);
  Tally follow_tally(followed, per_writer, wit->error);
  ddsafe::test::write_file(path, "");
  std::vector<ChildProcess> children;
  children.emplace_back([&] { return follower(path, follow_tally, *wit); });
  for (int w = 0; w < kWriters; ++w)
    children.emplace_back([&, w] { return writer(path, w, per_writer, *wit); });
  for (auto& c : children) CHECK(c.exit_code(240s) == 0);
  INFO("first error in a child: " << wit->error.get());
  REQUIRE(wit->error.count.load() == 0);
  REQUIRE(wit->appended.load() == total);

  auto files = journal::open_set(path);
  REQUIRE(files);
  CHECK(files->size() > 20);  // ~29 MB in 1 MiB files: rotation really happened, many times
  SharedArray<std::atomic<int>> read(total);
  Tally tally(read, per_writer, wit->error);
  auto stats = journal::read_set(*files, tally);
  REQUIRE(stats);
  CHECK(stats->torn == 0);
  CHECK(stats->garbage == 0);
  CHECK(stats->good == total);
  std::size_t read_once = 0, followed_once = 0;
  for (std::size_t i = 0; i < total; ++i) {
    read_once += read[i].load() == 1;
    followed_once += followed[i].load() == 1;
  }
  CHECK(read_once == total);
  CHECK(followed_once == total);
}

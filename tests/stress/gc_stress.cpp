// Stress: sessions are created, worked in and ended (or crash) in several processes while two
// collectors sweep the same root in a loop. A Boost.Interprocess shared-memory witness records
// each session's state; every reap is checked against it, and every live session checks that
// its directory is still there.

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "ddsafe/gc.hpp"
#include "ddsafe/session.hpp"
#include "stress/stress_support.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using ddsafe::Session;
using ddsafe::stress::ErrorBox;
using ddsafe::stress::SharedArray;
using ddsafe::test::ChildProcess;
using ddsafe::test::TempDir;
namespace fs = std::filesystem;

// Per-session state in the witness. A reap is legal only in ended or crashing.
enum State : int { unborn = 0, live = 1, ended = 2, crashing = 3 };

struct Witness {
  std::atomic<int> stop{0};
  std::atomic<std::uint64_t> reaped{0};
  std::atomic<std::uint64_t> passes{0};
  std::atomic<std::uint64_t> live_reaped{0};   // a reap while the session was unborn or live
  std::atomic<std::uint64_t> dir_vanished{0};  // a live session found its dir gone
  std::atomic<std::uint64_t> double_reaped{0};
  ErrorBox error;
};

std::string id_of(std::size_t slot) { return fmt::format("s-{}", slot); }

// Checks gc_reaped events against the witness as they happen, in the collector's process.
class ReapChecker final : public ddsafe::EventSink {
 public:
  ReapChecker(Witness& w, SharedArray<std::atomic<int>>& state,
              SharedArray<std::atomic<int>>& reaps)
      : w_(w), state_(state), reaps_(reaps) {}
  void emit(const ddsafe::Event& e) noexcept override {
    if (e.type == "gc_error") w_.error.set("gc_error during the stress run");
    if (e.type != "gc_reaped") return;
    for (const auto& [k, v] : e.fields) {
      if (k != "id") continue;
      const auto& id = std::get<std::string>(v);
      const auto slot = std::stoul(id.substr(2));
      const int s = state_[slot].load();
      if (s == unborn || s == live) w_.live_reaped.fetch_add(1);
      if (reaps_[slot].fetch_add(1) != 0) w_.double_reaped.fetch_add(1);
      w_.reaped.fetch_add(1);
    }
  }

 private:
  Witness& w_;
  SharedArray<std::atomic<int>>& state_;
  SharedArray<std::atomic<int>>& reaps_;
};

// The session's dir is still the one it created, with the files it wrote.
bool still_there(const fs::path& dir, ino_t ino, int files) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || st.st_ino != ino) return false;
  for (int f = 0; f < files; ++f)
    if (::access((dir / std::to_string(f)).c_str(), F_OK) != 0) return false;
  return true;
}

// One session's life: create, work (checking the dir between steps), then end or crash.
int live_one(const fs::path& root, std::size_t slot, bool crash, Witness& w,
             SharedArray<std::atomic<int>>& state) {
  auto s = Session::create(root, id_of(slot));
  if (!s) {
    w.error.set(s.error().message());
    return 2;
  }
  state[slot].store(live);
  struct stat st {};
  if (::stat(s->dir().c_str(), &st) != 0) w.dir_vanished.fetch_add(1);
  constexpr int kFiles = 4;
  for (int f = 0; f < kFiles; ++f) {
    ddsafe::test::write_file(s->dir() / std::to_string(f), "data");
    ddsafe::stress::busy_work(500);
    if (!still_there(s->dir(), st.st_ino, f + 1)) w.dir_vanished.fetch_add(1);
  }
  if (crash) {
    state[slot].store(crashing);
    ::_exit(0);  // no end(): the kernel drops the lock with the process
  }
  state[slot].store(ended);
  (void)s->end();
  return 0;
}

}  // namespace

TEST_CASE(
    "gc stress: collectors looping while sessions start, end and crash never reap a live "
    "session, and reap every dead one",
    "[stress][gc]") {
  const auto soak = ddsafe::stress::soak();
  constexpr int kWorkers = 3;
  const std::size_t per_worker = 400 * static_cast<std::size_t>(soak.factor);
  const std::size_t total = kWorkers * per_worker;
  TempDir dir;
  const auto root = dir / "root";
  fs::create_directory(root);
  SharedArray<Witness> w;
  SharedArray<std::atomic<int>> state(total);
  SharedArray<std::atomic<int>> reaps(total);

  std::vector<ChildProcess> collectors;
  for (int c = 0; c < 2; ++c)
    collectors.emplace_back([&] {
      ReapChecker sink(*w, state, reaps);
      ddsafe::gc::Options o;
      o.root = root;
      o.min_age = 0s;
      o.force = true;
      o.events = &sink;
      while (w->stop.load() == 0) {
        auto r = ddsafe::gc::collect(o);
        if (!r) w->error.set(r.error().message());
        w->passes.fetch_add(1);
      }
      return 0;
    });
  std::vector<ChildProcess> workers;
  for (int p = 0; p < kWorkers; ++p)
    workers.emplace_back([&, p] {
      for (std::size_t i = 0; i < per_worker; ++i) {
        const std::size_t slot = static_cast<std::size_t>(p) * per_worker + i;
        if (i % 3 == 2) {  // a crashing session, in its own process
          ChildProcess one([&] { return live_one(root, slot, /*crash=*/true, *w, state); });
          if (one.exit_code(60s) != 0) w->error.set("a crashing session failed");
        } else if (live_one(root, slot, /*crash=*/false, *w, state) != 0) {
          return 2;
        }
      }
      return 0;
    });
  for (auto& c : workers) CHECK(c.exit_code(240s) == 0);
  w->stop.store(1);
  for (auto& c : collectors) CHECK(c.exit_code(60s) == 0);

  // Everything has ended: one last pass reaps whatever the loop had not reached yet.
  ReapChecker sink(*w, state, reaps);
  ddsafe::gc::Options o;
  o.root = root;
  o.min_age = 0s;
  o.force = true;
  o.events = &sink;
  auto last = ddsafe::gc::collect(o);
  REQUIRE(last);
  std::printf("gc stress: %zu sessions, %llu passes, %llu reaped\n", total,
              static_cast<unsigned long long>(w->passes.load()),
              static_cast<unsigned long long>(w->reaped.load()));
  INFO("first error: " << w->error.get());
  CHECK(w->error.count.load() == 0);
  CHECK(w->live_reaped.load() == 0);
  CHECK(w->dir_vanished.load() == 0);
  CHECK(w->double_reaped.load() == 0);
  CHECK(w->reaped.load() == total);  // dead ones are reaped, each exactly once
  CHECK(w->passes.load() > 10);
  std::size_t left = 0;
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().filename().string()[0] != '.') ++left;
  CHECK(left == 0);
}

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "ddsafe/atomic_file.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using ddsafe::test::ChildProcess;
using ddsafe::test::read_file;
using ddsafe::test::TempDir;
using ddsafe::test::write_file;
namespace fs = std::filesystem;

namespace {

// How a transaction ends.
enum class End { commit, abort, drop, self_kill, async_kill };

struct Transaction {
  std::vector<std::string> chunks;
  End end = End::commit;
  std::size_t kill_step = 0;  ///< self_kill: after create (0), after chunk i (i), after commit (n+1)
  int kill_after_us = 0;      ///< async_kill: the parent's delay before SIGKILL
  bool durable = true;
};

Transaction arbitrary_transaction() {
  Transaction t;
  t.chunks = *rc::gen::container<std::vector<std::string>>(
      *rc::gen::inRange<std::size_t>(0, 4), rc::gen::arbitrary<std::string>());
  t.end = *rc::gen::element(End::commit, End::abort, End::drop, End::self_kill, End::async_kill);
  t.kill_step = *rc::gen::inRange<std::size_t>(0, t.chunks.size() + 2);
  t.kill_after_us = *rc::gen::inRange(0, 3000);
  t.durable = *rc::gen::arbitrary<bool>();
  return t;
}

std::string joined(const Transaction& t) {
  std::string s;
  for (const auto& c : t.chunks) s += c;
  return s;
}

// Runs the transaction's steps; in a child, may die at kill_step. 0: committed, 1: not
// committed (abort or drop), 2: a step failed (no assertion may throw in a forked child).
int run_steps(const fs::path& target, const Transaction& t, bool may_self_kill) {
  AtomicOptions o;
  o.durability = t.durable ? Durability::durable : Durability::atomic;
  auto f = AtomicFile::create(target, o);
  if (!f) return 2;
  if (may_self_kill && t.kill_step == 0) ::raise(SIGKILL);
  for (std::size_t i = 0; i < t.chunks.size(); ++i) {
    if (!f->write(t.chunks[i])) return 2;
    if (may_self_kill && t.kill_step == i + 1) ::raise(SIGKILL);
  }
  if (t.end == End::abort) f->abort("property test");
  if (t.end == End::abort || t.end == End::drop) return 1;
  if (!f->commit()) return 2;
  if (may_self_kill && t.kill_step == t.chunks.size() + 1) ::raise(SIGKILL);
  return 0;
}

// Applies one transaction and returns the content the file must have afterwards (a set of one,
// or of two when a SIGKILL from outside may have landed before or after the rename).
std::vector<std::string> apply(const fs::path& target, const Transaction& t,
                               const std::string& model) {
  const auto next = joined(t);
  if (t.end == End::self_kill) {
    ChildProcess child([&] { return run_steps(target, t, /*may_self_kill=*/true); });
    const auto code = child.exit_code();
    RC_ASSERT(code.has_value());
    RC_ASSERT(*code == -SIGKILL);  // every self_kill step is reached
    return {t.kill_step == t.chunks.size() + 1 ? next : model};
  }
  if (t.end == End::async_kill) {
    ChildProcess child([&] { return run_steps(target, t, /*may_self_kill=*/false); });
    std::this_thread::sleep_for(std::chrono::microseconds(t.kill_after_us));
    child.kill(SIGKILL);
    const auto code = child.exit_code();
    RC_ASSERT(code.has_value());
    RC_ASSERT(*code != 2);
    if (*code == 0) return {next};  // finished before the kill: committed
    return {model, next};
  }
  const int code = run_steps(target, t, /*may_self_kill=*/false);
  RC_ASSERT(code != 2);
  return {code == 0 ? next : model};
}

}  // namespace

TEST_CASE("atomic file properties", "[atomic][property]") {
  rc::prop("writes, commits, aborts and crashes leave the last committed content", [] {
    TempDir dir;
    const auto target = dir / "state";
    std::string model = *rc::gen::arbitrary<std::string>();
    write_file(target, model);
    const auto transactions = *rc::gen::container<std::vector<Transaction>>(
        *rc::gen::inRange<std::size_t>(1, 8), rc::gen::exec(arbitrary_transaction));
    for (const auto& t : transactions) {
      const auto allowed = apply(target, t, model);
      const auto now = read_file(target);
      RC_ASSERT(std::find(allowed.begin(), allowed.end(), now) != allowed.end());
      model = now;
    }
    // A later successful writer sweeps whatever temps the killed ones left.
    const std::string last = "last";
    auto f = AtomicFile::create(target);
    RC_ASSERT(f.has_value());
    RC_ASSERT(f->write(last).has_value());
    RC_ASSERT(f->commit().has_value());
    RC_ASSERT(read_file(target) == last);
    RC_ASSERT(ddsafe::test::atomic_temps(dir.path()).empty());
  });
}

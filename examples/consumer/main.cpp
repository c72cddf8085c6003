// counter: bumps a counter file under a lock, replaces it atomically, and journals the run.
// Usage: counter DIR
// Prints the new count and how many journal records DIR/journal.jsonl holds afterwards.
// The smallest complete use of ddsafe as an installed package (examples/consumer/README.md).

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <ddsafe/atomic_file.hpp>
#include <ddsafe/events.hpp>
#include <ddsafe/file_lock.hpp>
#include <ddsafe/journal/journal.hpp>
#include <ddsafe/journal/reader.hpp>

namespace {

int fail(const char* what, const ddsafe::Error& e) {
  std::fprintf(stderr, "counter: %s: %s: %s\n", what, e.context.c_str(), e.code.message().c_str());
  return 1;
}

long read_count(const std::filesystem::path& file) {
  std::ifstream in(file);
  long n = 0;
  in >> n;
  return n;
}

struct CountAll final : ddsafe::journal::RecordVisitor {
  long records = 0;
  bool visit(const ddsafe::journal::Record& /*record*/) override {
    ++records;
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: counter DIR\n");
    return 64;
  }
  const std::filesystem::path dir = argv[1];
  ddsafe::journal::Journal journal(dir / "journal.jsonl", {.tool = "counter"});
  const auto file = dir / "count";

  // The sidecar lock, never the file that gets replaced (a rename swaps the inode).
  auto lock = ddsafe::FileLock::acquire(dir / ".count.lock",
                                        {.timeout = std::chrono::seconds(10), .tool = "counter",
                                         .events = &journal});
  if (!lock) return fail("lock", lock.error());
  const long next = read_count(file) + 1;

  // The fence makes the commit fail if a breaker took the lock from us meanwhile.
  auto out = ddsafe::AtomicFile::create(
      file, {.fence = ddsafe::Fence{lock->path(), lock->token()}, .events = &journal,
             .journal_commits = true, .tool = "counter"});
  if (!out) return fail("create", out.error());
  if (auto w = out->write(std::to_string(next) + "\n"); !w) return fail("write", w.error());
  if (auto c = out->commit(); !c) return fail("commit", c.error());
  if (auto r = lock->release(); !r) return fail("release", r.error());

  if (auto a = journal.append(ddsafe::Event{"counter_bumped", {}}.add("count", next)); !a)
    return fail("journal", a.error());
  auto files = ddsafe::journal::open_set(journal.path());
  if (!files) return fail("open journal", files.error());
  CountAll all;
  if (auto s = ddsafe::journal::read_set(*files, all); !s) return fail("read journal", s.error());
  std::printf("count %ld, journal records %ld\n", next, all.records);
  return 0;
}

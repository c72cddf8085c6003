#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ddsafe/file_lock.hpp"
#include "ddsafe/gc.hpp"
#include "ddsafe/session.hpp"
#include "support/child_process.hpp"
#include "support/event_recorder.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using namespace std::chrono_literals;
using test::ChildProcess;
using test::EventRecorder;
using test::TempDir;
namespace fs = std::filesystem;
using Action = gc::Entry::Action;

namespace {

// A root with an "outside" directory next to it that nothing may ever touch.
struct Fixture {
  TempDir tmp;
  fs::path root = tmp / "root";
  fs::path outside = tmp / "outside";
  EventRecorder events;

  Fixture() {
    fs::create_directory(root);
    fs::create_directories(outside / "sub");
    test::write_file(outside / "secret", "credentials");
    test::write_file(outside / "sub" / "settings", "settings");
  }
  bool outside_intact() const {
    return test::read_file(outside / "secret") == "credentials" &&
           test::read_file(outside / "sub" / "settings") == "settings";
  }
  // An ended session (dir with its lock file, nobody holding it) with some content.
  void dead(const std::string& id) {
    auto s = Session::create(root, id);
    REQUIRE(s);
    fill(root / id);
    REQUIRE(s->end());
  }
  static void fill(const fs::path& dir) {
    fs::create_directories(dir / "a" / "b");
    test::write_file(dir / "f", "x");
    test::write_file(dir / "a" / "b" / "g", "y");
  }
  gc::Options options() {
    gc::Options o;
    o.root = root;
    o.min_age = 0s;
    o.events = &events;
    return o;
  }
  gc::Report run(const gc::Options& o) {
    auto r = gc::collect(o);
    REQUIRE(r);
    return *r;
  }
  gc::Report run() { return run(options()); }
  std::optional<gc::Entry> entry(const gc::Report& r, const std::string& id) {
    for (const auto& e : r.entries)
      if (e.id == id) return e;
    return std::nullopt;
  }
};

// Backdates a path's mtime by `seconds`.
void age(const fs::path& p, int seconds) {
  const timespec t[2] = {{::time(nullptr) - seconds, 0}, {::time(nullptr) - seconds, 0}};
  REQUIRE(::utimensat(AT_FDCWD, p.c_str(), t, AT_SYMLINK_NOFOLLOW) == 0);
}

gc::LiveCommand live(std::string cmd) { return gc::LiveCommand{std::move(cmd), std::nullopt, 5s}; }

}  // namespace

TEST_CASE("gc: dead sessions are removed, live (locked) ones kept, nothing outside touched",
          "[gc]") {
  Fixture f;
  f.dead("dead1");
  f.dead("dead2");
  auto live_session = Session::create(f.root, "alive");
  REQUIRE(live_session);
  Fixture::fill(f.root / "alive");
  const auto r = f.run();
  CHECK_FALSE(r.skipped);
  CHECK(r.removed == 2);
  CHECK(r.sessions == 3);
  CHECK(r.errors == 0);
  CHECK_FALSE(fs::exists(f.root / "dead1"));
  CHECK_FALSE(fs::exists(f.root / "dead2"));
  CHECK(fs::exists(f.root / "alive" / "a" / "b" / "g"));
  CHECK(f.entry(r, "alive")->reason == "session lock held");
  CHECK(fs::is_empty(f.root / gc::kTrashName));
  REQUIRE(f.events.of("gc_reaped").size() == 2);
  CHECK(test::field<std::string>(f.events.of("gc_reaped")[0], "id") == "dead1");
  CHECK(f.outside_intact());
}

TEST_CASE("gc: the bug class - a live command that fails with empty output removes nothing",
          "[gc][live]") {
  Fixture f;
  f.dead("d1");
  f.dead("d2");
  auto held = Session::create(f.root, "held");
  REQUIRE(held);
  auto o = f.options();
  o.live = live("echo 'Cannot connect to the Docker daemon' >&2; exit 1");
  const auto failed = f.run(o);
  CHECK(failed.skipped);
  CHECK(failed.skip_reason == "liveness_source_failed");
  CHECK(failed.removed == 0);
  CHECK(fs::exists(f.root / "d1"));
  CHECK(fs::exists(f.root / "d2"));
  REQUIRE(f.events.of("gc_skipped").size() == 1);
  const auto skipped = f.events.of("gc_skipped")[0];
  CHECK(test::field<std::string>(skipped, "reason") == "liveness_source_failed");
  CHECK_THAT(test::field<std::string>(skipped, "detail"),
             Catch::Contains("status 1") && Catch::Contains("Cannot connect"));
  CHECK(f.events.of("gc_reaped").empty());

  o.live = live("true");  // succeeds, empty output: nobody listed, the locks still decide
  const auto ok = f.run(o);
  CHECK_FALSE(ok.skipped);
  CHECK(ok.live_ids == 0u);
  CHECK(ok.removed == 2);
  CHECK_FALSE(fs::exists(f.root / "d1"));
  CHECK(fs::exists(f.root / "held"));
}

TEST_CASE("gc: a live command that times out, dies or prints garbage skips the pass",
          "[gc][live]") {
  Fixture f;
  f.dead("d");
  auto o = f.options();
  const std::vector<std::pair<gc::LiveCommand, std::string>> cases = {
      {gc::LiveCommand{"sleep 30 & sleep 30", std::nullopt, 200ms}, "timed out"},
      {live("kill -9 $$"), "signal 9"},
      {live("echo ../etc"), "invalid session id"},
      {live("echo 'a/b'"), "invalid session id"},
      {live("printf 'a\\0b\\n'"), "NUL"},
      {gc::LiveCommand{"echo 'no id here'", "^sess-(\\S+)$", 5s}, "does not match"},
      // One long line: the recursive std::regex matcher would overflow the stack (SIGSEGV).
      {gc::LiveCommand{"head -c 50000 /dev/zero | tr '\\0' a; echo", "^(a+)$", 5s},
       "more than --live-regex matches"},
      {live("exit 127"), "status 127"},
  };
  for (const auto& [cmd, why] : cases) {
    INFO("command: " << cmd.command);
    o.live = cmd;
    const auto r = f.run(o);
    CHECK(r.skipped);
    CHECK(r.skip_reason == "liveness_source_failed");
    CHECK_THAT(r.skip_detail, Catch::Contains(why));
    REQUIRE(r.first_error);
    CHECK(r.first_error->code == errc::liveness_source_failed);
    CHECK(fs::exists(f.root / "d"));
  }
}

TEST_CASE("gc: with SIGCHLD ignored a failing live command still skips the pass",
          "[gc][live]") {
  // SIG_IGN is inherited through exec: the kernel then reaps the shell itself and its status
  // is lost. A status never seen must not read as exit 0.
  Fixture f;
  f.dead("d");
  auto o = f.options();
  o.events = nullptr;  // the recorder belongs to the parent
  ChildProcess child([&] {
    ::signal(SIGCHLD, SIG_IGN);
    int failures = 0;
    for (const auto* cmd : {"exit 1", "kill -9 $$"}) {
      o.live = live(cmd);
      const auto r = gc::collect(o);
      if (!r || !r->skipped || r->skip_reason != "liveness_source_failed") ++failures;
    }
    return failures;
  });
  CHECK(child.exit_code() == 0);
  CHECK(fs::exists(f.root / "d"));
}

TEST_CASE("gc: ids listed by the live command are kept and --live-regex picks the id",
          "[gc][live]") {
  Fixture f;
  for (const auto* id : {"s1", "s2", "s3"}) f.dead(id);
  auto o = f.options();
  o.live = gc::LiveCommand{"printf 'container sess-s1 up\\nforeign\\n  sess-s3  \\n'",
                           "sess-(\\S+)|^foreign$", 5s};
  const auto r = f.run(o);
  CHECK_FALSE(r.skipped);
  CHECK(r.live_ids == 2u);
  CHECK(fs::exists(f.root / "s1"));
  CHECK_FALSE(fs::exists(f.root / "s2"));
  CHECK(fs::exists(f.root / "s3"));
  CHECK(f.entry(r, "s1")->reason == "listed as live");

  o.live = gc::LiveCommand{"echo s1", "(", 5s};
  auto bad = gc::collect(o);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::invalid_argument);
}

TEST_CASE("gc: circuit breakers skip the pass unless forced", "[gc][breaker]") {
  Fixture f;
  for (const auto* id : {"a", "b", "c"}) f.dead(id);
  auto o = f.options();
  o.max_remove = 2;
  auto r = f.run(o);
  CHECK(r.skipped);
  CHECK(r.skip_reason == "max_remove");
  CHECK(r.removed == 0);
  CHECK(fs::exists(f.root / "a"));
  REQUIRE(f.events.of("gc_skipped").size() == 1);
  CHECK(test::field<std::int64_t>(f.events.of("gc_skipped")[0], "would_remove") == 3);

  o.max_remove = 1000;
  o.live = live("true");  // lists nobody, and every session would go
  r = f.run(o);
  CHECK(r.skipped);
  CHECK(r.skip_reason == "all_sessions");
  CHECK(fs::exists(f.root / "a"));

  o.force = true;
  r = f.run(o);
  CHECK_FALSE(r.skipped);
  CHECK(r.removed == 3);
  CHECK(fs::is_empty(f.root / gc::kTrashName));
}

TEST_CASE("gc: a young or unknown dir does not switch off the all_sessions breaker",
          "[gc][breaker]") {
  // Only a held lock proves the live command's empty answer incomplete; a dir kept for its
  // age or an unusable lock proves nothing, and s1..s3 must not go.
  Fixture f;
  for (const auto* id : {"s1", "s2", "s3"}) {
    fs::create_directory(f.root / id);
    age(f.root / id, 7200);
  }
  fs::create_directory(f.root / "young");
  fs::create_directory(f.root / "fifo");
  REQUIRE(::mkfifo((f.root / "fifo" / ".session.lock").c_str(), 0600) == 0);
  age(f.root / "fifo", 7200);
  auto o = f.options();
  o.min_age = 3600s;
  o.live = live("true");
  auto r = f.run(o);
  CHECK(r.skipped);
  CHECK(r.skip_reason == "all_sessions");
  CHECK(fs::exists(f.root / "s1"));

  auto held = Session::create(f.root, "held");  // a held lock: the pass goes on
  REQUIRE(held);
  age(f.root / "held", 7200);
  r = f.run(o);
  CHECK_FALSE(r.skipped);
  CHECK(r.removed == 3);
  CHECK(fs::exists(f.root / "young"));
  CHECK(fs::exists(f.root / "fifo"));
  CHECK(fs::exists(f.root / "held"));
}

TEST_CASE("gc: dirs younger than min_age are kept, older ones go", "[gc]") {
  Fixture f;
  f.dead("young");
  f.dead("old");
  age(f.root / "old", 7200);
  auto o = f.options();
  o.min_age = 3600s;
  const auto r = f.run(o);
  CHECK(fs::exists(f.root / "young"));
  CHECK_FALSE(fs::exists(f.root / "old"));
  CHECK_THAT(f.entry(r, "young")->reason, Catch::Contains("younger than --min-age"));
}

TEST_CASE("gc: a dry run removes, creates and journals nothing", "[gc]") {
  Fixture f;
  f.dead("d");
  auto held = Session::create(f.root, "h");
  REQUIRE(held);
  auto o = f.options();
  o.dry_run = true;
  const auto r = f.run(o);
  CHECK(r.removed == 1);
  CHECK(f.entry(r, "d")->action == Action::would_remove);
  CHECK(f.entry(r, "h")->action == Action::kept);
  CHECK(fs::exists(f.root / "d" / "f"));
  CHECK_FALSE(fs::exists(f.root / gc::kTrashName));
  CHECK_FALSE(fs::exists(f.root / gc::kGcLockName));
  CHECK(f.events.size() == 0);
}

TEST_CASE("gc: symlinks are removed, never followed, whether inside a session or as one",
          "[gc][symlink]") {
  Fixture f;
  f.dead("s");
  fs::create_directory_symlink(f.outside, f.root / "s" / "to-outside-dir");
  fs::create_symlink(f.outside / "secret", f.root / "s" / "a" / "to-outside-file");
  fs::create_directory_symlink(f.outside, f.root / "link");  // ROOT/<id> itself a symlink
  age(f.root / "link", 7200);
  const auto r = f.run();
  CHECK(r.errors == 0);
  CHECK_FALSE(fs::exists(f.root / "s"));
  CHECK(fs::is_symlink(f.root / "link"));
  CHECK(f.entry(r, "link")->action == Action::kept);
  CHECK(f.outside_intact());
  CHECK(fs::exists(f.outside / "sub"));
}

TEST_CASE("gc: a symlink swapped in for a subdirectory during the sweep is never followed",
          "[gc][symlink]") {
  Fixture f;
  int removed = 0;
  for (int round = 0; round < 60; ++round) {
    f.dead("s");
    fs::create_directories(f.root / "s" / "x" / "y");
    for (int i = 0; i < 20; ++i) test::write_file(f.root / "s" / "x" / std::to_string(i), "z");
    fs::create_directory_symlink(f.outside, f.root / "s" / "l");
    // Swaps s/x (a real tree) and s/l (a symlink out of the root) atomically, over and over,
    // until the session dir is gone.
    ChildProcess swapper([&] {
      const auto x = f.root / "s" / "x", l = f.root / "s" / "l";
      while (::renameat2(AT_FDCWD, x.c_str(), AT_FDCWD, l.c_str(), RENAME_EXCHANGE) == 0) {
      }
      return 0;
    });
    const auto r = f.run();
    removed += static_cast<int>(r.removed);
    swapper.kill(SIGKILL);
    (void)swapper.wait();
    REQUIRE(f.outside_intact());
    // Whatever remains (an entry replaced mid-removal is left alone) is retried next round.
    std::error_code ec;
    fs::remove_all(f.root / "s", ec);
  }
  CHECK(removed > 0);
}

TEST_CASE("gc: ROOT/<id> swapped for a symlink during the sweep never leads outside",
          "[gc][symlink]") {
  Fixture f;
  for (int round = 0; round < 60; ++round) {
    f.dead("s");
    fs::create_directory_symlink(f.outside, f.root / "t");
    ChildProcess swapper([&] {
      const auto s = f.root / "s", t = f.root / "t";
      for (;;) (void)::renameat2(AT_FDCWD, s.c_str(), AT_FDCWD, t.c_str(), RENAME_EXCHANGE);
      return 0;
    });
    (void)f.run();
    swapper.kill(SIGKILL);
    (void)swapper.wait();
    REQUIRE(f.outside_intact());
    for (const auto* n : {"s", "t"}) {
      std::error_code ec;
      if (fs::is_symlink(f.root / n)) fs::remove(f.root / n, ec);
      else fs::remove_all(f.root / n, ec);
    }
  }
}

namespace {

// chattr +i on a file; at scope exit every immutable flag under `scope` is cleared (the file
// may have moved into the trash by then), so the temp dir can be removed.
struct Immutable {
  fs::path scope;
  bool ok;
  Immutable(const fs::path& file, fs::path s)
      : scope(std::move(s)),
        ok(std::system(("chattr +i '" + file.string() + "' 2>/dev/null").c_str()) == 0) {}
  ~Immutable() { (void)std::system(("chattr -R -i '" + scope.string() + "' 2>/dev/null").c_str()); }
};

// A bind mount (read-only when asked). At scope exit every mount under `scope` is detached,
// wherever the sweep moved it, before the temp dir is removed.
struct BindMount {
  fs::path scope;
  bool ok;
  BindMount(const fs::path& source, const fs::path& target, bool read_only, fs::path s)
      : scope(std::move(s)) {
    ok = ::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0;
    if (ok && read_only)
      ok = ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY,
                   nullptr) == 0;
  }
  ~BindMount() {
    std::vector<std::string> points;
    std::istringstream in(test::read_file("/proc/self/mounts"));
    std::string dev, point, rest;
    while (in >> dev >> point && std::getline(in, rest))
      if (point.starts_with(scope.string() + "/")) points.push_back(point);
    std::sort(points.rbegin(), points.rend());  // deepest first
    for (const auto& p : points) (void)::umount2(p.c_str(), MNT_DETACH);
  }
};

}  // namespace

TEST_CASE("gc: an unremovable entry (chattr +i) is an error, the rest is swept, trash retried",
          "[gc][error]") {
  Fixture f;
  f.dead("a");
  f.dead("stuck");
  f.dead("z");
  Immutable pin(f.root / "stuck" / "a" / "b" / "g", f.tmp.path());
  REQUIRE(pin.ok);  // needs root and a filesystem with attributes (ext4: TMPDIR must not be tmpfs)
  const auto r = f.run();
  CHECK_FALSE(r.skipped);
  CHECK(r.removed == 2);
  CHECK(r.errors == 1);
  CHECK(f.entry(r, "stuck")->action == Action::error);
  REQUIRE(r.first_error);
  CHECK(r.first_error->code == std::errc::operation_not_permitted);
  CHECK_FALSE(fs::exists(f.root / "a"));
  CHECK_FALSE(fs::exists(f.root / "z"));
  REQUIRE(f.events.of("gc_error").size() == 1);
  CHECK(test::field<std::string>(f.events.of("gc_error")[0], "id") == "stuck");
  CHECK_THAT(test::field<std::string>(f.events.of("gc_error")[0], "error"),
             Catch::Contains("Operation not permitted"));

  // The leftover sits in the trash; once removable, the next pass removes it.
  auto again = f.run();
  CHECK(again.errors == 1);
  (void)std::system(("chattr -i '" + f.root.string() + "'/.trash/*/a/b/g").c_str());
  again = f.run();
  CHECK(again.errors == 0);
  CHECK(again.removed == 1);
  CHECK(fs::is_empty(f.root / gc::kTrashName));
}

TEST_CASE("gc: a trash entry whose session lock is held is kept until the lock is free",
          "[gc]") {
  Fixture f;
  f.dead("d");  // the pass needs a victim to sweep the trash
  fs::create_directories(f.root / gc::kTrashName / "entry" / "data");
  const auto lock_path = f.root / gc::kTrashName / "entry" / ".session.lock";
  test::write_file(lock_path, "");
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  auto r = f.run();
  CHECK(r.errors == 0);
  CHECK(fs::exists(f.root / gc::kTrashName / "entry" / "data"));
  CHECK_THAT(f.entry(r, ".trash/entry")->reason, Catch::Contains("session lock held"));
  CHECK_FALSE(fs::exists(f.root / "d"));

  ::close(fd);
  f.dead("d2");
  r = f.run();
  CHECK(f.entry(r, ".trash/entry")->action == Action::removed);
  CHECK(fs::is_empty(f.root / gc::kTrashName));
}

TEST_CASE("gc: a read-only bind mount in a session is neither entered nor removed",
          "[gc][error]") {
  Fixture f;
  f.dead("a");
  f.dead("mounted");
  fs::create_directory(f.root / "mounted" / "data");
  BindMount m(f.outside, f.root / "mounted" / "data", /*read_only=*/true, f.root);
  REQUIRE(m.ok);  // needs root (CAP_SYS_ADMIN)
  const auto r = f.run();
  CHECK(r.errors == 1);
  CHECK(f.entry(r, "mounted")->action == Action::error);
  CHECK_FALSE(fs::exists(f.root / "a"));
  CHECK(f.outside_intact());
  CHECK(f.events.of("gc_error").size() == 1);
}

TEST_CASE("gc: a writable bind mount of outside data is not entered either (same filesystem)",
          "[gc][error]") {
  Fixture f;
  f.dead("mounted");
  BindMount m(f.outside, f.root / "mounted" / "a", /*read_only=*/false, f.root);
  REQUIRE(m.ok);
  const auto r = f.run();
  CHECK(r.errors == 1);
  CHECK(f.outside_intact());
}

TEST_CASE("gc: a mount point at ROOT/<id> is kept", "[gc]") {
  Fixture f;
  fs::create_directory(f.root / "m");
  BindMount m(f.outside, f.root / "m", /*read_only=*/false, f.root);
  REQUIRE(m.ok);
  const auto r = f.run();
  CHECK(f.entry(r, "m")->action == Action::kept);
  CHECK(r.errors == 0);
  CHECK(f.outside_intact());
}

TEST_CASE("gc: one collector per root - a second one reports another_running", "[gc]") {
  Fixture f;
  f.dead("d");
  LockOptions lo;
  lo.timeout = 0ns;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ChildProcess other([&] {
    auto l = FileLock::acquire(f.root / gc::kGcLockName, lo);
    (void)!::write(fds[1], l ? "y" : "n", 1);
    ::pause();
    return 0;
  });
  ::close(fds[1]);
  char c = 0;
  REQUIRE(::read(fds[0], &c, 1) == 1);
  ::close(fds[0]);
  REQUIRE(c == 'y');
  auto r = f.run();
  CHECK(r.another_running);
  CHECK(r.removed == 0);
  CHECK(fs::exists(f.root / "d"));
  other.kill(SIGKILL);
  (void)other.wait();
  r = f.run();
  CHECK_FALSE(r.another_running);
  CHECK(r.removed == 1);
}

TEST_CASE("gc: dirs without a session lock file and unfinished staging dirs are reaped by age",
          "[gc]") {
  Fixture f;
  fs::create_directories(f.root / "plain" / "x");
  fs::create_directories(f.root / ".new-123-abc");
  test::write_file(f.root / ".new-123-abc" / ".session.lock", "");
  fs::create_directories(f.root / ".other");
  // Hidden, but not the `.new-<pid>-<hex>` name Session::create builds: not staging.
  const std::vector<std::string> near = {".new-", ".new-x", ".new-123", ".new-123-",
                                         ".new--abc", ".new-12a-abc", ".new-123-xyz",
                                         ".new-123-abc-d", ".new-1-0123456789abcdef0"};
  for (const auto& n : near) fs::create_directories(f.root / n);
  auto o = f.options();
  o.min_age = 3600s;
  auto r = f.run(o);
  CHECK(r.removed == 0);
  age(f.root / "plain", 7200);
  age(f.root / ".new-123-abc", 7200);
  age(f.root / ".other", 7200);
  for (const auto& n : near) age(f.root / n, 7200);
  r = f.run(o);
  CHECK(r.removed == 2);
  CHECK(r.sessions == 1);
  CHECK_FALSE(fs::exists(f.root / "plain"));
  CHECK_FALSE(fs::exists(f.root / ".new-123-abc"));
  CHECK(fs::exists(f.root / ".other"));  // hidden names other than staging ones are ddsafe's
  for (const auto& n : near) CHECK(fs::exists(f.root / n));
}

TEST_CASE("gc: require_lock_file keeps a dir without a session lock file (not a session)",
          "[gc]") {
  Fixture f;
  fs::create_directories(f.root / "photos" / "2019");
  test::write_file(f.root / "photos" / "2019" / "a.jpg", "precious");
  fs::create_directories(f.root / ".new-123-abc");  // unfinished staging: still ddsafe's
  f.dead("s1");
  age(f.root / "photos", 7200);
  age(f.root / ".new-123-abc", 7200);
  auto o = f.options();
  o.require_lock_file = true;
  const auto r = f.run(o);
  CHECK(r.removed == 2);
  CHECK(test::read_file(f.root / "photos" / "2019" / "a.jpg") == "precious");
  const auto kept = f.entry(r, "photos");
  REQUIRE(kept);
  CHECK(kept->action == Action::kept);
  CHECK(kept->reason.find("not a session") != std::string::npos);
  CHECK_FALSE(fs::exists(f.root / "s1"));
  CHECK_FALSE(fs::exists(f.root / ".new-123-abc"));
}

TEST_CASE("gc: a session lock that is a symlink or a FIFO keeps the dir (unknown)", "[gc]") {
  Fixture f;
  fs::create_directory(f.root / "sym");
  fs::create_symlink(f.outside / "secret", f.root / "sym" / ".session.lock");
  fs::create_directory(f.root / "fifo");
  REQUIRE(::mkfifo((f.root / "fifo" / ".session.lock").c_str(), 0600) == 0);
  const auto r = f.run();
  CHECK(r.removed == 0);
  CHECK(fs::exists(f.root / "sym"));
  CHECK(fs::exists(f.root / "fifo"));
  CHECK_THAT(f.entry(r, "sym")->reason, Catch::Contains("session lock unusable"));
  CHECK(f.outside_intact());
}

TEST_CASE("gc: a missing root is reported in the pass, never thrown", "[gc]") {
  Fixture f;
  auto o = f.options();
  o.root = f.tmp / "missing";
  const auto r = f.run(o);
  CHECK(r.skipped);
  CHECK(r.skip_reason == "root_unusable");
  REQUIRE(r.first_error);
  CHECK(r.first_error->code == std::errc::no_such_file_or_directory);
}

TEST_CASE("remove_tree_at: removes deep trees and symlinks, leaves their targets", "[gc]") {
  Fixture f;
  fs::path p = f.root / "t";
  for (int i = 0; i < 50; ++i) p /= "d";
  fs::create_directories(p);
  test::write_file(p / "leaf", "x");
  fs::create_directory_symlink(f.outside, p / "out");
  const int fd = ::open(f.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const auto st = gc::remove_tree_at(fd, "t", f.root / "t");
  ::close(fd);
  CHECK(st.failed == 0);
  CHECK(st.removed == 53);
  CHECK_FALSE(fs::exists(f.root / "t"));
  CHECK(f.outside_intact());
}

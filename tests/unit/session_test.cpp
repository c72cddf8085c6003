#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ddsafe/session.hpp"
#include "support/child_process.hpp"
#include "support/event_recorder.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using test::ChildProcess;
using test::EventRecorder;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

// Whether some open file description other than ours holds an flock on `p` (a fresh open of
// the file, as a collector would do it, cannot lock it).
bool locked_by_someone(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return busy;
}

int entries_in(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("validate_session_id: refuses ids that could leave the root or hide", "[session]") {
  const std::vector<std::string> bads = {"", ".", "..", "a/b", "/etc", "../x", ".trash", ".hidden",
                                          std::string("a\0b", 3), std::string(256, 'x')};
  for (const auto& bad : bads) {
    INFO("id: " << bad);
    auto ok = validate_session_id(bad);
    REQUIRE_FALSE(ok);
    CHECK(ok.error().code == errc::path_escapes_root);
  }
  const std::vector<std::string> goods = {"a", "sess-42", "x.y", std::string(255, 'x'), "a..b"};
  for (const auto& good : goods) CHECK(validate_session_id(good));
}

TEST_CASE("Session: create makes ROOT/<id> with its session lock held, end releases it",
          "[session]") {
  TempDir d;
  EventRecorder rec;
  SessionOptions o;
  o.events = &rec;
  o.command = "unit test";
  auto s = Session::create(d.path(), "s1", o);
  REQUIRE(s);
  CHECK(s->dir() == d / "s1");
  CHECK(fs::is_directory(d / "s1"));
  CHECK(locked_by_someone(d / "s1" / ".session.lock"));
  CHECK(entries_in(d.path()) == 1);  // no staging dir left behind
  CHECK((fs::status(d / "s1").permissions() & fs::perms::others_all) == fs::perms::none);
  REQUIRE(rec.of("session_start").size() == 1);
  CHECK(test::field<std::string>(rec.of("session_start")[0], "id") == "s1");
  REQUIRE(s->end(3));
  CHECK_FALSE(s->active());
  CHECK_FALSE(locked_by_someone(d / "s1" / ".session.lock"));
  CHECK(fs::is_directory(d / "s1"));  // left for the collector
  REQUIRE(rec.of("session_end").size() == 1);
  CHECK(test::field<std::int64_t>(rec.of("session_end")[0], "status") == 3);
  REQUIRE(s->end());  // idempotent
  CHECK(rec.of("session_end").size() == 1);
}

TEST_CASE("Session: an existing id is refused with EEXIST and nothing is left behind",
          "[session]") {
  TempDir d;
  fs::create_directory(d / "taken");  // an empty dir: plain rename(2) would replace it
  auto s = Session::create(d.path(), "taken");
  REQUIRE_FALSE(s);
  CHECK(s.error().code == std::errc::file_exists);
  CHECK(entries_in(d.path()) == 1);
  CHECK(fs::is_empty(d / "taken"));
  auto first = Session::create(d.path(), "s");
  REQUIRE(first);
  auto second = Session::create(d.path(), "s");
  REQUIRE_FALSE(second);
  CHECK(second.error().code == std::errc::file_exists);
  CHECK(entries_in(d.path()) == 2);
}

TEST_CASE("Session: invalid ids and a missing root fail without creating anything",
          "[session]") {
  TempDir d;
  auto bad = Session::create(d.path(), "../escape");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::path_escapes_root);
  auto missing = Session::create(d / "nope", "s");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == std::errc::no_such_file_or_directory);
  CHECK(entries_in(d.path()) == 0);
  CHECK_FALSE(fs::exists(d.path().parent_path() / "escape"));
}

TEST_CASE("Session: the lock dies with the process that held it", "[session]") {
  TempDir d;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ChildProcess child([&] {
    auto s = Session::create(d.path(), "crash");
    (void)!::write(fds[1], s ? "y" : "n", 1);
    ::pause();
    return 0;
  });
  ::close(fds[1]);
  char c = 0;
  REQUIRE(::read(fds[0], &c, 1) == 1);
  ::close(fds[0]);
  REQUIRE(c == 'y');
  CHECK(locked_by_someone(d / "crash" / ".session.lock"));
  child.kill(SIGKILL);
  (void)child.wait();
  CHECK_FALSE(locked_by_someone(d / "crash" / ".session.lock"));
}

TEST_CASE("Session: remove deletes the dir through the trash with the lock held, never "
          "following a symlink out", "[session]") {
  TempDir d;
  TempDir outside;
  test::write_file(outside / "precious", "keep me");
  EventRecorder rec;
  SessionOptions o;
  o.events = &rec;
  auto s = Session::create(d.path(), "s1", o);
  REQUIRE(s);
  fs::create_directories(d / "s1" / "work" / "deep");
  test::write_file(d / "s1" / "work" / "deep" / "f", "x");
  fs::create_directory_symlink(outside.path(), d / "s1" / "work" / "escape");
  REQUIRE(s->remove(0, "exited"));
  CHECK_FALSE(s->active());
  CHECK_FALSE(fs::exists(d / "s1"));
  CHECK(entries_in(d / ".trash") == 0);
  CHECK(test::read_file(outside / "precious") == "keep me");
  REQUIRE(rec.of("session_end").size() == 1);
  CHECK(test::field<std::string>(rec.of("session_end")[0], "reason") == "exited");
  CHECK(test::field<bool>(rec.of("session_end")[0], "removed"));
  REQUIRE(s->remove());  // idempotent: nothing left to do
  CHECK(rec.of("session_end").size() == 1);
}

TEST_CASE("Session: remove reports what it could not delete and still releases the lock",
          "[session]") {
  TempDir d;
  auto s = Session::create(d.path(), "s1");
  REQUIRE(s);
  // Something the removal must leave: a mount inside the session (as root), else a directory
  // whose entries cannot be unlinked.
  const bool root = ::geteuid() == 0;
  const auto mnt = d / "s1" / "mnt";
  fs::create_directories(mnt);
  test::write_file(mnt / "f", "x");
  if (root) REQUIRE(::mount("none", mnt.c_str(), "tmpfs", 0, nullptr) == 0);
  else fs::permissions(mnt, fs::perms::owner_read | fs::perms::owner_exec);
  auto r = s->remove();
  REQUIRE_FALSE(r);
  CHECK(r.error().context.find(".trash") != std::string::npos);
  CHECK_FALSE(s->active());
  CHECK_FALSE(fs::exists(d / "s1"));  // what could go went; the rest waits in the trash
  for (const auto& e : fs::directory_iterator(d / ".trash")) {
    if (root) CHECK(::umount((e.path() / "mnt").c_str()) == 0);
    else fs::permissions(e.path() / "mnt", fs::perms::owner_all);
  }
}

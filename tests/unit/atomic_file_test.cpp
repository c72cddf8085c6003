#include "ddsafe/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "../../lib/src/atomic_internal.hpp"
#include "ddsafe/file_lock.hpp"
#include "support/event_recorder.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using ddsafe::test::read_file;
using ddsafe::test::TempDir;
using ddsafe::test::write_file;
namespace fs = std::filesystem;

namespace {

struct stat stat_of(const fs::path& p) {
  struct stat st{};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st;
}

Result<CommitInfo> replace(const fs::path& p, const std::string& content, AtomicOptions o = {}) {
  auto f = AtomicFile::create(p, std::move(o));
  if (!f) return f.error();
  if (auto w = f->write(content); !w) return w.error();
  return f->commit();
}

}  // namespace

TEST_CASE("commit replaces the content and leaves nothing else in the directory", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "old");
  auto r = replace(dir / "cfg", "new content");
  REQUIRE(r);
  CHECK(r->changed);
  CHECK(r->bytes == 11);
  CHECK(read_file(dir / "cfg") == "new content");
  CHECK(test::atomic_temps(dir.path()).empty());
}

TEST_CASE("abort and destruction leave the target untouched and no temp", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "old");
  test::EventRecorder events;
  AtomicOptions o;
  o.events = &events;
  {
    auto f = AtomicFile::create(dir / "cfg", o);
    REQUIRE(f);
    REQUIRE(f->write("half"));
    REQUIRE(f->temp_path());  // named now: the abort must unlink it
    CHECK(test::atomic_temps(dir.path()).size() == 1);
    f->abort("test says no");
    f->abort("twice is harmless");
  }
  {
    auto f = AtomicFile::create(dir / "cfg", o);
    REQUIRE(f);
    REQUIRE(f->write("dropped"));
  }
  CHECK(read_file(dir / "cfg") == "old");
  CHECK(test::atomic_temps(dir.path()).empty());
  const auto aborts = events.of("atomic_abort");
  REQUIRE(aborts.size() == 2);
  CHECK(test::field<std::string>(aborts[0], "reason") == "test says no");
  CHECK(test::field<std::string>(aborts[1], "reason") == "not committed");
  CHECK(test::field<std::string>(aborts[0], "path") == (dir / "cfg").string());
}

TEST_CASE("the temp is hidden, in the target's directory, and 0600 while written", "[atomic]") {
  TempDir dir;
  auto f = AtomicFile::create(dir / "cfg.json");
  REQUIRE(f);
  auto p = f->temp_path();
  REQUIRE(p);
  CHECK(p->parent_path() == dir.path());
  CHECK(p->filename().string().rfind(".cfg.json~dd", 0) == 0);
  CHECK((stat_of(*p).st_mode & 07777) == 0600);
  CHECK(detail::parse_temp_name(p->filename().string(), ".cfg.json~dd").has_value());
}

TEST_CASE("temp and lock names stay within NAME_MAX for long target names", "[atomic]") {
  TempDir dir;
  const std::string name(250, 'n');
  write_file(dir / name, "old");
  REQUIRE(replace(dir / name, "new"));
  CHECK(read_file(dir / name) == "new");
  auto lock = sidecar_lock_path(dir / name);
  REQUIRE(lock);
  CHECK(lock->filename().string().size() <= 255);
  CHECK(detail::bounded_name(name, 255, 24).size() + 24 <= 255);
  CHECK(detail::bounded_name("short", 255, 24) == "short");
  // Different long names keep different bounded forms (the hash of the whole name).
  CHECK(detail::bounded_name(name + "a", 255, 24) != detail::bounded_name(name + "b", 255, 24));
}

TEST_CASE("parse_temp_name accepts our temps only", "[atomic]") {
  const std::string p = ".cfg~dd";
  CHECK(detail::parse_temp_name(".cfg~ddl123-0123abcd", p)->tag == 'l');
  CHECK(detail::parse_temp_name(".cfg~ddn1-ffffffff", p)->tag == 'n');
  CHECK(detail::parse_temp_name(".cfg~ddb77-00000000", p)->tag == 'b');
  CHECK_FALSE(detail::parse_temp_name(".cfg~ddx123-0123abcd", p));
  CHECK_FALSE(detail::parse_temp_name(".cfg~ddl123-0123abc", p));
  CHECK_FALSE(detail::parse_temp_name(".cfg~ddl-0123abcd", p));
  CHECK_FALSE(detail::parse_temp_name(".cfg~ddl12a-0123abcd", p));
  CHECK_FALSE(detail::parse_temp_name(".cfg~ddl123-0123abcdx", p));
  CHECK_FALSE(detail::parse_temp_name(".other~ddl123-0123abcd", p));
  CHECK_FALSE(detail::parse_temp_name("cfg", p));
}

TEST_CASE("stale temps of dead writers are swept, a live writer's temp is kept", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "old");
  write_file(dir / ".cfg~ddl4242-0badf00d", "left by a killed writer");
  write_file(dir / ".cfg~ddn4242-0badf00d", "named, but too young to judge");
  write_file(dir / ".other~ddl4242-0badf00d", "another target's");
  write_file(dir / ".cfg~ddl4243-00000001", "a live writer's");
  UniqueFd live(::open((dir / ".cfg~ddl4243-00000001").c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(::flock(live.get(), LOCK_EX) == 0);
  REQUIRE(replace(dir / "cfg", "new"));
  auto left = test::atomic_temps(dir.path());
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{".cfg~ddl4243-00000001", ".cfg~ddn4242-0badf00d",
                                         ".other~ddl4242-0badf00d"});
}

TEST_CASE("mode: the old file's, an explicit one, or 0666 & ~umask", "[atomic]") {
  TempDir dir;
  write_file(dir / "a", "old");
  ::chmod((dir / "a").c_str(), 0640);
  REQUIRE(replace(dir / "a", "new"));
  CHECK((stat_of(dir / "a").st_mode & 07777) == 0640);
  AtomicOptions o;
  o.mode = 0604;
  REQUIRE(replace(dir / "a", "new", o));
  CHECK((stat_of(dir / "a").st_mode & 07777) == 0604);
  const mode_t old = ::umask(027);
  auto fresh = replace(dir / "b", "new");
  ::umask(old);
  REQUIRE(fresh);
  CHECK((stat_of(dir / "b").st_mode & 07777) == 0640);
}

TEST_CASE("symlink policies", "[atomic]") {
  TempDir dir;
  fs::create_directory(dir / "real");
  write_file(dir / "real" / "cfg", "old");
  fs::create_symlink("real/cfg", dir / "link");
  REQUIRE(replace(dir / "link", "through"));
  CHECK(fs::is_symlink(dir / "link"));
  CHECK(read_file(dir / "real" / "cfg") == "through");
  AtomicOptions refuse;
  refuse.symlinks = SymlinkPolicy::refuse;
  auto refused = replace(dir / "link", "no", refuse);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == errc::symlink_refused);
  AtomicOptions repl;
  repl.symlinks = SymlinkPolicy::replace;
  REQUIRE(replace(dir / "link", "own file", repl));
  CHECK_FALSE(fs::is_symlink(dir / "link"));
  CHECK(read_file(dir / "real" / "cfg") == "through");
  // Both names of a followed link share one sidecar lock.
  fs::create_symlink("real/cfg", dir / "link2");
  CHECK(*sidecar_lock_path(dir / "link2") == *sidecar_lock_path(dir / "real" / "cfg"));
}

TEST_CASE("a symlink loop is refused with ELOOP", "[atomic]") {
  TempDir dir;
  fs::create_symlink("b", dir / "a");
  fs::create_symlink("a", dir / "b");
  auto r = AtomicFile::create(dir / "a");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::too_many_symbolic_link_levels);
}

TEST_CASE("hard links are refused unless broken on request", "[atomic]") {
  TempDir dir;
  write_file(dir / "a", "old");
  fs::create_hard_link(dir / "a", dir / "b");
  auto r = replace(dir / "a", "new");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::hard_link_refused);
  CHECK(read_file(dir / "a") == "old");
  AtomicOptions o;
  o.hard_links = HardLinkPolicy::break_links;
  REQUIRE(replace(dir / "a", "new", o));
  CHECK(read_file(dir / "a") == "new");
  CHECK(read_file(dir / "b") == "old");
}

TEST_CASE("a hard link made after create() is still refused at commit", "[atomic]") {
  TempDir dir;
  write_file(dir / "a", "old");
  auto f = AtomicFile::create(dir / "a");
  REQUIRE(f);
  REQUIRE(f->write("new"));
  fs::create_hard_link(dir / "a", dir / "b");
  auto r = f->commit();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::hard_link_refused);
  CHECK(read_file(dir / "a") == "old");
  CHECK(test::atomic_temps(dir.path()).empty());
}

TEST_CASE("empty output over a non-empty file is refused unless allowed", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "precious");
  AtomicOptions guard;
  guard.allow_empty = false;
  auto f = AtomicFile::create(dir / "cfg", guard);
  REQUIRE(f);
  auto pre = f->precheck();
  REQUIRE_FALSE(pre);
  CHECK(pre.error().code == errc::empty_output_refused);
  auto r = f->commit();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::empty_output_refused);
  CHECK(read_file(dir / "cfg") == "precious");
  REQUIRE(replace(dir / "new", "", guard));  // nothing to lose: a new file may be empty
  REQUIRE(replace(dir / "cfg", ""));         // allowed by default in the library
  CHECK(read_file(dir / "cfg").empty());
}

TEST_CASE("if_changed keeps inode and mtime for identical content", "[atomic]") {
  TempDir dir;
  const std::string big(200000, 'x');
  write_file(dir / "cfg", big);
  const auto before = stat_of(dir / "cfg");
  AtomicOptions o;
  o.if_changed = true;
  auto same = replace(dir / "cfg", big, o);
  REQUIRE(same);
  CHECK_FALSE(same->changed);
  const auto after = stat_of(dir / "cfg");
  CHECK(after.st_ino == before.st_ino);
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  auto differs = replace(dir / "cfg", big.substr(1) + "y", o);
  REQUIRE(differs);
  CHECK(differs->changed);
  CHECK(stat_of(dir / "cfg").st_ino != before.st_ino);
  CHECK(test::atomic_temps(dir.path()).empty());
}

TEST_CASE("backup keeps the previous version via a hard link", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "v1");
  const auto ino = stat_of(dir / "cfg").st_ino;
  AtomicOptions o;
  o.backup_suffix = ".bak";
  auto r = replace(dir / "cfg", "v2", o);
  REQUIRE(r);
  REQUIRE(r->backup);
  CHECK(*r->backup == dir / "cfg.bak");
  CHECK(read_file(dir / "cfg.bak") == "v1");
  CHECK(stat_of(dir / "cfg.bak").st_ino == ino);  // the old inode itself, not a copy
  REQUIRE(replace(dir / "cfg", "v3", o));
  CHECK(read_file(dir / "cfg.bak") == "v2");
  CHECK(test::atomic_temps(dir.path()).empty());
}

TEST_CASE("a stale fencing token refuses the commit", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "old");
  std::uint64_t first = 0;
  {
    auto lock = FileLock::acquire(dir / "cfg.lock", {});
    REQUIRE(lock);
    first = lock->token();
    (void)lock->release();
  }
  AtomicOptions o;
  o.fence = Fence{dir / "cfg.lock", first};
  REQUIRE(replace(dir / "cfg", "fresh", o));
  {
    auto again = FileLock::acquire(dir / "cfg.lock", {});
    REQUIRE(again);
    (void)again->release();
  }
  auto r = replace(dir / "cfg", "stale", o);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::fence_token_stale);
  CHECK(read_file(dir / "cfg") == "fresh");
  CHECK(test::atomic_temps(dir.path()).empty());
}

TEST_CASE("update_file computes the new content from the old under the sidecar lock",
          "[atomic]") {
  TempDir dir;
  int calls = 0;
  auto add_one = [&](const std::optional<std::string>& old) -> Result<std::string> {
    ++calls;
    return std::to_string((old ? std::stoi(*old) : 0) + 1);
  };
  REQUIRE(update_file(dir / "n", add_one));
  REQUIRE(update_file(dir / "n", add_one));
  CHECK(read_file(dir / "n") == "2");
  CHECK(calls == 2);
  CHECK(fs::exists(dir / ".n.lock"));
  auto failing = update_file(dir / "n", [](const std::optional<std::string>&) -> Result<std::string> {
    return make_error(errc::validation_failed, "no");
  });
  REQUIRE_FALSE(failing);
  CHECK(failing.error().code == errc::validation_failed);
  CHECK(read_file(dir / "n") == "2");
}

TEST_CASE("create fails cleanly on a missing directory and on a directory target", "[atomic]") {
  TempDir dir;
  auto missing = AtomicFile::create(dir / "nope" / "cfg");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == std::errc::no_such_file_or_directory);
  fs::create_directory(dir / "sub");
  auto isdir = AtomicFile::create(dir / "sub");
  REQUIRE_FALSE(isdir);
  CHECK(isdir.error().code == errc::not_a_regular_file);
  CHECK(test::atomic_temps(dir.path()).empty());
  CHECK(fs::is_empty(dir / "sub"));
}

TEST_CASE("atomic durability commits without fsync", "[atomic]") {
  TempDir dir;
  AtomicOptions o;
  o.durability = Durability::atomic;
  REQUIRE(replace(dir / "cfg", "fast", o));
  CHECK(read_file(dir / "cfg") == "fast");
}

TEST_CASE("a concurrent writer's named temp survives another writer's sweep", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "old");
  auto first = AtomicFile::create(dir / "cfg");
  REQUIRE(first);
  REQUIRE(first->write("first"));
  auto named = first->temp_path();  // e.g. a --check running on it
  REQUIRE(named);
  REQUIRE(replace(dir / "cfg", "second"));  // its create() sweeps
  CHECK(fs::exists(*named));
  REQUIRE(first->commit());
  CHECK(read_file(dir / "cfg") == "first");
}

TEST_CASE("backup: a refused commit keeps the older backup and a single link", "[atomic]") {
  TempDir dir;
  write_file(dir / "cfg", "v1");
  write_file(dir / "cfg~", "v0");
  AtomicOptions o;
  o.backup_suffix = "~";
  o.fence = Fence{dir / "lock", 12345};  // no such token: refused right before the rename
  auto r = replace(dir / "cfg", "v2", o);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::fence_token_stale);
  CHECK(read_file(dir / "cfg~") == "v0");
  CHECK(stat_of(dir / "cfg").st_nlink == 1);
  CHECK(test::atomic_temps(dir.path()).empty());
}

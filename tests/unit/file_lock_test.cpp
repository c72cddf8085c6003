#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "ddsafe/file_lock.hpp"
#include "support/child_process.hpp"
#include "support/event_recorder.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using namespace std::chrono_literals;
using test::ChildProcess;
using test::TempDir;

namespace {

LockOptions no_wait() {
  LockOptions o;
  o.timeout = 0ns;
  return o;
}

LockOptions wait_for(std::chrono::nanoseconds t) {
  LockOptions o;
  o.timeout = t;
  return o;
}

// A child that takes the lock, runs `setup`, signals readiness through a pipe, then runs `then`.
ChildProcess holder(const std::filesystem::path& p, LockOptions o,
                    const std::function<void(FileLock&)>& then = {},
                    const std::function<void(FileLock&)>& setup = {}) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ChildProcess child([&] {
    ::close(fds[0]);
    auto l = FileLock::acquire(p, o);
    if (!l || !l->held()) return 2;
    if (setup) setup(*l);
    (void)!::write(fds[1], "x", 1);
    ::close(fds[1]);
    if (then) then(*l);
    ::pause();
    return 0;
  });
  ::close(fds[1]);
  char c;
  REQUIRE(::read(fds[0], &c, 1) == 1);
  ::close(fds[0]);
  return child;
}

std::optional<OwnerRecord> record_of(const std::filesystem::path& p) {
  return parse_record(test::read_file(p));
}

}  // namespace

TEST_CASE("FileLock: acquire creates the lock file and writes the owner record", "[lock]") {
  TempDir dir;
  LockOptions o;
  o.command = "unit test";
  o.ttl = 5s;
  auto l = FileLock::acquire(dir / "a.lock", o);
  REQUIRE(l);
  CHECK(l->held());
  CHECK(l->token() > 0);
  const auto r = record_of(dir / "a.lock");
  REQUIRE(r);
  CHECK(r->state == "held");
  CHECK(r->mode == "exclusive");
  CHECK(r->owner.pid == ::getpid());
  CHECK(r->owner.boot_id == self_identity().boot_id);
  CHECK(r->token == l->token());
  CHECK(r->cmd == "unit test");
  CHECK(r->ttl_ms == 5000);
  REQUIRE(l->release());
  CHECK_FALSE(l->held());
  CHECK(record_of(dir / "a.lock")->state == "free");
  CHECK(std::filesystem::exists(dir / "a.lock"));  // lock files are never unlinked
}

TEST_CASE("FileLock: try_acquire reports lock_busy while another process holds it", "[lock]") {
  TempDir dir;
  auto h = holder(dir / "b.lock", {});
  auto l = FileLock::acquire(dir / "b.lock", no_wait());
  REQUIRE_FALSE(l);
  CHECK(l.error().code == errc::lock_busy);
  CHECK(l.error().message().find("pid " + std::to_string(h.pid())) != std::string::npos);
}

TEST_CASE("FileLock: a timed acquisition waits the whole timeout, then names the holder",
          "[lock]") {
  TempDir dir;
  LockOptions ho;
  ho.command = "the-holder-cmd";
  auto h = holder(dir / "c.lock", ho);
  test::EventRecorder events;
  auto o = wait_for(150ms);
  o.events = &events;
  const auto t0 = std::chrono::steady_clock::now();
  auto l = FileLock::acquire(dir / "c.lock", o);
  CHECK(std::chrono::steady_clock::now() - t0 >= 150ms);
  REQUIRE_FALSE(l);
  CHECK(l.error().code == errc::lock_timeout);
  CHECK(l.error().message().find("the-holder-cmd") != std::string::npos);
  REQUIRE(events.of("lock_timeout").size() == 1);
  CHECK(test::field<std::int64_t>(events.of("lock_timeout")[0], "holder_pid") == h.pid());
}

TEST_CASE("FileLock: fail-open returns a lock that is not held and journals lock_fail_open",
          "[lock]") {
  TempDir dir;
  auto h = holder(dir / "d.lock", {});
  test::EventRecorder events;
  auto o = wait_for(50ms);
  o.on_timeout = TimeoutPolicy::fail_open;
  o.events = &events;
  auto l = FileLock::acquire(dir / "d.lock", o);
  REQUIRE(l);
  CHECK_FALSE(l->held());
  CHECK(l->token() == 0);
  const auto ev = events.of("lock_fail_open");
  REQUIRE(ev.size() == 1);
  CHECK(test::field<std::string>(ev[0], "path") == (dir / "d.lock").string());
  CHECK(test::field<std::int64_t>(ev[0], "holder_pid") == h.pid());
  CHECK(test::field<std::int64_t>(ev[0], "waited_ms") >= 50);
  CHECK(events.of("lock_timeout").empty());
}

TEST_CASE("FileLock: a waiter acquires as soon as the holder dies", "[lock]") {
  TempDir dir;
  auto h = holder(dir / "e.lock", {});
  h.kill(SIGKILL);
  auto l = FileLock::acquire(dir / "e.lock", wait_for(10s));
  REQUIRE(l);
  CHECK(l->held());
}

TEST_CASE("FileLock: shared holders coexist and keep exclusive lockers out", "[lock]") {
  TempDir dir;
  LockOptions shared;
  shared.mode = LockMode::shared;
  auto h = holder(dir / "f.lock", shared);
  shared.timeout = 0ns;
  auto s = FileLock::acquire(dir / "f.lock", shared);
  REQUIRE(s);
  CHECK(s->held());
  ChildProcess exclusive([&] {
    auto x = FileLock::acquire(dir / "f.lock", no_wait());
    return !x && x.error().code == errc::lock_busy ? 0 : 1;
  });
  CHECK(exclusive.exit_code() == 0);
}

TEST_CASE("FileLock: tokens strictly increase over acquisitions", "[lock]") {
  TempDir dir;
  std::uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    auto l = FileLock::acquire(dir / "g.lock", {});
    REQUIRE(l);
    CHECK(l->token() > last);
    last = l->token();
  }
}

TEST_CASE("FileLock: locking a file twice in one process fails at once with lock_held_by_self",
          "[lock]") {
  TempDir dir;
  auto first = FileLock::acquire(dir / "h.lock", {});
  REQUIRE(first);
  auto second = FileLock::acquire(dir / "h.lock", {});  // no timeout: would deadlock
  REQUIRE_FALSE(second);
  CHECK(second.error().code == errc::lock_held_by_self);
  // The same inode through another name is the same lock.
  REQUIRE(::link((dir / "h.lock").c_str(), (dir / "h2.lock").c_str()) == 0);
  auto third = FileLock::acquire(dir / "h2.lock", {});
  REQUIRE_FALSE(third);
  CHECK(third.error().code == errc::lock_held_by_self);
  REQUIRE(first->release());
  CHECK(FileLock::acquire(dir / "h.lock", {}));
}

TEST_CASE("FileLock: a symlink at the lock path is refused and its target left alone",
          "[lock][bad-input]") {
  TempDir dir;
  std::filesystem::create_symlink(dir / "target", dir / "link.lock");
  auto l = FileLock::acquire(dir / "link.lock", {});
  REQUIRE_FALSE(l);
  CHECK(l.error().code == errc::symlink_refused);
  CHECK(l.error().message().find("link.lock") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "target"));
}

TEST_CASE("FileLock: a directory or FIFO at the lock path is refused", "[lock][bad-input]") {
  TempDir dir;
  std::filesystem::create_directory(dir / "d.lock");
  auto l = FileLock::acquire(dir / "d.lock", {});
  REQUIRE_FALSE(l);
  CHECK(l.error().code == errc::not_a_regular_file);
  REQUIRE(::mkfifo((dir / "p.lock").c_str(), 0600) == 0);
  auto p = FileLock::acquire(dir / "p.lock", {});
  REQUIRE_FALSE(p);
  CHECK(p.error().code == errc::not_a_regular_file);
}

TEST_CASE("FileLock: a missing parent directory is an error and nothing is created",
          "[lock][bad-input]") {
  TempDir dir;
  auto l = FileLock::acquire(dir / "no" / "such" / "x.lock", {});
  REQUIRE_FALSE(l);
  CHECK(l.error().code == std::errc::no_such_file_or_directory);
  CHECK(l.error().message().find("must exist") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "no"));
}

TEST_CASE("FileLock: no permission gives EACCES naming the path", "[lock][bad-input]") {
  TempDir dir;
  std::filesystem::create_directory(dir / "closed");
  ::chmod((dir / "closed").c_str(), 0700);
  ::chmod(dir.path().c_str(), 0755);
  ChildProcess other([&] {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) return 3;  // root needs another identity
    auto l = FileLock::acquire(dir / "closed" / "x.lock", {});
    if (l) return 1;
    return l.error().code == std::errc::permission_denied ? 0 : 2;
  });
  const auto rc = other.exit_code();
  if (::getuid() != 0) SUCCEED("not root: cannot switch user; covered by the CLI suite");
  else CHECK(rc == 0);
}

TEST_CASE("FileLock: a read-only filesystem gives EROFS and creates nothing", "[lock][bad-input]") {
  TempDir dir;
  ChildProcess ro([&] {
    if (::unshare(CLONE_NEWNS) != 0) return 4;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 4;
    if (::mount("none", dir.path().c_str(), "tmpfs", MS_RDONLY, nullptr) != 0) return 4;
    auto l = FileLock::acquire(dir / "x.lock", {});
    if (l) return 1;
    return l.error().code == std::errc::read_only_file_system ? 0 : 2;
  });
  const auto rc = ro.exit_code();
  if (rc == 4) SUCCEED("no mount namespace here (not root)");
  else CHECK(rc == 0);
}

TEST_CASE("FileLock: a garbage owner record is tolerated and overwritten", "[lock][bad-input]") {
  TempDir dir;
  std::string junk = "\x00\xff{{{\"token\":\n";
  junk += std::string(5000, '\x7f');
  test::write_file(dir / "j.lock", junk);
  auto l = FileLock::acquire(dir / "j.lock", {});
  REQUIRE(l);
  CHECK(l->token() > 0);
  const auto r = record_of(dir / "j.lock");
  REQUIRE(r);
  CHECK(r->token == l->token());
  auto st = lock_status(dir / "j.lock");
  REQUIRE(st);
  CHECK(st->held);
}

TEST_CASE("FileLock: negative timeouts and ttls are invalid arguments", "[lock][bad-input]") {
  TempDir dir;
  auto o = wait_for(-1ns);
  CHECK(FileLock::acquire(dir / "k.lock", o).error().code == errc::invalid_argument);
  LockOptions t;
  t.ttl = -1ms;
  CHECK(FileLock::acquire(dir / "k.lock", t).error().code == errc::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir / "k.lock"));
}

TEST_CASE("FileLock: a waiter notices within one poll that its lock file was replaced",
          "[lock]") {
  TempDir dir;
  auto h = holder(dir / "m.lock", {});  // holds the old inode forever
  // Replace the path with a fresh, unlocked file while a waiter waits on the old inode.
  ChildProcess replacer([&] {
    ::usleep(100000);
    test::write_file(dir / "m.new", "");
    return ::rename((dir / "m.new").c_str(), (dir / "m.lock").c_str()) == 0 ? 0 : 1;
  });
  auto l = FileLock::acquire(dir / "m.lock", wait_for(5s));
  REQUIRE(l);
  CHECK(l->held());
  CHECK(l->waited() < 1000ms);
  CHECK(replacer.exit_code() == 0);
}

TEST_CASE("FileLock: an owner that died while its fd lives on in a child is broken as stale",
          "[lock][stale]") {
  TempDir dir;
  const auto p = dir / "n.lock";
  std::uint64_t old_token = 0;
  int ready[2];
  int release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  {
    // The owner takes the lock, forks an heir that inherits the locked descriptor, and dies.
    ChildProcess owner([&] {
      auto l = FileLock::acquire(p, {});
      if (!l) return 2;
      if (::fork() == 0) {
        ::close(ready[0]);
        ::close(release[1]);
        (void)!::write(ready[1], "x", 1);
        char c;
        (void)!::read(release[0], &c, 1);  // the orphan keeps the flock until the test ends
        ::_exit(0);
      }
      ::_exit(0);  // dies without releasing
    });
    REQUIRE(owner.exit_code() == 0);
    ::close(ready[1]);
    ::close(release[0]);
    char c;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    old_token = record_of(p)->token;
  }
  auto busy = FileLock::acquire(p, [] { auto o = no_wait(); o.break_dead_owner = false; return o; }());
  REQUIRE_FALSE(busy);  // the orphan really holds it
  test::EventRecorder events;
  auto o = wait_for(2s);
  o.events = &events;
  auto l = FileLock::acquire(p, o);
  REQUIRE(l);
  CHECK(l->broke_stale());
  CHECK(l->token() > old_token + 1);
  const auto ev = events.of("lock_stale_break");
  REQUIRE(ev.size() == 1);
  CHECK(test::field<std::string>(ev[0], "reason") == "owner_dead");
  CHECK(test::field<std::int64_t>(ev[0], "new_token") == static_cast<std::int64_t>(old_token + 1));
  ::close(release[1]);  // lets the orphan go
}

TEST_CASE("FileLock: an expired lease is broken only with break_expired, and the old holder is "
          "fenced", "[lock][stale]") {
  TempDir dir;
  const auto p = dir / "q.lock";
  LockOptions ho;
  ho.ttl = 50ms;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  // The holder waits for a go, then reports whether renew() says its lock was lost.
  auto h = holder(p, ho, [&](FileLock& l) {
    char c;
    (void)!::read(fds[0], &c, 1);
    auto r = l.renew();
    ::_exit(!r && r.error().code == errc::lock_lost ? 0 : 1);
  });
  ::usleep(100000);  // the lease (50 ms) has run out; the holder never renewed
  auto no_break = FileLock::acquire(p, no_wait());
  REQUIRE_FALSE(no_break);
  CHECK(no_break.error().code == errc::lock_busy);
  test::EventRecorder events;
  auto o = wait_for(2s);
  o.break_expired = true;
  o.events = &events;
  auto l = FileLock::acquire(p, o);
  REQUIRE(l);
  CHECK(l->broke_stale());
  REQUIRE(events.of("lock_stale_break").size() == 1);
  CHECK(test::field<std::string>(events.of("lock_stale_break")[0], "reason") == "lease_expired");
  REQUIRE(::write(fds[1], "g", 1) == 1);
  CHECK(h.exit_code() == 0);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("FileLock: renew keeps a lease alive so break_expired callers keep out", "[lock]") {
  TempDir dir;
  LockOptions o;
  o.ttl = 200ms;
  auto l = FileLock::acquire(dir / "r.lock", o);
  REQUIRE(l);
  for (int i = 0; i < 5; ++i) {
    ::usleep(60000);
    REQUIRE(l->renew());
  }
  ChildProcess breaker([&] {
    auto b = wait_for(0ns);
    b.break_expired = true;
    auto x = FileLock::acquire(dir / "r.lock", b);
    return !x && x.error().code == errc::lock_busy ? 0 : 1;
  });
  CHECK(breaker.exit_code() == 0);
  CHECK(l->verify());
}

TEST_CASE("FileLock: a holder whose liveness is unknown is never broken", "[lock][stale]") {
  TempDir dir;
  const auto p = dir / "s.lock";
  auto h = holder(p, {}, {}, [&](FileLock&) {
    // Pretend the record was written by a process of another host with a dead-looking pid.
    auto r = *parse_record(test::read_file(p));
    r.owner.host = "another-host";
    r.owner.pid = 999999;
    test::write_file(p, format_record(r));
  });
  REQUIRE(record_of(p)->owner.host == "another-host");
  auto l = FileLock::acquire(p, wait_for(100ms));
  REQUIRE_FALSE(l);
  CHECK(l.error().code == errc::lock_timeout);
}

TEST_CASE("FileLock: a forked child dropping its copy does not unlock the parent", "[lock]") {
  TempDir dir;
  auto l = FileLock::acquire(dir / "t.lock", {});
  REQUIRE(l);
  ChildProcess child([&] {
    (void)l->release();  // the child's copy: must leave the parent's lock alone
    return 0;
  });
  REQUIRE(child.exit_code() == 0);
  ChildProcess probe([&] {
    auto x = FileLock::acquire(dir / "t.lock", no_wait());
    return !x && x.error().code == errc::lock_busy ? 0 : 1;
  });
  CHECK(probe.exit_code() == 0);
}

TEST_CASE("lock_status: reports free, held with owner and lease, without creating anything",
          "[lock][status]") {
  TempDir dir;
  auto none = lock_status(dir / "u.lock");
  REQUIRE(none);
  CHECK_FALSE(none->exists);
  CHECK_FALSE(none->held);
  CHECK_FALSE(std::filesystem::exists(dir / "u.lock"));
  LockOptions o;
  o.ttl = 10s;
  auto h = holder(dir / "u.lock", o);
  auto st = lock_status(dir / "u.lock");
  REQUIRE(st);
  CHECK(st->held);
  CHECK(st->holders == 1);
  REQUIRE(st->record);
  CHECK(st->record->owner.pid == h.pid());
  CHECK(st->owner == Liveness::alive);
  REQUIRE(st->lease_left);
  CHECK(st->lease_left->count() > 9000);
  auto bad = lock_status(dir / "nodir" / "u.lock");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == std::errc::no_such_file_or_directory);
}

TEST_CASE("lock_fd: locks an inherited descriptor, honours timeouts, unlocks", "[lock][fd]") {
  TempDir dir;
  const auto p = dir / "v.lock";
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);  // like `exec 9>f`
  REQUIRE(fd >= 0);
  auto got = lock_fd(fd, {});
  REQUIRE(got);
  CHECK(got->held);
  CHECK(got->token > 0);
  // The test's own parent (ctest) does not share this descriptor: no provable owner, so the
  // record can never be judged owner-dead.
  CHECK(record_of(p)->owner.start_time == 0);
  ChildProcess other([&] {
    const int fd2 = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    auto x = lock_fd(fd2, wait_for(50ms));
    return !x && x.error().code == errc::lock_timeout ? 0 : 1;
  });
  CHECK(other.exit_code() == 0);
  REQUIRE(unlock_fd(fd));
  ChildProcess after([&] {
    const int fd2 = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    auto x = lock_fd(fd2, no_wait());
    return x && x->held ? 0 : 1;
  });
  CHECK(after.exit_code() == 0);
  ::close(fd);
  auto bad = lock_fd(12345, {});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == std::errc::bad_file_descriptor);
}

TEST_CASE("FileLock: a child forked while a lock file is idle does not keep a later lock alive",
          "[lock][fork]") {
  TempDir dir;
  const auto p = dir / "w.lock";
  int ready[2];
  int worker_pid[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(worker_pid) == 0);
  // The app releases a lock (its file stays open, idle), forks a worker that never calls
  // ddsafe, locks again through the idle file, and is killed. The worker must not hold the lock.
  ChildProcess app([&] {
    {
      auto l = FileLock::acquire(p, {});
      if (!l) return 2;
      (void)l->release();
    }
    const pid_t worker = ::fork();
    if (worker == 0) {
      ::sleep(20);
      ::_exit(0);
    }
    (void)!::write(worker_pid[1], &worker, sizeof worker);
    auto again = FileLock::acquire(p, {});
    if (!again) return 3;
    (void)!::write(ready[1], "x", 1);
    ::pause();
    return 0;
  });
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  pid_t worker = 0;
  REQUIRE(::read(worker_pid[0], &worker, sizeof worker) == sizeof worker);
  app.kill(SIGKILL);
  REQUIRE(app.wait());
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  CHECK(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  ::close(fd);
  ::kill(worker, SIGKILL);
  for (int fdv : {ready[0], ready[1], worker_pid[0], worker_pid[1]}) ::close(fdv);
}

namespace {

// Takes the guard of a lock file the way a breaker does; released at scope exit.
class GuardHolder {
 public:
  explicit GuardHolder(const std::filesystem::path& p) : fd_(::open(p.c_str(), O_RDWR | O_CLOEXEC)) {
    REQUIRE(fd_ >= 0);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = kGuardByte;
    fl.l_len = 1;
    REQUIRE(::fcntl(fd_, F_OFD_SETLK, &fl) == 0);
  }
  ~GuardHolder() { ::close(fd_); }
  GuardHolder(const GuardHolder&) = delete;
  GuardHolder& operator=(const GuardHolder&) = delete;

 private:
  int fd_;
};

// Whether a byte arrives on `fd` within `ms`.
bool readable_within(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

// Leaves a "held" record of a dead owner in `p`, with the flock free (the holder crashed).
void crashed_holder(const std::filesystem::path& p) {
  ChildProcess crashed([&]() -> int {
    auto l = FileLock::acquire(p, {});
    ::_exit(l ? 0 : 1);  // no release: the kernel drops the flock, the record stays "held"
  });
  REQUIRE(crashed.exit_code() == 0);
  REQUIRE(record_of(p)->state == "held");
}

}  // namespace

TEST_CASE("FileLock: an idle lock file that was replaced meanwhile is noticed after flock",
          "[lock][idle]") {
  TempDir dir;
  const auto p = dir / "x.lock";
  {
    auto l = FileLock::acquire(p, {});  // released below: its file stays open, idle
    REQUIRE(l);
  }
  test::write_file(dir / "x.new", "");
  REQUIRE(::rename((dir / "x.new").c_str(), p.c_str()) == 0);
  auto h = holder(p, {});  // holds the file now at the path
  // The idle descriptor still names the old inode, whose flock is free: locking it must not
  // count; the path is checked after flock, and the real file is busy.
  auto l = FileLock::acquire(p, no_wait());
  REQUIRE_FALSE(l);
  CHECK(l.error().code == errc::lock_busy);
}

TEST_CASE("FileLock: after a crashed holder, an acquirer waits while a breaker holds the guard",
          "[lock][guard]") {
  TempDir dir;
  const auto p = dir / "y.lock";
  crashed_holder(p);
  int got[2];
  int go[2];
  REQUIRE(::pipe(got) == 0);
  REQUIRE(::pipe(go) == 0);
  // Forked before the guard is taken: a child that inherited the guard's open file description
  // would hold the guard itself.
  ChildProcess acquirer([&] {
    char c;
    if (::read(go[0], &c, 1) != 1) return 2;
    auto l = FileLock::acquire(p, wait_for(10s));
    if (!l || !l->held()) return 1;
    (void)!::write(got[1], "x", 1);
    return 0;
  });
  std::optional<GuardHolder> breaker(std::in_place, p);
  REQUIRE(::write(go[1], "g", 1) == 1);
  // The record it found says "held": it must not write its own while a breaker may be at work.
  CHECK_FALSE(readable_within(got[0], 300));
  breaker.reset();
  CHECK(readable_within(got[0], 10000));
  CHECK(acquirer.exit_code() == 0);
  for (int fd : {got[0], got[1], go[0], go[1]}) ::close(fd);
}

TEST_CASE("FileLock: a timed acquisition times out while a stopped breaker holds the guard",
          "[lock][guard]") {
  TempDir dir;
  const auto p = dir / "z.lock";
  crashed_holder(p);
  GuardHolder breaker(p);
  const auto t0 = std::chrono::steady_clock::now();
  auto l = FileLock::acquire(p, wait_for(200ms));
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(l);
  CHECK(l.error().code == errc::lock_timeout);
  CHECK(took < 2s);
}

TEST_CASE("FileLock: a lease holder leaves its record held if a breaker holds the guard",
          "[lock][guard]") {
  TempDir dir;
  const auto p = dir / "v.lock";
  int go[2];
  REQUIRE(::pipe(go) == 0);
  LockOptions o;
  o.ttl = 10s;
  auto h = holder(p, o, [&](FileLock& l) {
    char c;
    (void)!::read(go[0], &c, 1);
    (void)l.release();  // cannot get the guard within its 1 s: must not mark the record free
    ::_exit(0);
  });
  {
    GuardHolder breaker(p);
    REQUIRE(::write(go[1], "g", 1) == 1);
    REQUIRE(h.exit_code() == 0);
    CHECK(record_of(p)->state == "held");
  }
  ::close(go[0]);
  ::close(go[1]);
}

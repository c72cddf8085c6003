#include <sys/syscall.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "ddsafe/process.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;

TEST_CASE("self_identity: pid, start time, pid namespace, boot id and host are known",
          "[process]") {
  const auto& me = self_identity();
  CHECK(me.pid == ::getpid());
  CHECK(me.start_time > 0);
  CHECK(me.pidns > 0);
  CHECK(me.boot_id.size() == 36);
  CHECK_FALSE(me.host.empty());
  CHECK(liveness_of(me) == Liveness::alive);
}

TEST_CASE("self_identity: a forked child sees its own pid, not its parent's", "[process]") {
  const auto parent = self_identity().pid;
  test::ChildProcess child([parent] { return self_identity().pid != parent && self_identity().pid == ::getpid() ? 0 : 1; });
  CHECK(child.exit_code() == 0);
}

TEST_CASE("liveness_of: an exited process is dead, a zombie is dead, a reused pid is dead",
          "[process]") {
  auto me = self_identity();
  test::ChildProcess child([] {
    ::pause();
    return 0;
  });
  auto who = me;
  who.pid = child.pid();
  REQUIRE(test::eventually([&] { return identity_of(child.pid()).start_time != 0; }));
  who.start_time = identity_of(child.pid()).start_time;
  CHECK(liveness_of(who) == Liveness::alive);
  auto reused = who;
  reused.start_time += 1;  // same pid, another process
  CHECK(liveness_of(reused) == Liveness::dead);
  child.kill(SIGKILL);
  // Not reaped yet: a zombie, which holds no descriptors any more.
  REQUIRE(test::eventually([&] { return liveness_of(who) == Liveness::dead; }));
  REQUIRE(child.wait());
  CHECK(liveness_of(who) == Liveness::dead);
}

TEST_CASE("liveness_of: another host, boot or pid namespace is unknown, never dead",
          "[process]") {
  auto who = self_identity();
  who.pid = 999999;  // surely not running
  who.host = "elsewhere";
  CHECK(liveness_of(who) == Liveness::unknown);
  who = self_identity();
  who.pid = 999999;
  who.boot_id = "00000000-0000-0000-0000-000000000000";
  CHECK(liveness_of(who) == Liveness::unknown);
  who = self_identity();
  who.pid = 999999;
  who.pidns += 1;
  CHECK(liveness_of(who) == Liveness::unknown);
  who = self_identity();
  who.pid = 999999;
  CHECK(liveness_of(who) == Liveness::dead);
}

TEST_CASE("liveness_of: a process whose main thread exited while another thread runs is alive",
          "[process]") {
  int ready[2];
  int release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  test::ChildProcess child([&]() -> int {
    ::close(release[1]);  // so that the parent's close is the worker's end of file
    std::thread worker([&] {
      char c;
      (void)!::read(release[0], &c, 1);
    });
    worker.detach();
    (void)!::write(ready[1], "x", 1);
    ::syscall(SYS_exit, 0);  // ends the main thread only: the leader shows 'Z' in /proc/PID/stat
    return 0;                // not reached
  });
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  auto who = self_identity();
  who.pid = child.pid();
  who.start_time = identity_of(child.pid()).start_time;
  REQUIRE(test::eventually([&] {
    const auto stat = test::read_file("/proc/" + std::to_string(child.pid()) + "/stat");
    return stat.find(") Z ") != std::string::npos;
  }));
  CHECK(liveness_of(who) == Liveness::alive);
  ::close(release[1]);  // the worker returns, the process exits
  REQUIRE(child.wait());
  CHECK(liveness_of(who) == Liveness::dead);
  for (int fd : {ready[0], ready[1], release[0]}) ::close(fd);
}

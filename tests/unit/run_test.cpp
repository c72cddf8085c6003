#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "ddsafe/run.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using namespace ddsafe;
using namespace std::chrono_literals;

namespace {
RunRequest request(std::vector<std::string> argv,
                   std::vector<std::pair<std::string, std::string>> env = {}) {
  RunRequest r;
  r.argv = std::move(argv);
  r.env = std::move(env);
  return r;
}

// Gone, or a zombie waiting for a reaper: either way it runs no more.
bool stopped_running(pid_t pid) {
  const auto stat = test::read_file("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return true;
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

// run_child changes the signal mask and subreaper state: run it in a child of the test.
int in_child(const std::function<int()>& body) {
  test::ChildProcess c(body);
  return c.exit_code().value_or(-100);
}
}  // namespace

TEST_CASE("run_child: passes the exit status through, and 128+signal when killed", "[run]") {
  CHECK(in_child([] {
          auto r = run_child(request({"sh", "-c", "exit 3"}));
          return r ? r->status : 99;
        }) == 3);
  CHECK(in_child([] {
          auto r = run_child(request({"sh", "-c", "kill -TERM $$"}));
          return r ? r->status - 128 : 99;
        }) == SIGTERM);
}

TEST_CASE("run_child: a missing command is 127, a non-executable one 126", "[run]") {
  test::TempDir dir;
  test::write_file(dir / "noexec", "#!/bin/sh\n");
  CHECK(in_child([] {
          auto r = run_child(request({"/no/such/command"}));
          return r && r->exec_errno == ENOENT ? r->status : 99;
        }) == 127);
  CHECK(in_child([&] {
          auto r = run_child(request({(dir / "noexec").string()}));
          return r && r->exec_errno == EACCES ? r->status : 99;
        }) == 126);
}

TEST_CASE("run_child: sets the requested environment only in the child", "[run]") {
  CHECK(in_child([] {
          ::setenv("DD_OUTER", "kept", 1);
          auto r = run_child(request({"sh", "-c", "[ \"$DD_X\" = 1 ] && [ \"$DD_OUTER\" = kept ]"},
                                           {{"DD_X", "1"}}));
          return r && std::getenv("DD_X") == nullptr ? r->status : 99;
        }) == 0);
}

TEST_CASE("run_child: on_tick returning false stops the child with TERM", "[run]") {
  CHECK(in_child([] {
          int ticks = 0;
          RunRequest req = request({"sleep", "30"});
          req.tick = 10ms;
          req.on_tick = [&] { return ++ticks < 3; };
          auto r = run_child(req);
          return r && r->stopped ? r->status - 128 : 99;
        }) == SIGTERM);
}

TEST_CASE("run_child: forwards TERM sent to the runner to the child", "[run]") {
  test::TempDir dir;
  const auto mark = dir / "started";
  test::ChildProcess runner([&] {
    auto r = run_child(request({"sh", "-c", "touch '" + mark.string() + "'; sleep 30"}));
    return r ? r->status - 128 : 99;
  });
  REQUIRE(test::eventually([&] { return std::filesystem::exists(mark); }));
  runner.kill(SIGTERM);
  CHECK(runner.exit_code() == SIGTERM);
}

TEST_CASE("run_child: background processes left by the command are terminated", "[run]") {
  test::TempDir dir;
  const auto pidfile = dir / "bg.pid";
  CHECK(in_child([&] {
          auto r = run_child(request({"sh", "-c", "sleep 30 & echo $! > '" + pidfile.string() + "'"}));
          return r ? static_cast<int>(r->leftovers.size()) : 99;
        }) == 1);
  const auto pid = std::stoi(test::read_file(pidfile));
  CHECK(test::eventually([&] { return stopped_running(pid); }, 5s));
}

TEST_CASE("run_child: the child dies with its runner (PR_SET_PDEATHSIG)", "[run]") {
  test::TempDir dir;
  const auto pidfile = dir / "child.pid";
  test::ChildProcess runner([&] {
    auto r = run_child(request({"sh", "-c", "echo $$ > '" + pidfile.string() + "'; exec sleep 30"}));
    return r ? 0 : 99;
  });
  REQUIRE(test::eventually([&] { return !test::read_file(pidfile).empty(); }));
  const auto pid = std::stoi(test::read_file(pidfile));
  runner.kill(SIGKILL);
  REQUIRE(runner.wait());
  CHECK(test::eventually([&] { return stopped_running(pid); }, 5s));
}

TEST_CASE("run_child: keep_fds reach the child, other O_CLOEXEC descriptors do not", "[run]") {
  test::TempDir dir;
  CHECK(in_child([&] {
          const int kept = ::open((dir / "kept").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
          const int other = ::open((dir / "other").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
          auto req = request({"sh", "-c", fmt::format("echo kept >&{} && ! (echo x >&{}) 2>/dev/null",
                                                      kept, other)});
          req.keep_fds = {kept};
          auto r = run_child(req);
          // The caller's copy keeps its flag.
          const bool still_cloexec = (::fcntl(kept, F_GETFD) & FD_CLOEXEC) != 0;
          return r && still_cloexec ? r->status : 99;
        }) == 0);
  CHECK(test::read_file(dir / "kept") == "kept\n");
}

TEST_CASE("run_child: a cgroup that cannot be joined stops the exec and is named", "[run]") {
  test::TempDir dir;
  CHECK(in_child([&] {
          auto req = request({"sh", "-c", "echo ran > ran"});
          req.join_cgroups = {(dir / "no-such-cgroup" / "cgroup.procs").string()};
          auto r = run_child(req);
          const bool named = r && r->failed_step.find("no-such-cgroup") != std::string::npos;
          return r && named && r->exec_errno == ENOENT ? r->status : 99;
        }) == 126);
  CHECK_FALSE(std::filesystem::exists(dir / "ran"));
}

TEST_CASE("run_child: the child is in the joined cgroup from its first instruction", "[run]") {
  const std::filesystem::path pids = "/sys/fs/cgroup/pids";
  if (::geteuid() != 0 || !std::filesystem::exists(pids / "cgroup.procs"))
  {
    WARN("skipped: needs root and a cgroup v1 pids hierarchy");
    return;
  }
  const auto cg = pids / fmt::format("ddsafe-unit-{}", ::getpid());
  REQUIRE(::mkdir(cg.c_str(), 0755) == 0);
  test::TempDir dir;
  CHECK(in_child([&] {
          auto req = request({"sh", "-c", "cat /proc/self/cgroup > cgroups"});
          req.join_cgroups = {(cg / "cgroup.procs").string()};
          if (::chdir(dir.path().c_str()) != 0) return 98;
          auto r = run_child(req);
          return r ? r->status : 99;
        }) == 0);
  CHECK(test::read_file(dir / "cgroups").find(fmt::format("pids:/ddsafe-unit-{}", ::getpid())) !=
        std::string::npos);
  CHECK(::rmdir(cg.c_str()) == 0);
}

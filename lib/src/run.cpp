#include "ddsafe/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <algorithm>
#include <optional>
#include <string_view>
#include <thread>

#include "ddsafe/unique_fd.hpp"

namespace ddsafe {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// The signals to forward: those the caller does not ignore. An ignored one (nohup, a
// background job's INT) stays ignored, and the child inherits SIG_IGN through exec.
sigset_t forwarded_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) {
    struct sigaction now{};
    if (::sigaction(s, nullptr, &now) == 0 && now.sa_handler == SIG_IGN) continue;
    sigaddset(&set, s);
  }
  sigaddset(&set, SIGCHLD);
  return set;
}

int status_of(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 128;
}

// What the vfork child needs, all prepared before vfork (the child must not allocate).
struct ChildSetup {
  char* const* argv;
  char* const* envp;
  const sigset_t* old_mask;
  pid_t parent;
  int err_pipe;
  int stdout_fd;
  const int* keep_fds;
  std::size_t keep_count;
  const char* const* cgroups;
  std::size_t cgroup_count;
};

// Steps the child reports a failure of, with errno: kStepExec, kStepStdout, or kStepCgroup + i.
constexpr int kStepExec = 0;
constexpr int kStepStdout = 1;
constexpr int kStepCgroup = 2;

[[noreturn]] void child_fail(int err_pipe, int step) {
  const int msg[2] = {step, errno};
  (void)!::write(err_pipe, msg, sizeof msg);
  ::_exit(127);
}

// In the vfork child, between vfork and exec: it shares the parent's memory, so only system
// calls that change nothing but the child itself. Signal dispositions need no reset: forwarding
// works with a blocked mask and signalfd, never with handlers.
[[noreturn]] void exec_child(const ChildSetup& c) {
  (void)::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died before prctl took effect; then nobody holds the lock for us.
  if (::getppid() != c.parent) ::_exit(127);
  // dup2 leaves the copy without O_CLOEXEC, so the command inherits it as its stdout.
  if (c.stdout_fd >= 0 && c.stdout_fd != STDOUT_FILENO && ::dup2(c.stdout_fd, STDOUT_FILENO) < 0)
    child_fail(c.err_pipe, kStepStdout);
  for (std::size_t i = 0; i < c.keep_count; ++i) (void)::fcntl(c.keep_fds[i], F_SETFD, 0);
  for (std::size_t i = 0; i < c.cgroup_count; ++i) {
    const int fd = ::open(c.cgroups[i], O_WRONLY | O_CLOEXEC);
    // "0" names the writer itself.
    if (fd < 0 || ::write(fd, "0", 1) != 1) child_fail(c.err_pipe, kStepCgroup + static_cast<int>(i));
    ::close(fd);
  }
  ::sigprocmask(SIG_SETMASK, c.old_mask, nullptr);
  ::execvpe(c.argv[0], c.argv, c.envp);
  child_fail(c.err_pipe, kStepExec);
}

// This process's environment with `overrides` set, as KEY=VALUE strings for execve.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const auto key = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || o.first == key;
    if (!replaced) env.emplace_back(kv);
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

// vfork, kept apart in a small function so that no local of the supervising function lives
// across the double return. No copy of the page tables for a child that execs at once (as
// posix_spawn does).
[[gnu::noinline]] pid_t spawn(ChildSetup& setup) {
  setup.parent = ::getpid();
  const pid_t child = ::vfork();
  if (child == 0) exec_child(setup);
  return child;
}

std::vector<pid_t> live_children() {
  std::vector<pid_t> out;
  auto text = read_small_file("/proc/self/task/" + std::to_string(::getpid()) + "/children",
                              std::size_t{1} << 20);
  if (!text) return out;
  std::istringstream in(*text);
  pid_t pid;
  while (in >> pid) out.push_back(pid);
  return out;
}

void reap_zombies() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// Terminates descendants that outlived the command (they were reparented to us, the
// subreaper): SIGTERM, then SIGKILL to whatever is left after the grace period.
std::vector<pid_t> terminate_leftovers(std::chrono::milliseconds grace) {
  reap_zombies();
  // ECHILD: no child at all, reparented orphans included; the usual case needs no /proc read.
  if (::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD) return {};
  auto found = live_children();
  if (found.empty()) return found;
  for (pid_t p : found) (void)::kill(p, SIGTERM);
  const auto until = Clock::now() + grace;
  for (;;) {
    reap_zombies();
    auto left = live_children();
    if (left.empty()) break;
    if (Clock::now() >= until) {
      for (pid_t p : left) (void)::kill(p, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // Descendants of descendants come back to us as their parents die; keep reaping.
    for (pid_t p : left) found.push_back(p);
    if (Clock::now() >= until + grace) break;
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

}  // namespace

Result<RunOutcome> run_child(const RunRequest& req) {
  if (req.argv.empty()) return make_error(errc::invalid_argument, "empty command");
  std::vector<std::string> args = req.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
  const sigset_t set = forwarded_set();
  sigset_t old_mask;
  ::sigprocmask(SIG_BLOCK, &set, &old_mask);
  struct MaskRestore {
    sigset_t mask;
    ~MaskRestore() { ::sigprocmask(SIG_SETMASK, &mask, nullptr); }
  } restore{old_mask};

  UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd) return sys_error("signalfd", "");
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return sys_error("pipe", "");
  UniqueFd err_read(pipefd[0]), err_write(pipefd[1]);

  auto env = child_environment(req.env);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<const char*> cgroups;
  for (const auto& c : req.join_cgroups) cgroups.push_back(c.c_str());
  ChildSetup setup{argv.data(), envp.data(), &old_mask, 0, err_write.get(), req.stdout_fd,
                   req.keep_fds.data(), req.keep_fds.size(), cgroups.data(), cgroups.size()};
  const pid_t child = spawn(setup);
  if (child < 0) return sys_error("vfork", "");
  err_write.reset();

  RunOutcome out;
  int msg[2] = {0, 0};
  if (::read(err_read.get(), msg, sizeof msg) == static_cast<ssize_t>(sizeof msg)) {
    ::waitpid(child, nullptr, 0);
    out.exec_errno = msg[1];
    if (msg[0] >= kStepCgroup)
      out.failed_step = "join cgroup '" + req.join_cgroups[static_cast<std::size_t>(msg[0] - kStepCgroup)] + "'";
    else
      out.failed_step = msg[0] == kStepStdout ? "set stdout" : "exec";
    out.status = msg[1] == ENOENT && msg[0] == kStepExec ? 127 : 126;
    return out;
  }
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
  if (!pidfd) return sys_error("pidfd_open", "");

  auto next_tick = Clock::now() + req.tick;
  std::optional<Clock::time_point> kill_at;
  for (;;) {
    pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
    int timeout_ms = -1;
    if (req.tick.count() > 0 && req.on_tick) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now());
      timeout_ms = static_cast<int>(std::max<long>(0, left.count()));
    }
    if (kill_at) timeout_ms = 50;
    const int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno != EINTR) return sys_error("poll", "");
    if (fds[0].revents & POLLIN) break;
    signalfd_siginfo si{};
    while (::read(sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      const int sig = static_cast<int>(si.ssi_signo);
      if (sig == SIGCHLD) continue;
      if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) out.interrupted_by = sig;
      // A terminal's INT/QUIT/HUP already reached the child's process group (same as ours).
      if (si.ssi_code == SI_KERNEL) continue;
      (void)::kill(child, sig);
    }
    if (kill_at && Clock::now() >= *kill_at) {
      (void)::kill(child, SIGKILL);
      kill_at.reset();
    }
    if (req.tick.count() > 0 && req.on_tick && Clock::now() >= next_tick && !out.stopped) {
      next_tick = Clock::now() + req.tick;
      if (!req.on_tick()) {
        out.stopped = true;
        (void)::kill(child, SIGTERM);
        kill_at = Clock::now() + req.stop_grace;
      }
    }
  }
  int wstatus = 0;
  while (::waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  out.status = status_of(wstatus);
  if (req.reap_leftovers) out.leftovers = terminate_leftovers(req.stop_grace);
  return out;
}

}  // namespace ddsafe

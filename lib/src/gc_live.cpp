// The external liveness source: a shell command listing live session ids. Its failure must be
// loud: a non-zero exit, a timeout or output we cannot read makes the whole source "unknown",
// never "none alive" (the `docker ps || true` bug class).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <random>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "ddsafe/session.hpp"
#include "gc_internal.hpp"

extern char** environ;

namespace ddsafe::gc::detail {
namespace {

using Clock = std::chrono::steady_clock;

// More than this on stdout is not a list of ids: the source is judged unreadable.
constexpr std::size_t kMaxOutput = 16 << 20;
constexpr std::size_t kMaxStderrShown = 300;
// The longest line --live-regex is matched against (a session id line is far shorter).
constexpr std::size_t kMaxRegexLine = 4096;

struct Captured {
  int wstatus = 0;
  /// waitpid reported the shell's status. False with SIGCHLD ignored (the kernel reaps the
  /// child itself and waitpid fails with ECHILD): wstatus is then not a status at all.
  bool status_known = false;
  bool timed_out = false;
  bool overflow = false;
  std::string out;
  std::string err;
};

// Starts /bin/sh -c cmd in its own process group (so a timeout can kill everything it
// started), stdin from /dev/null, stdout and stderr into the given pipe ends.
Result<pid_t> spawn_shell(const std::string& cmd, int out_w, int err_w) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&fa, out_w, 1);
  ::posix_spawn_file_actions_adddup2(&fa, err_w, 2);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
  ::posix_spawnattr_setpgroup(&attr, 0);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  const char* argv[] = {"sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, "/bin/sh", &fa, &attr, const_cast<char* const*>(argv),
                               environ);
  ::posix_spawn_file_actions_destroy(&fa);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) return sys_error(rc, "run live command", "/bin/sh");
  return pid;
}

int ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

// Reads both pipes until both hit end of file or the deadline passes.
void drain(int out_r, int err_r, Clock::time_point deadline, Captured& c) {
  pollfd fds[2] = {{out_r, POLLIN, 0}, {err_r, POLLIN, 0}};
  std::string* sinks[2] = {&c.out, &c.err};
  char buf[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const int left = ms_left(deadline);
    if (left == 0) return void(c.timed_out = true);
    const int n = ::poll(fds, 2, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // timeout: the next turn sees left == 0
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        fds[i].fd = -1;
        continue;
      }
      sinks[i]->append(buf, static_cast<std::size_t>(got));
      if (c.out.size() > kMaxOutput) return void(c.overflow = true);
      if (c.err.size() > 2 * kMaxStderrShown) c.err.erase(0, c.err.size() - kMaxStderrShown);
    }
  }
}

// Waits for the shell until the deadline; then kills its whole process group and reaps it.
void reap(pid_t pid, Clock::time_point deadline, Captured& c) {
  if (!c.timed_out && !c.overflow) {
    for (;;) {
      const pid_t r = ::waitpid(pid, &c.wstatus, WNOHANG);
      if (r == pid) {
        c.status_known = true;
        break;
      }
      if (r < 0 && errno != EINTR) break;  // ECHILD: auto-reaped, its status is lost
      if (ms_left(deadline) == 0) {
        c.timed_out = true;
        break;
      }
      ::poll(nullptr, 0, 2);
    }
  }
  // Also when it exited: background jobs it left would outlive the pass otherwise.
  ::kill(-pid, SIGKILL);
  if (c.timed_out || c.overflow)
    while (::waitpid(pid, &c.wstatus, 0) < 0 && errno == EINTR) {
    }
}

Result<Captured> run_capture(const LiveCommand& cmd) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return sys_error("pipe", "");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return sys_error("pipe", "");
  UniqueFd err_r(err[0]), err_w(err[1]);
  const auto deadline = Clock::now() + cmd.timeout;
  auto pid = spawn_shell(cmd.command, out_w.get(), err_w.get());
  if (!pid) return std::move(pid).error();
  out_w.reset();
  err_w.reset();
  Captured c;
  drain(out_r.get(), err_r.get(), deadline, c);
  reap(*pid, deadline, c);
  return c;
}

std::string stderr_tail(const std::string& err) {
  std::string t = err.size() > kMaxStderrShown ? err.substr(err.size() - kMaxStderrShown) : err;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  for (auto& ch : t)
    if (ch == '\n') ch = ' ';
  return t.empty() ? "" : fmt::format(" (stderr: {})", t);
}

Error source_failed(const LiveCommand& cmd, const std::string& why) {
  return make_error(errc::liveness_source_failed,
                    fmt::format("live command '{}' {}", cmd.command, why));
}

std::string_view trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// The id a line names ("" for none), or an error when the line cannot be read.
Result<std::string> id_of(const LiveCommand& cmd, const std::optional<IdRegex>& re,
                          std::string_view line) {
  std::string id(line);
  if (re) {
    // Past this the recursive matcher of libstdc++ can overflow the stack: such a line is
    // output we cannot read, not an id.
    if (line.size() > kMaxRegexLine)
      return source_failed(cmd, fmt::format("printed a line of {} bytes, more than --live-regex "
                                            "matches ({})", line.size(), kMaxRegexLine));
    auto found = re->search(line);
    if (!found)
      return source_failed(cmd, fmt::format("printed a line --live-regex cannot be matched "
                                            "against ({})", found.error().context));
    auto& m = *found;
    if (!m.matched)
      return source_failed(cmd, fmt::format("printed a line that --live-regex does not match: '{}'",
                                            line.substr(0, 200)));
    if (!m.id) return std::string();
    id = std::move(*m.id);
  }
  if (auto ok = validate_session_id(id); !ok)
    return source_failed(cmd, fmt::format("printed an invalid session id: {}", ok.error().context));
  return id;
}

Result<LiveIds> parse_ids(const LiveCommand& cmd, const std::string& out) {
  if (out.find('\0') != std::string::npos)
    return source_failed(cmd, "printed binary output (a NUL byte)");
  std::optional<IdRegex> re;
  if (cmd.regex) {
    auto compiled = IdRegex::compile(*cmd.regex);
    if (!compiled) return std::move(compiled).error();
    re.emplace(std::move(*compiled));
  }
  LiveIds live;
  std::string_view rest(out);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const auto line = trimmed(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;
    auto id = id_of(cmd, re, line);
    if (!id) return std::move(id).error();
    if (!id->empty()) live.ids.insert(std::move(*id));
  }
  return live;
}

}  // namespace

Result<LiveIds> query_live(const LiveCommand& cmd) {
  auto c = run_capture(cmd);
  if (!c) return source_failed(cmd, fmt::format("could not be started: {}", c.error().message()));
  const auto err = stderr_tail(c->err);
  if (c->overflow)
    return source_failed(cmd, fmt::format("printed more than {} bytes", kMaxOutput));
  if (c->timed_out)
    return source_failed(cmd, fmt::format("timed out after {} ms{}", cmd.timeout.count(), err));
  // An exit status we never saw is no proof of success (the `|| true` bug class again).
  if (!c->status_known)
    return source_failed(cmd, fmt::format("ended with an exit status that could not be read "
                                          "(SIGCHLD ignored?){}", err));
  if (WIFSIGNALED(c->wstatus))
    return source_failed(cmd, fmt::format("was killed by signal {}{}", WTERMSIG(c->wstatus), err));
  if (!WIFEXITED(c->wstatus) || WEXITSTATUS(c->wstatus) != 0)
    return source_failed(cmd, fmt::format("exited with status {}{}", WEXITSTATUS(c->wstatus), err));
  return parse_ids(cmd, c->out);
}

std::uint64_t random_u64() {
  // A fresh draw each time (getrandom underneath): no generator state a fork could duplicate.
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace ddsafe::gc::detail

// dd-bench-spawn: times whole commands (process start included), runs interleaved.
//
//   dd-bench-spawn --runs N [--warmup W] -- NAME [VAR=VALUE...] PROGRAM [ARGS...] [<FILE]
//                                         [::: NAME ...]...
//
// Each run spawns PROGRAM directly (posix_spawnp, no shell), with the VAR=VALUE settings added
// to the environment, standard input from FILE (default /dev/null), standard output to
// /dev/null, and waits for it; a run that does not exit 0 aborts the whole measurement. Runs go
// round-robin over the commands (harness.hpp), so that load from other processes on a shared
// machine lands on all of them alike. One line per command:
//   bench=cli.NAME ns_per_op=MEDIAN min=MIN max=MAX iters=1 reps=N
//
// Why not hyperfine: the version in Debian 12 (1.15) cannot give a command its standard input
// without a shell, and below 5 ms its correction for the shell's own start-up is imprecise (it
// says so); and it runs the commands one after the other, not interleaved.

#include "harness.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

struct Command {
  std::string name;
  std::vector<std::string> env;   ///< the whole environment of the child, VAR=VALUE
  std::vector<std::string> argv;  ///< PROGRAM ARGS...
  std::string stdin_path = "/dev/null";
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: dd-bench-spawn --runs N [--warmup W] -- NAME [VAR=VALUE...] "
                       "PROGRAM [ARGS...] [<FILE] [::: NAME ...]...\n");
  std::exit(64);
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

bool run_once(Command& c) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, c.stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  auto argv = pointers(c.argv);
  auto envp = pointers(c.env);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    errno = rc;
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  std::fprintf(stderr, "dd-bench-spawn: %s: exit status %d\n", c.name.c_str(), status);
  errno = 0;
  return false;
}

// NAME [VAR=VALUE...] PROGRAM [ARGS...] [<FILE], up to ":::" or the end.
Command parse_command(char** argv, int& i, int argc) {
  Command c;
  c.name = argv[i++];
  for (char** e = environ; *e; ++e) c.env.emplace_back(*e);
  for (; i < argc && std::string_view(argv[i]) != ":::"; ++i) {
    const std::string_view a = argv[i];
    if (a.starts_with("<") && a.size() > 1) c.stdin_path = std::string(a.substr(1));
    else if (c.argv.empty() && a.find('=') != std::string_view::npos) c.env.emplace_back(a);
    else c.argv.emplace_back(a);
  }
  if (c.argv.empty()) usage();
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 0;
  long warmup = 5;
  int i = 1;
  for (; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    if (a == "--runs") runs = std::atol(argv[++i]);
    else if (a == "--warmup") warmup = std::atol(argv[++i]);
    else usage();
  }
  if (runs <= 0 || warmup < 0 || i + 1 >= argc) usage();
  std::vector<Command> commands;
  for (++i; i < argc; ++i) commands.push_back(parse_command(argv, i, argc));
  std::vector<ddsafe::bench::Workload> all;
  for (auto& c : commands) {
    all.push_back({"cli." + c.name, [&c] { return run_once(c); }, {}});
    for (long w = 0; w < warmup; ++w)
      if (!run_once(c)) ddsafe::bench::die(c.name);
  }
  ddsafe::bench::run_all(all, /*iters=*/1, static_cast<int>(runs));
  return 0;
}

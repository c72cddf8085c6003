#include "dd-lock/options.hpp"

#include "common/parse.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <algorithm>

#include <fmt/format.h>

namespace ddsafe::tools {

namespace {

// Whether option word `a` takes its value from the next word: "--wait", "-w", or a cluster of
// short flags ending in a value-taking letter ("-nw"), as getopt reads them.
bool has_value_next(std::string_view a) {
  static const std::vector<std::string_view> kLong = {
      "--wait", "--timeout", "--conflict-exit-code", "--command", "--ttl", "--on-timeout",
      "--journal", "--backend"};
  if (a.substr(0, 2) == "--") return std::find(kLong.begin(), kLong.end(), a) != kLong.end();
  constexpr std::string_view kShortWithValue = "wEc";
  for (std::size_t k = 1; k < a.size(); ++k)
    if (kShortWithValue.find(a[k]) != std::string_view::npos) return k + 1 == a.size();
  return false;
}

// Follows -s/-x/-e (and --shared/--exclusive) in order, as flock(1) does: the last one wins.
void note_mode(std::string_view a, bool& shared) {
  if (a == "--shared") shared = true;
  if (a == "--exclusive") shared = false;
  if (a.substr(0, 2) == "--") return;
  for (std::size_t k = 1; k < a.size(); ++k) {
    if (a[k] == 's') shared = true;
    if (a[k] == 'x' || a[k] == 'e') shared = false;
    if (std::string_view("wEc").find(a[k]) != std::string_view::npos) return;  // value follows
  }
}

}  // namespace

SplitArgs split_args(int argc, const char* const* argv) {
  SplitArgs out;
  int i = 0;
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    out.head.emplace_back(a);
    if (i == 0) continue;
    if (a == "--") {  // end of options: the next word is LOCKFILE
      if (i + 1 < argc) out.head.emplace_back(argv[++i]);
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') {  // LOCKFILE
      ++i;
      break;
    }
    note_mode(a, out.last_mode_shared);
    if (has_value_next(a) && i + 1 < argc) out.head.emplace_back(argv[++i]);
  }
  for (; i < argc; ++i) out.command.emplace_back(argv[i]);
  return out;
}

Result<void> take_command(LockCli& cli, std::vector<std::string> rest) {
  if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
  else if (!rest.empty() && (rest.front() == "-c" || rest.front() == "--command")) {
    if (rest.size() != 2)
      return make_error(errc::invalid_argument, "-c takes exactly one shell command string");
    rest.erase(rest.begin());
    if (cli.shell_command) return make_error(errc::invalid_argument, "-c given twice");
    cli.shell_command = rest.front();
    return {};
  }
  if (cli.shell_command && !rest.empty())
    return make_error(errc::invalid_argument, "give either -c CMD or a command, not both");
  if (cli.status && !rest.empty())
    return make_error(errc::invalid_argument, "--status takes no command");
  cli.command = std::move(rest);
  return {};
}

void add_lock_flags(CLI::App& app, LockCli& cli) {
  app.add_flag("-x,-e,--exclusive", cli.exclusive, "exclusive lock (the default)");
  app.add_flag("-s,--shared", cli.shared, "shared lock");
  app.add_flag("-u,--unlock", cli.unlock, "unlock an inherited descriptor (fd form only)");
  app.add_flag("-n,--nonblock", cli.nonblock, "fail at once if the lock is held (same as -w 0)");
  app.add_option("-w,--wait,--timeout", cli.wait, "give up after SECONDS (fractional)")
      ->type_name("SECONDS");
  app.add_option("-E,--conflict-exit-code", cli.conflict_code,
                 "exit status when the lock is busy or the wait timed out (default 1)")
      ->check(CLI::Range(0, 255))
      ->type_name("N");
  app.add_option("-c,--command", cli.shell_command, "run CMD through the shell")
      ->type_name("CMD");
  app.add_flag("-o,--close", cli.close_fd,
               "accepted for flock(1) compatibility: the command never inherits the lock");
  app.add_option("--ttl", cli.ttl, "lease: renewed every TTL/3 while held; others may break "
                                   "it with --break-expired once it lapses")
      ->type_name("SECONDS");
  app.add_option("--on-timeout", cli.on_timeout,
                 "fail (default), or fail-open: run without the lock and journal it")
      ->check(CLI::IsMember({"fail", "fail-open"}))
      ->type_name("POLICY");
  app.add_flag("--break-expired", cli.break_expired,
               "break a live holder whose lease expired (it is fenced by the new token)");
  app.add_option("--journal", cli.journal, "journal file (default $DD_JOURNAL, else "
                                           "$XDG_STATE_HOME/ddsafe/journal.jsonl)")
      ->type_name("PATH");
  app.add_flag("--status", cli.status,
               "print the holder of LOCKFILE as JSON; exit 0 if held, 1 if free");
  app.add_option("--backend", cli.backend,
                 "file (flock, the default) or etcd://HOST:PORT[,HOST:PORT...]/PREFIX: LOCKFILE "
                 "is then a lock NAME under PREFIX (default $DD_ETCD_ENDPOINTS)")
      ->type_name("BACKEND");
  app.add_flag("--break", cli.break_lock,
               "etcd: break lock NAME now by revoking its holder's lease (journaled)");
  app.add_option("LOCKFILE", cli.target, "lock file, or descriptor number for the fd form")
      ->required()
      ->type_name("");
  app.footer(
      "Forms:\n"
      "  dd-lock [OPTIONS] LOCKFILE [--] COMMAND [ARGS...]\n"
      "  dd-lock [OPTIONS] LOCKFILE -c 'SHELL COMMAND'\n"
      "  dd-lock [OPTIONS] FD          lock a descriptor the shell holds (exec 9>>f; dd-lock 9)\n"
      "  dd-lock -u FD                 unlock it\n"
      "  dd-lock --status LOCKFILE     who holds it (JSON); exit 0 held, 1 free\n"
      "  dd-lock --backend etcd://H:P/PREFIX NAME -- COMMAND   the same across hosts (etcd)\n"
      "  dd-lock --backend etcd://H:P/PREFIX --break NAME      revoke the holder's lease\n"
      "The command gets DD_LOCK_FILE, DD_LOCK_TOKEN and DD_LOCK_HELD (0 after fail-open); on\n"
      "etcd DD_LOCK_KEY and DD_LOCK_TOKEN=CLUSTER_ID:REVISION instead of DD_LOCK_FILE.\n"
      "Exit: the command's status (128+N if killed by signal N); 1 or -E N when busy or timed\n"
      "out; 64 usage; 65 bad lock path; 66 missing directory; 73 read-only/full; 75 lock lost;\n"
      "77 permission denied; 126/127 command not runnable/not found. See dd-lock(1).");
}

Result<LockOptions> to_lock_options(const LockCli& cli) {
  LockOptions o;
  o.mode = cli.shared && cli.mode_shared_last ? LockMode::shared : LockMode::exclusive;
  if (cli.wait) {
    auto w = parse_seconds(*cli.wait, "-w");
    if (!w) return std::move(w).error();
    o.timeout = *w;
  }
  if (cli.nonblock) o.timeout = std::chrono::nanoseconds(0);
  if (cli.ttl) {
    auto t = parse_seconds(*cli.ttl, "--ttl");
    if (!t) return std::move(t).error();
    if (t->count() < 1'000'000)
      return make_error(errc::invalid_argument,
                        fmt::format("invalid value '{}' for --ttl: at least 0.001 seconds", *cli.ttl));
    o.ttl = std::chrono::duration_cast<std::chrono::milliseconds>(*t);
  }
  o.on_timeout = cli.on_timeout == "fail-open" ? TimeoutPolicy::fail_open : TimeoutPolicy::fail;
  o.break_expired = cli.break_expired;
  o.tool = "dd-lock";
  for (const auto& a : command_argv(cli)) o.command += (o.command.empty() ? "" : " ") + a;
  return o;
}

std::vector<std::string> command_argv(const LockCli& cli) {
  if (cli.shell_command) {
    const char* shell = std::getenv("SHELL");
    return {shell && *shell ? shell : "/bin/sh", "-c", *cli.shell_command};
  }
  return cli.command;
}

Result<std::optional<EtcdTarget>> etcd_backend(const LockCli& cli) {
  std::string spec;
  if (cli.backend) {
    spec = *cli.backend;
  } else if (const char* env = std::getenv("DD_ETCD_ENDPOINTS"); env && *env) {
    spec = env;
  }
  if (spec.empty() || spec == "file") return std::optional<EtcdTarget>();
  auto t = parse_etcd_target(spec);
  if (!t) return std::move(t).error();
  return std::optional<EtcdTarget>(std::move(*t));
}

bool is_fd_mode(const LockCli& cli) {
  if (cli.shell_command || !cli.command.empty() || cli.target.empty()) return false;
  return cli.target.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace ddsafe::tools

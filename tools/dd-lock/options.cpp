#include "dd-lock/options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace ddsafe::tools {

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
  app.add_option("target", cli.target, "lock file, or descriptor number for the fd form")
      ->required()
      ->type_name("LOCKFILE|FD");
}

Result<std::chrono::nanoseconds> parse_seconds(const std::string& text, const char* flag) {
  auto bad = [&](const char* why) {
    return make_error(errc::invalid_argument,
                      fmt::format("invalid value '{}' for {}: {}", text, flag, why));
  };
  if (text.empty()) return bad("empty");
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return bad("not a number of seconds");
  if (std::isnan(v) || std::isinf(v)) return bad("must be a finite number of seconds");
  if (v < 0) return bad("must not be negative");
  if (v > 1e9 || errno == ERANGE) return bad("too large (at most 1e9 seconds)");
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(v * 1e9)));
}

Result<LockOptions> to_lock_options(const LockCli& cli) {
  LockOptions o;
  o.mode = cli.shared ? LockMode::shared : LockMode::exclusive;
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

bool is_fd_mode(const LockCli& cli) {
  if (cli.shell_command || !cli.command.empty() || cli.target.empty()) return false;
  return cli.target.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace ddsafe::tools

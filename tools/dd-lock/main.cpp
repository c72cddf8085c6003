// dd-lock: run a command under a file lock (flock(1)-compatible, with leases, stale-lock
// recovery and journaled fail-open).

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "dd-lock/etcd_mode.hpp"
#include "dd-lock/options.hpp"
#include "ddsafe/file_lock.hpp"
#include "ddsafe/run.hpp"

namespace {

using namespace ddsafe;
using namespace ddsafe::tools;

const char* liveness_name(Liveness l) {
  return l == Liveness::alive ? "alive" : l == Liveness::dead ? "dead" : "unknown";
}

// --status: the holder as JSON on stdout; 0 held, 1 free.
int show_status(const LockCli& cli, spdlog::logger& log) {
  auto st = lock_status(cli.target);
  if (!st) return report(log, st.error());
  nlohmann::ordered_json j{{"path", cli.target}, {"state", st->held ? "held" : "free"},
                   {"holders", st->holders}};
  j["record"] = st->record ? "ok" : st->record_unreadable ? "unreadable" : "none";
  if (st->record) {
    const auto& r = *st->record;
    j["token"] = r.token;
    j["last_state"] = r.state;
    j["mode"] = r.mode;
    add_owner(j, r);
  }
  if (st->held && st->record && st->record->state == "held") {
    j["owner_alive"] = liveness_name(st->owner);
    j["held_for_ms"] = st->held_for->count();
    if (st->lease_left) j["lease_left_ms"] = st->lease_left->count();
    const auto stale = st->stale_if_expired_broken;
    j["stale"] = stale == StaleReason::owner_dead      ? "owner_dead"
                 : stale == StaleReason::lease_expired ? "lease_expired"
                                                       : "no";
  }
  fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  return st->held ? 0 : 1;
}

// flock(1)'s `flock [-u] FD`: lock or unlock a descriptor the shell holds open.
int lock_descriptor(const LockCli& cli, const LockOptions& opts, spdlog::logger& log) {
  const int fd = std::atoi(cli.target.c_str());
  if (cli.unlock) {
    auto ok = unlock_fd(fd);
    return ok ? 0 : report(log, ok.error());
  }
  auto got = lock_fd(fd, opts);
  if (!got) return report(log, got.error(), cli.conflict_code);
  if (!got->held)
    log.warn("fd {}: timed out after {} ms; going on without the lock (fail-open)", fd,
             got->waited.count());
  else
    log.info("locked fd {} (token {}) after {} ms", fd, got->token, got->waited.count());
  return 0;
}

// Runs the command, renewing the lease every TTL/3; stops it if the lock is lost.
int run_under(FileLock& lock, const LockCli& cli, const LockOptions& opts,
              journal::Journal& jnl, spdlog::logger& log) {
  RunRequest req;
  req.argv = command_argv(cli);
  const auto abs = std::filesystem::absolute(cli.target).lexically_normal().string();
  req.env = {{"DD_LOCK_FILE", abs},
             {"DD_LOCK_TOKEN", std::to_string(lock.token())},
             {"DD_LOCK_HELD", lock.held() ? "1" : "0"}};
  std::optional<Error> lost;
  if (lock.held() && opts.ttl.count() > 0) {
    req.tick = std::max(opts.ttl / 3, std::chrono::milliseconds(1));
    req.on_tick = [&] {
      auto ok = lock.renew();
      if (ok || ok.error().code != errc::lock_lost) return true;  // transient: try next tick
      lost = ok.error();
      return false;
    };
  }
  auto run = run_child(req);
  if (!run) return report(log, run.error());
  if (auto status = check_outcome(*run, req, log)) return *status;
  const auto token = lock.token();
  if (auto ours = lock.verify(); lock.held() && !ours && !lost) lost = ours.error();
  (void)lock.release();
  if (!lost) return run->status;
  Event ev{"lock_lost", {}};
  ev.add("path", abs).add("token", static_cast<std::int64_t>(token)).add("cmd", opts.command);
  return report_lost(jnl, log, std::move(ev), *lost, run->stopped);
}

int lock_and_run(const LockCli& cli, spdlog::logger& log, std::shared_ptr<spdlog::logger> shared) {
  auto opts = to_lock_options(cli);
  if (!opts) return report(log, opts.error());
  auto jnl = open_journal(cli.journal, "dd-lock", shared, is_fd_mode(cli) ? ::getppid() : 0);
  opts->events = jnl.get();
  if (is_fd_mode(cli)) return lock_descriptor(cli, *opts, log);
  if (cli.unlock) return report(log, make_error(errc::invalid_argument, "-u needs a descriptor"));
  if (command_argv(cli).empty())
    return report(log, make_error(errc::invalid_argument,
                                  fmt::format("no command given to run under '{}'", cli.target)));
  auto lock = FileLock::acquire(cli.target, *opts);
  if (!lock) return report(log, lock.error(), cli.conflict_code);
  if (!lock->held())
    log.warn("timed out after {} ms waiting for '{}'; running without the lock (fail-open)",
             lock->waited().count(), cli.target);
  else
    log.info("acquired '{}' (token {}) after {} ms{}", cli.target, lock->token(),
             lock->waited().count(), lock->broke_stale() ? ", breaking a stale lock" : "");
  return run_under(*lock, cli, *opts, *jnl, log);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"run a command under a file lock, with leases and journaled fail-open", "dd-lock"};
  ddsafe::tools::ensure_standard_fds();
  LockCli cli;
  add_lock_flags(app, cli);
  add_common_flags(app, cli.verbose, cli.quiet);
  auto args = split_args(argc, argv);
  std::vector<const char*> head;
  for (const auto& a : args.head) head.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(head.size()), head.data());
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  cli.mode_shared_last = args.last_mode_shared;
  auto log = make_logger("dd-lock", cli.quiet > 0 ? -1 : cli.verbose);
  if (auto cmd = take_command(cli, std::move(args.command)); !cmd) {
    log->error("{}", cmd.error().context);
    return kExitUsage;
  }
  auto etcd = etcd_backend(cli);
  if (!etcd) return report(*log, etcd.error());
  if (*etcd) return etcd_main(cli, **etcd, *log, log);
  if (cli.break_lock) return report(*log, make_error(errc::invalid_argument,
                                                     "--break needs an etcd --backend"));
  if (cli.status) return show_status(cli, *log);
  return lock_and_run(cli, *log, log);
}

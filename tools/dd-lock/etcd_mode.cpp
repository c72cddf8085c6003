#include "dd-lock/etcd_mode.hpp"

#include <time.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "ddsafe/etcd_lock.hpp"

namespace ddsafe::tools {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string rfc3339(std::int64_t ms) {
  ms = std::clamp<std::int64_t>(ms, 0, std::int64_t{253402300799999});  // up to 9999-12-31
  const time_t s = ms / 1000;
  struct tm tm {};
  ::gmtime_r(&s, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

void print_json(const nlohmann::ordered_json& j) {
  fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

// --status: the holder as JSON on stdout; 0 held, 1 free.
int etcd_status(const EtcdTarget& target, const std::string& name, spdlog::logger& log) {
  auto st = etcd_lock_status(target, name);
  if (!st) return report(log, st.error());
  nlohmann::ordered_json j{{"key", st->key}, {"backend", "etcd"},
                           {"state", st->held ? "held" : "free"}, {"cluster_id", st->cluster_id}};
  if (st->held) {
    j["token"] = st->token;
    j["lease"] = fmt::format("{:x}", static_cast<std::uint64_t>(st->lease));
    if (st->lease_left) j["lease_left_ms"] = st->lease_left->count();
    j["record"] = st->record ? "ok" : "unreadable";
    if (st->record) add_owner(j, *st->record);
  }
  print_json(j);
  return st->held ? 0 : 1;
}

// --break: revoke the holder's lease; 0 broken, 1 nothing to break.
int etcd_break(const LockCli& cli, const EtcdTarget& target, spdlog::logger& log,
               std::shared_ptr<spdlog::logger> shared) {
  auto jnl = open_journal(cli.journal, "dd-lock", std::move(shared));
  auto st = etcd_break_lock(target, cli.target, "dd-lock", jnl.get());
  if (!st) return report(log, st.error());
  if (!st->held) {
    log.warn("etcd key '{}' is not held; nothing to break", st->key);
    return kExitConflict;
  }
  log.warn("broke etcd key '{}' (token {}, holder: {})", st->key, st->token,
           etcd_describe_holder(*st));
  return kExitOk;
}

// Keepalive every TTL/3, and the local deadline checked on a finer tick, so the command is
// stopped at the deadline and not up to a keepalive interval later.
struct Keeper {
  EtcdLock& lock;
  std::optional<Error>& lost;
  Clock::time_point next = Clock::now() + lock.ttl() / 3;

  bool operator()() {
    if (auto ok = lock.verify(); !ok) {
      lost = ok.error();
      return false;
    }
    if (Clock::now() < next) return true;
    auto ok = lock.renew();
    if (ok) {
      next = Clock::now() + lock.ttl() / 3;
      return true;
    }
    if (ok.error().code == errc::lock_lost) {
      lost = ok.error();
      return false;
    }
    next = Clock::now() + lock.ttl() / 10;  // no member answered: retry soon
    return true;
  }
};

int etcd_run(const LockCli& cli, const EtcdTarget& target, spdlog::logger& log,
             std::shared_ptr<spdlog::logger> shared) {
  auto opts = to_lock_options(cli);
  if (!opts) return report(log, opts.error());
  if (cli.unlock || command_argv(cli).empty())
    return report(log, make_error(errc::invalid_argument,
                                  fmt::format("no command given to run under '{}'", cli.target)));
  auto jnl = open_journal(cli.journal, "dd-lock", std::move(shared));
  opts->events = jnl.get();
  auto lock = EtcdLock::acquire(target, cli.target, *opts);
  if (!lock) return report(log, lock.error(), cli.conflict_code);
  const auto key = etcd_lock_key(target, cli.target);
  if (!lock->held())
    log.warn("timed out after {} ms waiting for etcd key '{}'; running without the lock "
             "(fail-open)", lock->waited().count(), key);
  else
    log.info("acquired etcd key '{}' (token {}:{}) after {} ms", key, lock->cluster_id(),
             lock->token(), lock->waited().count());
  RunRequest req;
  req.argv = command_argv(cli);
  const auto token = lock->held() ? fmt::format("{}:{}", lock->cluster_id(), lock->token()) : "";
  req.env = {{"DD_LOCK_KEY", key}, {"DD_LOCK_TOKEN", token},
             {"DD_LOCK_HELD", lock->held() ? "1" : "0"}};
  std::optional<Error> lost;
  if (lock->held()) {
    const auto margin = etcd_safety_margin(lock->ttl());
    req.tick = std::clamp(margin / 5, milliseconds(10), milliseconds(100));
    req.stop_grace = margin / 2;  // KILL still lands before the server can expire the lease
    req.on_tick = Keeper{*lock, lost};
  }
  auto run = run_child(req);
  if (!run) return report(log, run.error());
  if (auto status = check_outcome(*run, req, log)) return *status;
  if (auto ours = lock->verify(); lock->held() && !ours && !lost) lost = ours.error();
  const auto granted = static_cast<std::int64_t>(lock->token());
  if (auto rel = lock->release(); !rel && !lost)
    log.warn("{}; the key goes when its lease expires", rel.error().message());
  if (!lost) return run->status;
  Event ev{"lock_lost", {}};
  ev.add("path", key).add("token", granted)
      .add("cluster_id", lock->cluster_id()).add("cmd", opts->command);
  return report_lost(*jnl, log, std::move(ev), *lost, run->stopped);
}

}  // namespace

void add_owner(nlohmann::ordered_json& j, const OwnerRecord& r) {
  j["owner"] = {{"pid", r.owner.pid}, {"host", r.owner.host}, {"uid", r.uid},
                {"cmd", r.cmd}, {"start_time", r.owner.start_time}};
  j["acquired_at"] = rfc3339(r.acquired_at_ms);
  j["ttl_ms"] = r.ttl_ms;
}

std::optional<int> check_outcome(const RunOutcome& run, const RunRequest& req,
                                 spdlog::logger& log) {
  if (run.exec_errno != 0) {
    log.error("cannot run '{}': {}", req.argv[0], std::strerror(run.exec_errno));
    return run.status;
  }
  if (!run.leftovers.empty())
    log.warn("command left {} background process(es) running; terminated them, since they "
             "would have gone on without the lock", run.leftovers.size());
  return std::nullopt;
}

int report_lost(journal::Journal& jnl, spdlog::logger& log, Event ev, const Error& lost,
                bool stopped) {
  ev.add("stopped", stopped);
  jnl.emit(ev);
  log.error("{}{}", lost.message(), stopped ? "; command stopped" : "");
  return kExitLockLost;
}

int etcd_main(const LockCli& cli, const EtcdTarget& target, spdlog::logger& log,
              std::shared_ptr<spdlog::logger> shared) {
  if (cli.status) return etcd_status(target, cli.target, log);
  if (cli.break_lock) return etcd_break(cli, target, log, std::move(shared));
  return etcd_run(cli, target, log, std::move(shared));
}

}  // namespace ddsafe::tools

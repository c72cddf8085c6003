// dd-launch run: GC, session, config, plan, contained run, teardown.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.hpp"
#include "common/parse.hpp"
#include "common/report.hpp"
#include "dd-launch/cgroup.hpp"
#include "dd-launch/commands.hpp"
#include "dd-launch/config.hpp"
#include "dd-launch/generators.hpp"
#include "ddsafe/gc.hpp"
#include "ddsafe/run.hpp"
#include "ddsafe/session.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::tools {
namespace {

namespace fs = std::filesystem;
using launch::Engine;
using launch::Plan;
using Clock = std::chrono::steady_clock;

constexpr const char* kLaunchLock = ".launch.lock";
constexpr const char* kConfigCache = ".config";
constexpr const char* kWorkDir = "work";

// Shell-quotes one word for the --dry-run text.
std::string quote(const std::string& w) {
  if (!w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-+=/.,:@%") == std::string::npos)
    return w;
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The session id NAME-N, N one more than the largest of the NAME-<digits> in the root.
Result<std::string> next_id(const fs::path& root, const std::string& name) {
  std::uint64_t top = 0;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const auto n = it->path().filename().string();
    if (!n.starts_with(name + "-")) continue;
    const auto digits = std::string_view(n).substr(name.size() + 1);
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
      continue;
    top = std::max<std::uint64_t>(top, std::stoull(std::string(digits)));
  }
  if (ec) return Error{ec, fmt::format("list '{}'", root.string())};
  return fmt::format("{}-{}", name, top + 1);
}

// Allocates the id and creates the session under the root's launch lock, so that concurrent
// launchers of one name count on from each other; RENAME_NOREPLACE in Session::create is the
// last word should anything else create names there.
Result<Session> allocate_session(const fs::path& root, const std::string& name,
                                 const SessionOptions& so) {
  LockOptions lo;
  lo.timeout = std::chrono::seconds(30);
  lo.tool = "dd-launch";
  lo.command = "dd-launch (allocating a session id)";
  auto lock = FileLock::acquire(root / kLaunchLock, lo);
  if (!lock) return std::move(lock).error();
  for (int attempt = 0;; ++attempt) {
    auto id = next_id(root, name);
    if (!id) return std::move(id).error();
    auto s = Session::create(root, *id, so);
    if (s || s.error().code != std::errc::file_exists || attempt == 100) return s;
  }
}

// mkdir -p, the last component with `mode`.
Result<void> ensure_dir(const fs::path& dir, mode_t mode) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) return sys_error("create", dir);
  return {};
}

// Every directory above the state root must let the unprivileged uid through, or the command
// cannot reach its own session dir. Inside the sandbox the state root (or /tmp, when the root
// is under it) is a tmpfs where the parents of mount points are made passable (render_bwrap):
// the host's modes below it do not matter.
Result<void> check_searchable(const fs::path& root, uid_t uid, gid_t gid) {
  if (root.string().starts_with("/tmp/")) return {};
  for (fs::path p = root.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) return sys_error("stat", p);
    const bool ok = (st.st_uid == uid && (st.st_mode & S_IXUSR)) ||
                    (st.st_gid == gid && (st.st_mode & S_IXGRP)) || (st.st_mode & S_IXOTH);
    if (!ok)
      return Error{std::make_error_code(std::errc::permission_denied),
                        fmt::format("'{}' does not let uid {} through (mode {:o}); the session "
                                    "dir would be out of the command's reach", p.string(), uid,
                                    st.st_mode & 07777)};
    if (p == p.parent_path()) break;
  }
  return {};
}

struct Parsed {
  launch::LaunchRequest req;
  Plan base;
  Engine engine = Engine::bwrap;
};

Result<Parsed> parse(const LaunchCli& cli) {
  Parsed p;
  auto t = parse_seconds(cli.timeout, "--timeout");
  if (!t) return std::move(t).error();
  p.req.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*t);
  if (p.req.timeout.count() <= 0)
    return make_error(errc::invalid_argument,
                      fmt::format("invalid value '{}' for --timeout: at least 0.001 seconds",
                                  cli.timeout));
  p.req.contained = !cli.open;
  p.req.pids_max = cli.pids_max;
  p.req.user = cli.user;
  p.engine = cli.engine == "podman" ? Engine::podman
             : cli.engine == "docker" ? Engine::docker : Engine::bwrap;
  p.req.need_cgroup = p.engine == Engine::bwrap;
  for (const auto& [list, writable] : {std::pair{&cli.binds, true}, {&cli.ro_binds, false}})
    for (const auto& spec : *list) {
      auto b = launch::parse_bind(spec, writable);
      if (!b) return std::move(b).error();
      p.req.binds.push_back(std::move(*b));
    }
  for (const auto& spec : cli.setenv) {
    auto kv = launch::parse_setenv(spec);
    if (!kv) return std::move(kv).error();
    p.req.env.push_back(std::move(*kv));
  }
  p.req.env_files = cli.env_files;
  for (const auto& ptr : cli.config_drop)
    if (auto ok = launch::check_pointer(ptr); !ok) return std::move(ok).error();
  if (auto ok = validate_session_id(cli.name); !ok)
    return make_error(errc::invalid_argument, "--name: " + ok.error().context);
  // Ids name cgroups and appear in logs and tables: a plain word only.
  if (cli.name.size() > 200 ||
      cli.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                 "_-.@+") != std::string::npos)
    return make_error(errc::invalid_argument,
                      fmt::format("--name '{}': use at most 200 letters, digits and _ - . @ +",
                                  cli.name));
  if (cli.image && p.engine == Engine::bwrap)
    return make_error(errc::invalid_argument, "--image needs --engine podman or docker");
  p.base.contained = !cli.open;
  p.base.launcher_is_root = ::geteuid() == 0;
  p.base.image = cli.image.value_or("");
  p.base.command = cli.command;
  return p;
}

Result<std::vector<std::string>> render(const Plan& plan, Engine engine, int status_fd) {
  return engine == Engine::bwrap ? launch::render_bwrap(plan, status_fd)
                                 : launch::render_engine(plan, engine);
}

int dry_run(const LaunchCli& cli, const launch::Assembly& a, Engine engine, const fs::path& root,
            spdlog::logger& log) {
  Plan plan = a.plan;
  auto id = next_id(root, cli.name);
  plan.session_id = id ? *id : cli.name + "-1";
  plan.state_root = root.string();
  plan.session_dir = (root / plan.session_id / kWorkDir).string();
  if (cli.config_src) plan.config_path = (root / plan.session_id / "config.json").string();
  auto argv = render(plan, engine, engine == Engine::bwrap ? 3 : -1);
  if (!argv) return report(log, argv.error());
  if (cli.output == "json") {
    nlohmann::ordered_json j{{"engine", cli.engine}, {"session", plan.session_id},
                             {"mandatory", a.layers}, {"argv", *argv}};
    auto& d = j["dropped"] = nlohmann::ordered_json::array();
    for (const auto& x : a.dropped) d.push_back({{"feature", x.feature}, {"error", x.error.message()}});
    fmt::print("{}\n", j.dump());
  } else {
    std::vector<std::string> q;
    for (const auto& w : *argv) q.push_back(quote(w));
    fmt::print("{}\n", fmt::join(q, " "));
  }
  return kExitOk;
}

void opportunistic_gc(const fs::path& root, EventSink* events, spdlog::logger& log) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const auto name = e.path().filename().string();
    // Only sessions whose cgroups were not removed (a launcher killed hard) list them still.
    if (name.starts_with('.') || ::access((e.path() / kCgroupsFile).c_str(), F_OK) != 0) continue;
    auto st = lock_status(e.path() / kSessionLockName);
    if (st && st->exists && !st->held) reap_session_cgroups(e.path(), log);
  }
  gc::Options o;
  o.root = root;
  o.tool = "dd-launch";
  o.events = events;
  o.require_lock_file = true;  // the state dir may be any dir: a mistyped one is not wiped
  auto rep = gc::collect(o);
  if (!rep) return log.warn("session GC did not run: {}", rep.error().message());
  if (rep->first_error)
    log.warn("session GC: {} (going on)", rep->first_error->message());
  else if (rep->removed > 0)
    log.info("session GC removed {} dead session dir(s)", rep->removed);
}

Result<void> write_cgroups_file(const fs::path& session_dir, const std::vector<fs::path>& dirs) {
  std::string text;
  for (const auto& d : dirs) text += d.string() + "\n";
  auto fd = open_fd(session_dir / kCgroupsFile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
  if (!fd) return std::move(fd).error();
  if (::write(fd->get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return sys_error("write", session_dir / kCgroupsFile);
  return {};
}

// SIGINT, SIGTERM and SIGHUP (those not ignored) are held while the session is set up and torn
// down: `dd-launch stop` during setup then ends the session through its teardown (cgroups
// removed, session_end "stopped") instead of killing the launcher half-way. They are let through
// while the command runs, where run_child forwards them.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction now{};
      if (::sigaction(s, nullptr, &now) == 0 && now.sa_handler == SIG_IGN) continue;
      sigaddset(&set_, s);
    }
    hold();
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  void hold() { ::sigprocmask(SIG_BLOCK, &set_, nullptr); }
  void release() { ::sigprocmask(SIG_UNBLOCK, &set_, nullptr); }
  /// A stop signal that came while held (consumed), else 0.
  int take() {
    const timespec zero{};
    const int sig = ::sigtimedwait(&set_, nullptr, &zero);
    return sig > 0 ? sig : 0;
  }

 private:
  sigset_t set_;
};

struct Ran {
  int status = 0;
  std::string reason;
};

// Runs the rendered plan under the timeout; for bwrap, inside the session's cgroups.
Result<Ran> supervise(const Plan& plan, Engine engine, launch::SessionCgroup* cg,
                      spdlog::logger& log) {
  int pipefd[2] = {-1, -1};
  if (engine == Engine::bwrap && ::pipe2(pipefd, O_CLOEXEC) != 0) return sys_error("pipe", "");
  UniqueFd status_r(pipefd[0]), status_w(pipefd[1]);
  auto argv = render(plan, engine, status_w.get());
  if (!argv) return std::move(argv).error();
  log.debug("running: {}", fmt::join(*argv, " "));
  RunRequest req;
  req.argv = *argv;
  if (status_w) req.keep_fds.push_back(status_w.get());
  if (cg) req.join_cgroups = cg->procs_files();
  const auto deadline = Clock::now() + plan.timeout;
  bool timed_out = false;
  // Checked every 50 ms, or sooner for a shorter timeout.
  req.tick = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(plan.timeout),
                        std::chrono::milliseconds(1), std::chrono::milliseconds(50));
  req.on_tick = [&] {
    timed_out = Clock::now() >= deadline;
    return !timed_out;
  };
  req.stop_grace = std::chrono::milliseconds(1000);
  auto out = run_child(req);
  if (!out) return std::move(out).error();
  status_w.reset();
  Ran r{out->status, "exited"};
  if (out->exec_errno != 0) {
    log.error("cannot run '{}': {} ({}){}", req.argv[0], std::strerror(out->exec_errno),
              out->failed_step,
              out->exec_errno == ENOENT && engine == Engine::bwrap ? "; install bubblewrap" : "");
    r.reason = "setup_failed";
    return r;
  }
  std::string status_text;
  if (status_r) {
    char buf[4096];
    (void)::fcntl(status_r.get(), F_SETFL, O_NONBLOCK);
    for (ssize_t n; (n = ::read(status_r.get(), buf, sizeof buf)) > 0;)
      status_text.append(buf, static_cast<std::size_t>(n));
  }
  if (timed_out) {
    r = {kExitTimeout, "timeout"};
  } else if (out->interrupted_by != 0) {
    r.reason = "stopped";
  } else if (engine == Engine::bwrap && status_text.empty()) {
    log.error("bwrap could not set up the sandbox (exit status {}); nothing was run",
              out->status);
    r = {kExitNotContained, "setup_failed"};
  } else if (out->status > 128) {
    r.reason = "signal";
  }
  if (engine != Engine::bwrap && (timed_out || out->interrupted_by != 0)) {
    // Killing the client leaves the container running: remove it by name.
    RunRequest rm;
    rm.argv = {req.argv[0], "rm", "-f", plan.session_id};
    (void)run_child(rm);
  }
  return r;
}

}  // namespace

int cmd_run(const LaunchCli& cli, spdlog::logger& log, std::shared_ptr<spdlog::logger> shared) {
  auto parsed = parse(cli);
  if (!parsed) return report(log, parsed.error());
  auto assembly = launch::assemble(parsed->base, launch::standard_generators(parsed->req));
  if (!assembly) {
    log.error("{}; nothing was run", assembly.error().message());
    return kExitNotContained;
  }
  for (const auto& d : assembly->dropped)
    log.warn("optional feature '{}' dropped: {}", d.feature, d.error.message());
  const fs::path root = state_dir_of(cli);
  if (cli.dry_run) return dry_run(cli, *assembly, parsed->engine, root, log);

  StopSignals stops;
  auto jnl = open_journal(cli.journal, "dd-launch", shared);
  if (auto ok = ensure_dir(root, 0711); !ok) return report(log, ok.error());
  opportunistic_gc(root, jnl.get(), log);

  SessionOptions so;
  so.mode = 0711;  // the unprivileged command must pass through to its work dir and config
  so.command = fmt::format("{}", fmt::join(cli.command, " "));
  so.tool = "dd-launch";
  so.events = jnl.get();
  auto session = allocate_session(root, cli.name, so);
  if (!session) return report(log, session.error(), kExitTryLater);  // 75: the launch lock stayed busy
  Plan& plan = assembly->plan;
  plan.session_id = session->id();
  plan.state_root = root.string();
  plan.session_dir = (session->dir() / kWorkDir).string();
  log.info("session {} in '{}'", session->id(), session->dir().string());

  auto finish = [&](int status, const char* reason) {
    auto done = cli.rm ? session->remove(status, reason) : session->end(status, reason);
    if (!done) log.warn("session teardown: {}", done.error().message());
    return status;
  };
  auto refuse = [&](const std::string& layer, const Error& e) {
    log.error("mandatory layer '{}' failed: {}; nothing was run", layer, e.message());
    return finish(kExitNotContained, "refused");
  };

  {
    Event ev{"launch_plan", {}};
    ev.add("id", plan.session_id).add("engine", cli.engine).add("contained", plan.contained)
        .add("pids_max", static_cast<std::int64_t>(plan.pids_max))
        .add("timeout_ms", static_cast<std::int64_t>(plan.timeout.count()))
        .add("uid", static_cast<std::int64_t>(*plan.uid))
        .add("layers", fmt::format("{}", fmt::join(assembly->layers, ",")));
    std::vector<std::string> dropped;
    for (const auto& d : assembly->dropped) dropped.push_back(d.feature + ": " + d.error.message());
    ev.add("dropped", fmt::format("{}", fmt::join(dropped, "; ")));
    jnl->emit(ev);
  }

  const auto work = session->dir() / kWorkDir;
  if (::mkdir(work.c_str(), 0700) != 0) return refuse("session_dir", sys_error("create", work));
  if (plan.launcher_is_root && ::chown(work.c_str(), *plan.uid, *plan.gid) != 0)
    return refuse("unprivileged_uid", sys_error("chown", work));
  if (auto ok = check_searchable(root, *plan.uid, *plan.gid); !ok)
    return refuse("session_dir", ok.error());

  if (cli.config_src) {
    launch::ConfigRequest cr;
    cr.source = *cli.config_src;
    cr.drops = cli.config_drop;
    cr.cache = root / kConfigCache / (cli.name + ".json");
    cr.target = session->dir() / "config.json";
    cr.events = jnl.get();
    if (auto ok = ensure_dir(root / kConfigCache, 0700); !ok) return finish(report(log, ok.error()), "config_failed");
    auto c = launch::refresh_config(cr);
    if (!c) {
      log.error("{}; no previous config for '{}' to keep, so the session does not start",
                c.error().message(), cli.name);
      return finish(exit_code_for(c.error()), "config_failed");
    }
    if (c->refreshed)
      log.info("config refreshed from '{}' ({} pointer(s) dropped)", cr.source.string(), c->dropped);
    else
      log.warn("{}; keeping the previous config '{}'", c->problem, cr.cache.string());
    plan.config_path = cr.target.string();
  }

  std::optional<launch::SessionCgroup> cg;
  if (parsed->engine == Engine::bwrap) {
    auto layout = launch::cgroup_layout();
    if (!layout) return refuse("pids_limit", layout.error());
    const auto name = fmt::format("{}-{:08x}", session->id(), std::random_device{}());
    // Written down first: a launcher stopped or killed while making them leaves gc a list.
    if (auto ok = write_cgroups_file(session->dir(), launch::SessionCgroup::planned_dirs(*layout, name));
        !ok)
      return refuse("pids_limit", ok.error());
    auto made = launch::SessionCgroup::create(*layout, name, plan.pids_max);
    if (!made) return refuse("pids_limit", made.error());
    cg.emplace(std::move(*made));
  }

  if (const int sig = stops.take()) {
    log.warn("stopped by signal {} before the command started; nothing was run", sig);
    if (cg)
      if (auto killed = cg->destroy(); !killed) log.warn("cgroup teardown: {}", killed.error().message());
    return finish(128 + sig, "stopped");
  }
  stops.release();
  auto ran = supervise(plan, parsed->engine, cg ? &*cg : nullptr, log);
  stops.hold();
  if (!ran) {
    log.error("{}", ran.error().message());
    return finish(exit_code_for(ran.error()), "setup_failed");
  }
  if (cg) {
    const auto refused = cg->forks_refused();
    if (refused > 0) log.warn("{} fork(s) refused at --pids-max {}", refused, plan.pids_max);
    auto killed = cg->destroy();
    if (killed) (void)::unlink((session->dir() / kCgroupsFile).c_str());
    if (!killed) log.warn("cgroup teardown: {}", killed.error().message());
    else if (*killed > 0) log.info("killed {} process(es) left in the session", *killed);
  }
  if (ran->reason == "timeout") log.error("timed out after {} ms; session killed", plan.timeout.count());
  return finish(ran->status, ran->reason.c_str());
}

}  // namespace ddsafe::tools

// dd-launch ls, stop and gc.

#include <signal.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.hpp"
#include "common/parse.hpp"
#include "common/report.hpp"
#include "dd-gc/options.hpp"
#include "dd-launch/cgroup.hpp"
#include "dd-launch/commands.hpp"
#include "ddsafe/file_lock.hpp"
#include "ddsafe/gc.hpp"
#include "ddsafe/session.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::tools {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Row {
  std::string id;
  bool live = false;
  std::int64_t age_s = -1;
  pid_t pid = 0;
  std::string command;
};

std::string age_text(std::int64_t s) {
  if (s < 0) return "-";
  if (s < 120) return fmt::format("{}s", s);
  if (s < 7200) return fmt::format("{}m", s / 60);
  if (s < 172800) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

// One line per session whatever the command held: control characters as \n, \t, \xHH.
std::string one_line(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += ch;
  }
  return out;
}

Row row_of(const fs::path& dir) {
  Row r;
  r.id = dir.filename().string();
  auto st = lock_status(dir / kSessionLockName);
  if (st && st->record) {
    r.live = st->held;
    r.pid = st->record->owner.pid;
    r.command = st->record->cmd;
    if (st->record->acquired_at_ms > 0) r.age_s = (wall_clock_ms() - st->record->acquired_at_ms) / 1000;
  } else if (st) {
    r.live = st->held;
  }
  struct stat sb{};
  if (r.age_s < 0 && ::stat(dir.c_str(), &sb) == 0) r.age_s = wall_clock_ms() / 1000 - sb.st_mtime;
  return r;
}

std::vector<fs::path> session_dirs(const fs::path& root) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const auto n = it->path().filename().string();
    if (!n.starts_with('.') && it->is_directory(ec) && !it->is_symlink(ec)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Error no_session(const fs::path& root, const std::string& id) {
  return Error{std::make_error_code(std::errc::no_such_file_or_directory),
                    fmt::format("no session '{}' under '{}'", id, root.string())};
}

bool held(const fs::path& lock) {
  auto st = lock_status(lock);
  return st && st->held;
}

}  // namespace

void reap_session_cgroups(const fs::path& session_dir, spdlog::logger& log) {
  if (::access((session_dir / kCgroupsFile).c_str(), F_OK) != 0) return;
  // Positive evidence only, as the collector does: the session lock taken by us, held while
  // the cgroups go. A live launcher holds it; so does nobody else for long.
  const int lock = ::open((session_dir / kSessionLockName).c_str(),
                          O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (lock < 0) return;
  struct CloseLock {
    int fd;
    ~CloseLock() { ::close(fd); }
  } close_lock{lock};
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0) return;  // alive, or being judged by a collector
  auto text = read_small_file(session_dir / kCgroupsFile, 64 * 1024);
  if (!text) return;
  std::vector<fs::path> dirs;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) dirs.emplace_back(line);
  auto found = launch::destroy_cgroup_dirs(dirs);
  if (found) (void)::unlink((session_dir / kCgroupsFile).c_str());
  if (!found) log.warn("cgroups of '{}': {}", session_dir.string(), found.error().message());
  else if (*found > 0) log.info("killed {} process(es) left in '{}'", *found, session_dir.string());
}

int cmd_ls(const LaunchCli& cli, spdlog::logger& log) {
  const fs::path root = state_dir_of(cli);
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return report(log, Error{std::make_error_code(std::errc::no_such_file_or_directory),
                                  fmt::format("state dir '{}'", root.string())});
  std::vector<Row> rows;
  for (const auto& d : session_dirs(root)) rows.push_back(row_of(d));
  if (cli.output == "json") {
    auto j = nlohmann::ordered_json::array();
    for (const auto& r : rows)
      j.push_back({{"id", r.id}, {"state", r.live ? "live" : "dead"}, {"age_s", r.age_s},
                   {"pid", r.pid}, {"command", r.command},
                   {"path", (root / r.id).string()}});
    fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    return kExitOk;
  }
  if (rows.empty()) return kExitOk;
  std::size_t w = 2;
  for (const auto& r : rows) w = std::max(w, r.id.size());
  fmt::print("{:<{}}  {:<5}  {:>5}  {:>7}  {}\n", "ID", w, "STATE", "AGE", "PID", "COMMAND");
  for (const auto& r : rows)
    fmt::print("{:<{}}  {:<5}  {:>5}  {:>7}  {}\n", one_line(r.id), w, r.live ? "live" : "dead",
               age_text(r.age_s), r.live ? std::to_string(r.pid) : "-", one_line(r.command));
  return kExitOk;
}

int cmd_stop(const LaunchCli& cli, spdlog::logger& log) {
  const fs::path root = state_dir_of(cli);
  auto wait = parse_seconds(cli.stop_timeout, "--timeout");
  if (!wait) return report(log, wait.error());
  if (auto ok = validate_session_id(cli.stop_id); !ok) return report(log, ok.error());
  const auto dir = root / cli.stop_id;
  struct stat sb{};
  if (::lstat(dir.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode))
    return report(log, no_session(root, cli.stop_id));
  const auto lock = dir / kSessionLockName;
  auto st = lock_status(lock);
  if (!st) return report(log, st.error());
  if (!st->held) {
    log.info("session '{}' is not running", cli.stop_id);
    reap_session_cgroups(dir, log);
    return kExitOk;
  }
  if (!st->record || liveness_of(st->record->owner) != Liveness::alive)
    return report(log, Error{std::make_error_code(std::errc::operation_not_permitted),
                                  fmt::format("session '{}' is held by a process that cannot be "
                                              "found from here (another host or pid namespace)",
                                              cli.stop_id)});
  const pid_t pid = st->record->owner.pid;
  if (::kill(pid, SIGTERM) != 0) return report(log, sys_error("signal the launcher of", dir));
  const auto until = Clock::now() + *wait;
  while (held(lock) && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (held(lock)) {
    log.warn("session '{}' still running {} s after SIGTERM; killing it", cli.stop_id,
             cli.stop_timeout);
    if (liveness_of(st->record->owner) == Liveness::alive) (void)::kill(pid, SIGKILL);
    reap_session_cgroups(dir, log);
    const auto grace = Clock::now() + std::chrono::seconds(5);
    while (held(lock) && Clock::now() < grace) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  log.info("stopped session '{}'", cli.stop_id);
  return kExitOk;
}

int cmd_gc(const LaunchCli& cli, spdlog::logger& log, std::shared_ptr<spdlog::logger> shared) {
  GcCli g;
  g.root = state_dir_of(cli);
  g.min_age = cli.gc_min_age;
  g.dry_run = cli.gc_dry_run;
  g.force = cli.gc_force;
  auto opts = to_gc_options(g);
  if (!opts) return report(log, opts.error());
  opts->tool = "dd-launch";
  opts->require_lock_file = true;  // every dd-launch session has one; anything else is not ours
  auto jnl = open_journal(cli.journal, "dd-launch", shared);
  opts->events = jnl.get();
  if (!cli.gc_dry_run)
    for (const auto& d : session_dirs(opts->root))
      if (!held(d / kSessionLockName)) reap_session_cgroups(d, log);
  auto rep = gc::collect(*opts);
  if (!rep) return report(log, rep.error());
  warn_gc_report(*rep, *opts, log);
  if (cli.output == "json")
    fmt::print("{}", report_json(*rep, *opts));
  else if (cli.quiet == 0)
    fmt::print("{}", report_text(*rep, *opts, cli.verbose > 0));
  return kExitOk;
}

}  // namespace ddsafe::tools

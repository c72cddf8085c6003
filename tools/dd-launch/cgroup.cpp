#include "dd-launch/cgroup.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "ddsafe/unique_fd.hpp"

namespace ddsafe::launch {
namespace {

namespace fs = std::filesystem;
constexpr const char* kMount = "/sys/fs/cgroup";
constexpr std::size_t kMaxProcsBytes = std::size_t{4} << 20;

bool is_fs(const fs::path& p, long magic) {
  struct statfs s{};
  return ::statfs(p.c_str(), &s) == 0 && static_cast<long>(s.f_type) == magic;
}

Result<void> write_file(const fs::path& p, std::string_view text) {
  auto fd = open_fd(p, O_WRONLY);
  if (!fd) return std::move(fd).error();
  if (::write(fd->get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return sys_error(fmt::format("write '{}'", text), p);
  return {};
}

Result<void> make_dir(const fs::path& p) {
  if (::mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) return sys_error("create cgroup", p);
  return {};
}

std::vector<pid_t> procs_of(const fs::path& dir) {
  std::vector<pid_t> out;
  auto text = read_small_file(dir / "cgroup.procs", kMaxProcsBytes);
  if (!text) return out;
  std::istringstream in(*text);
  pid_t pid;
  while (in >> pid) out.push_back(pid);
  return out;
}

bool populated(const fs::path& dir) {
  auto ev = read_small_file(dir / "cgroup.events", 4096);
  if (ev) return ev->find("populated 1") != std::string::npos;
  return !procs_of(dir).empty();
}

// Kills what is in `dir` until it is empty: cgroup.kill when `use_kill` (one write reaches
// every process, forks in flight included), else rounds of SIGKILL over cgroup.procs (a fork
// bomb refills the list between reading and killing; one round is not enough).
std::size_t kill_all(const fs::path& dir, bool use_kill) {
  std::size_t seen = procs_of(dir).size();
  if (use_kill) (void)write_file(dir / "cgroup.kill", "1");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    auto left = procs_of(dir);
    if (left.empty() && !populated(dir)) break;
    if (!use_kill) {
      for (pid_t p : left) (void)::kill(p, SIGKILL);
      seen += left.size();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return seen;
}

Result<void> remove_dir(const fs::path& dir) {
  for (int i = 0; i < 200; ++i) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return sys_error("remove cgroup", dir);
}

}  // namespace

Result<CgroupLayout> cgroup_layout() {
  const fs::path root(kMount);
  CgroupLayout l;
  if (is_fs(root, CGROUP2_SUPER_MAGIC)) {
    auto ctl = read_small_file(root / "cgroup.controllers", 4096);
    if (!ctl || ctl->find("pids") == std::string::npos)
      return make_error(errc::invalid_argument,
                        fmt::format("the cgroup v2 hierarchy at '{}' has no pids controller; "
                                    "no process limit can be enforced", root.string()));
    l.pids_parent = l.kill_parent = root / "ddsafe";
    l.unified = true;
    return l;
  }
  if (!is_fs(root / "pids", CGROUP_SUPER_MAGIC))
    return make_error(errc::invalid_argument,
                      fmt::format("no pids cgroup controller at '{}/pids' (nor cgroup v2 at "
                                  "'{}'); no process limit can be enforced", kMount, kMount));
  l.pids_parent = root / "pids" / "ddsafe";
  if (is_fs(root / "unified", CGROUP2_SUPER_MAGIC)) l.kill_parent = root / "unified" / "ddsafe";
  return l;
}

std::vector<fs::path> SessionCgroup::planned_dirs(const CgroupLayout& l,
                                                  const std::string& name) {
  std::vector<fs::path> out{l.pids_parent / name};
  if (!l.unified && !l.kill_parent.empty()) out.push_back(l.kill_parent / name);
  return out;
}

Result<SessionCgroup> SessionCgroup::create(const CgroupLayout& l, const std::string& name,
                                            long pids_max) {
  SessionCgroup cg;
  if (auto ok = make_dir(l.pids_parent); !ok) return std::move(ok).error();
  // On v2, a controller works in a child only once its parent hands it down.
  if (l.unified) {
    if (auto ok = write_file(l.pids_parent.parent_path() / "cgroup.subtree_control", "+pids"); !ok)
      return std::move(ok).error();
    if (auto ok = write_file(l.pids_parent / "cgroup.subtree_control", "+pids"); !ok)
      return std::move(ok).error();
  }
  const auto pids = l.pids_parent / name;
  if (::mkdir(pids.c_str(), 0755) != 0) return sys_error("create cgroup", pids);
  cg.dirs_.push_back(pids);
  if (l.unified) cg.kill_dir_ = pids;
  if (auto ok = write_file(pids / "pids.max", std::to_string(pids_max)); !ok)
    return std::move(ok).error();
  if (!l.unified && !l.kill_parent.empty()) {
    // Hybrid: the v2 hierarchy has no controllers, only the kill switch. Optional: without
    // it the kill loop over the pids cgroup does the work.
    const auto kill = l.kill_parent / name;
    if (make_dir(l.kill_parent) && ::mkdir(kill.c_str(), 0755) == 0) {
      cg.dirs_.push_back(kill);
      if (::access((kill / "cgroup.kill").c_str(), W_OK) == 0) cg.kill_dir_ = kill;
    }
  }
  return cg;
}

SessionCgroup::~SessionCgroup() { (void)destroy(); }

std::vector<std::string> SessionCgroup::procs_files() const {
  std::vector<std::string> out;
  for (const auto& d : dirs_) out.push_back((d / "cgroup.procs").string());
  return out;
}

std::int64_t SessionCgroup::forks_refused() const {
  if (dirs_.empty()) return -1;
  auto ev = read_small_file(dirs_.front() / "pids.events", 4096);
  if (!ev) return -1;
  std::istringstream in(*ev);
  std::string key;
  std::int64_t n = 0;
  while (in >> key >> n)
    if (key == "max") return n;
  return -1;
}

Result<std::size_t> SessionCgroup::destroy() {
  if (dirs_.empty()) return std::size_t{0};
  std::size_t found = 0;
  if (!kill_dir_.empty()) found = kill_all(kill_dir_, true);
  // Everything is in the pids cgroup too; make sure it is empty whatever the kill switch did.
  found = std::max(found, kill_all(dirs_.front(), false));
  std::optional<Error> first;
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it)
    if (auto ok = remove_dir(*it); !ok && !first) first = std::move(ok).error();
  dirs_.clear();
  if (first) return std::move(*first);
  return found;
}

Result<std::size_t> destroy_cgroup_dirs(const std::vector<fs::path>& dirs) {
  std::size_t found = 0;
  std::optional<Error> first;
  for (const auto& dir : dirs) {
    const auto s = dir.lexically_normal().string();
    const bool ours = s.starts_with(std::string(kMount) + "/") && dir.is_absolute() &&
                      dir.parent_path().filename() == "ddsafe" &&
                      s.find("/../") == std::string::npos;
    if (!ours || ::access(dir.c_str(), F_OK) != 0) continue;
    const bool has_kill = ::access((dir / "cgroup.kill").c_str(), W_OK) == 0;
    found = std::max(found, kill_all(dir, has_kill));
    if (auto ok = remove_dir(dir); !ok && !first) first = std::move(ok).error();
  }
  if (first) return std::move(*first);
  return found;
}

}  // namespace ddsafe::launch

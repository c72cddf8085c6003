#pragma once
// The session's cgroups: a pids limit, and a kill switch that reaches every process of the
// session, however it was started (setsid, double fork, a fork bomb).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ddsafe/result.hpp"

namespace ddsafe::launch {

/// Where session cgroups go on this machine: the pids hierarchy (cgroup v1 `pids`, or the v2
/// root with the pids controller) and, when there is one, a v2 hierarchy for cgroup.kill.
struct CgroupLayout {
  std::filesystem::path pids_parent;  ///< `<pids mount>/ddsafe`
  std::filesystem::path kill_parent;  ///< `<v2 mount>/ddsafe`; empty without cgroup v2
  bool unified = false;               ///< both are the same v2 hierarchy
};

/// Reads /sys/fs/cgroup. errc::invalid_argument (naming what is missing) when there is no
/// pids controller: without it no process limit can be enforced.
Result<CgroupLayout> cgroup_layout();

/// The cgroups of one session. Teardown kills everything in them and removes them.
class SessionCgroup {
 public:
  /// The dirs create() makes for `name`, pids first (some may not come to be): written down
  /// before they are made, so a launcher killed half-way leaves none that gc cannot find.
  static std::vector<std::filesystem::path> planned_dirs(const CgroupLayout& layout,
                                                         const std::string& name);
  /// Creates `<parent>/<name>` in each hierarchy, with pids.max = `pids_max`.
  static Result<SessionCgroup> create(const CgroupLayout& layout, const std::string& name,
                                      long pids_max);
  SessionCgroup(SessionCgroup&&) noexcept = default;
  SessionCgroup& operator=(SessionCgroup&&) noexcept = default;
  ~SessionCgroup();

  /// The cgroup directories, pids first.
  [[nodiscard]] const std::vector<std::filesystem::path>& dirs() const noexcept { return dirs_; }
  /// The cgroup.procs files a process writes itself into to join the session.
  [[nodiscard]] std::vector<std::string> procs_files() const;
  /// Forks refused at pids.max so far (pids.events "max"); -1 when unknown.
  [[nodiscard]] std::int64_t forks_refused() const;
  /// Kills every process in the session's cgroups (cgroup.kill where there is one, else a
  /// kill loop over cgroup.procs until empty) and removes them. Returns how many processes
  /// were found alive. Idempotent.
  Result<std::size_t> destroy();

 private:
  SessionCgroup() = default;
  std::vector<std::filesystem::path> dirs_;  ///< created, pids first
  std::filesystem::path kill_dir_;           ///< the one with cgroup.kill, if any
};

/// Kills what is in `dirs` and removes them, skipping any that is gone or is not a ddsafe
/// session cgroup (`/sys/fs/cgroup/.../ddsafe/<name>`): for `stop` and `gc`, when the launcher
/// itself is gone. Returns how many processes were found alive.
Result<std::size_t> destroy_cgroup_dirs(const std::vector<std::filesystem::path>& dirs);

}  // namespace ddsafe::launch

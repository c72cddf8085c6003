#pragma once
// dd-launch's subcommands. Each returns the process exit status.

#include <spdlog/logger.h>

#include "dd-launch/options.hpp"

namespace ddsafe::tools {

int cmd_run(const LaunchCli& cli, spdlog::logger& log, std::shared_ptr<spdlog::logger> shared);
int cmd_ls(const LaunchCli& cli, spdlog::logger& log);
int cmd_stop(const LaunchCli& cli, spdlog::logger& log);
int cmd_gc(const LaunchCli& cli, spdlog::logger& log, std::shared_ptr<spdlog::logger> shared);

/// Exit statuses of `run` besides the command's own.
inline constexpr int kExitTimeout = 124;       ///< killed at --timeout (as timeout(1))
inline constexpr int kExitNotContained = 125;  ///< a mandatory layer failed: nothing was run

/// `<root>/<id>/.cgroups`: the session's cgroup dirs, one per line, for stop and gc.
inline constexpr const char* kCgroupsFile = ".cgroups";

/// Kills and removes the cgroups listed in a dead session's .cgroups, with its session lock
/// taken (a session whose lock is held is left alone); never fatal.
void reap_session_cgroups(const std::filesystem::path& session_dir, spdlog::logger& log);

}  // namespace ddsafe::tools

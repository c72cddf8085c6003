#pragma once
// The standard generators of a launch plan: the mandatory containment layers, then the
// optional features the caller asked for.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dd-launch/plan.hpp"

namespace ddsafe::launch {

struct LaunchRequest {
  bool contained = true;
  long pids_max = 512;
  std::chrono::milliseconds timeout{3600 * 1000};
  std::optional<std::string> user;  ///< name or uid; nullopt: nobody as root, else the caller
  bool need_cgroup = true;          ///< bwrap: the pids limit is a cgroup this host must offer
  std::vector<Bind> binds;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> env_files;
};

/// Mandatory: no_new_privs, drop_caps, no_network (contained only), pids_limit, timeout,
/// unprivileged_uid. Optional: one per bind ("bind SRC"), "env" (--setenv) and one per
/// --env-file ("env-file FILE").
std::vector<Generator> standard_generators(const LaunchRequest& request);

/// "SRC[:DST]": errc::invalid_argument unless both are absolute paths.
Result<Bind> parse_bind(const std::string& spec, bool writable);
/// "NAME=VALUE": errc::invalid_argument for an empty or invalid name, or one dd-launch sets
/// itself (DD_SESSION_ID, DD_SESSION_DIR, DD_SESSION_CONFIG).
Result<std::pair<std::string, std::string>> parse_setenv(const std::string& spec);

}  // namespace ddsafe::launch

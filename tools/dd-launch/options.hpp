#pragma once
// dd-launch's command line: `run`, `ls`, `stop` and `gc`.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ddsafe::tools {

struct LaunchCli {
  // Shared by every subcommand.
  std::optional<std::string> state_dir;
  std::optional<std::string> journal;
  std::string output = "text";
  int verbose = 0;
  int quiet = 0;
  // run
  std::string name = "session";
  std::optional<std::string> config_src;
  std::vector<std::string> config_drop;
  bool contain = false;
  bool open = false;
  long pids_max = 512;
  std::string timeout = "3600";
  std::string engine = "bwrap";
  std::optional<std::string> user;
  bool rm = false;
  std::vector<std::string> binds;
  std::vector<std::string> ro_binds;
  std::vector<std::string> setenv;
  std::vector<std::string> env_files;
  std::optional<std::string> image;
  bool dry_run = false;
  std::vector<std::string> command;
  // stop
  std::string stop_id;
  std::string stop_timeout = "10";
  // gc
  std::string gc_min_age = "3600";
  bool gc_dry_run = false;
  bool gc_force = false;
};

struct LaunchCommands {
  CLI::App* run = nullptr;
  CLI::App* ls = nullptr;
  CLI::App* stop = nullptr;
  CLI::App* gc = nullptr;
};

/// Registers every subcommand and flag on `app`.
LaunchCommands add_launch_flags(CLI::App& app, LaunchCli& cli);

/// --state-dir, else $DD_LAUNCH_STATE_DIR, else /var/lib/ddsafe/launch for root and
/// $XDG_STATE_HOME/ddsafe/launch (~/.local/state/ddsafe/launch) for others.
std::string state_dir_of(const LaunchCli& cli);

}  // namespace ddsafe::tools

#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "ddsafe/etcd_lock.hpp"
#include "ddsafe/file_lock.hpp"

namespace ddsafe::tools {

/// dd-lock's flags as parsed, before any policy is applied.
struct LockCli {
  bool exclusive = false;
  bool shared = false;
  bool mode_shared_last = true;  ///< from SplitArgs: -s came after any -x/-e
  bool unlock = false;
  bool nonblock = false;
  bool close_fd = false;  // flock(1) -o: always true for dd-lock, accepted for compatibility
  std::optional<std::string> wait;
  int conflict_code = 1;
  std::optional<std::string> shell_command;
  std::optional<std::string> ttl;
  std::string on_timeout = "fail";
  bool break_expired = false;
  std::optional<std::string> journal;
  bool status = false;
  std::optional<std::string> backend;  ///< --backend (else $DD_ETCD_ENDPOINTS, else file)
  bool break_lock = false;             ///< --break (etcd only)
  int verbose = 0;
  int quiet = 0;
  std::string target;
  std::vector<std::string> command;  ///< after LOCKFILE (a leading "--" removed)
};

/// argv cut the way flock(1)'s getopt ("+": options stop at the first operand) cuts it: the
/// options and LOCKFILE (for CLI11, which then refuses unknown options), and the command after.
struct SplitArgs {
  std::vector<std::string> head;     ///< argv[0], the options, LOCKFILE
  std::vector<std::string> command;  ///< everything after LOCKFILE, as given
  bool last_mode_shared = false;     ///< -s/-x/-e given more than once: the last one wins
};
SplitArgs split_args(int argc, const char* const* argv);

/// Takes the command part: a leading "--" is dropped; "-c CMD" / "--command CMD" right after
/// LOCKFILE (flock(1)'s form) sets the shell command. Errors name the problem.
Result<void> take_command(LockCli& cli, std::vector<std::string> rest);

/// Registers dd-lock's flags on `app`.
void add_lock_flags(CLI::App& app, LockCli& cli);

/// Library options for the parsed flags (mode, timeout, ttl, policy).
Result<LockOptions> to_lock_options(const LockCli& cli);

/// The command to run: -c through $SHELL (else /bin/sh) as flock(1) does, or argv as given.
std::vector<std::string> command_argv(const LockCli& cli);

/// The etcd target selected by --backend or $DD_ETCD_ENDPOINTS; nullopt for the flock
/// backend. errc::invalid_argument for a malformed or unknown backend.
Result<std::optional<EtcdTarget>> etcd_backend(const LockCli& cli);

/// True when TARGET is a descriptor number and no command follows (flock(1)'s fd form).
bool is_fd_mode(const LockCli& cli);

}  // namespace ddsafe::tools

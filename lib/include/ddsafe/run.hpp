#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ddsafe/result.hpp"

namespace ddsafe {

/// What to run and how to supervise it.
struct RunRequest {
  std::vector<std::string> argv;  ///< argv[0] is looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;  ///< set (overriding) in the child
  /// Descriptor to give the child as its stdout (-1: the caller's stdout).
  int stdout_fd = -1;
  /// Descriptors the child inherits although they are O_CLOEXEC (at the same numbers); the
  /// caller's copies keep the flag.
  std::vector<int> keep_fds;
  /// `cgroup.procs` files the child writes itself into before exec, in order, so that the
  /// command and everything it starts are in those cgroups from their first instruction. A
  /// failure stops the exec (exec_errno and failed_step say which file and why).
  std::vector<std::string> join_cgroups;
  /// Called every `tick` while the child runs (0: never). Returning false stops the child:
  /// SIGTERM, then SIGKILL after `stop_grace`.
  std::chrono::milliseconds tick{0};
  std::function<bool()> on_tick;
  std::chrono::milliseconds stop_grace{2000};
  /// Descendants left running after the child exits would go on without the caller's lock:
  /// terminate them (SIGTERM, then SIGKILL after stop_grace).
  bool reap_leftovers = true;
};

struct RunOutcome {
  int status = 0;        ///< exit code, or 128 + signal number if killed (as a shell reports)
  int exec_errno = 0;    ///< non-zero: the command could not be started (ENOENT, EACCES, ...)
  /// With exec_errno: "exec", "set stdout", or "join cgroup '<file>'".
  std::string failed_step;
  bool stopped = false;  ///< on_tick asked to stop it
  /// The last of SIGINT, SIGTERM, SIGHUP that reached the caller while the child ran (0: none):
  /// the caller was asked to stop, whatever the child made of the signal.
  int interrupted_by = 0;
  std::vector<pid_t> leftovers;  ///< descendants found running after the child exited
};

/// Runs argv as a child and waits for it. The child inherits no descriptor the caller opened
/// with O_CLOEXEC (all ddsafe descriptors). It is killed by the kernel if the caller dies
/// (PR_SET_PDEATHSIG), and the caller becomes a child subreaper so orphaned descendants can be
/// found. SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to the caller are forwarded
/// to the child (terminal-generated ones reach the child's process group directly and are not
/// sent twice). Fails only when the child cannot be created (fork, pipe, signalfd errors).
/// Requires: a single-threaded caller (signal masks are process-wide for forwarding).
Result<RunOutcome> run_child(const RunRequest& request);

}  // namespace ddsafe

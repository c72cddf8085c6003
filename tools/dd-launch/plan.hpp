#pragma once
// The launch plan: what containment a session gets, assembled from generators mandatory-first,
// and rendered as the argument list of an engine (bubblewrap, podman or docker).

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ddsafe/result.hpp"

namespace ddsafe::launch {

enum class Engine { bwrap, podman, docker };

/// An extra bind mount asked for with --bind / --ro-bind.
struct Bind {
  std::string src;
  std::string dst;
  bool writable = false;
};

struct Plan {
  // Mandatory layers: each is set by its generator, and render refuses a plan missing one.
  bool no_new_privs = false;
  bool drop_caps = false;
  bool no_network = false;  ///< only required in contained mode
  long pids_max = 0;        ///< 0: no limit set (refused)
  std::chrono::milliseconds timeout{0};  ///< 0: none set (refused)
  std::optional<uid_t> uid;  ///< the unprivileged host uid the command runs as
  std::optional<gid_t> gid;
  // Optional features.
  std::vector<Bind> binds;
  std::vector<std::pair<std::string, std::string>> env;
  // Filled in by the launcher.
  bool contained = true;        ///< --contain (no network); --open keeps the host's network
  bool launcher_is_root = false;
  std::string session_id;
  std::string state_root;       ///< hidden from the sandbox but for this session's own paths
  std::string session_dir;      ///< the command's writable directory
  std::string config_path;      ///< empty: no config
  std::string image;            ///< podman/docker image (--image)
  std::vector<std::string> command;
};

/// One step of plan assembly. A mandatory generator that fails aborts the launch; an optional
/// one that fails only loses its feature.
struct Generator {
  std::string name;
  bool mandatory = false;
  std::function<Result<void>(Plan&)> apply;
};

struct Dropped {
  std::string feature;
  Error error;
};

struct Assembly {
  Plan plan;
  std::vector<std::string> layers;  ///< mandatory layers applied, in order
  std::vector<Dropped> dropped;     ///< optional features lost, with why
};

/// Runs every mandatory generator first (in the order given), then the optional ones. An
/// optional generator works on a copy of the plan, so a failure half-way leaves nothing of it.
/// Fails with the first mandatory failure, its context naming the layer; then nothing runs.
Result<Assembly> assemble(Plan base, const std::vector<Generator>& generators);

/// Checks that every mandatory layer is in the plan (errc::invalid_argument naming the first
/// missing one). render_* call it: a plan without its containment is never rendered.
Result<void> check_mandatory(const Plan& plan);

/// The bubblewrap command line. As root, bwrap runs privileged (no user namespace: with one,
/// the sandbox uid maps back to host root or to nothing) and `setpriv` drops to plan.uid with
/// an empty bounding set right before the command; otherwise bwrap runs unprivileged in a user
/// namespace as the caller. With `started_fd` >= 0, a shell inside (as the final uid) enters
/// the session dir, writes one byte to that descriptor and execs the command: the byte tells
/// a sandbox that was set up from one that failed before the command.
Result<std::vector<std::string>> render_bwrap(const Plan& plan, int started_fd);

/// The same plan as `podman run` / `docker run` flags.
Result<std::vector<std::string>> render_engine(const Plan& plan, Engine engine);

}  // namespace ddsafe::launch

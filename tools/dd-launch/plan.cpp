#include "dd-launch/plan.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace ddsafe::launch {
namespace {

Error missing(const char* layer) {
  return make_error(errc::invalid_argument,
                    fmt::format("launch plan lacks the mandatory layer '{}'; refusing to "
                                "launch", layer));
}

void add(std::vector<std::string>& v, std::initializer_list<std::string> args) {
  v.insert(v.end(), args);
}

// Whether `path` lies strictly below `dir`.
bool below(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() + 1 && path.starts_with(dir) && path[dir.size()] == '/';
}

// The sandbox's own tmpfs mounts: the private /tmp and the masked state root.
struct Masks {
  std::vector<std::string> tmpfs;
  std::vector<std::string> made;  ///< dirs already made in them
};

// A mount point inside one of the sandbox's tmpfs needs its parents made there, and bwrap makes
// them 0700 root: the unprivileged command could not pass. Make them 0711 first (once each).
void add_parents(std::vector<std::string>& a, const std::string& dst, Masks& m) {
  const auto under = std::find_if(m.tmpfs.begin(), m.tmpfs.end(),
                                  [&](const std::string& t) { return below(dst, t); });
  if (under == m.tmpfs.end()) return;
  for (auto slash = dst.find('/', under->size() + 1); slash != std::string::npos;
       slash = dst.find('/', slash + 1)) {
    auto parent = dst.substr(0, slash);
    if (std::find(m.made.begin(), m.made.end(), parent) != m.made.end()) continue;
    add(a, {"--perms", "0711", "--dir", parent});
    m.made.push_back(std::move(parent));
  }
}

void add_bind(std::vector<std::string>& a, const char* how, const std::string& src,
              const std::string& dst, Masks& m) {
  add_parents(a, dst, m);
  add(a, {how, src, dst});
}

}  // namespace

Result<Assembly> assemble(Plan base, const std::vector<Generator>& generators) {
  Assembly a{std::move(base), {}, {}};
  for (const auto& g : generators) {
    if (!g.mandatory) continue;
    if (auto ok = g.apply(a.plan); !ok) {
      auto e = std::move(ok).error();
      e.context = fmt::format("mandatory layer '{}' failed: {}", g.name, e.context);
      return e;
    }
    a.layers.push_back(g.name);
  }
  for (const auto& g : generators) {
    if (g.mandatory) continue;
    Plan trial = a.plan;
    if (auto ok = g.apply(trial); !ok) {
      a.dropped.push_back({g.name, std::move(ok).error()});
      continue;
    }
    a.plan = std::move(trial);
  }
  return a;
}

Result<void> check_mandatory(const Plan& p) {
  if (!p.no_new_privs) return missing("no_new_privs");
  if (!p.drop_caps) return missing("drop_caps");
  if (p.contained && !p.no_network) return missing("no_network");
  if (p.pids_max <= 0) return missing("pids_limit");
  if (p.timeout.count() <= 0) return missing("timeout");
  if (!p.uid || !p.gid || *p.uid == 0) return missing("unprivileged_uid");
  if (p.command.empty()) return make_error(errc::invalid_argument, "no command to launch");
  return {};
}

Result<std::vector<std::string>> render_bwrap(const Plan& p, int started_fd) {
  if (auto ok = check_mandatory(p); !ok) return std::move(ok).error();
  std::vector<std::string> a{"bwrap"};
  if (p.launcher_is_root) {
    // Every namespace but the user one (see above), and of the capabilities only those setpriv
    // needs to drop to the unprivileged uid; it empties the bounding set before the command.
    add(a, {"--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup"});
    if (p.no_network) a.push_back("--unshare-net");
    add(a, {"--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
            "--cap-add", "CAP_SETPCAP"});
  } else {
    add(a, {"--unshare-all", "--unshare-user", "--disable-userns"});
    if (!p.no_network) a.push_back("--share-net");
    add(a, {"--cap-drop", "ALL"});
  }
  add(a, {"--die-with-parent", "--new-session", "--ro-bind", "/", "/", "--dev", "/dev", "--proc",
          "/proc", "--perms", "1777", "--tmpfs", "/tmp",
          // The host's daemons listen on sockets under /run (D-Bus, container engines): a
          // socket file is reachable through a read-only bind, whatever the network namespace.
          "--perms", "0755", "--tmpfs", "/run"});
  Masks masks{{"/tmp"}, {}};
  // Other sessions' dirs and configs stay out of sight: the state root is an empty tmpfs with
  // only this session's work dir and config in it.
  if (!p.state_root.empty() && p.state_root != "/tmp" && !below(p.state_root, "/tmp")) {
    add(a, {"--perms", "0711", "--tmpfs", p.state_root});
    masks.tmpfs.push_back(p.state_root);
  }
  add_bind(a, "--bind", p.session_dir, p.session_dir, masks);
  if (!p.config_path.empty()) add_bind(a, "--ro-bind", p.config_path, p.config_path, masks);
  for (const auto& b : p.binds)
    add_bind(a, b.writable ? "--bind" : "--ro-bind", b.src, b.dst.empty() ? b.src : b.dst, masks);
  add(a, {"--setenv", "HOME", p.session_dir, "--setenv",
          "DD_SESSION_ID", p.session_id, "--setenv", "DD_SESSION_DIR", p.session_dir});
  if (!p.config_path.empty()) add(a, {"--setenv", "DD_SESSION_CONFIG", p.config_path});
  for (const auto& [k, v] : p.env) add(a, {"--setenv", k, v});
  a.push_back("--");
  if (p.launcher_is_root)
    add(a, {"setpriv", fmt::format("--reuid={}", *p.uid), fmt::format("--regid={}", *p.gid),
            "--clear-groups", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"});
  if (started_fd >= 0) {
    // Runs as the final uid, so the work dir (0700, the uid's) can be entered. One byte on
    // `started_fd` says the sandbox is set up; then the descriptor is closed and the command
    // exec'd (126/127 from the shell when it cannot be run).
    add(a, {"/bin/sh", "-c",
            fmt::format("cd \"$DD_SESSION_DIR\" || exit 125; printf x >&{0} || exit 125; "
                        "exec {0}>&-; exec \"$@\"", started_fd),
            "dd-launch"});
  }
  a.insert(a.end(), p.command.begin(), p.command.end());
  return a;
}

Result<std::vector<std::string>> render_engine(const Plan& p, Engine engine) {
  if (auto ok = check_mandatory(p); !ok) return std::move(ok).error();
  if (engine == Engine::docker && p.image.empty())
    return make_error(errc::invalid_argument,
                      "--engine docker needs --image IMAGE (docker cannot run the host's root)");
  std::vector<std::string> a{engine == Engine::docker ? "docker" : "podman", "run", "--rm",
                             "--name", p.session_id};
  if (p.no_network) add(a, {"--network", "none"});
  add(a, {"--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--pids-limit",
          std::to_string(p.pids_max), "--read-only", "--tmpfs", "/tmp",
          "--user", fmt::format("{}:{}", *p.uid, *p.gid),
          "--volume", fmt::format("{}:{}:rw", p.session_dir, p.session_dir),
          "--workdir", p.session_dir});
  if (engine == Engine::podman)
    add(a, {"--timeout", std::to_string((p.timeout.count() + 999) / 1000)});
  if (!p.config_path.empty())
    add(a, {"--volume", fmt::format("{}:{}:ro", p.config_path, p.config_path), "--env",
            "DD_SESSION_CONFIG=" + p.config_path});
  for (const auto& b : p.binds)
    add(a, {"--volume", fmt::format("{}:{}:{}", b.src, b.dst.empty() ? b.src : b.dst,
                                    b.writable ? "rw" : "ro")});
  add(a, {"--env", "HOME=" + p.session_dir, "--env", "DD_SESSION_ID=" + p.session_id, "--env",
          "DD_SESSION_DIR=" + p.session_dir});
  for (const auto& [k, v] : p.env) add(a, {"--env", k + "=" + v});
  if (p.image.empty())
    add(a, {"--rootfs", "/"});  // podman only: the host's root, read-only, as bwrap shows it
  else
    a.push_back(p.image);
  a.insert(a.end(), p.command.begin(), p.command.end());
  return a;
}

}  // namespace ddsafe::launch

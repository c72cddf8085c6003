#include "dd-launch/options.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace ddsafe::tools {
namespace {

// Scalar options may be repeated; the last one counts (as with flock(1) and env(1)).
CLI::App& last_wins(CLI::App& sub) {
  for (auto* o : sub.get_options())
    if (o->get_expected_max() == 1) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  return sub;
}

void add_shared(CLI::App& sub, LaunchCli& cli) {
  sub.add_option("--state-dir", cli.state_dir,
                 "state root holding the session dirs (default $DD_LAUNCH_STATE_DIR, else "
                 "/var/lib/ddsafe/launch as root, $XDG_STATE_HOME/ddsafe/launch otherwise)")
      ->type_name("DIR");
  sub.add_option("--journal", cli.journal,
                 "journal file (default $DD_JOURNAL, else $XDG_STATE_HOME/ddsafe/journal.jsonl)")
      ->type_name("PATH");
}

void add_output(CLI::App& sub, LaunchCli& cli) {
  sub.add_option("-o,--output", cli.output, "output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
}

CLI::App* add_run(CLI::App& app, LaunchCli& cli) {
  auto* run = app.add_subcommand("run", "run a command in a new contained session");
  add_shared(*run, cli);
  run->add_option("--name", cli.name,
                  "session name; the id is NAME-N, N one more than any NAME-* in the state dir "
                  "(default: session)")
      ->type_name("NAME");
  run->add_option("--config-src", cli.config_src,
                  "JSON file refreshed into the session as $DD_SESSION_CONFIG (mode 0644); a "
                  "missing or invalid source keeps the previous config")
      ->type_name("FILE");
  run->add_option("--config-drop", cli.config_drop,
                  "JSON pointer removed from the config before it is written (repeatable)")
      ->type_name("POINTER");
  auto* contain = run->add_flag("--contain", cli.contain, "no network (the default)");
  run->add_flag("--open", cli.open, "keep the host's network; every other layer stays")
      ->excludes(contain);
  run->add_option("--pids-max", cli.pids_max,
                  "most processes the session may have at once (pids cgroup; default 512)")
      ->check(CLI::Range(1L, 4194304L))
      ->type_name("N");
  run->add_option("--timeout", cli.timeout,
                  "wall-clock limit in seconds; then everything in the session is killed and "
                  "the exit status is 124 (default 3600)")
      ->type_name("SECONDS");
  run->add_option("--engine", cli.engine,
                  "bwrap (default) runs the session; podman and docker get the same plan as "
                  "their own flags")
      ->check(CLI::IsMember({"bwrap", "podman", "docker"}))
      ->type_name("ENGINE");
  run->add_option("--image", cli.image, "image for --engine podman|docker (podman default: the "
                                        "host's root, read-only)")
      ->type_name("IMAGE");
  run->add_option("--user", cli.user,
                  "unprivileged host user (name or uid) the command runs as (as root, default "
                  "nobody; otherwise the caller); root is refused")
      ->type_name("USER");
  run->add_flag("--rm", cli.rm, "remove the session dir at the end (the collector's safe removal)");
  run->add_option("--bind", cli.binds,
                  "optional: bind host SRC writable at DST (default SRC); dropped with a "
                  "warning if SRC is missing")
      ->type_name("SRC[:DST]");
  run->add_option("--ro-bind", cli.ro_binds, "optional: the same, read-only")
      ->type_name("SRC[:DST]");
  run->add_option("--setenv", cli.setenv, "optional: set NAME=VALUE in the session (repeatable)")
      ->type_name("NAME=VALUE");
  run->add_option("--env-file", cli.env_files,
                  "optional: NAME=VALUE lines to set; dropped with a warning if unreadable")
      ->type_name("FILE");
  run->add_flag("-n,--dry-run", cli.dry_run,
                "print the launch plan (the engine's command line) and change nothing");
  add_output(*run, cli);
  last_wins(*run);
  run->add_option("command", cli.command, "the command and its arguments, after --")
      ->type_name("CMD...");
  return run;
}

}  // namespace

LaunchCommands add_launch_flags(CLI::App& app, LaunchCli& cli) {
  LaunchCommands c;
  app.require_subcommand(1);
  app.fallthrough();  // -v, -q after the subcommand reach the app
  c.run = add_run(app, cli);
  c.ls = app.add_subcommand("ls", "list sessions: id, live or dead, age, launcher pid, command");
  add_shared(*c.ls, cli);
  add_output(*c.ls, cli);
  c.stop = app.add_subcommand("stop", "stop a live session and wait until it has ended");
  add_shared(*c.stop, cli);
  c.stop->add_option("ID", cli.stop_id, "the session id (see dd-launch ls)")->required();
  c.stop->add_option("--timeout", cli.stop_timeout,
                     "seconds to wait after SIGTERM before killing the session (default 10)")
      ->type_name("SECONDS");
  c.gc = app.add_subcommand("gc", "remove dead sessions' dirs and cgroups, never a live one");
  add_shared(*c.gc, cli);
  add_output(*c.gc, cli);
  c.gc->add_option("--min-age", cli.gc_min_age,
                   "keep dirs modified less than SECONDS ago (default 3600)")
      ->type_name("SECONDS");
  c.gc->add_flag("-n,--dry-run", cli.gc_dry_run, "say what would be removed; change nothing");
  c.gc->add_flag("--force", cli.gc_force, "run past the circuit breakers");
  for (auto* sub : {c.ls, c.stop, c.gc}) last_wins(*sub);
  app.footer(
      "Exit status of run: the command's (128+N if killed by signal N); 124 timeout; 125 the\n"
      "sandbox could not be set up (a mandatory layer failed); 65 invalid config source and no\n"
      "previous config; 66 config source missing and no previous config; 64 usage; 127 bwrap\n"
      "missing. stop: 0 stopped or not running, 66 no such session. See dd-launch(1).");
  return c;
}

namespace {

std::string configured_state_dir(const LaunchCli& cli) {
  if (cli.state_dir) return *cli.state_dir;
  if (const char* env = std::getenv("DD_LAUNCH_STATE_DIR"); env && *env) return env;
  if (::geteuid() == 0) return "/var/lib/ddsafe/launch";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/ddsafe/launch";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/state/ddsafe/launch";
}

}  // namespace

std::string state_dir_of(const LaunchCli& cli) {
  // Absolute: session paths go into bind mounts and journal events.
  std::error_code ec;
  auto abs = std::filesystem::absolute(configured_state_dir(cli), ec);
  return (ec ? std::filesystem::path(configured_state_dir(cli)) : abs).lexically_normal().string();
}

}  // namespace ddsafe::tools

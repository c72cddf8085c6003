// dd-launch: a containment launcher built on ddsafe's primitives.

#include <signal.h>

#include "common/exit_codes.hpp"
#include "common/parse.hpp"
#include "common/report.hpp"
#include "dd-launch/commands.hpp"

int main(int argc, char** argv) {
  using namespace ddsafe::tools;
  ::signal(SIGCHLD, SIG_DFL);  // an inherited SIG_IGN would lose every child's exit status
  ensure_standard_fds();
  CLI::App app{"run commands in contained sessions: bubblewrap, a pids cgroup, a timeout",
               "dd-launch"};
  LaunchCli cli;
  auto cmds = add_launch_flags(app, cli);
  add_common_flags(app, cli.verbose, cli.quiet);
  // Everything after the first "--" is the command, untouched by the option parser.
  SplitArgv split;
  if (auto done = parse_until_command(app, argc, argv, split)) return *done;
  auto log = make_logger("dd-launch", cli.quiet > 0 ? -1 : cli.verbose);
  if (cmds.run->parsed()) {
    cli.command.insert(cli.command.end(), split.command.begin(), split.command.end());
    if (cli.command.empty()) {
      log->error("run: missing command after '--'");
      return kExitUsage;
    }
  }
  if (cmds.run->parsed()) return cmd_run(cli, *log, log);
  if (cmds.ls->parsed()) return cmd_ls(cli, *log);
  if (cmds.stop->parsed()) return cmd_stop(cli, *log);
  return cmd_gc(cli, *log, log);
}

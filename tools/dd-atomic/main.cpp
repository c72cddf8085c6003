// dd-atomic: replace a file atomically and durably with a command's output or stdin.

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "dd-atomic/options.hpp"
#include "dd-atomic/run.hpp"

int main(int argc, char** argv) {
  using namespace ddsafe::tools;
  ensure_standard_fds();
  CLI::App app{"replace FILE atomically with stdin or with the output of CMD\n"
               "usage: CMD | dd-atomic [options] FILE\n"
               "       dd-atomic [options] FILE -- CMD [ARGS...]",
               "dd-atomic"};
  AtomicCli cli;
  add_common_flags(app, cli.verbose, cli.quiet);
  add_atomic_flags(app, cli);
  SplitArgv split;
  if (auto done = parse_until_command(app, argc, argv, split)) return *done;
  auto log = make_logger("dd-atomic", cli.quiet > 0 ? -1 : cli.verbose);
  if (split.had_separator && split.command.empty()) {
    log->error("missing command after '--'");
    return kExitUsage;
  }
  cli.producer = split.command;
  auto plan = to_plan(cli);
  if (!plan) return report(*log, plan.error());
  auto journal = open_journal(cli.journal, "dd-atomic", log);
  return run_atomic(*plan, *journal, *log);
}

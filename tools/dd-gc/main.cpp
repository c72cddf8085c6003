// dd-gc: never-fatal garbage collection of session dirs that can never reap a live session.

#include <signal.h>

#include <fmt/format.h>

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "dd-gc/options.hpp"

using namespace ddsafe;
using namespace ddsafe::tools;

int main(int argc, char** argv) {
  // An ignored SIGCHLD survives exec and makes the kernel reap children itself: the live
  // command's exit status would be lost and the pass skipped. Its status is ours to read.
  ::signal(SIGCHLD, SIG_DFL);
  CLI::App app{"remove dead session dirs under a state root, never a live one", "dd-gc"};
  GcCli cli;
  add_gc_flags(app, cli);
  add_common_flags(app, cli.verbose, cli.quiet);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  auto log = make_logger("dd-gc", cli.quiet > 0 ? -1 : cli.verbose);
  auto opts = to_gc_options(cli);
  if (!opts) return report(*log, opts.error());
  auto jnl = open_journal(cli.journal, "dd-gc", log);
  opts->events = jnl.get();
  auto rep = gc::collect(*opts);
  if (!rep) return report(*log, rep.error());
  warn_gc_report(*rep, *opts, *log);
  if (cli.output == "json")
    fmt::print("{}", report_json(*rep, *opts));
  else if (cli.quiet == 0)
    fmt::print("{}", report_text(*rep, *opts, cli.verbose > 0));
  return gc_exit_status(*rep, cli.strict);
}

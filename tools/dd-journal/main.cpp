// dd-journal: record, query, count, follow and check the ddsafe journal.

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "dd-journal/commands.hpp"

int main(int argc, char** argv) {
  using namespace ddsafe::tools;
  CLI::App app{"record and query ddsafe journal events", "dd-journal"};
  app.require_subcommand(1);
  // -v/-q (and -h/-V) are accepted after the subcommand too: `dd-journal query -q`.
  app.fallthrough();
  CommonCli common;
  add_common_flags(app, common.verbose, common.quiet);
  const Command commands[] = {add_emit(app, common), add_query(app, common),
                              add_stats(app, common), add_tail(app, common),
                              add_verify(app, common)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  for (const auto& c : commands)
    if (c.app->parsed()) return c.run();
  return kExitSoftware;  // require_subcommand(1) makes this unreachable
}

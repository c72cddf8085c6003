// dd-journal: write and (in later releases) query the ddsafe journal.

#include <unistd.h>

#include <charconv>

#include <fmt/format.h>

#include "common/exit_codes.hpp"
#include "common/report.hpp"

namespace {

using namespace ddsafe;
using namespace ddsafe::tools;

struct EmitCli {
  std::string event;
  std::vector<std::string> fields;
  std::optional<std::string> journal;
  bool strict = false;
  int verbose = 0;
  int quiet = 0;
};

bool valid_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
             std::string::npos;
}

// "42" and "-7" become integers, "true"/"false" booleans; everything else stays a string.
FieldValue typed(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  std::int64_t n = 0;
  const auto* end = v.data() + v.size();
  const auto r = std::from_chars(v.data(), end, n);
  const bool canonical = !v.empty() && v != "-0" && (v.size() == 1 || v[0] != '0') &&
                         !(v[0] == '-' && v.size() > 1 && v[1] == '0');
  if (r.ec == std::errc() && r.ptr == end && canonical) return n;
  return v;
}

Result<Event> build_event(const EmitCli& cli) {
  if (!valid_name(cli.event))
    return make_error(errc::invalid_argument,
                      fmt::format("invalid event name '{}' (letters, digits, '_', '.', '-')",
                                  cli.event));
  Event ev{cli.event, {}};
  for (const auto& f : cli.fields) {
    const auto eq = f.find('=');
    const auto key = f.substr(0, eq);
    if (eq == std::string::npos || !valid_name(key))
      return make_error(errc::invalid_argument,
                        fmt::format("invalid field '{}' (want key=value)", f));
    if (key == "v" || key == "ts" || key == "event" || key == "host" || key == "pid" ||
        key == "tool")
      return make_error(errc::invalid_argument,
                        fmt::format("field '{}' is reserved by the journal", key));
    ev.add(key, typed(f.substr(eq + 1)));
  }
  return ev;
}

int emit(const EmitCli& cli) {
  auto log = make_logger("dd-journal", cli.quiet > 0 ? -1 : cli.verbose);
  auto ev = build_event(cli);
  if (!ev) return report(*log, ev.error());
  // The event is the calling script's, so its pid is the one recorded.
  auto jnl = open_journal(cli.journal, "dd-journal", log, ::getppid());
  auto ok = jnl->append(*ev);
  if (ok) return 0;
  if (cli.strict) return report(*log, ok.error());
  log->warn("{} (event not recorded; going on)", ok.error().message());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"record and query ddsafe journal events", "dd-journal"};
  app.require_subcommand(1);
  EmitCli cli;
  add_common_flags(app, cli.verbose, cli.quiet);
  auto* em = app.add_subcommand("emit", "append one event: dd-journal emit EVENT key=value...");
  em->add_option("event", cli.event, "event name")->required()->type_name("EVENT");
  em->add_option("fields", cli.fields, "fields")->type_name("KEY=VALUE");
  em->add_option("--journal", cli.journal, "journal file (default $DD_JOURNAL, else "
                                           "$XDG_STATE_HOME/ddsafe/journal.jsonl)")
      ->type_name("PATH");
  em->add_flag("--strict", cli.strict, "exit non-zero when the event cannot be written");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  return emit(cli);
}

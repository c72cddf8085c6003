// dd-journal emit: append one event of the calling script to the journal.

#include <unistd.h>

#include <charconv>

#include <fmt/format.h>

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "dd-journal/commands.hpp"

namespace {

using namespace ddsafe;
using namespace ddsafe::tools;

struct EmitCli {
  std::string event;
  std::vector<std::string> fields;
  std::optional<std::string> journal;
  bool strict = false;
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

int emit(const EmitCli& cli, const CommonCli& common) {
  auto log = make_logger("dd-journal", common.verbosity());
  auto ev = build_event(cli);
  if (!ev) return report(*log, ev.error());
  if (auto rotation = journal::Rotation::from_env(); !rotation)
    log->warn("{}; using the defaults", rotation.error().context);
  // The event is the calling script's, so its pid is the one recorded.
  auto jnl = open_journal(cli.journal, "dd-journal", log, ::getppid());
  auto ok = jnl->append(*ev);
  if (ok) return 0;
  if (cli.strict) return report(*log, ok.error());
  log->warn("{} (event not recorded; going on)", ok.error().message());
  return 0;
}

}  // namespace

namespace ddsafe::tools {

void add_journal_flag(CLI::App& sub, std::optional<std::string>& journal) {
  sub.add_option("--journal", journal, "journal file (default $DD_JOURNAL, else "
                                       "$XDG_STATE_HOME/ddsafe/journal.jsonl)")
      ->type_name("PATH");
}

Command add_emit(CLI::App& app, const CommonCli& common) {
  auto cli = std::make_shared<EmitCli>();
  auto* em = app.add_subcommand("emit", "append one event: dd-journal emit EVENT key=value...");
  em->add_option("event", cli->event, "event name")->required()->type_name("EVENT");
  em->add_option("fields", cli->fields, "fields")->type_name("KEY=VALUE");
  add_journal_flag(*em, cli->journal);
  em->add_flag("--strict", cli->strict, "exit non-zero when the event cannot be written");
  return {em, [cli, &common] { return emit(*cli, common); }};
}

}  // namespace ddsafe::tools

#include "dd-gc/options.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.hpp"
#include "common/parse.hpp"

namespace ddsafe::tools {
namespace {

using Action = gc::Entry::Action;

const char* action_name(Action a) {
  switch (a) {
    case Action::removed: return "removed";
    case Action::would_remove: return "would_remove";
    case Action::kept: return "kept";
    case Action::error: return "error";
  }
  return "kept";
}

Result<std::string> pick_root(const GcCli& cli) {
  if (cli.root_flag && !cli.root.empty() && *cli.root_flag != cli.root)
    return make_error(errc::invalid_argument,
                      fmt::format("two roots given ('{}' and --root '{}'); give one",
                                  cli.root, *cli.root_flag));
  const auto root = cli.root_flag ? *cli.root_flag : cli.root;
  if (root.empty()) return make_error(errc::invalid_argument, "no ROOT given");
  return root;
}

}  // namespace

void add_gc_flags(CLI::App& app, GcCli& cli) {
  app.add_option("ROOT", cli.root, "state root holding the session dirs ROOT/<id>/")
      ->type_name("");
  app.add_option("--root", cli.root_flag, "the same as the ROOT argument")->type_name("ROOT");
  auto* live = app.add_option("--live-cmd", cli.live_cmd,
                              "shell command listing live session ids, one per line; if it "
                              "fails, times out or prints garbage, the whole pass is skipped")
                   ->type_name("CMD");
  app.add_option("--live-regex", cli.live_regex,
                 "regex picking the id out of each line of --live-cmd output (first capture "
                 "group, else the whole match); a line it does not match skips the pass")
      ->type_name("REGEX")
      ->needs(live);
  app.add_option("--live-timeout", cli.live_timeout,
                 "seconds --live-cmd may take before the pass is skipped (default 30)")
      ->type_name("SECONDS")
      ->needs(live);
  app.add_option("--min-age", cli.min_age,
                 "keep dirs modified less than SECONDS ago (default 3600)")
      ->type_name("SECONDS");
  app.add_option("--max-remove", cli.max_remove,
                 "skip the whole pass if it would remove more than N dirs (default 1000)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  app.add_flag("--force", cli.force,
               "run past the circuit breakers (--max-remove; a live command listing nobody "
               "while every session would go)");
  app.add_flag("-n,--dry-run", cli.dry_run, "say what would be removed and why; change nothing");
  app.add_flag("--strict", cli.strict,
               "exit non-zero when anything failed: 75 if the pass was skipped, else the code "
               "of the first error");
  app.add_option("-o,--output", cli.output, "report format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app.add_option("--journal", cli.journal, "journal file (default $DD_JOURNAL, else "
                                           "$XDG_STATE_HOME/ddsafe/journal.jsonl)")
      ->type_name("PATH");
  app.footer(
      "A dir ROOT/<id>/ is removed only when provably dead: its .session.lock can be locked\n"
      "(or it has none), --live-cmd (if given) ran cleanly and did not list it, and it is\n"
      "older than --min-age. Victims are moved to ROOT/.trash/ and deleted there without\n"
      "following symlinks or leaving the filesystem. One dd-gc per root: a second one exits 0.\n"
      "Exit: 0 (even when items failed: they are logged and journaled as gc_error); 64 usage;\n"
      "with --strict, 75 when the pass was skipped, else the first error's code. See dd-gc(1).");
}

Result<gc::Options> to_gc_options(const GcCli& cli) {
  gc::Options o;
  auto root = pick_root(cli);
  if (!root) return std::move(root).error();
  o.root = *root;
  auto min_age = parse_seconds(cli.min_age, "--min-age");
  if (!min_age) return std::move(min_age).error();
  o.min_age = std::chrono::duration_cast<std::chrono::seconds>(*min_age);
  if (cli.live_cmd) {
    auto t = parse_seconds(cli.live_timeout, "--live-timeout");
    if (!t) return std::move(t).error();
    if (t->count() < 1'000'000)
      return make_error(errc::invalid_argument,
                        fmt::format("invalid value '{}' for --live-timeout: at least 0.001 "
                                    "seconds", cli.live_timeout));
    o.live = gc::LiveCommand{*cli.live_cmd, cli.live_regex,
                             std::chrono::duration_cast<std::chrono::milliseconds>(*t)};
  }
  o.max_remove = static_cast<std::size_t>(cli.max_remove);
  o.force = cli.force;
  o.dry_run = cli.dry_run;
  o.tool = "dd-gc";
  return o;
}

std::string report_json(const gc::Report& r, const gc::Options& o) {
  nlohmann::ordered_json j{{"root", o.root.string()}, {"dry_run", o.dry_run},
                           {"another_running", r.another_running}, {"skipped", r.skipped}};
  j["skip_reason"] = r.skipped ? nlohmann::ordered_json(r.skip_reason) : nullptr;
  j["skip_detail"] = r.skipped ? nlohmann::ordered_json(r.skip_detail) : nullptr;
  j["live_ids"] = r.live_ids ? nlohmann::ordered_json(*r.live_ids) : nullptr;
  j["sessions"] = r.sessions;
  j[o.dry_run ? "would_remove" : "removed"] = r.removed;
  j["kept"] = r.kept;
  j["errors"] = r.errors;
  auto& entries = j["entries"] = nlohmann::ordered_json::array();
  for (const auto& e : r.entries) {
    nlohmann::ordered_json x{{"id", e.id}, {"action", action_name(e.action)},
                             {"reason", e.reason}};
    x["age_s"] = e.age_s >= 0 ? nlohmann::ordered_json(e.age_s) : nullptr;
    entries.push_back(std::move(x));
  }
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string report_text(const gc::Report& r, const gc::Options& o, bool verbose) {
  std::string out;
  for (const auto& e : r.entries) {
    if (e.action == Action::kept && !verbose && !o.dry_run) continue;
    if (e.action == Action::error) continue;  // on stderr, as warnings
    const char* verb = e.action == Action::removed        ? "removed"
                       : e.action == Action::would_remove ? "would remove"
                                                          : "keep";
    out += fmt::format("{} {} ({})\n", verb, e.id, e.reason);
  }
  return out;
}

void warn_gc_report(const gc::Report& r, const gc::Options& o, spdlog::logger& log) {
  if (r.another_running)
    log.warn("another dd-gc is running on '{}'; leaving this pass to it", o.root.string());
  if (r.skipped)
    log.warn("pass skipped, nothing removed{}: {}", o.dry_run ? " (dry run)" : "", r.skip_detail);
  for (const auto& e : r.entries)
    if (e.action == gc::Entry::Action::error)
      log.warn("cannot remove '{}': {}; going on", e.id, e.reason);
  log.info("{} {}, kept {}, errors {}", o.dry_run ? "would remove" : "removed", r.removed, r.kept,
           r.errors);
}

int gc_exit_status(const gc::Report& r, bool strict) {
  if (!strict || r.another_running) return kExitOk;
  if (r.first_error) return exit_code_for(*r.first_error);
  if (r.skipped) return kExitLockLost;  // EX_TEMPFAIL: a tripped breaker; retry or --force
  return kExitOk;
}

}  // namespace ddsafe::tools

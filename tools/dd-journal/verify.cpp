// dd-journal verify: counts good, torn and garbage lines in every file of the rotated set.

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "dd-journal/commands.hpp"
#include "ddsafe/journal/journal.hpp"
#include "ddsafe/journal/reader.hpp"

namespace ddsafe::tools {
namespace {

// A write in progress shows as an incomplete last line of the live file; give it this long to
// complete before calling it torn.
constexpr auto kSettle = std::chrono::milliseconds(100);

struct VerifyCli {
  std::optional<std::string> journal;
  std::string output = "text";
};

struct AllRecords final : journal::RecordVisitor {
  bool visit(const journal::Record&) override { return true; }
};

std::string summary(const journal::ReadStats& s) {
  auto text = fmt::format("{} good, {} torn, {} garbage", s.good, s.torn, s.garbage);
  if (s.newer > 0) text += fmt::format(" ({} of a newer schema)", s.newer);
  return text;
}

nlohmann::ordered_json counts(const journal::ReadStats& s) {
  return {{"good", s.good}, {"torn", s.torn}, {"garbage", s.garbage}, {"newer", s.newer}};
}

Result<journal::ReadStats> verify_file(journal::SetFile& f, bool live) {
  AllRecords all;
  journal::ReadStats stats;
  journal::LineFeeder feeder;
  auto go = feeder.feed(f.fd.get(), f.path, all, stats);
  if (go && live && feeder.pending() > 0) {
    std::this_thread::sleep_for(kSettle);
    go = feeder.feed(f.fd.get(), f.path, all, stats);
  }
  if (!go) return std::move(go).error();
  feeder.finish(stats);
  return stats;
}

int run_verify(const VerifyCli& cli, const CommonCli& common) {
  auto log = make_logger("dd-journal", common.verbosity());
  const auto path = journal::resolve_path(
      cli.journal ? std::optional<std::filesystem::path>(*cli.journal) : std::nullopt);
  auto files = journal::open_set(path);
  if (!files) return report(*log, files.error());
  const bool json = cli.output == "json";
  journal::ReadStats total;
  auto per_file = nlohmann::ordered_json::array();
  for (auto& f : *files) {
    auto stats = verify_file(f, /*live=*/f.path == path);
    if (!stats) return report(*log, stats.error());
    if (json) {
      nlohmann::ordered_json entry{{"path", f.path.string()}};
      entry.update(counts(*stats));
      per_file.push_back(std::move(entry));
    } else {
      fmt::print("{}: {}\n", f.path.string(), summary(*stats));
    }
    total += *stats;
  }
  if (json)
    fmt::print("{}\n", nlohmann::ordered_json{{"files", per_file}, {"total", counts(total)},
                                              {"damaged", total.damaged()}}
                           .dump());
  else
    fmt::print("total: {} in {} file{}\n", summary(total), files->size(),
               files->size() == 1 ? "" : "s");
  if (!total.damaged()) return kExitOk;
  log->warn("journal '{}' is damaged: {} torn, {} garbage lines (skipped by readers)",
            path.string(), total.torn, total.garbage);
  return kExitDamaged;
}

}  // namespace

Command add_verify(CLI::App& app, const CommonCli& common) {
  auto cli = std::make_shared<VerifyCli>();
  auto* sub = app.add_subcommand("verify", "count good, torn and garbage lines in each file; "
                                           "exit 1 when any damage is found");
  add_journal_flag(*sub, cli->journal);
  sub->add_option("-o,--output", cli->output, "text (default), or json: one object with the "
                                              "counts per file and in total")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  return {sub, [cli, &common] { return run_verify(*cli, common); }};
}

}  // namespace ddsafe::tools

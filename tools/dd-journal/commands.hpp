#pragma once

// The subcommands of dd-journal: each adds its flags to the app and returns what runs it.

#include <functional>
#include <memory>

#include <CLI/CLI.hpp>

namespace ddsafe::tools {

/// Flags every subcommand shares (-v, -q).
struct CommonCli {
  int verbose = 0;
  int quiet = 0;
  [[nodiscard]] int verbosity() const { return quiet > 0 ? -1 : verbose; }
};

/// A subcommand: its CLI11 app and the function that runs it after parsing (returns the exit
/// status).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_emit(CLI::App& app, const CommonCli& common);
Command add_query(CLI::App& app, const CommonCli& common);
Command add_stats(CLI::App& app, const CommonCli& common);
Command add_tail(CLI::App& app, const CommonCli& common);
Command add_verify(CLI::App& app, const CommonCli& common);

/// Adds --journal PATH (default $DD_JOURNAL, else the XDG state file) to a subcommand.
void add_journal_flag(CLI::App& sub, std::optional<std::string>& journal);

}  // namespace ddsafe::tools

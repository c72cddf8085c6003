#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/logger.h>

#include "ddsafe/gc.hpp"

namespace ddsafe::tools {

/// dd-gc's flags as parsed, before any policy is applied.
struct GcCli {
  std::string root;                     ///< positional ROOT
  std::optional<std::string> root_flag; ///< --root ROOT
  std::optional<std::string> live_cmd;
  std::optional<std::string> live_regex;
  std::string live_timeout = "30";
  std::string min_age = "3600";
  std::int64_t max_remove = 1000;
  bool force = false;
  bool dry_run = false;
  bool strict = false;
  std::string output = "text";
  std::optional<std::string> journal;
  int verbose = 0;
  int quiet = 0;
};

/// Registers dd-gc's flags on `app`.
void add_gc_flags(CLI::App& app, GcCli& cli);

/// Library options for the parsed flags; errc::invalid_argument names a bad value.
Result<gc::Options> to_gc_options(const GcCli& cli);

/// The report as one JSON document (one line).
std::string report_json(const gc::Report& r, const gc::Options& o);

/// The report as text lines: removed dirs always, kept ones in a dry run or with -v.
std::string report_text(const gc::Report& r, const gc::Options& o, bool verbose);

/// Warnings on stderr: the reason a pass did nothing, and every per-item error; a summary at -v.
void warn_gc_report(const gc::Report& r, const gc::Options& o, spdlog::logger& log);

/// Exit status: 0, or with --strict 75 for a skipped pass and the first error's code otherwise.
int gc_exit_status(const gc::Report& r, bool strict);

}  // namespace ddsafe::tools

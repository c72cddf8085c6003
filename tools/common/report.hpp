#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/logger.h>

#include "common/parse.hpp"
#include "ddsafe/error.hpp"
#include "ddsafe/journal/journal.hpp"

namespace ddsafe::tools {

/// The tool's stderr logger, pattern "%n: %v". verbosity: -1 quiet (errors only), 0 warnings,
/// 1 info, 2 debug.
std::shared_ptr<spdlog::logger> make_logger(const std::string& tool, int verbosity);

/// Prints CLI11's help/version (exit 0) or a usage error (exit 64, never CLI11's 100+ codes).
int usage_exit(const CLI::App& app, const CLI::ParseError& e);

/// Parses the arguments before the first "--" with `app` and leaves the words after it in
/// `split.command`. Returns the exit status when the tool must stop right away (--help,
/// --version: 0; a usage error: 64), nullopt otherwise.
std::optional<int> parse_until_command(CLI::App& app, int argc, const char* const* argv,
                                       SplitArgv& split);

/// Prints "tool: <context>: <cause>" and returns the exit status for it.
int report(spdlog::logger& log, const Error& e, int conflict = 1);

/// A journal for `tool` at --journal / $DD_JOURNAL / the XDG default, warning once through
/// `log` when it cannot be written.
std::unique_ptr<journal::Journal> open_journal(const std::optional<std::string>& path,
                                               const std::string& tool,
                                               std::shared_ptr<spdlog::logger> log,
                                               std::int64_t pid = 0);

/// Opens /dev/null on any of descriptors 0, 1, 2 that is closed, so that no file the tool opens
/// later becomes a standard stream (and receives a child's output or our messages).
void ensure_standard_fds();

/// Adds -v/--verbose and -q/--quiet (counted) and --version to `app`.
void add_common_flags(CLI::App& app, int& verbose, int& quiet);

}  // namespace ddsafe::tools

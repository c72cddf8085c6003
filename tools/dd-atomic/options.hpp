#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/parse.hpp"

#include "ddsafe/atomic_file.hpp"

namespace ddsafe::tools {

/// dd-atomic's flags as parsed, before any policy is applied.
struct AtomicCli {
  std::string target;
  std::vector<std::string> producer;  ///< after "--"; empty: stdin mode
  std::optional<std::string> mode;
  bool no_sync = false;
  bool lock = false;
  std::optional<std::string> wait;
  std::optional<std::string> lock_file;
  std::optional<std::string> fence_token;
  std::optional<std::string> backup;  ///< suffix; "~" when given without one
  std::string symlink = "follow";
  std::string hardlink = "refuse";
  bool if_changed = false;
  bool allow_empty = false;
  std::optional<std::string> validate;
  std::optional<std::string> check;
  std::optional<std::string> journal;
  bool journal_commit = false;
  int verbose = 0;
  int quiet = 0;
};

/// What to do, once the flags are checked.
struct AtomicPlan {
  std::filesystem::path target;
  std::vector<std::string> producer;
  AtomicOptions options;
  bool lock = false;
  std::optional<std::chrono::nanoseconds> lock_timeout;
  std::optional<std::filesystem::path> lock_file;  ///< explicit lock file (--lock-file)
  std::optional<std::uint64_t> fence_token;
  bool validate_json = false;
  std::optional<std::string> check;
};

/// Registers dd-atomic's flags on `app`.
void add_atomic_flags(CLI::App& app, AtomicCli& cli);

/// Checks the flag values and combinations; errc::invalid_argument names the flag.
Result<AtomicPlan> to_plan(const AtomicCli& cli);

/// `check` with every "{}" replaced by the shell-quoted `path` (appended when there is none).
std::string expand_check(const std::string& check, const std::string& path);

}  // namespace ddsafe::tools

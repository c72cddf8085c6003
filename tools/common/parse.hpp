#pragma once

// Strict parsers for flag values shared by the tools; errors name the flag and the value.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ddsafe/result.hpp"

namespace ddsafe::tools {

/// Turns a time value ("2", "0.5", "1e-3") into nanoseconds. Rejects NaN, infinities, negative
/// numbers, trailing garbage and values above 1e9 seconds; the error names the flag.
Result<std::chrono::nanoseconds> parse_seconds(const std::string& text, const char* flag);

/// An octal permission mode, 0 to 07777 ("644", "0644", "4755").
Result<mode_t> parse_mode(const std::string& text, const char* flag);

/// A decimal integer from 0 to `max`, digits only (no sign, blanks or hex).
Result<std::uint64_t> parse_count(const std::string& text, const char* flag, std::uint64_t max);

/// argv split at the first "--": the tool's own arguments, then the command to run.
struct SplitArgv {
  std::vector<std::string> own;  ///< argv[0], the options and operands
  std::vector<std::string> command;
  bool had_separator = false;
};
SplitArgv split_at_separator(int argc, const char* const* argv);

}  // namespace ddsafe::tools

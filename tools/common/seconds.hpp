#pragma once

#include <chrono>
#include <string>

#include "ddsafe/result.hpp"

namespace ddsafe::tools {

/// Turns a time value ("2", "0.5", "1e-3") into nanoseconds. Rejects NaN, infinities, negative
/// numbers, trailing garbage and values above 1e9 seconds; the error names the flag.
Result<std::chrono::nanoseconds> parse_seconds(const std::string& text, const char* flag);

}  // namespace ddsafe::tools

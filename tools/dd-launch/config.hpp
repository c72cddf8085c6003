#pragma once
// The session's config, refreshed from a host source: filtered, validated, written atomically
// with its mode pinned, and kept as it was when the source is missing or broken.

#include <filesystem>
#include <string>
#include <vector>

#include "ddsafe/events.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe::launch {

struct ConfigRequest {
  std::filesystem::path source;    ///< --config-src: a JSON file on the host
  std::vector<std::string> drops;  ///< --config-drop: JSON pointers removed before writing
  std::filesystem::path cache;     ///< the last good filtered config for this name
  std::filesystem::path target;    ///< the session's copy
  EventSink* events = nullptr;
};

struct ConfigOutcome {
  bool refreshed = false;  ///< false: the source was unusable and the cached config was used
  std::string problem;     ///< why the source was not used (when !refreshed)
  std::size_t dropped = 0; ///< pointers that named something and were removed
};

/// Checks a --config-drop pointer (RFC 6901, not the whole document): errc::invalid_argument.
Result<void> check_pointer(const std::string& pointer);

/// Refreshes `target` (mode 0644) from the source, through the cache. A source that is missing
/// or not valid JSON leaves the cache untouched and copies the cached config instead (journaled
/// as config_refresh_failed); with no cached config either, fails with the source's error
/// (ENOENT, or errc::validation_failed naming the file and the parse error).
Result<ConfigOutcome> refresh_config(const ConfigRequest& request);

}  // namespace ddsafe::launch

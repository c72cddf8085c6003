#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ddsafe {

/// One field of an event: strings, integers, reals and booleans map to JSON types.
using FieldValue = std::variant<std::string, std::int64_t, double, bool>;

/// Something worth an audit record: a fail-open, a stale break, a lost lock.
struct Event {
  std::string type;  ///< e.g. "lock_fail_open"
  std::vector<std::pair<std::string, FieldValue>> fields;

  Event& add(std::string key, FieldValue value) {
    fields.emplace_back(std::move(key), std::move(value));
    return *this;
  }
};

/// Where the library reports events. The journal implements it; the library never knows how
/// events are stored. emit() must not throw and must not fail the caller.
/// Thread safety: implementations must accept calls from any thread.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(const Event& event) noexcept = 0;
};

}  // namespace ddsafe

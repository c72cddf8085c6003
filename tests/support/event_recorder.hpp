#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "ddsafe/events.hpp"

namespace ddsafe::test {

/// An EventSink that keeps every event, for assertions.
class EventRecorder final : public EventSink {
 public:
  void emit(const Event& e) noexcept override {
    std::lock_guard g(mu_);
    events_.push_back(e);
  }
  std::vector<Event> of(const std::string& type) const {
    std::lock_guard g(mu_);
    std::vector<Event> out;
    for (const auto& e : events_)
      if (e.type == type) out.push_back(e);
    return out;
  }
  std::size_t size() const {
    std::lock_guard g(mu_);
    return events_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

/// The value of `key` in an event (throws std::out_of_range if absent).
template <class T>
T field(const Event& e, const std::string& key) {
  for (const auto& [k, v] : e.fields)
    if (k == key) return std::get<T>(v);
  throw std::out_of_range(key);
}

}  // namespace ddsafe::test

#pragma once

// Helpers shared by the stress tests: a Boost.Interprocess anonymous shared mapping that forked
// children and the parent all see, an EventSink counting stale breaks into it, bounded waits,
// and the DDSAFE_SOAK switch.

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <variant>

#include <boost/interprocess/anonymous_shared_memory.hpp>
#include <boost/interprocess/mapped_region.hpp>

#include "ddsafe/events.hpp"

namespace ddsafe::stress {

static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

/// `count` objects of T in one anonymous MAP_SHARED mapping (Boost.Interprocess), created before
/// fork so that every child writes the same physical memory as the parent. T must be usable
/// across processes without constructors running there: atomics and plain data only.
template <class T>
class SharedArray {
 public:
  explicit SharedArray(std::size_t count = 1)
      : region_(boost::interprocess::anonymous_shared_memory(std::max<std::size_t>(count, 1) *
                                                             sizeof(T))),
        data_(static_cast<T*>(region_.get_address())),
        count_(count) {
    static_assert(std::is_trivially_destructible_v<T>);
    for (std::size_t i = 0; i < count_; ++i) new (data_ + i) T();
  }
  SharedArray(const SharedArray&) = delete;
  SharedArray& operator=(const SharedArray&) = delete;

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* operator->() { return data_; }
  T& operator*() { return *data_; }
  [[nodiscard]] std::size_t size() const { return count_; }

 private:
  boost::interprocess::mapped_region region_;
  T* data_;
  std::size_t count_;
};

/// Raises `target` to at least `value`.
template <class A, class V>
void raise_to(A& target, V value) {
  auto cur = target.load();
  while (cur < value && !target.compare_exchange_weak(cur, value)) {
  }
}

/// First failure reported by any process, kept for the parent's message.
struct ErrorBox {
  std::atomic<int> taken{0};
  std::atomic<int> count{0};
  char text[512]{};

  void set(std::string_view what) noexcept {
    count.fetch_add(1);
    int expected = 0;
    if (!taken.compare_exchange_strong(expected, 1)) return;
    const auto n = std::min(what.size(), sizeof(text) - 1);
    std::memcpy(text, what.data(), n);
    text[n] = '\0';
    taken.store(2);
  }
  [[nodiscard]] std::string get() const {
    if (taken.load() != 2) return {};
    return std::string(text);
  }
};

/// Counts lock_stale_break events, by reason, into shared counters.
class BreakCounter final : public EventSink {
 public:
  BreakCounter(std::atomic<std::uint64_t>* lease_expired, std::atomic<std::uint64_t>* owner_dead)
      : lease_expired_(lease_expired), owner_dead_(owner_dead) {}
  void emit(const Event& event) noexcept override {
    if (event.type != "lock_stale_break") return;
    for (const auto& [key, value] : event.fields) {
      if (key != "reason") continue;
      const auto* reason = std::get_if<std::string>(&value);
      if (reason && *reason == "owner_dead") {
        if (owner_dead_) owner_dead_->fetch_add(1);
      } else if (lease_expired_) {
        lease_expired_->fetch_add(1);
      }
      return;
    }
    if (lease_expired_) lease_expired_->fetch_add(1);  // no reason field: count it anyway
  }
  void retarget(std::atomic<std::uint64_t>* lease_expired, std::atomic<std::uint64_t>* owner_dead) {
    lease_expired_ = lease_expired;
    owner_dead_ = owner_dead;
  }

 private:
  std::atomic<std::uint64_t>* lease_expired_;
  std::atomic<std::uint64_t>* owner_dead_;
};

/// Waits until `cond` holds or `timeout` passes, yielding the CPU between polls (2 cores are
/// shared by all processes of a test); returns whether it held. Never proof of ordering: every
/// ordering a test relies on is established through the shared counters themselves.
template <class Cond>
bool wait_until(Cond&& cond, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (unsigned spins = 0;; ++spins) {
    if (cond()) return true;
    if ((spins & 63U) == 0 && std::chrono::steady_clock::now() >= until) return cond();
    if (spins < 1000)
      ::sched_yield();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

/// A little CPU work that the compiler cannot drop, plus a yield so that other processes get
/// scheduled while we are inside a critical section (2 cores).
inline void busy_work(unsigned rounds = 2000) {
  volatile unsigned sink = 0;
  for (unsigned i = 0; i < rounds; ++i) sink = sink + i;
  ::sched_yield();
}

/// DDSAFE_SOAK unset, empty or 0: the CI-sized run (factor 1). A number N > 1 scales counts by
/// 10 and makes the chaos run last N seconds; any other value scales by 10 and runs 600 s.
struct Soak {
  bool on = false;
  int factor = 1;
  std::chrono::seconds chaos_duration{60};
};

inline Soak soak() {
  Soak s;
  const char* v = std::getenv("DDSAFE_SOAK");
  if (!v || !*v || std::string_view(v) == "0") return s;
  s.on = true;
  s.factor = 10;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  s.chaos_duration = std::chrono::seconds(end && *end == '\0' && n > 1 ? n : 600);
  return s;
}

}  // namespace ddsafe::stress

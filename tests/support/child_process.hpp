#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>

namespace ddsafe::test {

/// A forked child running `body`; its return value is the exit status. Killed (SIGKILL) and
/// reaped at scope exit if still running, so a failing test never leaves processes behind.
class ChildProcess {
 public:
  explicit ChildProcess(const std::function<int()>& body);
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const { return pid_; }
  /// Sends a signal (no-op once reaped).
  void kill(int sig) const;
  /// Waits for exit; returns the wait status (as from waitpid), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::minutes(5));
  /// Exit status if it exited normally, -signal if killed, nullopt on timeout.
  std::optional<int> exit_code(std::chrono::milliseconds timeout = std::chrono::minutes(5));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// Polls `cond` every millisecond until it holds or `timeout` passes; returns cond().
/// For waiting on an observable state, never as proof of ordering.
bool eventually(const std::function<bool()>& cond,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace ddsafe::test

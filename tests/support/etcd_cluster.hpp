#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ddsafe/etcd_lock.hpp"

namespace ddsafe::test {

/// Throwaway etcd members (Debian etcd-server) on 127.0.0.1, free ports, data under `dir`,
/// fast raft timing (heartbeat 50 ms, election 500 ms). Members are SIGKILLed and reaped at
/// scope exit, so a failing test never leaves one behind.
class EtcdCluster {
 public:
  /// Starts `members` members and waits until each serves a linearizable read.
  /// `ok()` is false (and `problem()` says why) when etcd is missing or a member never came up.
  EtcdCluster(int members, const std::filesystem::path& dir);
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  [[nodiscard]] bool ok() const { return problem_.empty(); }
  [[nodiscard]] const std::string& problem() const { return problem_; }
  /// HOST:PORT of member i.
  [[nodiscard]] const std::string& endpoint(int i) const { return endpoints_[static_cast<std::size_t>(i)]; }
  /// A target over the given members (all when empty), in that order.
  [[nodiscard]] EtcdTarget target(const std::string& prefix, std::vector<int> members = {}) const;
  /// SIGKILLs member i and waits for it to be gone.
  void kill(int i);
  /// Index of the leader as member i's status reports it (nullopt if unknown).
  [[nodiscard]] std::optional<int> leader() const;

 private:
  std::vector<std::string> endpoints_;
  std::vector<pid_t> pids_;
  std::string problem_;
};

/// A TCP port on 127.0.0.1 that nobody listens on right now.
int free_port();

}  // namespace ddsafe::test

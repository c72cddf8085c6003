#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ddsafe/file_lock.hpp"
#include "ddsafe/owner_record.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe {

/// Where etcd locks live: client endpoints (HOST:PORT, tried in turn) and a key prefix.
struct EtcdTarget {
  std::vector<std::string> endpoints;
  std::string prefix;
};

/// Parses `etcd://HOST:PORT[,HOST:PORT...]/PREFIX` (the `etcd://` may be left out).
/// Fails with errc::invalid_argument naming the problem (no endpoint, no prefix, bad port).
Result<EtcdTarget> parse_etcd_target(std::string_view text);

/// The key of lock `name` under `target`: PREFIX/NAME.
std::string etcd_lock_key(const EtcdTarget& target, std::string_view name);

/// Lease TTL used when LockOptions::ttl is zero.
inline constexpr std::chrono::milliseconds kEtcdDefaultTtl{10000};

/// How long before the server could expire our lease the holder gives the lock up:
/// max(0.5 s, TTL/10), and never more than half the TTL.
std::chrono::milliseconds etcd_safety_margin(std::chrono::milliseconds ttl);

/// An exclusive lock on etcd key PREFIX/NAME, attached to a lease of the TTL; the value is the
/// owner record. The fencing token is the key's create_revision, meaningful together with the
/// cluster id (revisions restart when a cluster is recreated).
///
/// The holder must call renew() about every TTL/3 (keepalive). It keeps a local deadline: the
/// send time of the last successful keepalive + TTL - etcd_safety_margin(TTL). Past it, the
/// lock counts as lost (errc::lock_lost), whatever the server says later: a holder that cannot
/// reach a quorum must stop writing before the server can give the key to someone else.
/// Thread safety: one EtcdLock must not be used from two threads at once.
class EtcdLock {
 public:
  /// Creates PREFIX/NAME if absent (one txn: create_revision == 0, put with a fresh lease),
  /// waiting per options.timeout by watching the key and retrying on delete. Only
  /// LockMode::exclusive is supported (errc::invalid_argument otherwise). Fails with
  /// errc::lock_busy (timeout zero) or errc::lock_timeout naming the holder, or — the quorum
  /// was unreachable for the whole wait — naming the endpoints. With TimeoutPolicy::fail_open
  /// either case returns a lock whose held() is false, after emitting lock_fail_open.
  static Result<EtcdLock> acquire(const EtcdTarget& target, std::string_view name,
                                  const LockOptions& options);

  EtcdLock(EtcdLock&&) noexcept;
  /// Releases (best effort) the lock this object held before taking over `other`'s.
  EtcdLock& operator=(EtcdLock&&) noexcept;
  EtcdLock(const EtcdLock&) = delete;
  EtcdLock& operator=(const EtcdLock&) = delete;
  /// Best-effort release.
  ~EtcdLock();

  /// False only for a fail-open result, and after release().
  [[nodiscard]] bool held() const noexcept;
  /// The key's create_revision; 0 when not held.
  [[nodiscard]] std::uint64_t token() const noexcept;
  /// The cluster id (decimal) the token belongs to; empty when not held.
  [[nodiscard]] const std::string& cluster_id() const noexcept;
  [[nodiscard]] const std::string& key() const noexcept;
  [[nodiscard]] std::chrono::milliseconds waited() const noexcept;
  [[nodiscard]] std::chrono::milliseconds ttl() const noexcept;
  /// The local deadline (steady clock) after which the lock counts as lost.
  [[nodiscard]] std::chrono::steady_clock::time_point deadline() const noexcept;

  /// Keepalive against any reachable member; on success moves the deadline. errc::lock_lost
  /// when the lease is gone or the deadline passed; errc::backend_unavailable when no member
  /// answered before the deadline (retry, the deadline still decides).
  [[nodiscard]] Result<void> renew();
  /// errc::lock_lost once the local deadline has passed; no network traffic.
  [[nodiscard]] Result<void> verify() const;
  /// Deletes the key only if its create_revision is still our token, then revokes the lease.
  /// Idempotent; a failure (etcd unreachable) leaves the key to expire with the lease.
  [[nodiscard]] Result<void> release();

 private:
  struct Impl;
  explicit EtcdLock(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// What --status shows for an etcd lock.
struct EtcdLockStatus {
  bool held = false;
  std::string key;
  std::uint64_t token = 0;  ///< create_revision
  std::string cluster_id;
  std::int64_t lease = 0;
  std::optional<std::chrono::milliseconds> lease_left;  ///< server's remaining TTL
  std::optional<OwnerRecord> record;
  bool record_unreadable = false;
};

/// Reads lock `name` (linearizable range, then the lease's remaining time).
/// Fails with errc::backend_unavailable / backend_refused.
Result<EtcdLockStatus> etcd_lock_status(const EtcdTarget& target, std::string_view name);

/// One line for humans about the holder in `status` (describe_holder without lease times).
std::string etcd_describe_holder(const EtcdLockStatus& status);

/// Breaks lock `name` by revoking its holder's lease (the key goes with it), and emits
/// lock_stale_break (reason "manual") to `events`. Returns the status seen before the break;
/// held is false when there was nothing to break.
Result<EtcdLockStatus> etcd_break_lock(const EtcdTarget& target, std::string_view name,
                                       const std::string& tool, EventSink* events);

}  // namespace ddsafe

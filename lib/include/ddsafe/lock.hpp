#pragma once
// One lock interface over both backends: a lock file (flock, one host) or an etcd key (leases,
// several hosts). Timeouts, fail-open, events, owner records and fencing tokens behave the same.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

#include "ddsafe/etcd_lock.hpp"
#include "ddsafe/file_lock.hpp"
#include "ddsafe/result.hpp"

namespace ddsafe {

/// Where a lock lives.
struct LockTarget {
  /// A lock file path (flock), or an etcd target with the lock's name.
  struct Etcd {
    EtcdTarget target;
    std::string name;
  };
  std::variant<std::filesystem::path, Etcd> where;

  /// `backend` is "" or "file" (then `name` is the lock file's path) or
  /// `etcd://HOST:PORT[,HOST:PORT...]/PREFIX` (then `name` is the lock's name under PREFIX).
  /// errc::invalid_argument for a malformed backend.
  static Result<LockTarget> parse(std::string_view backend, std::string_view name);
  [[nodiscard]] bool is_etcd() const noexcept { return where.index() == 1; }
  /// The lock file's path, or `PREFIX/NAME` on etcd: for messages.
  [[nodiscard]] std::string describe() const;
};

/// A held (or failed-open) lock of either backend.
/// Thread safety: one Lock must not be used from two threads at once.
class Lock {
 public:
  /// FileLock::acquire or EtcdLock::acquire with the same options and the same failures
  /// (errc::lock_busy, errc::lock_timeout naming the holder; TimeoutPolicy::fail_open gives a
  /// lock whose held() is false after journaling lock_fail_open). On etcd only
  /// LockMode::exclusive exists.
  static Result<Lock> acquire(const LockTarget& target, const LockOptions& options);

  /// False only for a fail-open result (and on etcd after release()).
  [[nodiscard]] bool held() const noexcept;
  /// Strictly increasing per lock: the flock record's counter, or the key's create_revision.
  [[nodiscard]] std::uint64_t token() const noexcept;
  /// The token as the tools export it (DD_LOCK_TOKEN): "N" for a lock file,
  /// "CLUSTER_ID:REVISION" on etcd (revisions restart with a new cluster). Empty if not held.
  [[nodiscard]] std::string token_text() const;
  [[nodiscard]] std::chrono::milliseconds waited() const noexcept;
  /// Heartbeat: extends the lease (flock record, or etcd keepalive). errc::lock_lost when the
  /// lock is no longer ours: stop writing. Call it about every TTL/3.
  [[nodiscard]] Result<void> renew();
  /// errc::lock_lost when the lock is known to be lost (replaced file, passed etcd deadline).
  [[nodiscard]] Result<void> verify() const;
  /// Idempotent; never leaves the lock held by us.
  [[nodiscard]] Result<void> release();

  /// The backend's own object, for what only it offers (FileLock::path, EtcdLock::deadline...).
  [[nodiscard]] FileLock* file() noexcept { return std::get_if<FileLock>(&impl_); }
  [[nodiscard]] EtcdLock* etcd() noexcept { return std::get_if<EtcdLock>(&impl_); }

 private:
  explicit Lock(std::variant<FileLock, EtcdLock> impl) : impl_(std::move(impl)) {}
  std::variant<FileLock, EtcdLock> impl_;
};

}  // namespace ddsafe

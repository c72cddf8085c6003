#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace ddsafe {

/// Domain failures, in their own category (errno values stay in std::generic_category()).
enum class errc {
  /// Another holder has the lock and the caller asked not to wait. Retry later makes sense.
  lock_busy = 1,
  /// The lock stayed held for the whole timeout. Retry makes sense.
  lock_timeout,
  /// This process already holds a lock on the same file; locking it again would deadlock.
  /// A retry never helps: release the first lock.
  lock_held_by_self,
  /// The lock file was replaced (broken as stale) while held; the holder is fenced off.
  /// Do not retry the protected write; acquire again and start over.
  lock_lost,
  /// An on-disk record could not be parsed. Not retryable as such.
  corrupt_record,
  /// The lock path names something that is not a regular file (directory, FIFO, device).
  not_a_regular_file,
  /// The lock path is a symbolic link, which is never followed.
  symlink_refused,
  /// A value given by the caller is out of range (timeout, ttl, fd). Fix the call.
  invalid_argument,
  /// The new content is empty and would replace a non-empty file (the `cmd > f` failure
  /// class). Not retryable: allow empty output explicitly or fix the producer.
  empty_output_refused,
  /// The new content failed validation (JSON parse, or a check command rejected it).
  /// Nothing was committed. Not retryable without new content.
  validation_failed,
  /// The caller's fencing token is older than the lock's current one: someone else holds
  /// (or held) the lock since. Nothing was committed. Re-acquire and start over.
  fence_token_stale,
  /// The rename happened but the directory fsync failed: the new content is in place now but
  /// may roll back after a crash. Do not retry the commit (fsync is never retried).
  not_durable,
  /// The target has more than one hard link; replacing it would split the links.
  hard_link_refused,
  /// A liveness source failed (non-zero exit, timeout, unparsable output); nothing may be
  /// judged dead from it. Retry later.
  liveness_source_failed,
  /// A path would leave the root it must stay under (`..`, absolute, `/` in an id, a symlink,
  /// another filesystem). Not retryable.
  path_escapes_root,
  /// No member of a lock service (etcd) answered in time, or none had a quorum. Retry later.
  backend_unavailable,
  /// A lock service member answered with an error (its message is in the context). Retrying
  /// helps only if the cause was transient (a leader change).
  backend_refused,
};

const std::error_category& ddsafe_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

/// A failure: what went wrong (code) and where (context names the operation and path).
struct Error {
  std::error_code code;
  std::string context;

  /// "context: cause", the form every tool prints after its name.
  [[nodiscard]] std::string message() const;
};

/// Builds an Error from the current errno; call it right after the failing syscall.
[[nodiscard]] Error sys_error(std::string_view op, const std::filesystem::path& path);
/// Builds an Error from an explicit errno value.
[[nodiscard]] Error sys_error(int errnum, std::string_view op, const std::filesystem::path& path);
/// Builds an Error for a domain failure.
[[nodiscard]] Error make_error(errc code, std::string context);

}  // namespace ddsafe

template <>
struct std::is_error_code_enum<ddsafe::errc> : std::true_type {};

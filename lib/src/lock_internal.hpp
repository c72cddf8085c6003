#pragma once

// Private helpers shared by file_lock.cpp and lock_status.cpp. Never installed.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <utility>

#include "ddsafe/file_lock.hpp"
#include "ddsafe/owner_record.hpp"
#include "ddsafe/result.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::detail {

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  friend bool operator==(const FileId&, const FileId&) = default;
};

struct OpenedLockFile {
  UniqueFd fd;
  FileId id;
};

/// Opens a lock file without following a symlink at its last component; refuses anything but
/// a regular file. `create` adds O_CREAT (mode 0666 & ~umask) and opens read-write.
Result<OpenedLockFile> open_lock_file(const std::filesystem::path& path, bool create);

/// Whether `path` still names the inode `id` and that inode still has a name (nlink > 0).
/// A vanished path (ENOENT, ESTALE on NFS) counts as replaced.
Result<bool> still_names(const std::filesystem::path& path, FileId id);

/// The owner record at the start of the lock file; nullopt when empty, partial or garbage.
Result<std::optional<OwnerRecord>> read_record(int fd, const std::filesystem::path& path);

/// Writes `rec` at offset 0 in one pwrite, padded so no byte of a longer old record survives
/// before the first newline.
/// Returns the number of bytes written.
Result<std::size_t> write_record(int fd, const std::filesystem::path& path,
                                 const OwnerRecord& rec, std::size_t old_size);

/// `p` made absolute (lexically, no symlinks resolved), for journal events; `p` if that fails.
std::string absolute_path(const std::filesystem::path& p);

/// Journals lock_fail_open (policy fail_open) or lock_timeout (timed waits; not for -n).
void emit_wait_event(const LockOptions& o, const std::string& path,
                     const std::optional<OwnerRecord>& holder, std::chrono::milliseconds waited);
/// errc::lock_busy (no wait) or errc::lock_timeout, naming `what` and the holder.
Error wait_error(const LockOptions& o, const std::string& what,
                 const std::optional<OwnerRecord>& holder, std::chrono::milliseconds waited);

/// The guard: an OFD write lock on one byte of a lock file (see file_lock.cpp), held by breakers
/// while they judge and replace, and by holders while a breaker could be at work on their record.
class Guard {
 public:
  /// Polls rather than blocks, so that a deadline holds even if the guard's holder is stopped.
  static Result<Guard> take(int fd, const std::filesystem::path& path,
                            std::optional<std::chrono::steady_clock::time_point> deadline);
  Guard(Guard&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Guard& operator=(Guard&&) = delete;
  ~Guard();

 private:
  explicit Guard(int fd) : fd_(fd) {}
  int fd_;
};

/// Adds context to errors of open_lock_file, so messages name the cause plainly.
Error explain_open_error(Error e, const std::filesystem::path& path);

}  // namespace ddsafe::detail

#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ddsafe {

/// Who a process is, precisely enough to tell it from a later process that reuses its pid.
struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  ///< clock ticks after boot (/proc/PID/stat field 22)
  std::uint64_t pidns = 0;       ///< inode of the pid namespace the pid is meaningful in
  std::string host;
  std::string boot_id;
  std::uint32_t uid = 0;  ///< real uid (of this process when the identity was taken)
};

/// Alive, dead, or not knowable from here. Unknown must always be treated like alive.
enum class Liveness { alive, dead, unknown };

/// This process's pid without a syscall per call: cached, and reset in the child of every
/// fork(2) (pthread_atfork). Processes made by raw clone(2) without exec must not use ddsafe.
pid_t self_pid() noexcept;

/// Identity of the calling process (pid, start time, namespace, host, boot id). Cached per pid,
/// so it stays right after fork. Fields that cannot be read stay empty/zero.
const ProcessIdentity& self_identity();

/// Identity of another process of this host, as seen from this process; nullopt-like zero
/// start_time when it cannot be read.
ProcessIdentity identity_of(pid_t pid);

/// Judges whether the process `who` describes is still running. Dead only when that is proven:
/// same host, boot and pid namespace, and the pid is gone, a zombie, or has another start time.
Liveness liveness_of(const ProcessIdentity& who);

/// The parent pid of `pid` (0 if it cannot be read).
pid_t parent_of(pid_t pid);

/// Milliseconds on CLOCK_BOOTTIME (counts suspend, never jumps), and since the Unix epoch.
std::int64_t boot_clock_ms();
std::int64_t wall_clock_ms();

}  // namespace ddsafe

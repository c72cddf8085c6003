#pragma once

// The one errno/errc -> exit status map of every tool (docs/exit-codes.md).

#include "ddsafe/error.hpp"

namespace ddsafe::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitConflict = 1;     ///< lock busy / timed out (-E overrides)
inline constexpr int kExitDamaged = 1;      ///< dd-journal verify: torn or garbage lines found
inline constexpr int kExitUsage = 64;       ///< EX_USAGE: bad flags or values
inline constexpr int kExitDataErr = 65;     ///< EX_DATAERR: bad data: not a regular file, refused
                                            ///< symlink or hard link, failed validation
inline constexpr int kExitNoInput = 66;     ///< EX_NOINPUT: a file or directory does not exist
inline constexpr int kExitEmptyRefused = 67;  ///< empty output would replace a non-empty file
inline constexpr int kExitFenceStale = 68;  ///< the fencing token is older than the lock's
inline constexpr int kExitNotDurable = 69;  ///< committed, but the directory fsync failed
inline constexpr int kExitSoftware = 70;    ///< EX_SOFTWARE: internal error
inline constexpr int kExitOsErr = 71;       ///< EX_OSERR: other system errors
inline constexpr int kExitCantCreat = 73;   ///< EX_CANTCREAT: read-only fs, no space, quota
inline constexpr int kExitIoErr = 74;       ///< EX_IOERR: I/O error
inline constexpr int kExitTryLater = 75;    ///< EX_TEMPFAIL: lock lost while held; dd-atomic's lock timeout
inline constexpr int kExitLockLost = kExitTryLater;
inline constexpr int kExitNoPerm = 77;      ///< EX_NOPERM: permission denied
inline constexpr int kExitCannotExec = 126; ///< command found but not executable
inline constexpr int kExitNotFound = 127;   ///< command not found

/// Exit status for an error; `conflict` is what lock_busy and lock_timeout map to (-E).
int exit_code_for(const Error& e, int conflict = kExitConflict);

}  // namespace ddsafe::tools

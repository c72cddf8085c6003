#include "common/exit_codes.hpp"

#include <cerrno>

namespace ddsafe::tools {

int exit_code_for(const Error& e, int conflict) {
  if (e.code.category() == ddsafe_category()) {
    switch (static_cast<errc>(e.code.value())) {
      case errc::lock_busy:
      case errc::lock_timeout: return conflict;
      case errc::lock_lost: return kExitLockLost;
      case errc::not_a_regular_file:
      case errc::symlink_refused:
      case errc::hard_link_refused:
      case errc::validation_failed:
      case errc::path_escapes_root:
      case errc::corrupt_record: return kExitDataErr;
      case errc::empty_output_refused: return kExitEmptyRefused;
      case errc::fence_token_stale: return kExitFenceStale;
      case errc::not_durable: return kExitNotDurable;
      case errc::invalid_argument: return kExitUsage;
      case errc::liveness_source_failed: return kExitLockLost;  // EX_TEMPFAIL: retry later
      case errc::backend_unavailable:
      case errc::backend_refused: return kExitOsErr;
      default: return kExitSoftware;
    }
  }
  switch (e.code.value()) {
    case ENOENT:
    case ENOTDIR: return kExitNoInput;
    case EACCES:
    case EPERM: return kExitNoPerm;
    case EROFS:
    case ENOSPC:
    case EDQUOT: return kExitCantCreat;
    case EIO: return kExitIoErr;
    case EISDIR:
    case ELOOP:
    case EBADF: return kExitDataErr;  // flock(1) too: a descriptor that is no lock file
    default: return kExitOsErr;
  }
}

}  // namespace ddsafe::tools

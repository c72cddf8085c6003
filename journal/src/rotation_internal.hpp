#pragma once

#include <filesystem>

#include "ddsafe/unique_fd.hpp"

namespace ddsafe::journal {

/// Takes a shared lock on rotate_lock_path(journal), held until the descriptor is closed.
/// Rotators hold the lock exclusively while they shift .N to .N+1, so a reader holding it never
/// sees the set half-shifted (a missing .N would hide every older file). Empty when the lock
/// file does not exist or cannot be opened or locked (a journal never rotated, a read-only
/// reader): the caller goes on without it and relies on re-checking names.
UniqueFd lock_rotation_shared(const std::filesystem::path& journal);

}  // namespace ddsafe::journal

#pragma once

// Private helpers of AtomicFile, shared by its .cpp files and the unit tests.

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ddsafe/atomic_file.hpp"

namespace ddsafe::detail {

/// `name` if `reserve` more bytes still fit in name_max (<= 0: 255), else a prefix of it plus
/// '#' and 8 hex digits of its hash, so that derived names never hit ENAMETOOLONG.
std::string bounded_name(std::string_view name, long name_max, std::size_t reserve);
/// ".NAME~dd": the start of every temp name of a target called `name`.
std::string temp_prefix(std::string_view name, long name_max);

struct TempName {
  char tag;  ///< 'l' linked O_TMPFILE, 'n' named temp, 'b' backup staging
};
/// Parses a directory entry as one of our temps for `prefix`; nullopt for anything else.
std::optional<TempName> parse_temp_name(std::string_view entry, std::string_view prefix);

/// The file a write to `target` replaces: `target` itself, or where its symlinks lead under
/// SymlinkPolicy::follow (a dangling link leads to the file to create). errc::symlink_refused
/// under refuse; ELOOP after 40 links.
Result<std::filesystem::path> resolve_target(const std::filesystem::path& target,
                                             SymlinkPolicy policy);

/// Removes temps of `prefix` in the directory `dir` left by dead writers: those whose flock can
/// be taken (named ones only after a grace period, as they are locked just after creation).
void sweep_stale_temps(int dir, std::string_view prefix);

}  // namespace ddsafe::detail

namespace ddsafe {

/// The steps of AtomicFile, with access to its members (atomic_file.cpp, atomic_commit.cpp).
struct AtomicFileAccess {
  static Result<void> open_temp(AtomicFile& f);
  static Result<void> link_temp(AtomicFile& f, char tag);
  static std::string new_temp_name(const AtomicFile& f, char tag);
  static Result<struct stat> check_target(const AtomicFile& f);
  /// The target as it is now (ENOENT: none) and the temp's size; the guards of precheck().
  struct State {
    std::optional<struct stat> old;
    struct stat temp {};
  };
  static Result<State> guard(const AtomicFile& f);
  static Result<bool> same_content(const AtomicFile& f, off_t size);
  static Result<void> set_metadata(AtomicFile& f, const State& s);
  static Result<std::string> place(AtomicFile& f, bool keep_old);
  static void keep_backup(AtomicFile& f, const std::string& source, CommitInfo& info);
  static Result<void> check_fence(const AtomicFile& f);
  static Error fail(AtomicFile& f, Error e);
  static void discard(AtomicFile& f);
  static Result<void> finish(AtomicFile& f, const CommitInfo& info);
};

}  // namespace ddsafe

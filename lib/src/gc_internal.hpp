#pragma once

// Private helpers of the collector (gc.cpp, gc_remove.cpp, gc_live.cpp, session.cpp).
// Never installed.

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ddsafe/gc.hpp"
#include "ddsafe/result.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::gc::detail {

/// What the collector needs to know of an inode: its type, identity, mount and mtime.
struct Node {
  mode_t mode = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  std::uint64_t mnt_id = 0;
  bool has_mnt_id = false;  ///< the kernel reported the mount id (Linux >= 5.8)
  std::int64_t mtime_s = 0;

  [[nodiscard]] bool is_dir() const { return S_ISDIR(mode); }
  [[nodiscard]] bool same_inode(const Node& o) const { return dev == o.dev && ino == o.ino; }
  /// Same mount: same device, and the same mount id when both are known (which also tells a
  /// bind mount of the same filesystem apart).
  [[nodiscard]] bool same_mount(const Node& o) const {
    return dev == o.dev && (!has_mnt_id || !o.has_mnt_id || mnt_id == o.mnt_id);
  }
};

/// statx(2) of `name` in `dirfd` without following a symlink or triggering an automount; an
/// empty name stats `dirfd` itself. Errors name `shown_as`.
Result<Node> node_at(int dirfd, const std::string& name, const std::filesystem::path& shown_as);

/// openat(dirfd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW), then checks that what was opened is
/// `expected` (same inode): errc::path_escapes_root when the entry was swapped meanwhile.
Result<UniqueFd> open_dir_at(int dirfd, const std::string& name, const Node& expected,
                             const std::filesystem::path& shown_as);

/// `root/.trash` (made first when `create`), opened: a real directory on the root's mount
/// (`root_node`), never a symlink; errc::path_escapes_root otherwise.
Result<UniqueFd> open_trash(int root_fd, const Node& root_node, const std::filesystem::path& root,
                            bool create);
/// The names in the directory open at `dirfd`, without "." and "..".
Result<std::vector<std::string>> list_names(int dirfd, const std::filesystem::path& shown_as);

/// The outcome of running a live command.
struct LiveIds {
  std::unordered_set<std::string> ids;
};

/// Runs `cmd` and parses its output into ids. errc::liveness_source_failed, with the reason in
/// the context (status, timeout, unparsable line, the command's stderr), when it cannot be
/// trusted; errc::invalid_argument for an invalid regex.
Result<LiveIds> query_live(const LiveCommand& cmd);

/// A compiled --live-regex (ECMAScript).
class IdRegex {
 public:
  /// errc::invalid_argument naming the regex when it does not compile.
  static Result<IdRegex> compile(const std::string& regex);
  IdRegex(IdRegex&&) noexcept;
  ~IdRegex();

  struct Match {
    bool matched = false;
    std::optional<std::string> id;  ///< nullopt: matched with the capture group unset
  };
  /// The first capture group of the first match in `line`, or the whole match without groups.
  /// errc::liveness_source_failed when std::regex gives up on the line (too complex). Callers
  /// cap the line length first: libstdc++ matches recursively, and a long line overflows the
  /// stack before it throws.
  [[nodiscard]] Result<Match> search(std::string_view line) const;

 private:
  struct Impl;
  explicit IdRegex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A random 64-bit value for unique hidden names (not secret: names are created exclusively).
std::uint64_t random_u64();

}  // namespace ddsafe::gc::detail

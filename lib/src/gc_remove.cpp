// Safe tree removal for the collector: fd-relative all the way down, so that no path is ever
// resolved again after it was checked (the class of Rust CVE-2022-21658 and GCC PR104161).

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ddsafe/gc.hpp"
#include "gc_internal.hpp"

namespace ddsafe::gc {
namespace detail {

Result<Node> node_at(int dirfd, const std::string& name, const std::filesystem::path& shown_as) {
  struct statx sx {};
  const int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (name.empty() ? AT_EMPTY_PATH : 0);
  if (::statx(dirfd, name.c_str(), flags,
              STATX_TYPE | STATX_INO | STATX_MTIME | STATX_MNT_ID, &sx) != 0)
    return sys_error("stat", shown_as);
  Node n;
  n.mode = sx.stx_mode;
  n.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  n.ino = sx.stx_ino;
  n.has_mnt_id = (sx.stx_mask & STATX_MNT_ID) != 0;
  n.mnt_id = sx.stx_mnt_id;
  n.mtime_s = sx.stx_mtime.tv_sec;
  return n;
}

Result<UniqueFd> open_dir_at(int dirfd, const std::string& name, const Node& expected,
                             const std::filesystem::path& shown_as) {
  int fd;
  do {
    fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  // ELOOP or ENOTDIR: the directory seen a moment ago was swapped for a symlink or a file.
  if (fd < 0) return sys_error("open directory", shown_as);
  UniqueFd dir(fd);
  auto now = node_at(dir.get(), "", shown_as);
  if (!now) return std::move(now).error();
  if (!now->same_inode(expected))
    return make_error(errc::path_escapes_root,
                      fmt::format("'{}' was replaced while being removed; left alone",
                                  shown_as.string()));
  return dir;
}

}  // namespace detail

namespace {

// Deep enough for any real session tree; one descriptor is open per level.
constexpr int kMaxDepth = 256;

void fail(RemoveStats& st, Error e) {
  ++st.failed;
  if (!st.first_error) st.first_error = std::move(e);
}

}  // namespace

namespace detail {

// Read before anything is unlinked, so that removal never races our own readdir.
Result<std::vector<std::string>> list_names(int dirfd, const std::filesystem::path& shown_as) {
  const int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return sys_error("dup", shown_as);
  DIR* d = ::fdopendir(dup);
  if (!d) {
    auto e = sys_error("read directory", shown_as);
    ::close(dup);
    return e;
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* ent = ::readdir(d)) {
    const std::string n = ent->d_name;
    if (n != "." && n != "..") names.push_back(n);
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return sys_error(err, "read directory", shown_as);
  return names;
}

}  // namespace detail

namespace {

void remove_entry(int dirfd, const std::string& name, const detail::Node& mount,
                  const std::filesystem::path& shown_as, int depth, RemoveStats& st);

void remove_children(int dirfd, const detail::Node& mount, const std::filesystem::path& shown_as,
                     int depth, RemoveStats& st) {
  auto names = detail::list_names(dirfd, shown_as);
  if (!names) return fail(st, std::move(names).error());
  for (const auto& n : *names) remove_entry(dirfd, n, mount, shown_as / n, depth + 1, st);
}

void remove_entry(int dirfd, const std::string& name, const detail::Node& mount,
                  const std::filesystem::path& shown_as, int depth, RemoveStats& st) {
  auto node = detail::node_at(dirfd, name, shown_as);
  if (!node && node.error().code == std::errc::no_such_file_or_directory) return;
  if (!node) return fail(st, std::move(node).error());
  if (!node->is_dir()) {
    // A symlink is unlinked itself, never followed. If the name became a directory since the
    // stat, unlinkat without AT_REMOVEDIR fails (EISDIR) and it is left alone.
    if (::unlinkat(dirfd, name.c_str(), 0) == 0) return void(++st.removed);
    if (errno != ENOENT) fail(st, sys_error("remove", shown_as));
    return;
  }
  if (!node->same_mount(mount))
    return fail(st, make_error(errc::path_escapes_root,
                               fmt::format("'{}' is a mount point or on another filesystem; "
                                           "not entered", shown_as.string())));
  if (depth >= kMaxDepth)
    return fail(st, sys_error(ELOOP, "remove (nested too deep)", shown_as));
  auto sub = detail::open_dir_at(dirfd, name, *node, shown_as);
  if (!sub) return fail(st, std::move(sub).error());
  const auto failed_before = st.failed;
  remove_children(sub->get(), mount, shown_as, depth, st);
  sub->reset();
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) == 0) return void(++st.removed);
  // ENOTEMPTY after a failure below was already reported there; say it only if nothing was.
  if (errno == ENOTEMPTY && st.failed > failed_before) return;
  if (errno != ENOENT) fail(st, sys_error("remove directory", shown_as));
}

}  // namespace

RemoveStats remove_tree_at(int parent_fd, const std::string& name,
                           const std::filesystem::path& shown_as) {
  RemoveStats st;
  auto parent = detail::node_at(parent_fd, "", shown_as.parent_path());
  if (!parent) {
    fail(st, std::move(parent).error());
    return st;
  }
  remove_entry(parent_fd, name, *parent, shown_as, 0, st);
  return st;
}

}  // namespace ddsafe::gc

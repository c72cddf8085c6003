#include "ddsafe/session.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "ddsafe/gc.hpp"
#include "ddsafe/process.hpp"
#include "gc_internal.hpp"

namespace ddsafe {
namespace {

Error invalid_id(std::string_view id, const char* why) {
  return make_error(errc::path_escapes_root, fmt::format("session id '{}' {}", id, why));
}

// Builds the session under a hidden staging name with its lock held; returns that lock.
Result<FileLock> build_staged(int root_fd, const std::filesystem::path& root,
                              const std::string& staging, const SessionOptions& o) {
  if (::mkdirat(root_fd, staging.c_str(), o.mode) != 0)
    return sys_error("create session directory", root / staging);
  LockOptions lo;
  lo.timeout = std::chrono::nanoseconds(0);
  lo.break_dead_owner = false;  // nobody else ever locks a brand-new file
  lo.command = o.command;
  lo.tool = o.tool;
  auto lock = FileLock::acquire(root / staging / kSessionLockName, lo);
  if (!lock) (void)gc::remove_tree_at(root_fd, staging, root / staging);
  return lock;
}

}  // namespace

Result<void> validate_session_id(std::string_view id) {
  if (id.empty()) return invalid_id(id, "is empty");
  if (id.size() > 255) return invalid_id(id.substr(0, 40), "is longer than 255 bytes");
  if (id == "." || id == "..") return invalid_id(id, "names a directory itself or its parent");
  if (id.find('/') != std::string_view::npos) return invalid_id(id, "contains '/'");
  if (id.find('\0') != std::string_view::npos) return invalid_id(id, "contains a NUL byte");
  if (id.front() == '.') return invalid_id(id, "starts with '.' (hidden names are ddsafe's)");
  return {};
}

Session::Session(FileLock lock, std::string id, std::filesystem::path dir,
                 const SessionOptions& o)
    : lock_(std::move(lock)),
      id_(std::move(id)),
      dir_(std::move(dir)),
      tool_(o.tool),
      events_(o.events),
      started_(std::chrono::steady_clock::now()) {}

Result<Session> Session::create(const std::filesystem::path& root, std::string_view id,
                                const SessionOptions& o) {
  if (auto ok = validate_session_id(id); !ok) return std::move(ok).error();
  auto root_fd = open_fd(root, O_RDONLY | O_DIRECTORY);
  if (!root_fd) return std::move(root_fd).error();
  const auto staging = fmt::format("{}{}-{:016x}", kSessionStagingPrefix, self_pid(),
                                   gc::detail::random_u64());
  auto lock = build_staged(root_fd->get(), root, staging, o);
  if (!lock) return std::move(lock).error();
  // Only now, with the lock held, does the session get its name: a collector listing the root
  // can never find ROOT/<id> unlocked. RENAME_NOREPLACE: plain rename(2) would silently replace
  // an existing empty directory of that name.
  const std::string name(id);
  if (::renameat2(root_fd->get(), staging.c_str(), root_fd->get(), name.c_str(),
                  RENAME_NOREPLACE) != 0) {
    auto e = sys_error("create session", root / name);
    (void)gc::remove_tree_at(root_fd->get(), staging, root / staging);
    return e;
  }
  Session s(std::move(*lock), name, root / name, o);
  if (s.events_) {
    Event ev{"session_start", {}};
    ev.add("id", s.id_).add("path", s.dir_.string()).add("cmd", o.command);
    s.events_->emit(ev);
  }
  return s;
}

Session::~Session() { (void)end(); }

void Session::journal_end(int status, std::string_view reason, bool removing) {
  if (!events_) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  Event ev{"session_end", {}};
  ev.add("id", id_).add("path", dir_.string()).add("status", std::int64_t{status})
      .add("duration_ms", static_cast<std::int64_t>(ms.count()));
  if (!reason.empty()) ev.add("reason", std::string(reason));
  if (removing) ev.add("removed", true);
  events_->emit(ev);
}

Result<void> Session::end(int status, std::string_view reason) {
  if (!lock_.held()) return {};
  journal_end(status, reason, false);
  return lock_.release();
}

Result<void> Session::remove(int status, std::string_view reason) {
  if (!lock_.held()) return {};
  journal_end(status, reason, true);
  struct ReleaseLast {
    FileLock& lock;
    ~ReleaseLast() { (void)lock.release(); }
  } release_last{lock_};
  const auto root = dir_.parent_path();
  auto root_fd = open_fd(root, O_RDONLY | O_DIRECTORY);
  if (!root_fd) return std::move(root_fd).error();
  auto root_node = gc::detail::node_at(root_fd->get(), "", root);
  if (!root_node) return std::move(root_node).error();
  auto trash = gc::detail::open_trash(root_fd->get(), *root_node, root, /*create=*/true);
  if (!trash) return std::move(trash).error();
  const auto tname = fmt::format("{}.{:016x}", id_, gc::detail::random_u64());
  const auto shown = root / gc::kTrashName / tname;
  if (::renameat2(root_fd->get(), id_.c_str(), trash->get(), tname.c_str(), RENAME_NOREPLACE) != 0)
    return sys_error("move session to trash", dir_);
  const auto st = gc::remove_tree_at(trash->get(), tname, shown);
  if (st.failed == 0) return {};
  auto e = *st.first_error;
  e.context = fmt::format("{} ({} entries could not be removed; the rest is in '{}')", e.context,
                          st.failed, shown.string());
  return e;
}

}  // namespace ddsafe

// AtomicFile::commit and the read-modify-write built on it.

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "atomic_internal.hpp"
#include "ddsafe/atomic_file.hpp"
#include "ddsafe/file_lock.hpp"
#include "lock_internal.hpp"

namespace ddsafe {
namespace {

namespace fs = std::filesystem;

fs::path dir_of(const fs::path& target) {
  auto dir = target.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// The process's umask without changing it (umask(2) can only set it, racing other threads).
mode_t current_umask() {
  auto status = read_small_file("/proc/self/status", 16384);
  if (status) {
    const auto at = status->find("\nUmask:");
    if (at != std::string::npos)
      return static_cast<mode_t>(std::strtoul(status->c_str() + at + 7, nullptr, 8));
  }
  const mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

void emit_commit(const AtomicOptions& o, const fs::path& target, const CommitInfo& info,
                 bool durable) {
  if (!o.events || (!o.journal_commits && durable && !info.backup_error)) return;
  const std::string path = detail::absolute_path(target);
  const auto bytes = static_cast<std::int64_t>(info.bytes);
  Event ev{"atomic_commit", {}};
  ev.add("path", path).add("bytes", bytes).add("durable", durable).add("tool", o.tool);
  if (info.backup_error) {
    const std::string why = info.backup_error->message();
    ev.add("backup_error", why);
  }
  if (info.backup) {
    const std::string backup = detail::absolute_path(*info.backup);
    ev.add("backup", backup);
  }
  o.events->emit(ev);
}

Result<std::optional<std::string>> read_whole(const fs::path& p) {
  auto fd = open_fd(p, O_RDONLY);
  if (!fd) {
    if (fd.error().code == std::errc::no_such_file_or_directory) return std::optional<std::string>{};
    return fd.error();
  }
  std::string out;
  for (;;) {
    auto chunk = pread_some(fd->get(), 1 << 16, static_cast<off_t>(out.size()), p);
    if (!chunk) return chunk.error();
    if (chunk->empty()) return std::optional<std::string>(std::move(out));
    out += *chunk;
  }
}

}  // namespace


// What the rename would replace, checked again right before it: the target may have changed
// since create().
Result<struct stat> AtomicFileAccess::check_target(const AtomicFile& f) {
  struct stat st{};
  if (::fstatat(f.dir_.get(), f.name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("stat", f.target_);
  if (S_ISLNK(st.st_mode)) {
    if (f.options_.symlinks == SymlinkPolicy::replace) return st;
    return make_error(errc::symlink_refused, fmt::format("'{}'", f.target_.string()));
  }
  if (!S_ISREG(st.st_mode))
    return make_error(errc::not_a_regular_file, fmt::format("'{}'", f.target_.string()));
  if (st.st_nlink > 1 && f.options_.hard_links == HardLinkPolicy::refuse)
    return make_error(errc::hard_link_refused,
                      fmt::format("'{}' has {} names; replacing one would leave the others with "
                                  "the old content", f.target_.string(), st.st_nlink));
  return st;
}

Result<bool> AtomicFileAccess::same_content(const AtomicFile& f, off_t size) {
  UniqueFd old(::openat(f.dir_.get(), f.name_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!old) return sys_error("open", f.target_);
  constexpr std::size_t kChunk = 1 << 16;
  for (off_t at = 0; at < size; at += off_t{kChunk}) {
    auto a = pread_some(old.get(), kChunk, at, f.target_);
    if (!a) return a.error();
    auto b = pread_some(f.fd_.get(), kChunk, at, f.target_);
    if (!b) return b.error();
    if (*a != *b) return false;
    if (a->size() < kChunk) break;
  }
  return true;
}

// Owner first: chown clears set-user-ID and set-group-ID, which the chmod then restores. Both
// before the fsync, so the fsync makes them durable too.
Result<void> AtomicFileAccess::set_metadata(AtomicFile& f, const State& s) {
  const int fd = f.fd_.get();
  const auto& old = s.old;
  const bool same_owner =
      old && old->st_uid == s.temp.st_uid && old->st_gid == s.temp.st_gid;
  if (old && f.options_.keep_owner && !same_owner &&
      ::fchown(fd, old->st_uid, old->st_gid) != 0) {
    if (errno != EPERM) return sys_error("chown the new version of", f.target_);
    (void)::fchown(fd, static_cast<uid_t>(-1), old->st_gid);  // our group at least, if permitted
  }
  const mode_t mode = f.options_.mode ? *f.options_.mode
                      : old           ? old->st_mode & 07777
                                      : 0666 & ~current_umask();
  if (::fchmod(fd, mode) != 0) return sys_error("chmod the new version of", f.target_);
  return {};
}

// The rename over NAME, keeping the old version's inode under a name of ours when a backup is
// wanted: renameat2(RENAME_EXCHANGE) swaps the temp and NAME in one step, so NAME never goes
// missing and never has a second link (which would make the next writer refuse it). Where the
// filesystem cannot exchange, a hard link to the old version is made first. Returns the name now
// holding the old version ("" when no backup is wanted).
Result<std::string> AtomicFileAccess::place(AtomicFile& f, bool keep_old) {
  const int dir = f.dir_.get();
  const char* temp = f.temp_name_.c_str();
  const auto fail_rename = [&] {
    return sys_error(fmt::format("rename '{}' to", (dir_of(f.target_) / f.temp_name_).string()),
                     f.target_);
  };
  if (!keep_old) {
    if (::renameat(dir, temp, dir, f.name_.c_str()) != 0) return fail_rename();
    return std::string();
  }
  if (::renameat2(dir, temp, dir, f.name_.c_str(), RENAME_EXCHANGE) == 0) return f.temp_name_;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return fail_rename();
  auto staging = new_temp_name(f, 'b');
  if (::linkat(dir, f.name_.c_str(), dir, staging.c_str(), 0) != 0)
    return sys_error("link a backup of", f.target_);
  if (::renameat(dir, temp, dir, f.name_.c_str()) != 0) {
    auto e = fail_rename();
    (void)::unlinkat(dir, staging.c_str(), 0);
    return e;
  }
  return staging;
}

// After the commit: the old version's inode, held under `source`, becomes NAME+suffix (an older
// backup is replaced in one step). Failing here loses only the backup, never the commit.
void AtomicFileAccess::keep_backup(AtomicFile& f, const std::string& source, CommitInfo& info) {
  const int dir = f.dir_.get();
  const auto backup = f.name_ + *f.options_.backup_suffix;
  if (::renameat(dir, source.c_str(), dir, backup.c_str()) == 0)
    info.backup = dir_of(f.target_) / backup;
  else
    info.backup_error = sys_error("keep the previous version as", dir_of(f.target_) / backup);
  // rename(2) does nothing when both names already link the same inode: drop ours then.
  (void)::unlinkat(dir, source.c_str(), 0);
}

Result<void> AtomicFileAccess::check_fence(const AtomicFile& f) {
  const auto& fence = *f.options_.fence;
  auto status = lock_status(fence.lock_path);
  if (!status) return status.error();
  if (!status->record)
    return make_error(errc::fence_token_stale,
                      fmt::format("lock file '{}' holds no readable token", fence.lock_path.string()));
  if (status->record->token != fence.token)
    return make_error(errc::fence_token_stale,
                      fmt::format("lock file '{}' is at token {}, not {}",
                                  fence.lock_path.string(), status->record->token, fence.token));
  return {};
}

void AtomicFileAccess::discard(AtomicFile& f) {
  f.finished_ = true;
  if (!f.temp_name_.empty()) (void)::unlinkat(f.dir_.get(), f.temp_name_.c_str(), 0);
  f.temp_name_.clear();
  f.fd_.reset();
}

// After the rename: nothing fallible but the directory fsync, whose failure must not read as
// "not committed" (the new content is in place).
Result<void> AtomicFileAccess::finish(AtomicFile& f, const CommitInfo& info) {
  f.finished_ = true;
  f.temp_name_.clear();
  f.fd_.reset();
  const bool durable = f.options_.durability == Durability::durable;
  if (durable && ::fsync(f.dir_.get()) != 0) {
    const int err = errno;
    emit_commit(f.options_, f.target_, info, /*durable=*/false);
    return make_error(errc::not_durable,
                      fmt::format("fsync directory '{}' after replacing '{}' ({})",
                                  dir_of(f.target_).string(), f.target_.string(),
                                  std::strerror(err)));
  }
  emit_commit(f.options_, f.target_, info, /*durable=*/true);
  return {};
}

Result<AtomicFileAccess::State> AtomicFileAccess::guard(const AtomicFile& f) {
  State s;
  if (auto st = check_target(f)) s.old = *st;
  else if (st.error().code != std::errc::no_such_file_or_directory) return st.error();
  if (::fstat(f.fd_.get(), &s.temp) != 0) return sys_error("stat temp of", f.target_);
  if (s.old && !S_ISREG(s.old->st_mode)) s.old.reset();  // a replaced symlink: no old content
  if (!f.options_.allow_empty && s.temp.st_size == 0 && s.old && s.old->st_size > 0)
    return make_error(errc::empty_output_refused, fmt::format("'{}'", f.target_.string()));
  return s;
}

Result<void> AtomicFile::precheck() const {
  assert(!finished_ && "precheck after commit or abort");
  if (auto s = AtomicFileAccess::guard(*this); !s) return s.error();
  return {};
}

Result<CommitInfo> AtomicFile::commit() {
  assert(!finished_ && "commit after commit or abort");
  using A = AtomicFileAccess;
  auto state = A::guard(*this);
  if (!state) return A::fail(*this, state.error());
  const auto& old = state->old;
  const off_t size = state->temp.st_size;
  CommitInfo info;
  info.bytes = static_cast<std::uint64_t>(size);
  if (options_.if_changed && old && old->st_size == size) {
    auto same = A::same_content(*this, size);
    if (!same) return A::fail(*this, same.error());
    if (*same) {
      A::discard(*this);
      info.changed = false;
      return info;
    }
  }
  if (auto m = A::set_metadata(*this, *state); !m) return A::fail(*this, m.error());
  if (temp_name_.empty())
    if (auto linked = A::link_temp(*this, 'l'); !linked) return A::fail(*this, linked.error());
  const auto temp_path = dir_of(target_) / temp_name_;
  // fsync before the rename, or a crash can leave the new name on an empty file (xfs, btrfs,
  // ext4 with noauto_da_alloc). Never retried: after a failed fsync the kernel may have dropped
  // the dirty pages and a second fsync would report success.
  if (options_.durability == Durability::durable && ::fsync(fd_.get()) != 0)
    return A::fail(*this, sys_error("fsync", temp_path));
  if (options_.fence)
    if (auto fresh = A::check_fence(*this); !fresh) return A::fail(*this, fresh.error());
  const bool keep_old = options_.backup_suffix && old;
  if (keep_old && name_.size() + options_.backup_suffix->size() > static_cast<std::size_t>(name_max_))
    return A::fail(*this, sys_error(ENAMETOOLONG, "keep the previous version as",
                                    dir_of(target_) / (name_ + *options_.backup_suffix)));
  auto old_version = A::place(*this, keep_old);
  if (!old_version) return A::fail(*this, old_version.error());
  if (!old_version->empty()) A::keep_backup(*this, *old_version, info);
  if (auto done = A::finish(*this, info); !done) return done.error();
  return info;
}

Result<fs::path> sidecar_lock_path(const fs::path& target, SymlinkPolicy symlinks) {
  auto resolved = detail::resolve_target(target, symlinks);
  if (!resolved) return resolved.error();
  const auto name = resolved->filename().string();
  if (name.empty() || name == "." || name == "..") return sys_error(EISDIR, "lock", target);
  const auto dir = dir_of(*resolved);
  const long name_max = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  return resolved->parent_path() / fmt::format(".{}.lock", detail::bounded_name(name, name_max, 6));
}

Result<CommitInfo> update_file(const fs::path& target, const Transform& fn,
                               const UpdateOptions& options) {
  auto lock_path = sidecar_lock_path(target, options.atomic.symlinks);
  if (!lock_path) return lock_path.error();
  LockOptions lo;
  lo.timeout = options.lock_timeout;
  lo.tool = options.atomic.tool;
  lo.events = options.atomic.events;
  lo.command = "update " + target.string();
  auto lock = FileLock::acquire(*lock_path, lo);
  if (!lock) return lock.error();
  auto old = read_whole(target);
  if (!old) return old.error();
  auto next = fn(*old);
  if (!next) return next.error();
  AtomicOptions ao = options.atomic;
  ao.fence = Fence{*lock_path, lock->token()};
  auto file = AtomicFile::create(target, std::move(ao));
  if (!file) return file.error();
  if (auto w = file->write(*next); !w) {
    file->abort(w.error().message());
    return w.error();
  }
  auto done = file->commit();
  (void)lock->release();  // a lost lock was caught by the fence before the rename
  return done;
}

}  // namespace ddsafe

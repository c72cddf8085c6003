#include "ddsafe/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <ctime>

#include <fmt/format.h>

#include "atomic_internal.hpp"
#include "ddsafe/file_lock.hpp"
#include "lock_internal.hpp"

namespace ddsafe {
namespace {

namespace fs = std::filesystem;

// Temp names: "." + NAME (bounded) + "~dd" + tag + PID + "-" + 8 hex digits. Tags:
//   l  linked from an O_TMPFILE that was flock'ed before it got a name;
//   n  created by name (no O_TMPFILE here), flock'ed right after creation;
//   b  a hard link to the old version, renamed to NAME+suffix at once (backup staging).
// The flock marks a live writer: its temp descriptor is also the producer's stdout, so the lock
// lasts as long as either of them does.
constexpr std::size_t kTagBytes = 3 + 1 + 10 + 1 + 8;  // "~dd" tag pid "-" rand
// A named temp is flock'ed microseconds after creation; one older than this without a lock
// belongs to a dead writer.
constexpr std::time_t kUnlockedGraceSeconds = 10;

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

std::uint32_t random_u32() {
  std::uint32_t r = 0;
  if (::getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r))
    r = fnv1a(std::to_string(::getpid())) ^ static_cast<std::uint32_t>(::clock());
  return r;
}

bool is_hex(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The descriptor and name left over from opening a directory for a target.
struct DirEntry {
  UniqueFd dir;
  fs::path dir_path;
  std::string name;
};

Result<DirEntry> open_parent(const fs::path& target) {
  const fs::path name = target.filename();
  if (target.empty()) return make_error(errc::invalid_argument, "empty file name");
  if (name.empty() || name == "." || name == "..")
    return sys_error(EISDIR, "replace", target);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  auto fd = open_fd(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error();
  return DirEntry{std::move(*fd), std::move(dir), name.string()};
}

void emit_abort(const AtomicOptions& o, const fs::path& target, std::string_view reason) {
  if (!o.events) return;
  const std::string path = detail::absolute_path(target);
  const std::string why(reason);
  Event ev{"atomic_abort", {}};
  ev.add("path", path).add("reason", why).add("tool", o.tool);
  o.events->emit(ev);
}

}  // namespace

namespace detail {

std::string bounded_name(std::string_view name, long name_max, std::size_t reserve) {
  const auto limit = static_cast<std::size_t>(name_max > 0 ? name_max : 255);
  if (name.size() + reserve <= limit) return std::string(name);
  const std::size_t keep = limit > reserve + 9 ? limit - reserve - 9 : 0;
  return fmt::format("{}#{:08x}", name.substr(0, keep), fnv1a(name));
}

std::string temp_prefix(std::string_view name, long name_max) {
  return fmt::format(".{}~dd", bounded_name(name, name_max, 1 + kTagBytes));
}

std::optional<TempName> parse_temp_name(std::string_view entry, std::string_view prefix) {
  if (entry.size() <= prefix.size() || entry.substr(0, prefix.size()) != prefix) return {};
  auto rest = entry.substr(prefix.size());
  const char tag = rest[0];
  if (tag != 'l' && tag != 'n' && tag != 'b') return {};
  rest.remove_prefix(1);
  const auto dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos) return {};
  const auto pid = rest.substr(0, dash);
  if (pid.find_first_not_of("0123456789") != std::string_view::npos) return {};
  if (rest.size() - dash - 1 != 8 || !is_hex(rest.substr(dash + 1))) return {};
  return TempName{tag};
}

Result<fs::path> resolve_target(const fs::path& target, SymlinkPolicy policy) {
  fs::path p = target;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st{};
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT) return p;  // a new file (or a dangling link's target)
      return sys_error("stat", p);
    }
    if (!S_ISLNK(st.st_mode) || policy == SymlinkPolicy::replace) return p;
    if (policy == SymlinkPolicy::refuse) return make_error(errc::symlink_refused, fmt::format("'{}'", p.string()));
    std::array<char, 4096> buf{};
    const ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
    if (n < 0) return sys_error("readlink", p);
    if (static_cast<std::size_t>(n) == buf.size()) return sys_error(ENAMETOOLONG, "readlink", p);
    const fs::path link(std::string(buf.data(), static_cast<std::size_t>(n)));
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
  return sys_error(ELOOP, "follow symlinks of", target);
}

// Removes temps of `prefix` in `dir` whose writer is gone (their flock can be taken).
void sweep_stale_temps(int dir, std::string_view prefix) {
  const int scan = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scan < 0) return;
  DIR* d = ::fdopendir(scan);
  if (!d) {
    ::close(scan);
    return;
  }
  const std::time_t now = ::time(nullptr);
  while (const dirent* e = ::readdir(d)) {
    const auto tag = parse_temp_name(e->d_name, prefix);
    if (!tag) continue;
    struct stat st{};
    if (::fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (tag->tag != 'l' && now - st.st_ctime < kUnlockedGraceSeconds) continue;
    UniqueFd fd(::openat(dir, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a live writer
    struct stat again{};
    // Only the very inode we locked: the name may have been reused since the readdir.
    if (::fstatat(dir, e->d_name, &again, AT_SYMLINK_NOFOLLOW) == 0 && again.st_ino == st.st_ino &&
        again.st_dev == st.st_dev)
      (void)::unlinkat(dir, e->d_name, 0);
  }
  ::closedir(d);
}

}  // namespace detail


std::string AtomicFileAccess::new_temp_name(const AtomicFile& f, char tag) {
  return fmt::format("{}{}{}-{:08x}", f.temp_prefix_, tag, ::getpid(), random_u32());
}

Error AtomicFileAccess::fail(AtomicFile& f, Error e) {
  f.abort(e.message());
  return e;
}

// O_TMPFILE where the filesystem has it (nothing is left behind by a crash before commit),
// else a hidden name created O_EXCL. Mode 0600 until commit either way.
Result<void> AtomicFileAccess::open_temp(AtomicFile& f) {
  const int dir = f.dir_.get();
  int fd = ::openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    return sys_error("create a temp file in", f.target_.parent_path().empty() ? "." : f.target_.parent_path());
  for (int attempt = 0; fd < 0 && attempt < 16; ++attempt) {
    f.temp_name_ = new_temp_name(f, 'n');
    fd = ::openat(dir, f.temp_name_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      auto e = sys_error("create temp file", f.target_.parent_path() / f.temp_name_);
      f.temp_name_.clear();
      return e;
    }
  }
  if (fd < 0) return sys_error(EEXIST, "create temp file", f.target_.parent_path() / f.temp_name_);
  f.fd_.reset(fd);
  (void)::flock(fd, LOCK_EX | LOCK_NB);  // marks a live writer for sweep_stale_temps
  return {};
}

// Gives an unnamed temp (or, with tag 'b', nothing: see make_backup) a hidden name.
// linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH on older kernels; /proc/self/fd works
// unprivileged (linkat(2)).
Result<void> AtomicFileAccess::link_temp(AtomicFile& f, char tag) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto name = new_temp_name(f, tag);
    int rc = ::linkat(f.fd_.get(), "", f.dir_.get(), name.c_str(), AT_EMPTY_PATH);
    if (rc != 0 && (errno == ENOENT || errno == EPERM)) {
      const auto proc = fmt::format("/proc/self/fd/{}", f.fd_.get());
      rc = ::linkat(AT_FDCWD, proc.c_str(), f.dir_.get(), name.c_str(), AT_SYMLINK_FOLLOW);
    }
    if (rc == 0) {
      f.temp_name_ = std::move(name);
      return {};
    }
    if (errno != EEXIST) return sys_error("link temp file", f.target_.parent_path() / name);
  }
  return sys_error(EEXIST, "link temp file", f.target_);
}

Result<AtomicFile> AtomicFile::create(const fs::path& target, AtomicOptions options) {
  auto resolved = detail::resolve_target(target, options.symlinks);
  if (!resolved) return resolved.error();
  auto parent = open_parent(*resolved);
  if (!parent) return parent.error();
  AtomicFile f;
  f.dir_ = std::move(parent->dir);
  f.target_ = *resolved;
  f.name_ = std::move(parent->name);
  f.options_ = std::move(options);
  if (const long name_max = ::fpathconf(f.dir_.get(), _PC_NAME_MAX); name_max > 0)
    f.name_max_ = name_max;
  f.temp_prefix_ = detail::temp_prefix(f.name_, f.name_max_);
  // Sweep first: a killed writer's backup staging link would make the target look hard-linked.
  detail::sweep_stale_temps(f.dir_.get(), f.temp_prefix_);
  if (auto st = AtomicFileAccess::check_target(f); !st && st.error().code != std::errc::no_such_file_or_directory)
    return st.error();
  if (auto opened = AtomicFileAccess::open_temp(f); !opened) return opened.error();
  f.finished_ = false;
  return f;
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : dir_(std::move(o.dir_)),
      fd_(std::move(o.fd_)),
      target_(std::move(o.target_)),
      name_(std::move(o.name_)),
      temp_name_(std::move(o.temp_name_)),
      temp_prefix_(std::move(o.temp_prefix_)),
      options_(std::move(o.options_)),
      bytes_(o.bytes_),
      name_max_(o.name_max_),
      finished_(std::exchange(o.finished_, true)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& o) noexcept {
  if (this == &o) return *this;
  abort("replaced before commit");
  dir_ = std::move(o.dir_);
  fd_ = std::move(o.fd_);
  target_ = std::move(o.target_);
  name_ = std::move(o.name_);
  temp_name_ = std::move(o.temp_name_);
  temp_prefix_ = std::move(o.temp_prefix_);
  options_ = std::move(o.options_);
  bytes_ = o.bytes_;
  name_max_ = o.name_max_;
  finished_ = std::exchange(o.finished_, true);
  return *this;
}

AtomicFile::~AtomicFile() { abort("not committed"); }

Result<void> AtomicFile::write(std::string_view data) {
  assert(!finished_ && "write after commit or abort");
  if (auto w = write_all(fd_.get(), data, target_); !w) return w.error();
  bytes_ += data.size();
  return {};
}

Result<fs::path> AtomicFile::temp_path() {
  assert(!finished_ && "temp_path after commit or abort");
  if (temp_name_.empty())
    if (auto linked = AtomicFileAccess::link_temp(*this, 'l'); !linked) return linked.error();
  return target_.parent_path() / temp_name_;
}

void AtomicFile::abort(std::string_view reason) noexcept {
  if (finished_) return;
  finished_ = true;
  if (!temp_name_.empty()) (void)::unlinkat(dir_.get(), temp_name_.c_str(), 0);
  temp_name_.clear();
  fd_.reset();
  emit_abort(options_, target_, reason);
}

}  // namespace ddsafe

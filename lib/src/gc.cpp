// One garbage-collection pass: judge every session dir (alive / dead / unknown; unknown keeps),
// apply the circuit breakers, then reap the dead under their own session locks.

#include "ddsafe/gc.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "ddsafe/file_lock.hpp"
#include "ddsafe/session.hpp"
#include "gc_internal.hpp"

namespace ddsafe::gc {
namespace {

using detail::Node;
using Action = Entry::Action;

struct Pass {
  const Options& o;
  std::string root_abs;  ///< for journal events, which name absolute paths
  UniqueFd root;
  Node root_node;
  std::optional<detail::LiveIds> live;
  std::optional<UniqueFd> trash;
  std::int64_t now_s = 0;
  Report report;
};

// A verdict on one entry. For a dead one, the dir and its locked session lock stay open.
struct Judgement {
  bool dead = false;
  bool session_dir = false;  ///< a directory (of any verdict), not a file or symlink
  bool alive = false;        ///< proven alive: listed as live, or its session lock is held
  std::string reason;
  std::int64_t age_s = -1;
  Node node;
  UniqueFd dir;
  UniqueFd lock;
};

// Only the exact name Session::create builds, `.new-<pid>-<hex>`, is staging: any other hidden
// name is left alone (someone else's, or ddsafe's own).
bool is_staging(const std::string& name) {
  if (!name.starts_with(kSessionStagingPrefix)) return false;
  const std::string_view rest = std::string_view(name).substr(kSessionStagingPrefix.size());
  const auto dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos) return false;
  const auto pid = rest.substr(0, dash), hex = rest.substr(dash + 1);
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto is_hex = [&](char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); };
  return !hex.empty() && hex.size() <= 16 && std::all_of(pid.begin(), pid.end(), is_digit) &&
         std::all_of(hex.begin(), hex.end(), is_hex);
}

// A staging dir is unlocked for a moment while Session::create builds it (between mkdir and
// the lock). Whatever --min-age says, only one left this long is an abandoned creation.
constexpr std::int64_t kStagingGraceS = 3600;

Judgement keep(std::string reason, std::int64_t age = -1) {
  Judgement j;
  j.reason = std::move(reason);
  j.age_s = age;
  return j;
}

// Tries the session lock without waiting. Held by anyone (this process included: flock
// excludes other open file descriptions) means alive; any doubt means unknown, which keeps.
Judgement try_session_lock(Judgement j, const std::filesystem::path& shown) {
  const std::string name(kSessionLockName);
  // O_NONBLOCK: a FIFO planted under the lock's name must not hang the pass.
  const int fd = ::openat(j.dir.get(), name.c_str(),
                          O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    j.dead = true;
    j.reason = "no session lock file";
    return j;
  }
  if (fd < 0)
    return keep(fmt::format("session lock unusable: {}", sys_error("open", shown).message()),
                j.age_s);
  UniqueFd lock(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return keep("session lock is not a regular file", j.age_s);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno == EWOULDBLOCK) {
    auto held = keep("session lock held", j.age_s);
    held.alive = true;
    return held;
  }
  if (rc != 0)
    return keep(fmt::format("session lock unusable: {}", sys_error("lock", shown).message()),
                j.age_s);
  j.dead = true;
  j.reason = "session lock free";
  j.lock = std::move(lock);
  return j;
}

Judgement judge(Pass& p, const std::string& name) {
  const auto shown = p.o.root / name;
  auto node = detail::node_at(p.root.get(), name, shown);
  if (!node) return keep(node.error().message());
  if (!node->is_dir()) return keep(S_ISLNK(node->mode) ? "a symlink, not a session dir"
                                                       : "not a directory");
  const auto age = p.now_s - node->mtime_s;
  auto kept = [age](std::string why) {
    auto k = keep(std::move(why), age);
    k.session_dir = true;
    return k;
  };
  if (!node->same_mount(p.root_node)) return kept("a mount point or on another filesystem");
  if (p.live && !is_staging(name) && p.live->ids.count(name)) {
    auto listed = kept("listed as live");
    listed.alive = true;
    return listed;
  }
  if (age < p.o.min_age.count())
    return kept(fmt::format("younger than --min-age ({} s < {} s)", age, p.o.min_age.count()));
  if (is_staging(name) && age < kStagingGraceS)
    return kept(fmt::format("session creation in progress (younger than {} s)", kStagingGraceS));
  auto dir = detail::open_dir_at(p.root.get(), name, *node, shown);
  if (!dir) return kept(dir.error().message());
  Judgement j;
  j.session_dir = true;
  j.age_s = age;
  j.node = *node;
  j.dir = std::move(*dir);
  j = try_session_lock(std::move(j), shown / kSessionLockName);
  if (j.dead && !j.lock && p.o.require_lock_file && !is_staging(name))
    return keep("no session lock file: not a session dir", age);
  j.session_dir = true;
  if (j.dead && p.live && !is_staging(name)) j.reason += ", not listed as live";
  if (j.dead && is_staging(name)) j.reason += " (unfinished session creation)";
  return j;
}

void emit(const Pass& p, Event ev) {
  if (p.o.events) p.o.events->emit(ev);
}

void record_error(Pass& p, const std::string& id, std::int64_t age, Error e) {
  Entry en{id, Action::error, "", e, age};
  en.reason = e.message();
  Event ev{"gc_error", {}};
  ev.add("root", p.root_abs).add("id", id).add("path", fmt::format("{}/{}", p.root_abs, id))
      .add("error", e.message()).add("cause", e.code.message());
  emit(p, std::move(ev));
  ++p.report.errors;
  if (!p.report.first_error) p.report.first_error = std::move(e);
  p.report.entries.push_back(std::move(en));
}

void record(Pass& p, std::string id, Action a, std::string reason, std::int64_t age) {
  if (a == Action::kept) ++p.report.kept;
  if (a == Action::removed || a == Action::would_remove) ++p.report.removed;
  p.report.entries.push_back(Entry{std::move(id), a, std::move(reason), std::nullopt, age});
}

void skip(Pass& p, std::string reason, std::string detail, std::size_t would_remove) {
  p.report.skipped = true;
  p.report.skip_reason = reason;
  p.report.skip_detail = detail;
  if (p.o.dry_run) return;
  Event ev{"gc_skipped", {}};
  ev.add("root", p.root_abs).add("reason", std::move(reason)).add("detail", std::move(detail))
      .add("sessions", static_cast<std::int64_t>(p.report.sessions))
      .add("would_remove", static_cast<std::int64_t>(would_remove))
      .add("max_remove", static_cast<std::int64_t>(p.o.max_remove))
      .add("live_ids", p.live ? static_cast<std::int64_t>(p.live->ids.size()) : -1);
  emit(p, std::move(ev));
}

}  // namespace

namespace {

// ROOT/.trash, made on first use.
Result<int> trash_fd(Pass& p, bool create) {
  if (p.trash) return p.trash->get();
  auto fd = detail::open_trash(p.root.get(), p.root_node, p.o.root, create);
  if (!fd) return std::move(fd).error();
  p.trash = std::move(*fd);
  return p.trash->get();
}

// Renames the victim into the trash, then checks the trash entry is the inode we locked: if
// ROOT/<id> was swapped between our check and the rename, it is put back and left alone.
Result<std::string> move_to_trash(Pass& p, const std::string& name, const Judgement& j) {
  auto trash = trash_fd(p, /*create=*/true);
  if (!trash) return std::move(trash).error();
  const auto tname = fmt::format("{}.{:016x}", j.node.ino, detail::random_u64());
  const auto shown = p.o.root / name;
  if (::renameat2(p.root.get(), name.c_str(), *trash, tname.c_str(), RENAME_NOREPLACE) != 0)
    return sys_error("move to trash", shown);
  auto moved = detail::node_at(*trash, tname, p.o.root / kTrashName / tname);
  if (moved && moved->same_inode(j.node)) return tname;
  if (::renameat2(*trash, tname.c_str(), p.root.get(), name.c_str(), RENAME_NOREPLACE) == 0)
    return make_error(errc::path_escapes_root,
                      fmt::format("'{}' was replaced just before it was moved; put back and "
                                  "left alone", shown.string()));
  // Say where it is: a later sweep of the trash deletes it unless its session lock is held.
  const auto put_back = sys_error("put back", shown);
  return make_error(errc::path_escapes_root,
                    fmt::format("'{}' was replaced just before it was moved and could not be put "
                                "back ({}); it is in '{}'", shown.string(), put_back.message(),
                                (p.o.root / kTrashName / tname).string()));
}

// Judges `name` again (this verdict, taken under the lock, is the one that counts), re-checks
// that the name still is the locked inode, moves it to the trash and deletes it there while
// still holding its session lock, so that nothing can revive it mid-delete.
void reap(Pass& p, const std::string& name) {
  auto j = judge(p, name);
  if (!j.dead) return record(p, name, Action::kept, j.reason, j.age_s);
  auto now = detail::node_at(p.root.get(), name, p.o.root / name);
  if (!now || !now->same_inode(j.node))
    return record(p, name, Action::kept, "replaced while it was judged", j.age_s);
  auto tname = move_to_trash(p, name, j);
  if (!tname) return record_error(p, name, j.age_s, std::move(tname).error());
  const auto st = remove_tree_at(p.trash->get(), *tname, p.o.root / kTrashName / *tname);
  if (st.failed > 0) {
    auto e = *st.first_error;
    e.context = fmt::format("{} ({} entries could not be removed; the rest is in '{}')", e.context,
                            st.failed, (p.o.root / kTrashName / *tname).string());
    return record_error(p, name, j.age_s, std::move(e));
  }
  Event ev{"gc_reaped", {}};
  ev.add("root", p.root_abs).add("id", name).add("path", fmt::format("{}/{}", p.root_abs, name))
      .add("reason", j.reason).add("age_s", j.age_s)
      .add("entries", static_cast<std::int64_t>(st.removed));
  emit(p, std::move(ev));
  record(p, name, Action::removed, j.reason, j.age_s);
}

// A trash entry is deleted only with its session lock (if it has one) held, like a session
// in ROOT: an entry that reached the trash without being judged dead (one swapped in at the
// last moment and not put back) may belong to a live session.
Judgement judge_trash_entry(Pass& p, int trash, const std::string& name) {
  const auto shown = p.o.root / kTrashName / name;
  auto node = detail::node_at(trash, name, shown);
  if (!node) return keep(node.error().message());
  Judgement j;
  j.dead = true;
  j.reason = "left in the trash by an earlier pass";
  if (!node->is_dir()) return j;  // a file or symlink: no session lock to respect
  auto dir = detail::open_dir_at(trash, name, *node, shown);
  if (!dir) return keep(dir.error().message());
  j.node = *node;
  j.dir = std::move(*dir);
  j = try_session_lock(std::move(j), shown / kSessionLockName);
  if (j.dead) j.reason = "left in the trash by an earlier pass";
  return j;
}

// Leftovers of earlier passes (a crash, an entry that could not be removed): deleted again,
// each under its session lock.
void sweep_trash(Pass& p) {
  auto trash = trash_fd(p, /*create=*/false);
  if (!trash) return;  // no trash yet (or not usable: reported when a victim needs it)
  auto names = detail::list_names(*trash, p.o.root / kTrashName);
  if (!names) return record_error(p, kTrashName, -1, std::move(names).error());
  std::sort(names->begin(), names->end());
  for (const auto& n : *names) {
    const auto id = fmt::format("{}/{}", kTrashName, n);
    const auto j = judge_trash_entry(p, *trash, n);
    if (!j.dead) {
      record(p, id, Action::kept, fmt::format("in the trash, but {}", j.reason), -1);
      continue;
    }
    if (p.o.dry_run) {
      record(p, id, Action::would_remove, j.reason, -1);
      continue;
    }
    const auto st = remove_tree_at(*trash, n, p.o.root / id);
    if (st.failed > 0) record_error(p, id, -1, *st.first_error);
    else record(p, id, Action::removed, j.reason, -1);
  }
}

}  // namespace

namespace {

// Opens the root and, unless dry-running, takes its GC lock. False: the pass is over (another
// collector runs, or the root is unusable; the report says which).
bool open_root(Pass& p, std::optional<FileLock>& gc_lock) {
  auto root = open_fd(p.o.root, O_RDONLY | O_DIRECTORY);
  auto node = root ? detail::node_at(root->get(), "", p.o.root) : Result<Node>(root.error());
  if (!node) {
    p.report.first_error = node.error();
    ++p.report.errors;
    skip(p, "root_unusable", node.error().message(), 0);
    return false;
  }
  p.root = std::move(*root);
  p.root_node = *node;
  if (p.o.dry_run) return true;  // a dry run creates nothing, not even the GC lock
  LockOptions lo;
  lo.timeout = std::chrono::nanoseconds(0);
  lo.tool = p.o.tool;
  lo.command = fmt::format("{} (gc)", p.o.tool);
  auto l = FileLock::acquire(p.o.root / kGcLockName, lo);
  if (l) {
    gc_lock.emplace(std::move(*l));
    return true;
  }
  if (l.error().code == errc::lock_busy || l.error().code == errc::lock_held_by_self) {
    p.report.another_running = true;
    return false;
  }
  p.report.first_error = l.error();
  ++p.report.errors;
  skip(p, "root_unusable", l.error().message(), 0);
  return false;
}

// What phase one found among session dirs (staging dirs not counted).
struct Tally {
  std::size_t dead = 0;
  std::size_t alive = 0;  ///< proven alive (listed or locked); kept-for-age or unknown are not
};

// Phase one: every entry judged (locks tried and let go at once); returns the dead ones.
std::vector<std::string> judge_all(Pass& p, const std::vector<std::string>& names,
                                   Tally& tally) {
  std::vector<std::string> dead;
  for (const auto& name : names) {
    const bool staging = is_staging(name);
    if (name.starts_with('.') && !staging) continue;  // .trash, .gc.lock, ...: ddsafe's own
    const auto j = judge(p, name);
    if (j.session_dir && !staging) ++p.report.sessions;
    if (!j.dead) {
      if (j.alive && !staging) ++tally.alive;
      record(p, name, Action::kept, j.reason, j.age_s);
      continue;
    }
    dead.push_back(name);
    if (!staging) ++tally.dead;
  }
  return dead;
}

// The circuit breakers. True: the pass goes on.
bool breakers_pass(Pass& p, const std::vector<std::string>& dead, const Tally& tally) {
  if (p.o.force || dead.empty()) return true;
  if (dead.size() > p.o.max_remove) {
    skip(p, "max_remove",
         fmt::format("would remove {} session dirs, more than --max-remove {}; use --force to "
                     "remove them anyway", dead.size(), p.o.max_remove),
         dead.size());
    return false;
  }
  // Judged by the live source are the dirs old enough and with a usable lock: a young dir or
  // an unknown one says nothing about whether its empty answer is the whole truth; only a
  // held lock does.
  if (p.live && p.live->ids.empty() && tally.dead > 0 && tally.alive == 0) {
    skip(p, "all_sessions",
         fmt::format("the live command listed no live session and all {} session dirs it "
                     "judges would be removed; use --force if that is right", tally.dead),
         dead.size());
    return false;
  }
  return true;
}

void sort_entries(Report& r) {
  std::sort(r.entries.begin(), r.entries.end(),
            [](const Entry& a, const Entry& b) { return a.id < b.id; });
}

}  // namespace

Result<Report> collect(const Options& o) {
  if (o.live && o.live->regex)
    if (auto ok = detail::IdRegex::compile(*o.live->regex); !ok) return std::move(ok).error();
  std::error_code ec;
  const auto abs = std::filesystem::absolute(o.root, ec).lexically_normal();
  Pass p{o, ec ? o.root.string() : abs.string(), UniqueFd(), Node{}, std::nullopt, std::nullopt,
         ::time(nullptr), Report{}};
  std::optional<FileLock> gc_lock;
  if (!open_root(p, gc_lock)) return std::move(p.report);
  if (o.live) {
    auto ids = detail::query_live(*o.live);
    if (!ids) {
      p.report.first_error = ids.error();
      skip(p, "liveness_source_failed", ids.error().context, 0);
      return std::move(p.report);
    }
    p.live = std::move(*ids);
    p.report.live_ids = p.live->ids.size();
  }
  auto names = detail::list_names(p.root.get(), o.root);
  if (!names) {
    p.report.first_error = names.error();
    ++p.report.errors;
    skip(p, "root_unusable", names.error().message(), 0);
    return std::move(p.report);
  }
  std::sort(names->begin(), names->end());
  Tally tally;
  const auto dead = judge_all(p, *names, tally);
  if (!breakers_pass(p, dead, tally)) {
    for (const auto& n : dead) record(p, n, Action::kept, "dead, but the pass was skipped", -1);
  } else {
    sweep_trash(p);
    for (const auto& n : dead) {
      if (!o.dry_run) {
        reap(p, n);
        continue;
      }
      const auto j = judge(p, n);
      record(p, n, j.dead ? Action::would_remove : Action::kept, j.reason, j.age_s);
    }
  }
  sort_entries(p.report);
  if (gc_lock) (void)gc_lock->release();  // never fails; the lock goes with the fd in any case
  return std::move(p.report);
}

namespace detail {

Result<UniqueFd> open_trash(int root_fd, const Node& root_node,
                            const std::filesystem::path& root, bool create) {
  const auto shown = root / kTrashName;
  if (create && ::mkdirat(root_fd, kTrashName, 0700) != 0 && errno != EEXIST)
    return sys_error("create trash directory", shown);
  auto node = node_at(root_fd, kTrashName, shown);
  if (!node) return std::move(node).error();
  if (!node->is_dir() || !node->same_mount(root_node))
    return make_error(errc::path_escapes_root,
                      fmt::format("'{}' is not a directory on the root's filesystem; refusing "
                                  "to use it as the trash", shown.string()));
  return open_dir_at(root_fd, kTrashName, *node, shown);
}

}  // namespace detail
}  // namespace ddsafe::gc

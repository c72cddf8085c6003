// dd-bench-atomic: atomic replacement of a small file, ddsafe::AtomicFile against the raw
// syscall floor, and the in-process side of the contended read-modify-write counter.
//
//   dd-bench-atomic replace --dir DIR [--iters N] [--reps R] [--size BYTES] [--only PREFIX,...]
//                           [--steps] [--crowd N]
//       Replaces files in DIR (all workloads in the same directory, on the same filesystem),
//       repetitions round-robin over the workloads (harness.hpp), one line per workload:
//         floor.durable   open(O_CREAT|O_EXCL|O_WRONLY, 0600) of a hidden temp in DIR, write,
//                         fsync, close, rename over the target, fsync of DIR's descriptor
//                         (opened once and kept, as a fair floor would)
//         floor.no_sync   the same without the two fsyncs
//         ddsafe.durable  AtomicFile::create(target) + write + commit(), the defaults
//         ddsafe.atomic   the same with Durability::atomic (what `dd-atomic --no-sync` does)
//       --steps adds the library's own syscall sequence issued bare, one step at a time
//       (durable.step*, no_sync.step*), so that the gap between the floor and the library can
//       be attributed.
//       --crowd N first creates N other (empty) files in DIR: the library scans the directory
//       for stale temps on every replacement, the floor does not.
//   dd-bench-atomic counter FILE N
//       N increments of the JSON counter {"n": K} in FILE through ddsafe::update_file (sidecar
//       lock, read, transform, durable commit with a fence). Run several at once for the
//       contended case; the caller compares the final n with the number of increments.
//
// Keep library_like_replace() in step with `strace -f -c dd-bench-atomic replace --only
// ddsafe.durable` when the library changes.

#include "ddsafe/atomic_file.hpp"
#include "harness.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using ddsafe::bench::die;

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: dd-bench-atomic replace --dir DIR [--iters N] [--reps R] [--size BYTES]\n"
               "                               [--only PREFIX,...] [--steps] [--crowd N]\n"
               "       dd-bench-atomic counter FILE N\n");
  std::exit(64);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The floor: the least a correct writer can do (DESIGN.md §2), with the directory descriptor
// kept open across replacements.
bool floor_replace(int dir, const std::string& name, std::string_view data, bool sync) {
  const std::string temp = "." + name + ".tmp";
  const int fd = ::openat(dir, temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = write_all(fd, data);
  if (ok && sync) ok = ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (ok) ok = ::renameat(dir, temp.c_str(), dir, name.c_str()) == 0;
  if (!ok) {
    (void)::unlinkat(dir, temp.c_str(), 0);
    return false;
  }
  return !sync || ::fsync(dir) == 0;
}

bool fstatfs_ok(int fd) {
  struct statfs sfs {};
  return ::fstatfs(fd, &sfs) == 0;
}

// Reads every entry of `dir` through a descriptor of its own, as a readdir loop does.
bool scan_directory(int dir) {
  const int scan = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scan < 0) return false;
  std::array<char, 32768> buf{};
  long n = 0;
  while ((n = ::syscall(SYS_getdents64, scan, buf.data(), buf.size())) > 0) {
  }
  return ::close(scan) == 0 && n == 0;
}

// The library's syscalls for one replacement of an existing file (strace of ddsafe.durable),
// issued bare up to and including step `upto`:
//   0 the floor (floor_replace)
//   1 + the temp is unnamed (O_TMPFILE), flock'ed, and linked to a hidden name before the rename
//   2 + per replacement: lstat(target), open the directory (instead of a kept descriptor),
//       fstatfs for NAME_MAX, fstatat(target) before writing and again before committing
//   3 + the scan for temps left by killed writers: open ".", getdents until the end, close
//   4 + fstat of the temp, fchown and fchmod to the old file's owner and mode
// Left out: the library's random temp name (getrandom, getpid) and the fstat and two fcntl of
// its fdopendir.
bool library_like_replace(const fs::path& dir_path, int kept_dir, const std::string& name,
                          std::string_view data, bool sync, int upto) {
  if (upto == 0) return floor_replace(kept_dir, name, data, sync);
  struct stat st {};
  const int dir = upto >= 2 ? ::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : kept_dir;
  bool ok = dir >= 0;
  if (ok && upto >= 2) ok = ::lstat((dir_path / name).c_str(), &st) == 0 && fstatfs_ok(dir) &&
                            ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (ok && upto >= 3) ok = scan_directory(dir);
  const int fd = ok ? ::openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
  ok = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0 && write_all(fd, data);
  if (ok && upto >= 2) ok = ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (ok && upto >= 4)
    ok = ::fstat(fd, &st) == 0 && ::fchown(fd, st.st_uid, st.st_gid) == 0 &&
         ::fchmod(fd, 0644) == 0;
  const std::string temp = "." + name + "~tmp";
  if (ok) ok = ::linkat(fd, "", dir, temp.c_str(), AT_EMPTY_PATH) == 0;
  if (ok && sync) ok = ::fsync(fd) == 0;
  if (ok) ok = ::renameat(dir, temp.c_str(), dir, name.c_str()) == 0;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (ok && sync) ok = ::fsync(dir) == 0;
  if (dir >= 0 && dir != kept_dir) ok = ::close(dir) == 0 && ok;
  return ok;
}

// Other files in the directory: `n` empty files crowd-0, crowd-1...
bool crowd_directory(int dir, long n) {
  for (long i = 0; i < n; ++i) {
    const auto name = "crowd-" + std::to_string(i);
    const int fd = ::openat(dir, name.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 || ::close(fd) != 0) return false;
  }
  return true;
}

bool library_replace(const fs::path& target, std::string_view data,
                     ddsafe::Durability durability) {
  ddsafe::AtomicOptions opts;
  opts.durability = durability;
  auto file = ddsafe::AtomicFile::create(target, opts);
  if (!file) {
    std::fprintf(stderr, "dd-bench-atomic: %s\n", file.error().message().c_str());
    return false;
  }
  if (auto w = file->write(data); !w) {
    std::fprintf(stderr, "dd-bench-atomic: %s\n", w.error().message().c_str());
    return false;
  }
  auto done = file->commit();
  if (!done) std::fprintf(stderr, "dd-bench-atomic: %s\n", done.error().message().c_str());
  return static_cast<bool>(done);
}

int replace_main(int argc, char** argv) {
  std::size_t size = 4096;
  long crowd = 0;
  const auto own_flags = [&](std::string_view flag, const char* value) {
    if (flag == "--size") size = static_cast<std::size_t>(std::atol(value));
    else if (flag == "--crowd") crowd = std::atol(value);
    else return false;
    return true;
  };
  const auto cfg =
      ddsafe::bench::parse_run_flags(argc, argv, 2, /*iters=*/300, /*reps=*/9, usage, own_flags);
  if (size == 0 || crowd < 0) usage();
  const std::string data(size, 'x');
  const int dir = ::open(cfg.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) die("open " + cfg.dir.string());
  if (!crowd_directory(dir, crowd)) die("fill " + cfg.dir.string());
  std::vector<ddsafe::bench::Workload> all;
  // Every workload replaces an existing file of its own (NAME.dat), created here first.
  const auto add = [&](std::string name, ddsafe::bench::Cycle cycle) {
    if (!ddsafe::bench::selected(name, cfg.only)) return;
    if (!floor_replace(dir, name + ".dat", data, /*sync=*/false)) die("create " + name + ".dat");
    all.push_back({std::move(name), std::move(cycle), {}});
  };
  add("floor.durable", [&] { return floor_replace(dir, "floor.durable.dat", data, true); });
  add("floor.no_sync", [&] { return floor_replace(dir, "floor.no_sync.dat", data, false); });
  const auto lib_durable = cfg.dir / "ddsafe.durable.dat";
  add("ddsafe.durable",
      [&] { return library_replace(lib_durable, data, ddsafe::Durability::durable); });
  const auto lib_atomic = cfg.dir / "ddsafe.atomic.dat";
  add("ddsafe.atomic",
      [&] { return library_replace(lib_atomic, data, ddsafe::Durability::atomic); });
  const std::array<const char*, 5> steps{"step0.floor", "step1.tmpfile_flock_linkat",
                                         "step2.plus_dir_open_and_stats",
                                         "step3.plus_stale_temp_scan",
                                         "step4.plus_fchown_fchmod"};
  for (int s = 0; cfg.steps && s <= 4; ++s) {
    for (const bool sync : {true, false}) {
      auto name = std::string(sync ? "durable." : "no_sync.") + steps[static_cast<std::size_t>(s)];
      auto file = name + ".dat";
      add(std::move(name), [&, s, sync, file] {
        return library_like_replace(cfg.dir, dir, file, data, sync, s);
      });
    }
  }
  ddsafe::bench::run_all(all, cfg.iters, cfg.reps);
  ::close(dir);
  return 0;
}

// {"n": K} -> {"n": K+1}; a missing file counts as {"n": 0}.
ddsafe::Result<std::string> increment(const std::optional<std::string>& old) {
  auto doc = nlohmann::json::parse(old.value_or(R"({"n": 0})"), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("n") ||
      !doc["n"].is_number_integer())
    return ddsafe::make_error(ddsafe::errc::validation_failed, "counter is not {\"n\": INTEGER}");
  doc["n"] = doc["n"].get<long long>() + 1;
  return doc.dump() + "\n";
}

int counter_main(int argc, char** argv) {
  if (argc != 4) usage();
  const fs::path file = argv[2];
  const long n = std::atol(argv[3]);
  if (n <= 0) usage();
  ddsafe::UpdateOptions opts;  // durable, wait for the lock as long as it takes
  opts.atomic.tool = "dd-bench-atomic";
  for (long i = 0; i < n; ++i) {
    auto done = ddsafe::update_file(file, increment, opts);
    if (!done) {
      std::fprintf(stderr, "dd-bench-atomic: %s\n", done.error().message().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const std::string_view mode = argv[1];
  if (mode == "replace") return replace_main(argc, argv);
  if (mode == "counter") return counter_main(argc, argv);
  usage();
}

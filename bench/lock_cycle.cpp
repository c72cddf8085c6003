// dd-bench-lock: uncontended lock cycle costs, ddsafe::FileLock against the bare flock(2) floor.
//
// Prints one machine-readable line per workload:
//   bench=NAME ns_per_op=MEDIAN min=MIN max=MAX iters=N reps=R
// where each of R repetitions times N back-to-back cycles and the figures are per cycle.
//
// The `open.step*` and `kept.step*` workloads (--steps) rebuild the library's syscall sequence
// one step at a time with bare syscalls (no parsing, no formatting), so that the gap between the
// floor and ddsafe.acquire_release can be attributed: kernel work per step, and what is left is
// userland.
// Keep library_like_cycle() in step with `strace -c dd-bench-lock --only ddsafe` when the
// library changes.

#include "ddsafe/file_lock.hpp"
#include "harness.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using ddsafe::bench::Cycle;
using ddsafe::bench::die;
using ddsafe::bench::Workload;

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: dd-bench-lock --dir DIR [--iters N] [--reps R] [--steps] [--only PREFIX]\n");
  std::exit(64);
}

bool flock_retry(int fd, int op) {
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  return rc == 0;
}

bool ofd_lock(int fd, short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = off_t{1} << 40;  // the library's guard byte
  fl.l_len = 1;
  return ::fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

// A record line the size of the library's (~330 bytes), written at offset 0 like the library.
const std::string kRecord = [] {
  std::string s = R"({"v":1,"state":"held","mode":"exclusive","token":1,"pid":1,"start_time":1,)"
                  R"("pidns":4026531836,"host":"bench","boot_id":"00000000-0000-0000-0000-)"
                  R"(000000000000","uid":0,"acquired_at":1,"renewed_at":1,"renewed_boot":1,)"
                  R"("ttl_ms":0,"cmd":""})";
  s.resize(320, ' ');
  s.push_back('\n');
  return s;
}();

// The library's uncontended exclusive acquire+release syscall sequence (strace of
// ddsafe.acquire_release), up to and including step `upto`:
//   0 flock EX, flock UN; with `open_fd` < 0 also open (the library's flags) and close: the floor
//   1 + stat(path) after locking (inode revalidation); + fstat after open when opening
//   2 + pread of the previous owner record
//   3 + pwrite of our record, and pwrite of the "released" record before unlocking
// With `open_fd` >= 0 the cycle reuses that descriptor, as the library does with the descriptor
// it keeps open after a release. The library also calls getuid() once (~0.1 µs), left out here.
bool library_like_cycle(const char* path, int open_fd, int upto) {
  const int fd = open_fd >= 0 ? open_fd
                              : ::open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
                                                 O_NOCTTY | O_NONBLOCK, 0666);
  if (fd < 0) return false;
  struct stat st {};
  std::array<char, 4096> buf{};
  const auto record_written = [&] {
    return ::pwrite(fd, kRecord.data(), kRecord.size(), 0) ==
           static_cast<ssize_t>(kRecord.size());
  };
  bool ok = true;
  if (upto >= 1 && open_fd < 0) ok = ::fstat(fd, &st) == 0;
  ok = ok && flock_retry(fd, LOCK_EX | LOCK_NB);
  if (ok && upto >= 2) ok = ::pread(fd, buf.data(), buf.size(), 0) >= 0;
  if (ok && upto >= 3) ok = record_written();
  if (ok && upto >= 1) ok = ::stat(path, &st) == 0;
  if (ok && upto >= 3) ok = record_written();
  ok = flock_retry(fd, LOCK_UN) && ok;
  if (open_fd >= 0) return ok;
  return ::close(fd) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  const auto cfg =
      ddsafe::bench::parse_run_flags(argc, argv, 1, /*iters=*/20000, /*reps=*/7, usage);
  std::vector<Workload> all;
  const auto add = [&](std::string name, Cycle cycle) {
    if (ddsafe::bench::selected(name, cfg.only))
      all.push_back({std::move(name), std::move(cycle), {}});
  };

  const auto held_path = cfg.dir / "held.lock";
  const int held_fd = ::open(held_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (held_fd < 0) die("open " + held_path.string());
  add("flock.lock_unlock_open_fd",
      [&] { return flock_retry(held_fd, LOCK_EX) && flock_retry(held_fd, LOCK_UN); });

  add("ofd.guard_lock_unlock_open_fd",  // what the library's guard costs where it is taken
      [&] { return ofd_lock(held_fd, F_WRLCK) && ofd_lock(held_fd, F_UNLCK); });

  const auto floor_path = cfg.dir / "floor.lock";
  add("flock.open_lock_unlock_close", [&] {
    const int fd = ::open(floor_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    const bool ok = flock_retry(fd, LOCK_EX) && flock_retry(fd, LOCK_UN);
    return ::close(fd) == 0 && ok;
  });

  const auto lib_path = cfg.dir / "ddsafe.lock";
  const ddsafe::LockOptions opts;  // exclusive, wait forever, no lease: the defaults
  add("ddsafe.acquire_release", [&] {
    auto lock = ddsafe::FileLock::acquire(lib_path, opts);
    if (!lock) {
      std::fprintf(stderr, "dd-bench-lock: %s\n", lock.error().message().c_str());
      return false;
    }
    return static_cast<bool>(lock->release());
  });

  // Two ladders: opening the lock file per cycle, and reusing a descriptor kept open.
  const auto step_path = (cfg.dir / "steps.lock").string();
  const auto kept_path = (cfg.dir / "steps-kept-open.lock").string();
  const int kept_fd = ::open(kept_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (kept_fd < 0) die("open " + kept_path);
  const std::array<const char*, 4> steps{"step0.floor", "step1.plus_stat_revalidation",
                                         "step2.plus_record_pread", "step3.plus_record_pwrite_x2"};
  for (int s = 0; cfg.steps && s < 4; ++s) {
    const std::string name = steps[static_cast<std::size_t>(s)];
    add("open." + name, [&, s] { return library_like_cycle(step_path.c_str(), -1, s); });
    add("kept." + name, [&, s] { return library_like_cycle(kept_path.c_str(), kept_fd, s); });
  }

  ddsafe::bench::run_all(all, cfg.iters, cfg.reps);
  ::close(held_fd);
  ::close(kept_fd);
  return 0;
}

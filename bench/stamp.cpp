// dd-bench-stamp FILE: writes CLOCK_REALTIME in nanoseconds to FILE, as early as a process can.
//
// bench/run.sh runs it as the command of a waiting locker, so that "the waiter's command started"
// is a timestamp comparable with the event the waiter recovered from. Linked statically (no
// dynamic loader work) and using only libc, so that exec-to-stamp stays near /bin/true's cost.

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  if (argc != 2) {
    std::fputs("usage: dd-bench-stamp FILE\n", stderr);
    return 64;
  }
  char line[32];
  const int n = std::snprintf(line, sizeof line, "%lld%09ld\n", static_cast<long long>(ts.tv_sec),
                              ts.tv_nsec);
  const int fd = ::open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || n <= 0) return 1;
  const bool ok = ::write(fd, line, static_cast<std::size_t>(n)) == n;
  return ::close(fd) == 0 && ok ? 0 : 1;
}

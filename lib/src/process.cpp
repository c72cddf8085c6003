#include "ddsafe/process.hpp"

#include "ddsafe/unique_fd.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <string_view>

namespace ddsafe {
namespace {

std::string first_line(const char* path) {
  auto text = read_small_file(path, 4096);
  if (!text) return {};
  return text->substr(0, text->find('\n'));
}

std::uint64_t pidns_inode(const std::string& proc_dir) {
  struct stat st {};
  if (::stat((proc_dir + "/ns/pid").c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_ino);
}

struct StatLine {
  bool ok = false;
  char state = '?';
  pid_t ppid = 0;
  std::uint64_t start_time = 0;
};

// /proc/PID/stat: "pid (comm) state ppid ..." where comm may contain spaces and parentheses, so
// fields are counted after the last ')'. starttime is field 22 (proc(5)).
StatLine read_stat(pid_t pid) {
  StatLine out;
  // A process may exit between open and read (ESRCH): that is "gone", never an exception.
  auto text = read_small_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!text) return out;
  const auto close = text->rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream rest(text->substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 3) out.state = field.empty() ? '?' : field[0];
    if (i == 4) (void)std::from_chars(field.data(), field.data() + field.size(), out.ppid);
    if (i == 22) {
      const auto r = std::from_chars(field.data(), field.data() + field.size(), out.start_time);
      out.ok = r.ec == std::errc();
    }
  }
  return out;
}

bool other_threads_alive(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return false;
  for (const auto& t : tasks)
    if (t.path().filename() != std::to_string(pid)) return true;
  return false;
}

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0) return {};
  return std::string(buf.data());
}

std::atomic<pid_t> g_pid{0};

void forget_pid() noexcept { g_pid.store(0, std::memory_order_relaxed); }

}  // namespace

pid_t self_pid() noexcept {
  pid_t pid = g_pid.load(std::memory_order_relaxed);
  if (pid != 0) return pid;
  static const int registered = ::pthread_atfork(nullptr, nullptr, forget_pid);
  (void)registered;
  pid = ::getpid();
  g_pid.store(pid, std::memory_order_relaxed);
  return pid;
}

const ProcessIdentity& self_identity() {
  static std::mutex mu;
  static ProcessIdentity cached;
  std::lock_guard lock(mu);
  const pid_t pid = self_pid();
  if (cached.pid != pid) {  // first call, or we are a forked child
    ProcessIdentity id = identity_of(pid);
    static const std::string boot = first_line("/proc/sys/kernel/random/boot_id");
    static const std::string host = host_name();
    id.boot_id = boot;
    id.host = host;
    id.uid = ::getuid();
    cached = std::move(id);
  }
  return cached;
}

ProcessIdentity identity_of(pid_t pid) {
  ProcessIdentity id;
  id.pid = pid;
  const auto st = read_stat(pid);
  if (st.ok) id.start_time = st.start_time;
  id.pidns = pidns_inode("/proc/" + std::to_string(pid));
  return id;
}

Liveness liveness_of(const ProcessIdentity& who) {
  const auto& self = self_identity();
  // Another host, another boot, or another pid namespace: the pid means nothing here.
  // Another host, boot or pid namespace: the pid means nothing here. No start time: the owner
  // was never identified (e.g. the descriptor form could not tell who holds it).
  if (who.pid <= 0 || who.host != self.host || who.boot_id.empty() ||
      who.boot_id != self.boot_id || who.pidns == 0 || who.pidns != self.pidns ||
      who.start_time == 0)
    return Liveness::unknown;
  if (::kill(who.pid, 0) != 0 && errno == ESRCH) return Liveness::dead;
  const auto st = read_stat(who.pid);
  if (!st.ok) {
    // Gone between kill() and the read, or /proc is not readable: only ESRCH proves death.
    if (::kill(who.pid, 0) != 0 && errno == ESRCH) return Liveness::dead;
    return Liveness::unknown;
  }
  // A zombie has closed every descriptor; a different start time means the pid was reused.
  // A thread-group leader that called pthread_exit shows 'Z' too while its other threads run:
  // dead only when no other thread is left.
  if ((st.state == 'Z' || st.state == 'X') && !other_threads_alive(who.pid)) return Liveness::dead;
  if (st.start_time != who.start_time) return Liveness::dead;
  return Liveness::alive;
}

pid_t parent_of(pid_t pid) { return read_stat(pid).ppid; }

std::int64_t boot_clock_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::int64_t wall_clock_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace ddsafe

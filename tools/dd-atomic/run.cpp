#include "dd-atomic/run.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.hpp"
#include "ddsafe/file_lock.hpp"
#include "ddsafe/run.hpp"

namespace ddsafe::tools {
namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

// From here on a signal must not kill us between creating the temp and removing it: INT, TERM
// and HUP interrupt reading (no SA_RESTART), we abort, then die of the same signal. A signal
// the caller ignores (nohup, a background job) stays ignored, for the producer too.
void catch_signals() {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old{};
    if (::sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(s, &sa, nullptr);
  }
}

[[noreturn]] void die_of(int sig) {
  std::signal(sig, SIG_DFL);
  ::raise(sig);
  std::_Exit(128 + sig);
}

// A signal asked us to stop (while we read, or forwarded to a producer or check): abort and
// die of it, whatever the child made of it.
void stop_if_signalled(AtomicFile& f, int sig) {
  if (sig == 0) sig = g_signal;
  if (sig == 0) return;
  f.abort(fmt::format("interrupted by signal {} ({})", sig, ::strsignal(sig)));
  die_of(sig);
}

// Aborts the new version with `why`, says so naming the target, returns `code`.
int give_up(AtomicFile& f, spdlog::logger& log, const std::string& why, int code) {
  f.abort(why);
  log.error("{}; '{}' left unchanged", why, f.target().string());
  return code;
}

// A SAX consumer that builds nothing: validation in constant memory, with the parser's message.
class JsonChecker final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string error;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& e) override {
    error = e.what();
    return false;
  }
};

Result<void> validate_json(AtomicFile& f) {
  auto path = f.temp_path();
  if (!path) return path.error();
  std::ifstream in(*path, std::ios::binary);
  if (!in) return sys_error("open", *path);
  JsonChecker checker;
  if (nlohmann::json::sax_parse(in, &checker)) return {};
  auto why = checker.error;
  if (const auto at = why.find("] "); at != std::string::npos) why = why.substr(at + 2);
  return make_error(errc::validation_failed, fmt::format("new content is not valid JSON ({})", why));
}

Result<void> copy_stdin(AtomicFile& f) {
  std::vector<char> buf(std::size_t{1} << 16);
  while (!g_signal) {
    const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    if (n == 0) return {};
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read", "standard input");
    if (auto w = f.write({buf.data(), static_cast<std::size_t>(n)}); !w) return w.error();
  }
  return {};
}

std::string describe_status(const std::string& what, const RunOutcome& out) {
  if (out.exec_errno != 0)
    return fmt::format("cannot run '{}': {}", what, std::strerror(out.exec_errno));
  if (out.status > 128)
    return fmt::format("'{}' was killed by signal {} ({})", what, out.status - 128,
                       ::strsignal(out.status - 128));
  return fmt::format("'{}' exited with status {}", what, out.status);
}

// Fills the temp from the producer or stdin; 0, or the exit status after aborting.
int fill(AtomicFile& f, const AtomicPlan& plan, spdlog::logger& log) {
  if (plan.producer.empty()) {
    if (auto copied = copy_stdin(f); !copied)
      return give_up(f, log, copied.error().message(), exit_code_for(copied.error()));
    return 0;
  }
  RunRequest req;
  req.argv = plan.producer;
  req.stdout_fd = f.fd();
  auto out = run_child(req);
  if (!out) return give_up(f, log, out.error().message(), exit_code_for(out.error()));
  stop_if_signalled(f, out->interrupted_by);
  if (out->status == 0) return 0;
  return give_up(f, log, describe_status(plan.producer[0], *out), out->status);
}

int run_check(AtomicFile& f, const std::string& check, spdlog::logger& log) {
  auto path = f.temp_path();
  if (!path) return give_up(f, log, path.error().message(), exit_code_for(path.error()));
  RunRequest req;
  req.argv = {"/bin/sh", "-c", expand_check(check, path->string())};
  req.stdout_fd = STDERR_FILENO;  // our stdout stays clean for pipelines
  auto out = run_child(req);
  if (!out) return give_up(f, log, out.error().message(), exit_code_for(out.error()));
  stop_if_signalled(f, out->interrupted_by);
  if (out->status == 0) return 0;
  return give_up(f, log, "check " + describe_status(check, *out), kExitDataErr);
}

Result<fs::path> lock_path_for(const AtomicPlan& plan) {
  if (plan.lock_file) return *plan.lock_file;
  // Under dd-lock, --fence-token $DD_LOCK_TOKEN refers to dd-lock's own lock file.
  const char* outer = std::getenv("DD_LOCK_FILE");
  if (!plan.lock && plan.fence_token && outer && *outer) return fs::path(outer);
  return sidecar_lock_path(plan.target, plan.options.symlinks);
}

// --lock-file naming the target itself would turn the data into a lock record.
Result<void> check_lock_file(const fs::path& lock, const fs::path& target) {
  struct stat a{}, b{};
  const bool same = lock == target || (::stat(lock.c_str(), &a) == 0 &&
                                       ::stat(target.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
                                       a.st_ino == b.st_ino);
  if (!same) return {};
  return make_error(errc::invalid_argument,
                    fmt::format("lock file '{}' is the file to replace", lock.string()));
}

int commit(AtomicFile& f, spdlog::logger& log) {
  stop_if_signalled(f, 0);
  auto done = f.commit();
  if (done && done->backup_error)
    log.warn("replaced '{}', but could not {}", f.target().string(), done->backup_error->message());
  if (done) {
    if (done->changed) log.info("replaced '{}' ({} bytes)", f.target().string(), done->bytes);
    else log.info("'{}' unchanged ({} bytes)", f.target().string(), done->bytes);
    return 0;
  }
  const auto& e = done.error();
  if (e.code == errc::not_durable) {
    log.error("replaced '{}', but {}: the new content may not survive a crash",
              f.target().string(), e.context);
    return kExitNotDurable;
  }
  log.error("{}; '{}' left unchanged", e.message(), f.target().string());
  return exit_code_for(e);
}

}  // namespace

int run_atomic(const AtomicPlan& plan, EventSink& events, spdlog::logger& log) {
  AtomicOptions options = plan.options;
  options.events = &events;
  std::optional<FileLock> lock;
  if (plan.lock || plan.fence_token) {
    auto path = lock_path_for(plan);
    if (!path) return report(log, path.error());
    if (auto distinct = check_lock_file(*path, plan.target); !distinct)
      return report(log, distinct.error());
    if (plan.lock) {
      LockOptions lo;
      lo.timeout = plan.lock_timeout;
      lo.tool = "dd-atomic";
      lo.events = &events;
      lo.command = "dd-atomic " + plan.target.string();
      auto held = FileLock::acquire(*path, lo);
      if (!held) return report(log, held.error(), kExitTryLater);
      lock.emplace(std::move(*held));
    }
    options.fence = Fence{*path, plan.fence_token ? *plan.fence_token : lock->token()};
  }
  auto file = AtomicFile::create(plan.target, options);
  if (!file) return report(log, file.error());
  catch_signals();
  if (int status = fill(*file, plan, log); status != 0) return status;
  stop_if_signalled(*file, 0);
  if (auto guard = file->precheck(); !guard)
    return give_up(*file, log, guard.error().message(), exit_code_for(guard.error()));
  if (plan.validate_json)
    if (auto valid = validate_json(*file); !valid)
      return give_up(*file, log, valid.error().message(), exit_code_for(valid.error()));
  if (plan.check)
    if (int status = run_check(*file, *plan.check, log); status != 0) return status;
  return commit(*file, log);
}

}  // namespace ddsafe::tools

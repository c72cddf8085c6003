#include "common/report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/exit_codes.hpp"

namespace ddsafe::tools {

std::shared_ptr<spdlog::logger> make_logger(const std::string& tool, int verbosity) {
  auto log = std::make_shared<spdlog::logger>(
      tool, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  log->set_pattern("%n: %v");
  const auto level = verbosity < 0    ? spdlog::level::err
                     : verbosity == 0 ? spdlog::level::warn
                     : verbosity == 1 ? spdlog::level::info
                                      : spdlog::level::debug;
  log->set_level(level);
  return log;
}

std::optional<int> parse_until_command(CLI::App& app, int argc, const char* const* argv,
                                       SplitArgv& split) {
  split = split_at_separator(argc, argv);
  try {
    std::vector<std::string> rest(split.own.rbegin(), split.own.rend() - 1);
    app.parse(rest);  // CLI11 takes a reversed vector without the program name
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  return std::nullopt;
}

int usage_exit(const CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    (void)app.exit(e);  // --help / --version: printed to stdout, exit 0
    return 0;
  }
  fmt::print(stderr, "{}: {}\nTry '{} --help' for more information.\n", app.get_name(), e.what(),
             app.get_name());
  return kExitUsage;
}

int report(spdlog::logger& log, const Error& e, int conflict) {
  log.error("{}", e.message());
  return exit_code_for(e, conflict);
}

std::unique_ptr<journal::Journal> open_journal(const std::optional<std::string>& path,
                                               const std::string& tool,
                                               std::shared_ptr<spdlog::logger> log,
                                               std::int64_t pid) {
  std::optional<std::filesystem::path> p;
  if (path) p = *path;
  auto resolved = journal::resolve_path(p);
  auto warn = [log, resolved](const Error& e) {
    log->warn("journal '{}' cannot be written ({}); going on without it", resolved.string(),
              e.code.message());
  };
  return std::make_unique<journal::Journal>(resolved, journal::Origin{tool, pid}, warn,
                                            /*sync=*/true, journal::is_default_path(p));
}

void ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd)
    if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
      const int null = ::open("/dev/null", O_RDWR);  // the lowest free number: fd itself
      if (null > 2) ::close(null);
    }
}

void add_common_flags(CLI::App& app, int& verbose, int& quiet) {
  app.add_flag("-v,--verbose", verbose, "say more (repeatable)");
  app.add_flag("-q,--quiet", quiet, "print errors only");
  app.set_version_flag("-V,--version", std::string(app.get_name()) + " " DDSAFE_VERSION);
}

}  // namespace ddsafe::tools

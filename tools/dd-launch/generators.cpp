#include "dd-launch/generators.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <sstream>

#include <fmt/format.h>

#include "dd-launch/cgroup.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::launch {
namespace {

Error bad(std::string what) { return make_error(errc::invalid_argument, std::move(what)); }

bool valid_env_name(std::string_view n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  for (char c : n)
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

// The user the command runs as: never root.
Result<void> pick_user(Plan& p, const std::optional<std::string>& user) {
  const bool root = ::geteuid() == 0;
  std::string want = user ? *user : (root ? "nobody" : std::to_string(::geteuid()));
  passwd pw{}, *found = nullptr;
  std::string buf(16384, '\0');
  uid_t uid = 0;
  const auto [end, ec] = std::from_chars(want.data(), want.data() + want.size(), uid);
  int rc = ec == std::errc() && end == want.data() + want.size()
               ? ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found)
               : ::getpwnam_r(want.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || !found) return bad(fmt::format("no such user '{}'", want));
  if (pw.pw_uid == 0 || pw.pw_gid == 0)
    return bad(fmt::format("user '{}' has uid or gid 0; the command must run unprivileged", want));
  if (!root && pw.pw_uid != ::geteuid())
    return bad(fmt::format("only root can run a session as another user ('{}')", want));
  p.uid = pw.pw_uid;
  p.gid = pw.pw_gid;
  return {};
}

Result<void> read_env_file(Plan& p, const std::string& file) {
  auto text = read_small_file(file, std::size_t{1} << 20);
  if (!text) return std::move(text).error();
  std::istringstream in(*text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    auto kv = parse_setenv(line);
    if (!kv) return bad(fmt::format("'{}' line {}: {}", file, n, kv.error().context));
    p.env.push_back(std::move(*kv));
  }
  return {};
}

}  // namespace

std::vector<Generator> standard_generators(const LaunchRequest& r) {
  std::vector<Generator> g;
  g.push_back({"no_new_privs", true, [](Plan& p) -> Result<void> {
                 p.no_new_privs = true;
                 return {};
               }});
  g.push_back({"drop_caps", true, [](Plan& p) -> Result<void> {
                 p.drop_caps = true;
                 return {};
               }});
  if (r.contained)
    g.push_back({"no_network", true, [](Plan& p) -> Result<void> {
                   p.no_network = true;
                   return {};
                 }});
  g.push_back({"pids_limit", true, [r](Plan& p) -> Result<void> {
                 if (r.pids_max < 1) return bad("--pids-max must be at least 1");
                 if (r.need_cgroup) {
                   auto layout = cgroup_layout();
                   if (!layout) return std::move(layout).error();
                 }
                 p.pids_max = r.pids_max;
                 return {};
               }});
  g.push_back({"timeout", true, [r](Plan& p) -> Result<void> {
                 if (r.timeout.count() <= 0) return bad("--timeout must be more than 0");
                 p.timeout = r.timeout;
                 return {};
               }});
  g.push_back({"unprivileged_uid", true,
               [r](Plan& p) -> Result<void> { return pick_user(p, r.user); }});
  for (const auto& b : r.binds)
    g.push_back({"bind " + b.src, false, [b](Plan& p) -> Result<void> {
                   struct stat st{};
                   if (::stat(b.src.c_str(), &st) != 0) return sys_error("bind", b.src);
                   p.binds.push_back(b);
                   return {};
                 }});
  if (!r.env.empty())
    g.push_back({"env", false, [r](Plan& p) -> Result<void> {
                   p.env.insert(p.env.end(), r.env.begin(), r.env.end());
                   return {};
                 }});
  for (const auto& f : r.env_files)
    g.push_back({"env-file " + f, false,
                 [f](Plan& p) -> Result<void> { return read_env_file(p, f); }});
  return g;
}

Result<Bind> parse_bind(const std::string& spec, bool writable) {
  Bind b;
  b.writable = writable;
  const auto colon = spec.find(':');
  b.src = spec.substr(0, colon);
  if (colon != std::string::npos) b.dst = spec.substr(colon + 1);
  const char* flag = writable ? "--bind" : "--ro-bind";
  if (b.src.empty() || b.src[0] != '/' || (colon != std::string::npos && (b.dst.empty() || b.dst[0] != '/')))
    return bad(fmt::format("{} '{}': SRC and DST must be absolute paths", flag, spec));
  return b;
}

Result<std::pair<std::string, std::string>> parse_setenv(const std::string& spec) {
  const auto eq = spec.find('=');
  const auto name = spec.substr(0, eq);
  if (eq == std::string::npos || !valid_env_name(name))
    return bad(fmt::format("'{}' is not NAME=VALUE with NAME of letters, digits and '_'", spec));
  if (name == "DD_SESSION_ID" || name == "DD_SESSION_DIR" || name == "DD_SESSION_CONFIG")
    return bad(fmt::format("{} is set by dd-launch itself", name));
  return std::pair{name, spec.substr(eq + 1)};
}

}  // namespace ddsafe::launch

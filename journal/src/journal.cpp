#include "ddsafe/journal/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdlib>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ddsafe/process.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::journal {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view kCutMarker = "...[truncated]";

std::string rfc3339_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  ::gmtime_r(&ts.tv_sec, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000);
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// Removes the last field that is not one of the fixed ones, marking the record truncated.
void drop_last_field(json& j, std::string& line) {
  constexpr std::string_view kFixed[] = {"v", "ts", "event", "host", "pid", "tool", "truncated"};
  std::string victim;
  for (const auto& item : j.items())
    if (std::find(std::begin(kFixed), std::end(kFixed), item.key()) == std::end(kFixed))
      victim = item.key();
  if (victim.empty()) return;  // only fixed fields: they always fit
  j.erase(victim);
  j["truncated"] = true;
  line = dump(j);
}

// Cuts the longest string field until the record fits. Every cut keeps a marker, so a reader
// can tell a shortened value from an original one.
void shrink_to_fit(json& j, std::string& line) {
  while (line.size() > kMaxRecordBytes) {
    std::string* longest = nullptr;
    for (auto& [key, value] : j.items()) {
      (void)key;
      if (value.is_string() && (!longest || value.get_ref<std::string&>().size() > longest->size()))
        longest = &value.get_ref<std::string&>();
    }
    if (!longest || longest->size() <= kCutMarker.size()) {
      drop_last_field(j, line);  // nothing left to cut: give up whole fields, newest first
      continue;
    }
    const auto excess = line.size() - kMaxRecordBytes;
    auto keep = longest->size() > excess + kCutMarker.size() + 16
                    ? longest->size() - excess - kCutMarker.size() - 16
                    : 0;
    longest->resize(keep);
    *longest += kCutMarker;
    j["truncated"] = true;
    line = dump(j);
  }
}

std::filesystem::path env_path(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::filesystem::path(v) : std::filesystem::path();
}

Result<void> make_parents(const std::filesystem::path& dir) {
  if (dir.empty()) return {};
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return {};
  if (auto up = make_parents(dir.parent_path()); !up) return up;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("mkdir", dir);
  return {};
}

}  // namespace

std::filesystem::path resolve_path(const std::optional<std::filesystem::path>& explicit_path) {
  if (explicit_path && !explicit_path->empty()) return *explicit_path;
  if (auto p = env_path("DD_JOURNAL"); !p.empty()) return p;
  if (auto p = env_path("XDG_STATE_HOME"); !p.empty() && p.is_absolute())
    return p / "ddsafe" / "journal.jsonl";
  if (auto home = env_path("HOME"); !home.empty())
    return home / ".local" / "state" / "ddsafe" / "journal.jsonl";
  return std::filesystem::path("/tmp") / fmt::format("ddsafe-{}", ::getuid()) / "journal.jsonl";
}

bool is_default_path(const std::optional<std::filesystem::path>& explicit_path) {
  return (!explicit_path || explicit_path->empty()) && env_path("DD_JOURNAL").empty();
}

std::string format_event(const Event& event, const Origin& origin) {
  json j = json::object();
  j["v"] = kSchemaVersion;
  j["ts"] = rfc3339_now();
  j["event"] = event.type;
  j["host"] = self_identity().host;
  j["pid"] = origin.pid != 0 ? origin.pid : std::int64_t{::getpid()};
  j["tool"] = origin.tool;
  for (const auto& [key, value] : event.fields) {
    if (key == "v" || key == "ts" || key == "event") continue;
    std::visit([&j, &k = key](const auto& v) { j[k] = v; }, value);
  }
  auto line = dump(j);
  shrink_to_fit(j, line);
  return line;
}

Journal::Journal(std::filesystem::path path, Origin origin,
                 std::function<void(const Error&)> warn, bool sync, bool create_parents,
                 Rotation rotation)
    : path_(std::move(path)),
      origin_(std::move(origin)),
      warn_(std::move(warn)),
      sync_(sync),
      create_parents_(create_parents),
      rotation_(rotation) {}

Result<void> Journal::append(const Event& event) {
  const auto line = format_event(event, origin_);
  // Opened per append: events are rare, and a fresh open follows a rotated journal by itself.
  auto fd = open_fd(path_, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY, 0644);
  if (!fd && create_parents_ && fd.error().code == std::errc::no_such_file_or_directory) {
    if (auto made = make_parents(path_.parent_path()); !made) return made;
    fd = open_fd(path_, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY, 0644);
  }
  if (!fd) {
    auto e = std::move(fd).error();
    e.context = fmt::format("open journal '{}'", path_.string());
    return e;
  }
  // One write(2) per record: O_APPEND makes offset update and write atomic, so records of
  // concurrent appenders never interleave. A short write (ENOSPC part-way) is reported, not
  // continued, since a second write could land after another appender's record.
  const ssize_t n = ::write(fd->get(), line.data(), line.size());
  if (n < 0) return sys_error("append to journal", path_);
  if (static_cast<std::size_t>(n) != line.size())
    return sys_error(ENOSPC, "append to journal (short write)", path_);
  if (sync_ && ::fdatasync(fd->get()) != 0) return sys_error("fdatasync journal", path_);
  // Rotation is judged on the file this record went into, so only the appender that crossed
  // the limit (or one that follows it before the rename) rotates.
  if (auto rotated = rotate_if_due(path_, fd->get(), rotation_); !rotated)
    return std::move(rotated).error();
  return fd->close();
}

void Journal::emit(const Event& event) noexcept {
  auto ok = append(event);
  if (ok || warned_.exchange(true)) return;
  if (warn_) warn_(ok.error());
}

}  // namespace ddsafe::journal

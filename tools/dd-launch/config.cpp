#include "dd-launch/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ddsafe/atomic_file.hpp"
#include "ddsafe/unique_fd.hpp"

namespace ddsafe::launch {
namespace {

using nlohmann::json;
constexpr std::size_t kMaxConfigBytes = std::size_t{64} << 20;

// Deeper documents are refused: dumping one recurses per level (a few hundred KB of '['
// crashed the launcher with a stack overflow).
constexpr int kMaxDepth = 512;

// The source's bytes: a regular file only (a FIFO would block the open or the read for ever,
// /dev/zero would never end), opened without waiting, and refused when over the cap rather
// than cut short into "not valid JSON".
Result<std::string> read_source(const std::filesystem::path& p) {
  auto fd = open_fd(p, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (!fd) return std::move(fd).error();
  struct stat st{};
  if (::fstat(fd->get(), &st) != 0) return sys_error("stat", p);
  if (!S_ISREG(st.st_mode))
    return make_error(errc::validation_failed,
                      fmt::format("config source '{}': not a regular file", p.string()));
  if (static_cast<std::uint64_t>(st.st_size) > kMaxConfigBytes)
    return make_error(errc::validation_failed,
                      fmt::format("config source '{}': {} bytes, more than the {} allowed",
                                  p.string(), st.st_size, kMaxConfigBytes));
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read", p);
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigBytes)  // grew while being read
      return make_error(errc::validation_failed,
                        fmt::format("config source '{}': more than the {} bytes allowed",
                                    p.string(), kMaxConfigBytes));
  }
  return text;
}

Result<json> read_json(const std::filesystem::path& p) {
  auto text = read_source(p);
  if (!text) return std::move(text).error();
  bool too_deep = false;
  const json::parser_callback_t depth_cap = [&too_deep](int depth, json::parse_event_t,
                                                        json&) {
    if (depth > kMaxDepth) too_deep = true;
    return !too_deep;
  };
  auto doc = json::parse(*text, depth_cap, /*allow_exceptions=*/false);
  if (too_deep)
    return make_error(errc::validation_failed,
                      fmt::format("config source '{}': nested deeper than {} levels", p.string(),
                                  kMaxDepth));
  if (doc.is_discarded()) {
    // Parse again for the position: the non-throwing parse says only that it failed.
    std::string why = "not valid JSON";
    try {
      [[maybe_unused]] const auto again = json::parse(*text);
    } catch (const json::parse_error& e) {
      why = fmt::format("not valid JSON (at byte {})", e.byte);
    }
    return make_error(errc::validation_failed,
                      fmt::format("config source '{}': {}", p.string(), why));
  }
  return doc;
}

// Removes what `pointer` names, if anything; true when something went.
bool drop(json& doc, const std::string& pointer) {
  try {
    const json::json_pointer ptr(pointer);
    if (!doc.contains(ptr)) return false;
    auto& parent = doc.at(ptr.parent_pointer());
    if (parent.is_object()) return parent.erase(ptr.back()) > 0;
    if (parent.is_array()) {
      parent.erase(std::stoul(ptr.back()));
      return true;
    }
  } catch (const std::exception&) {
    // A pointer that does not fit this document (an index into an object...) names nothing.
  }
  return false;
}

Result<void> write_config(const std::filesystem::path& path, const std::string& text,
                          EventSink* events) {
  AtomicOptions o;
  o.mode = 0644;  // pinned: the unprivileged command must read it, whatever the umask says
  o.events = events;
  o.tool = "dd-launch";
  auto f = AtomicFile::create(path, o);
  if (!f) return std::move(f).error();
  if (auto ok = f->write(text); !ok) {
    f->abort("write failed");
    return std::move(ok).error();
  }
  auto done = f->commit();
  if (!done) return std::move(done).error();
  return {};
}

void emit(EventSink* events, Event ev) {
  if (events) events->emit(ev);
}

}  // namespace

Result<void> check_pointer(const std::string& pointer) {
  if (pointer.empty())
    return make_error(errc::invalid_argument,
                      "--config-drop '' names the whole document; nothing would be left");
  try {
    (void)json::json_pointer(pointer);
  } catch (const json::exception& e) {
    return make_error(errc::invalid_argument,
                      fmt::format("--config-drop '{}' is not a JSON pointer (RFC 6901): it must "
                                  "start with '/' and escape '~' as ~0 and '/' as ~1",
                                  pointer));
  }
  return {};
}

Result<ConfigOutcome> refresh_config(const ConfigRequest& r) {
  ConfigOutcome out;
  auto doc = read_json(r.source);
  if (doc) {
    for (const auto& p : r.drops)
      if (drop(*doc, p)) ++out.dropped;
    const auto text = doc->dump(2) + "\n";
    if (auto ok = write_config(r.cache, text, r.events); !ok) return std::move(ok).error();
    if (auto ok = write_config(r.target, text, r.events); !ok) return std::move(ok).error();
    out.refreshed = true;
    Event ev{"config_refresh", {}};
    ev.add("source", r.source.string()).add("path", r.target.string())
        .add("bytes", static_cast<std::int64_t>(text.size()))
        .add("dropped", static_cast<std::int64_t>(out.dropped));
    emit(r.events, std::move(ev));
    return out;
  }
  out.problem = doc.error().message();
  Event ev{"config_refresh_failed", {}};
  ev.add("source", r.source.string()).add("path", r.target.string()).add("error", out.problem);
  auto cached = read_json(r.cache);
  if (!cached) {
    ev.add("kept", "").add("launch", "refused");
    emit(r.events, std::move(ev));
    return std::move(doc).error();
  }
  if (auto ok = write_config(r.target, cached->dump(2) + "\n", r.events); !ok)
    return std::move(ok).error();
  ev.add("kept", r.cache.string()).add("launch", "proceeds");
  emit(r.events, std::move(ev));
  return out;
}

}  // namespace ddsafe::launch

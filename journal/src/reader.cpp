#include "ddsafe/journal/reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <simdjson.h>

#include "ddsafe/journal/journal.hpp"
#include "ddsafe/journal/time.hpp"

namespace ddsafe::journal {
namespace {

namespace dom = simdjson::dom;

// Attempts to recover a record from the end of a damaged line. Records are small, so the right
// start is among the last few '{'; the cap bounds the work on a long garbage line.
constexpr int kMaxResyncAttempts = 32;

std::string value_text(dom::element value) {
  switch (value.type()) {
    case dom::element_type::STRING: return std::string(value.get_string().value_unsafe());
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT: return simdjson::minify(value);
    default: return simdjson::to_string(value);
  }
}

std::optional<std::string_view> as_string(dom::element value) {
  std::string_view s;
  if (value.get_string().get(s)) return std::nullopt;
  return s;
}

// Fills `r` from a parsed object; false unless it has an integer v >= 1, a string ts and a
// string event. Other known fields of an unexpected type are left empty (read as far as
// understood, for records of a newer schema).
bool to_record(const dom::object& obj, Record& r) {
  bool has_v = false, has_ts = false, has_event = false;
  for (const auto field : obj) {
    const std::string_view key = field.key;
    if (key == "v") {
      has_v = !field.value.get_int64().get(r.v) && r.v >= 1;
    } else if (key == "ts") {
      auto s = as_string(field.value);
      has_ts = s.has_value();
      if (s) r.ts = *s;
    } else if (key == "event") {
      auto s = as_string(field.value);
      has_event = s.has_value();
      if (s) r.event = *s;
    } else if (key == "host") {
      r.host = as_string(field.value).value_or("");
    } else if (key == "tool") {
      r.tool = as_string(field.value).value_or("");
    } else if (key == "path") {
      r.path = as_string(field.value);
    } else if (key == "pid") {
      std::int64_t pid = 0;
      if (!field.value.get_int64().get(pid)) r.pid = pid;
    }
  }
  return has_v && has_ts && has_event;
}

}  // namespace

ReadStats& ReadStats::operator+=(const ReadStats& o) noexcept {
  good += o.good;
  torn += o.torn;
  garbage += o.garbage;
  newer += o.newer;
  bytes += o.bytes;
  return *this;
}

std::optional<std::int64_t> Record::time_us() const { return parse_rfc3339(ts); }

std::optional<std::string> Record::field(std::string_view key) const {
  if (!impl_) return std::nullopt;
  dom::element value;
  if (static_cast<const dom::object*>(impl_)->at_key(key).get(value)) return std::nullopt;
  return value_text(value);
}

void Record::for_each_field(
    const std::function<void(std::string_view, const std::string&)>& fn) const {
  if (!impl_) return;
  for (const auto field : *static_cast<const dom::object*>(impl_))
    fn(field.key, value_text(field.value));
}

struct LineFeeder::State {
  // One block of input plus simdjson's padding: lines are parsed in place, and the parser may
  // read (never use) up to SIMDJSON_PADDING bytes past a line's end.
  std::unique_ptr<char[]> buf{new char[kMaxLineBytes + simdjson::SIMDJSON_PADDING]};
  std::size_t len = 0;       // bytes held: an incomplete line at buf[0, len)
  bool discarding = false;   // inside an over-long line, skipping to its newline
  dom::parser parser;

  // Parses text as one record and visits it. nullopt: not a record.
  std::optional<bool> try_record(std::string_view text, RecordVisitor& visitor, ReadStats& stats) {
    dom::element doc;
    if (parser.parse(text.data(), text.size(), /*realloc_if_needed=*/false).get(doc))
      return std::nullopt;
    dom::object obj;
    if (doc.get_object().get(obj)) return std::nullopt;
    Record r;
    if (!to_record(obj, r)) return std::nullopt;
    r.line = text;
    r.impl_ = &obj;
    ++stats.good;
    if (r.v > kSchemaVersion) ++stats.newer;
    return visitor.visit(r);
  }

  // One complete line (no newline). Returns false when the visitor asked to stop.
  bool line(std::string_view text, RecordVisitor& visitor, ReadStats& stats) {
    if (text.empty() || !visitor.wants(text)) return true;
    if (auto go = try_record(text, visitor, stats)) return *go;
    ++stats.garbage;
    // A torn record (crash, then later appends) or a NUL run glues garbage to the front of a
    // good record: try the line's ends that start at '{', shortest first.
    std::size_t end = text.size();
    for (int i = 0; i < kMaxResyncAttempts && end > 1; ++i) {
      const void* hit = ::memrchr(text.data() + 1, '{', end - 1);
      if (!hit) break;
      const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
      if (auto go = try_record(text.substr(at), visitor, stats)) return *go;
      end = at;
    }
    return true;
  }

  // The complete lines in buf[from, upto), upto just after a newline.
  bool lines(std::size_t from, std::size_t upto, RecordVisitor& visitor, ReadStats& stats) {
    const char* b = buf.get();
    const auto anchor = visitor.anchor();
    while (from < upto) {
      if (!anchor.empty()) {
        // Jump to the next line holding the anchor: most lines are never looked at.
        const void* hit = ::memmem(b + from, upto - from, anchor.data(), anchor.size());
        if (!hit) return true;
        const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - b);
        const void* nl_before = at > from ? ::memrchr(b + from, '\n', at - from) : nullptr;
        if (nl_before) from = static_cast<std::size_t>(static_cast<const char*>(nl_before) - b) + 1;
      }
      const auto* nl = static_cast<const char*>(::memchr(b + from, '\n', upto - from));
      const auto end = static_cast<std::size_t>(nl - b);
      if (!line(std::string_view(b + from, end - from), visitor, stats)) return false;
      from = end + 1;
    }
    return true;
  }
};

LineFeeder::LineFeeder() : s_(std::make_unique<State>()) {}
LineFeeder::~LineFeeder() = default;
LineFeeder::LineFeeder(LineFeeder&&) noexcept = default;
LineFeeder& LineFeeder::operator=(LineFeeder&&) noexcept = default;

std::size_t LineFeeder::pending() const noexcept { return s_->len; }

void LineFeeder::finish(ReadStats& stats) noexcept {
  if (s_->len > 0) ++stats.torn;
  s_->len = 0;
  s_->discarding = false;
}

Result<bool> LineFeeder::feed(int fd, const std::filesystem::path& what, RecordVisitor& visitor,
                              ReadStats& stats) {
  auto& s = *s_;
  for (;;) {
    if (s.len == kMaxLineBytes) {  // one line fills the whole block: skip it
      ++stats.garbage;
      s.discarding = true;
      s.len = 0;
    }
    const ssize_t n = ::read(fd, s.buf.get() + s.len, kMaxLineBytes - s.len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read", what);
    if (n == 0) return true;
    stats.bytes += static_cast<std::uint64_t>(n);
    std::size_t from = s.len;
    s.len += static_cast<std::size_t>(n);
    const char* b = s.buf.get();
    if (s.discarding) {
      const void* nl = ::memchr(b + from, '\n', s.len - from);
      if (!nl) { s.len = 0; continue; }
      from = static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1;
      s.discarding = false;
    } else {
      from = 0;
    }
    const void* last = ::memrchr(b + from, '\n', s.len - from);
    if (!last) {
      if (from > 0) { std::memmove(s.buf.get(), b + from, s.len - from); s.len -= from; }
      continue;
    }
    const auto upto = static_cast<std::size_t>(static_cast<const char*>(last) - b) + 1;
    if (!s.lines(from, upto, visitor, stats)) return false;
    std::memmove(s.buf.get(), b + upto, s.len - upto);
    s.len -= upto;
  }
}

Result<ReadStats> read_set(std::vector<SetFile>& files, RecordVisitor& visitor) {
  ReadStats stats;
  LineFeeder feeder;
  for (auto& f : files) {
    (void)::posix_fadvise(f.fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);  // a hint; failure is harmless
    auto go = feeder.feed(f.fd.get(), f.path, visitor, stats);
    if (!go) return std::move(go).error();
    if (!*go) return stats;
    feeder.finish(stats);
  }
  return stats;
}

}  // namespace ddsafe::journal

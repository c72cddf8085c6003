#include "ddsafe/journal/query.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "ddsafe/journal/time.hpp"

namespace ddsafe::journal {
namespace {

constexpr std::int64_t kUsPerHour = std::int64_t{3600} * 1000000;

// A value appears verbatim in the line only if a JSON writer has nothing to escape in it.
bool plain(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
}

// `"value"` (quoted: the whole string value) or `"value` (a prefix); empty if not plain.
std::string needle(std::string_view value, bool whole) {
  if (!plain(value)) return {};
  return whole ? fmt::format("\"{}\"", value) : fmt::format("\"{}", value);
}

bool contains(std::string_view hay, std::string_view n) {
  return ::memmem(hay.data(), hay.size(), n.data(), n.size()) != nullptr;
}

bool under(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || prefix.empty() || prefix.back() == '/' ||
         path[prefix.size()] == '/';
}

void keep_extreme(Group& g, std::string_view ts, std::optional<std::int64_t> t,
                  std::pair<std::int64_t, std::int64_t>& range) {
  const auto v = t.value_or(0);
  if (g.count == 1 || v < range.first) { range.first = v; g.first_ts = ts; }
  if (g.count == 1 || v >= range.second) { range.second = v; g.last_ts = ts; }
}

}  // namespace

Result<void> Filter::add_where(std::string_view kv) {
  const auto eq = kv.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return make_error(errc::invalid_argument,
                      fmt::format("invalid --where '{}' (want key=value)", kv));
  where.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  return {};
}

bool Filter::matches(const Record& r) const {
  if (!events.empty() && std::find(events.begin(), events.end(), r.event) == events.end())
    return false;
  if (path && (!r.path || *r.path != *path)) return false;
  if (path_prefix && (!r.path || !under(*r.path, *path_prefix))) return false;
  if (pid && r.pid != pid) return false;
  if (host && r.host != *host) return false;
  if (tool && r.tool != *tool) return false;
  if (since_us || until_us) {
    const auto t = r.time_us();
    if (!t || (since_us && *t < *since_us) || (until_us && *t >= *until_us)) return false;
  }
  return std::all_of(where.begin(), where.end(), [&r](const auto& kv) {
    return r.field(kv.first) == kv.second;
  });
}

FilterVisitor::FilterVisitor(const Filter& filter) : filter_(filter) {
  for (const auto& e : filter.events) event_needles_.push_back(needle(e, /*whole=*/true));
  if (std::any_of(event_needles_.begin(), event_needles_.end(),
                  [](const auto& n) { return n.empty(); }))
    event_needles_.clear();  // one event cannot be searched for: parse every line
  auto add = [this](std::string n) { if (!n.empty()) needles_.push_back(std::move(n)); };
  if (filter.path) add(needle(*filter.path, /*whole=*/true));
  if (filter.path_prefix) add(needle(*filter.path_prefix, /*whole=*/false));
  if (event_needles_.size() == 1) add(event_needles_.front());
  if (filter.host) add(needle(*filter.host, /*whole=*/true));
  if (filter.tool) add(needle(*filter.tool, /*whole=*/true));
  for (const auto& [key, value] : filter.where) add(needle(key, /*whole=*/true));
  if (!needles_.empty()) anchor_ = needles_.front();  // path first: the most selective
}

bool FilterVisitor::wants(std::string_view line) const {
  if (!event_needles_.empty() &&
      std::none_of(event_needles_.begin(), event_needles_.end(),
                   [line](const auto& n) { return contains(line, n); }))
    return false;
  return std::all_of(needles_.begin(), needles_.end(),
                     [line](const auto& n) { return contains(line, n); });
}

bool FilterVisitor::visit(const Record& r) { return !filter_.matches(r) || on_match(r); }

std::string group_key(const Record& r, GroupBy by) {
  switch (by) {
    case GroupBy::event: return std::string(r.event);
    case GroupBy::path: return std::string(r.path.value_or(""));
    case GroupBy::host: return std::string(r.host);
    case GroupBy::tool: return std::string(r.tool);
    case GroupBy::hour: break;
  }
  const auto t = r.time_us();
  if (!t) return {};
  const auto hour = (*t >= 0 ? *t : *t - kUsPerHour + 1) / kUsPerHour * kUsPerHour;
  return format_rfc3339(hour).substr(0, 19) + "Z";
}

Result<std::vector<Group>> group_records(const std::filesystem::path& journal,
                                         const Filter& filter, GroupBy by, ReadStats* stats) {
  struct Counter final : FilterVisitor {
    using FilterVisitor::FilterVisitor;
    GroupBy by = GroupBy::event;
    std::unordered_map<std::string, std::pair<Group, std::pair<std::int64_t, std::int64_t>>> groups;
    bool on_match(const Record& r) override {
      auto& [g, range] = groups[group_key(r, by)];
      ++g.count;
      keep_extreme(g, r.ts, r.time_us(), range);
      return true;
    }
  } counter(filter);
  counter.by = by;
  auto files = open_set(journal);
  if (!files) return std::move(files).error();
  auto read = read_set(*files, counter);
  if (!read) return std::move(read).error();
  if (stats) *stats = *read;
  std::vector<Group> out;
  out.reserve(counter.groups.size());
  for (auto& [key, entry] : counter.groups) {
    entry.first.key = key;
    out.push_back(std::move(entry.first));
  }
  std::sort(out.begin(), out.end(), [by](const Group& a, const Group& b) {
    if (by == GroupBy::hour) return a.key < b.key;
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  return out;
}

}  // namespace ddsafe::journal

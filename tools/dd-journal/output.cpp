#include "dd-journal/output.hpp"

#include <cctype>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ddsafe::tools {
namespace {

constexpr std::string_view kFixed[] = {"v", "ts", "event", "host", "pid", "tool", "path"};

bool fixed(std::string_view key) {
  for (auto k : kFixed)
    if (k == key) return true;
  return false;
}

// A field value as one line of inert text: tab, newline, carriage return and backslash as
// \t \n \r \\, other control characters (ESC, DEL, ...) as \xHH. A value from the journal,
// which any local process may write, can then neither split a row nor send escape sequences to
// the terminal.
std::string escape_controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
        else out += c;
    }
  }
  return out;
}

// A tsv cell (or table column): escaped, "-" when empty, so a row stays one line.
std::string tsv_cell(std::string_view s) {
  auto out = escape_controls(s);
  return out.empty() ? "-" : out;
}

// The fields beyond the fixed columns, as "key=value" separated by spaces.
std::string others(const journal::Record& r) {
  std::string out;
  r.for_each_field([&out](std::string_view key, const std::string& value) {
    if (fixed(key)) return;
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", key, value);
  });
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string pid_text(const journal::Record& r) { return r.pid ? std::to_string(*r.pid) : "-"; }

}  // namespace

const std::map<std::string, Format>& format_names() {
  static const std::map<std::string, Format> names{
      {"json", Format::json}, {"table", Format::table}, {"tsv", Format::tsv}};
  return names;
}

std::string record_header(Format f) {
  if (f == Format::tsv) return "ts\tevent\thost\tpid\ttool\tpath\tfields\n";
  if (f == Format::table)
    return fmt::format("{:<27}  {:<18} {:<12} {:>7}  {:<10} {}  {}\n", "TS", "EVENT", "HOST",
                       "PID", "TOOL", "PATH", "FIELDS");
  return {};
}

std::string format_record(const journal::Record& r, Format f) {
  switch (f) {
    case Format::json: return fmt::format("{}\n", r.line);
    case Format::tsv:
      return fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", tsv_cell(r.ts), tsv_cell(r.event),
                         tsv_cell(r.host), pid_text(r), tsv_cell(r.tool),
                         tsv_cell(r.path.value_or("")), tsv_cell(others(r)));
    case Format::table: break;
  }
  // Escaped like tsv: the table goes to a terminal, where a raw ESC would be obeyed.
  return fmt::format("{:<27}  {:<18} {:<12} {:>7}  {:<10} {}  {}\n", escape_controls(r.ts),
                     escape_controls(r.event), tsv_cell(r.host), pid_text(r), tsv_cell(r.tool),
                     r.path ? escape_controls(*r.path) : "-", escape_controls(others(r)));
}

void print_groups(std::FILE* out, const std::vector<journal::Group>& groups,
                  const std::string& by, Format f) {
  if (f == Format::table)
    fmt::print(out, "{:>9}  {:<27}  {:<27}  {}\n", "COUNT", "FIRST", "LAST", upper(by));
  if (f == Format::tsv) fmt::print(out, "count\tfirst\tlast\t{}\n", by);
  for (const auto& g : groups) {
    if (f == Format::json) {
      nlohmann::ordered_json j;
      j[by] = g.key.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(g.key);
      j["count"] = g.count;
      j["first"] = g.first_ts;
      j["last"] = g.last_ts;
      fmt::print(out, "{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else if (f == Format::tsv) {
      fmt::print(out, "{}\t{}\t{}\t{}\n", g.count, tsv_cell(g.first_ts), tsv_cell(g.last_ts),
                 tsv_cell(g.key));
    } else {
      fmt::print(out, "{:>9}  {:<27}  {:<27}  {}\n", g.count, escape_controls(g.first_ts),
                 escape_controls(g.last_ts), tsv_cell(g.key));
    }
  }
}

bool put(const std::string& text) {
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
}

}  // namespace ddsafe::tools

#include "ddsafe/owner_record.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ddsafe {
namespace {

using json = nlohmann::ordered_json;

std::uint64_t wall_clock_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec / 1000);
}

std::string cut_command(const std::string& cmd) {
  if (cmd.size() <= kMaxRecordCmdBytes) return cmd;
  auto cut = cmd.substr(0, kMaxRecordCmdBytes);
  // Do not leave half a UTF-8 sequence behind: drop trailing continuation bytes and their lead.
  while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.pop_back();
  if (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0x80) != 0) cut.pop_back();
  return cut + "...[truncated]";
}

// Appends the JSON string literal for `s`; invalid UTF-8 is replaced, never an exception. The
// same few strings (state, mode, host, boot id, command) come back on every acquisition of a
// process, so the last few are remembered per thread.
void append_quoted(std::string& out, const std::string& s) {
  constexpr std::size_t kSlots = 8;
  thread_local std::array<std::pair<std::string, std::string>, kSlots> cache;
  thread_local std::size_t next = 0;
  for (const auto& [raw, q] : cache) {
    if (!q.empty() && raw == s) {
      out += q;
      return;
    }
  }
  auto& slot = cache[next++ % kSlots];
  slot.first = s;
  slot.second = json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  out += slot.second;
}

}  // namespace

namespace {

constexpr std::string_view kCheckKey = ",\"check\":\"";

// FNV-1a, 64 bits: not a defence against forgery, only against torn reads. A reader racing a
// writer (pread is not atomic against pwrite on every filesystem) can see the head of the new
// record over the tail of the old one, e.g. a new "held" over a dead owner's identity, which
// would parse and be judged stale. Such a mixture does not match its check.
std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

void append_check(std::string& out) {
  const auto sum = fnv1a(out);
  char hex[17];
  const auto res = std::to_chars(hex, hex + 16, sum, 16);
  out += kCheckKey;
  out.append(16 - static_cast<std::size_t>(res.ptr - hex), '0');
  out.append(hex, res.ptr);
  out += "\"}\n";
}

// Whether a line carries a check and it fails. Lines without one (written by something else)
// pass: the parser tolerates them as it tolerates any JSON record.
bool check_fails(std::string_view line) {
  const auto at = line.rfind(kCheckKey);
  if (at == std::string_view::npos) return false;
  const auto hex = line.substr(at + kCheckKey.size(), 16);
  std::uint64_t want = 0;
  const auto res = std::from_chars(hex.data(), hex.data() + hex.size(), want, 16);
  if (res.ec != std::errc() || res.ptr != hex.data() + hex.size()) return true;
  return fnv1a(line.substr(0, at)) != want;
}

template <class T>
void append_number(std::string& out, T v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// The fields that stay the same for every grant of one process and command, formatted once.
struct StaticTail {
  pid_t pid = 0;
  std::uint64_t start_time = 0;
  std::uint64_t pidns = 0;
  std::uint32_t uid = 0;
  std::int64_t ttl_ms = 0;
  std::string host;
  std::string boot_id;
  std::string cmd;
  std::string text;

  bool matches(const OwnerRecord& r) const {
    return !text.empty() && pid == r.owner.pid && start_time == r.owner.start_time &&
           pidns == r.owner.pidns && uid == r.uid && ttl_ms == r.ttl_ms &&
           host == r.owner.host && boot_id == r.owner.boot_id && cmd == r.cmd;
  }
  void remember(const OwnerRecord& r) {
    pid = r.owner.pid;
    start_time = r.owner.start_time;
    pidns = r.owner.pidns;
    uid = r.uid;
    ttl_ms = r.ttl_ms;
    host = r.owner.host;
    boot_id = r.owner.boot_id;
    cmd = r.cmd;
    text.clear();
    text += ",\"pid\":";
    append_number(text, pid);
    text += ",\"start_time\":";
    append_number(text, start_time);
    text += ",\"pidns\":";
    append_number(text, pidns);
    text += ",\"host\":";
    append_quoted(text, host);
    text += ",\"boot_id\":";
    append_quoted(text, boot_id);
    text += ",\"uid\":";
    append_number(text, uid);
    text += ",\"ttl_ms\":";
    append_number(text, ttl_ms);
    text += ",\"cmd\":";
    if (cmd.size() <= kMaxRecordCmdBytes) append_quoted(text, cmd);
    else append_quoted(text, cut_command(cmd));
  }
};

}  // namespace

std::string format_record(const OwnerRecord& r) {
  // Written on every acquisition, so assembled directly (nlohmann only escapes the strings): a
  // fixed head that parse_record_head reads without a parser (version, state, mode, token),
  // the per-grant times, then the fields fixed for a process and command, formatted once per
  // thread and reused while they stay the same.
  thread_local StaticTail tail;
  if (!tail.matches(r)) tail.remember(r);
  std::string out;
  out.reserve(96 + tail.text.size());
  out += "{\"v\":";
  append_number(out, OwnerRecord::kVersion);
  out += ",\"state\":";
  append_quoted(out, r.state);
  out += ",\"mode\":";
  append_quoted(out, r.mode);
  out += ",\"token\":";
  append_number(out, r.token);
  out += ",\"acquired_at\":";
  append_number(out, r.acquired_at_ms);
  out += ",\"renewed_at\":";
  append_number(out, r.renewed_at_ms);
  out += ",\"renewed_boot\":";
  append_number(out, r.renewed_boot_ms);
  out += tail.text;
  append_check(out);
  return out;
}

std::optional<RecordHead> parse_record_head(std::string_view text) {
  // Our own records start with this exact text; anything else goes through the full parser.
  constexpr std::string_view kStart = "{\"v\":1,\"state\":\"";
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  auto line = text.substr(0, nl);
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  RecordHead head;
  auto full = [&]() -> std::optional<RecordHead> {
    const auto r = parse_record(text);
    if (!r) return std::nullopt;
    return RecordHead{r->state, r->mode, r->token};
  };
  if (line.substr(0, kStart.size()) != kStart || line.empty() || line.back() != '}') return full();
  auto rest = line.substr(kStart.size());
  auto take_word = [&rest](std::string& out, std::string_view next) {
    const auto q = rest.find('"');
    if (q == std::string_view::npos || q > 16) return false;
    out.assign(rest.substr(0, q));
    if (rest.substr(q + 1, next.size()) != next) return false;
    rest.remove_prefix(q + 1 + next.size());
    return true;
  };
  if (!take_word(head.state, ",\"mode\":\"") || !take_word(head.mode, ",\"token\":"))
    return full();
  const auto res = std::from_chars(rest.data(), rest.data() + rest.size(), head.token);
  if (res.ec != std::errc() || res.ptr == rest.data() || *res.ptr != ',') return full();
  if (head.token > kMaxToken) return std::nullopt;
  return head;
}

namespace {

template <class T>
bool read_field(const json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return true;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return false;
    out = it->template get<std::string>();
  } else {
    if (!it->is_number_integer()) return false;
    out = it->template get<T>();
  }
  return true;
}

}  // namespace

std::optional<OwnerRecord> parse_record(std::string_view text) {
  // The slow path (status, break judgements, records ddsafe did not write): acquisitions read
  // our own records with parse_record_head.
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;  // partial: no complete line yet
  const auto line = text.substr(0, nl);
  if (check_fails(line)) return std::nullopt;  // torn: a mixture of two records
  const json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto tok = j.find("token");
  if (tok == j.end() || !tok->is_number_unsigned()) return std::nullopt;
  OwnerRecord r;
  r.token = tok->get<std::uint64_t>();
  if (r.token > kMaxToken) return std::nullopt;  // forged or corrupt: no room to count on
  const bool ok = read_field(j, "state", r.state) && read_field(j, "mode", r.mode) &&
                  read_field(j, "pid", r.owner.pid) &&
                  read_field(j, "start_time", r.owner.start_time) &&
                  read_field(j, "pidns", r.owner.pidns) && read_field(j, "host", r.owner.host) &&
                  read_field(j, "boot_id", r.owner.boot_id) && read_field(j, "uid", r.uid) &&
                  read_field(j, "acquired_at", r.acquired_at_ms) &&
                  read_field(j, "renewed_at", r.renewed_at_ms) &&
                  read_field(j, "renewed_boot", r.renewed_boot_ms) &&
                  read_field(j, "ttl_ms", r.ttl_ms) && read_field(j, "cmd", r.cmd);
  if (!ok) return std::nullopt;
  return r;
}

namespace {
// The token after `previous` (0: unknown), or the clock floor when it is unknown.
std::uint64_t token_after(std::uint64_t previous) {
  if (previous > 0) return previous + 1;
  return std::max<std::uint64_t>(wall_clock_us(), 1);
}
}  // namespace

std::uint64_t next_token(const std::optional<OwnerRecord>& previous) {
  return token_after(previous ? previous->token : 0);
}

std::uint64_t next_token(const std::optional<RecordHead>& previous) {
  return token_after(previous ? previous->token : 0);
}

namespace {
std::int64_t add_saturating(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return b > 0 ? INT64_MAX : INT64_MIN;
  return out;
}
}  // namespace

std::int64_t lease_end_ms(const OwnerRecord& r) {
  return add_saturating(std::max<std::int64_t>(r.renewed_boot_ms, 0),
                        std::max<std::int64_t>(r.ttl_ms, 0));
}

StaleReason judge_stale(const OwnerRecord& r, bool break_expired) {
  if (r.state != "held") return StaleReason::none;  // free/broken: the holder wrote nothing
  // Shared holders share one record (the last writer's): neither the death of that writer nor
  // the lease it wrote says anything of the others. Shared locks are recovered by the kernel
  // alone, as their holders exit.
  if (r.mode != "exclusive") return StaleReason::none;
  if (liveness_of(r.owner) == Liveness::dead) return StaleReason::owner_dead;
  if (break_expired && r.ttl_ms > 0 && r.owner.boot_id == self_identity().boot_id &&
      boot_clock_ms() > lease_end_ms(r))
    return StaleReason::lease_expired;
  return StaleReason::none;
}

std::string describe_holder(const std::optional<OwnerRecord>& r) {
  if (!r) return "an unknown holder (no readable owner record)";
  if (r->state != "held")
    return fmt::format("an unknown holder (last record: {} by pid {}, token {})", r->state,
                       r->owner.pid, r->token);
  const double held_s =
      static_cast<double>(wall_clock_ms() - std::max<std::int64_t>(r->acquired_at_ms, 0)) / 1000.0;
  std::string lease;
  if (r->ttl_ms > 0) {
    const auto left = add_saturating(lease_end_ms(*r), -boot_clock_ms());
    lease = left >= 0 ? fmt::format(", lease {:.1f}s left", static_cast<double>(left) / 1000.0)
                      : fmt::format(", lease expired {:.1f}s ago",
                                    static_cast<double>(-left) / 1000.0);
  }
  return fmt::format("pid {} ({}) on {}, {} for {:.1f}s{}, token {}", r->owner.pid,
                     r->cmd.empty() ? "?" : r->cmd, r->owner.host.empty() ? "?" : r->owner.host,
                     r->mode == "shared" ? "shared" : "held", held_s, lease, r->token);
}

}  // namespace ddsafe

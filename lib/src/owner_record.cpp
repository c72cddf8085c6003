#include "ddsafe/owner_record.hpp"

#include <time.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ddsafe {
namespace {

using json = nlohmann::ordered_json;

template <class T>
void read_field(const json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) out = it->template get<std::string>();
  } else {
    if (it->is_number_integer()) out = it->template get<T>();
  }
}

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

}  // namespace

std::string format_record(const OwnerRecord& r) {
  // Field order is fixed so that records stay readable with `cat`.
  json j = json::object();
  j["v"] = OwnerRecord::kVersion;
  j["state"] = r.state;
  j["mode"] = r.mode;
  j["token"] = r.token;
  j["pid"] = r.owner.pid;
  j["start_time"] = r.owner.start_time;
  j["pidns"] = r.owner.pidns;
  j["host"] = r.owner.host;
  j["boot_id"] = r.owner.boot_id;
  j["uid"] = r.uid;
  j["acquired_at"] = r.acquired_at_ms;
  j["renewed_at"] = r.renewed_at_ms;
  j["renewed_boot"] = r.renewed_boot_ms;
  j["ttl_ms"] = r.ttl_ms;
  j["cmd"] = cut_command(r.cmd);
  // Invalid UTF-8 in a command line must not make the dump throw: replace it.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<OwnerRecord> parse_record(std::string_view text) {
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;  // partial: no complete line yet
  const auto line = text.substr(0, nl);
  const json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto tok = j.find("token");
  if (tok == j.end() || !tok->is_number_unsigned()) return std::nullopt;
  OwnerRecord r;
  r.token = tok->get<std::uint64_t>();
  read_field(j, "state", r.state);
  read_field(j, "mode", r.mode);
  read_field(j, "pid", r.owner.pid);
  read_field(j, "start_time", r.owner.start_time);
  read_field(j, "pidns", r.owner.pidns);
  read_field(j, "host", r.owner.host);
  read_field(j, "boot_id", r.owner.boot_id);
  read_field(j, "uid", r.uid);
  read_field(j, "acquired_at", r.acquired_at_ms);
  read_field(j, "renewed_at", r.renewed_at_ms);
  read_field(j, "renewed_boot", r.renewed_boot_ms);
  read_field(j, "ttl_ms", r.ttl_ms);
  read_field(j, "cmd", r.cmd);
  return r;
}

std::uint64_t next_token(const std::optional<OwnerRecord>& previous) {
  if (previous && previous->token > 0) return previous->token + 1;
  return std::max<std::uint64_t>(wall_clock_us(), 1);
}

StaleReason judge_stale(const OwnerRecord& r, bool break_expired) {
  if (r.state != "held") return StaleReason::none;  // released/broken: the holder wrote nothing
  if (r.mode == "exclusive" && liveness_of(r.owner) == Liveness::dead)
    return StaleReason::owner_dead;
  if (break_expired && r.ttl_ms > 0 && r.owner.boot_id == self_identity().boot_id &&
      boot_clock_ms() > r.renewed_boot_ms + r.ttl_ms)
    return StaleReason::lease_expired;
  return StaleReason::none;
}

std::string describe_holder(const std::optional<OwnerRecord>& r) {
  if (!r) return "an unknown holder (no readable owner record)";
  if (r->state != "held")
    return fmt::format("an unknown holder (last record: {} by pid {}, token {})", r->state,
                       r->owner.pid, r->token);
  const double held_s = static_cast<double>(wall_clock_ms() - r->acquired_at_ms) / 1000.0;
  std::string lease;
  if (r->ttl_ms > 0) {
    const auto left = r->renewed_boot_ms + r->ttl_ms - boot_clock_ms();
    lease = left >= 0 ? fmt::format(", lease {:.1f}s left", static_cast<double>(left) / 1000.0)
                      : fmt::format(", lease expired {:.1f}s ago",
                                    static_cast<double>(-left) / 1000.0);
  }
  return fmt::format("pid {} ({}) on {}, {} for {:.1f}s{}, token {}", r->owner.pid,
                     r->cmd.empty() ? "?" : r->cmd, r->owner.host.empty() ? "?" : r->owner.host,
                     r->mode == "shared" ? "shared" : "held", held_s, lease, r->token);
}

}  // namespace ddsafe

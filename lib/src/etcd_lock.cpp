#include "ddsafe/etcd_lock.hpp"

#include <algorithm>
#include <charconv>
#include <thread>

#include <fmt/format.h>

#include "etcd_client.hpp"
#include "lock_internal.hpp"

namespace ddsafe {
namespace {

using detail::EtcdClient;
using detail::json_int;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using json = nlohmann::json;

// How long one request may take before we try the next member. Keepalives must stay well
// inside the TTL, so a dead member costs a fraction of it.
milliseconds per_try(milliseconds ttl) {
  return std::clamp(ttl / 4, milliseconds(100), milliseconds(2000));
}

// A bound for one operation outside any wait (status, break, release): a leader election on
// the server side can take several seconds.
Clock::time_point op_deadline() { return Clock::now() + std::chrono::seconds(5); }

milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

std::string header_cluster(const json& reply) {
  return std::to_string(
      static_cast<std::uint64_t>(json_int(detail::json_field(reply, "header"), "cluster_id")));
}

OwnerRecord holder_record(const LockOptions& o, milliseconds ttl) {
  OwnerRecord r;
  r.state = "held";
  r.mode = "exclusive";
  r.owner = self_identity();
  r.uid = r.owner.uid;
  r.acquired_at_ms = wall_clock_ms();
  r.renewed_at_ms = r.acquired_at_ms;
  r.ttl_ms = ttl.count();
  r.cmd = o.command;
  return r;
}

// One try of the create-if-absent txn. The winner's header revision is the key's
// create_revision; a loser gets the holder's kv in the same round trip.
struct TxnOutcome {
  bool won = false;
  std::int64_t revision = 0;
  std::string cluster_id;
  std::optional<detail::EtcdKv> holder;
};

Result<TxnOutcome> create_if_absent(EtcdClient& client, const std::string& key,
                                    const std::string& value, std::int64_t lease,
                                    Clock::time_point deadline, milliseconds per) {
  const auto k = detail::base64_encode(key);
  const json body = {
      {"compare",
       {{{"key", k}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}}}},
      {"success",
       {{{"request_put",
          {{"key", k}, {"value", detail::base64_encode(value)}, {"lease", std::to_string(lease)}}}}}},
      {"failure", {{{"request_range", {{"key", k}}}}}}};
  auto r = client.call("kv/txn", body, deadline, per);
  if (!r) return std::move(r).error();
  TxnOutcome out;
  out.won = detail::json_true(*r, "succeeded");
  out.revision = json_int(detail::json_field(*r, "header"), "revision");
  out.cluster_id = header_cluster(*r);
  if (out.won) return out;
  const auto& responses = detail::json_field(*r, "responses");
  if (responses.is_array() && !responses.empty()) {
    const auto& kvs = detail::json_field(detail::json_field(responses[0], "response_range"), "kvs");
    if (kvs.is_array() && !kvs.empty()) out.holder = detail::parse_kv(kvs[0]);
  }
  return out;
}

Result<void> revoke(EtcdClient& client, std::int64_t lease, Clock::time_point deadline) {
  auto r = client.call("lease/revoke", {{"ID", std::to_string(lease)}}, deadline,
                       milliseconds(1000));
  if (!r) return std::move(r).error();
  return {};
}

// The holder's record with its token; for messages (`for_message`) without its TTL, since
// the lease lives on the server and the record's renewal times are not kept up to date.
std::optional<OwnerRecord> record_of(const std::optional<detail::EtcdKv>& kv,
                                     bool for_message = false) {
  if (!kv) return std::nullopt;
  auto rec = parse_record(kv->value);
  if (rec) rec->token = static_cast<std::uint64_t>(kv->create_revision);
  if (rec && for_message) rec->ttl_ms = 0;
  return rec;
}

// PREFIX/NAME must name one lock only: with a '/' in NAME, lock "a/b" under "p" would be lock
// "b" under "p/a" (ddsafe::LockTarget::parse has always refused it; dd-lock did not).
Result<void> check_name(std::string_view name) {
  if (name.empty() || name.find('/') != std::string_view::npos)
    return make_error(errc::invalid_argument,
                      fmt::format("etcd lock name '{}' must be one non-empty word without '/'",
                                  name));
  return {};
}

}  // namespace

Result<EtcdTarget> parse_etcd_target(std::string_view text) {
  constexpr std::string_view kScheme = "etcd://";
  if (text.substr(0, kScheme.size()) == kScheme) text.remove_prefix(kScheme.size());
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash + 1 >= text.size())
    return make_error(errc::invalid_argument,
                      fmt::format("etcd target '{}' has no /PREFIX (etcd://HOST:PORT/PREFIX)", text));
  EtcdTarget t;
  t.prefix = std::string(text.substr(slash + 1));
  while (!t.prefix.empty() && t.prefix.back() == '/') t.prefix.pop_back();
  auto hosts = text.substr(0, slash);
  while (!hosts.empty()) {
    const auto comma = hosts.find(',');
    const auto ep = hosts.substr(0, comma);
    const auto colon = ep.rfind(':');
    int port = 0;
    const auto port_text = colon == std::string_view::npos ? std::string_view() : ep.substr(colon + 1);
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (colon == 0 || colon == std::string_view::npos || ec != std::errc() ||
        p != port_text.data() + port_text.size() || port <= 0 || port > 65535)
      return make_error(errc::invalid_argument,
                        fmt::format("etcd endpoint '{}' is not HOST:PORT", ep));
    t.endpoints.emplace_back(ep);
    hosts = comma == std::string_view::npos ? std::string_view() : hosts.substr(comma + 1);
  }
  if (t.endpoints.empty() || t.prefix.empty())
    return make_error(errc::invalid_argument,
                      fmt::format("etcd target '{}' needs HOST:PORT and a PREFIX", text));
  return t;
}

std::string etcd_lock_key(const EtcdTarget& target, std::string_view name) {
  return fmt::format("{}/{}", target.prefix, name);
}

milliseconds etcd_safety_margin(milliseconds ttl) {
  return std::min(std::max(milliseconds(500), ttl / 10), ttl / 2);
}

struct EtcdLock::Impl {
  explicit Impl(EtcdClient c) : client(std::move(c)) {}
  EtcdClient client;
  std::string key;
  std::int64_t lease = 0;
  std::uint64_t token = 0;
  std::string cluster_id;
  milliseconds ttl{0};
  milliseconds waited{0};
  Clock::time_point deadline{};
  Clock::time_point lease_sent{};  ///< send time of the last grant/keepalive that succeeded
  pid_t holder_pid = 0;  ///< a forked child must not release its parent's lock
  bool held = false;

  // Grants our lease, or refreshes it when it is a third of a TTL old, so that a waiter's lease
  // never expires while it waits (the v3lock pitfall). A lease found gone is granted anew.
  Result<void> fresh_lease(Clock::time_point until) {
    const auto per = per_try(ttl);
    if (lease != 0 && since(lease_sent) < ttl / 3) return {};
    const auto sent = Clock::now();
    if (lease != 0) {
      auto r = client.call("lease/keepalive", {{"ID", std::to_string(lease)}}, until, per);
      if (!r) return std::move(r).error();
      if (json_int(detail::json_field(*r, "result"), "TTL") > 0) {
        lease_sent = sent;
        return {};
      }
    }
    const auto secs = std::max<std::int64_t>(1, (ttl.count() + 999) / 1000);
    auto g = client.call("lease/grant", {{"TTL", secs}}, until, per);
    if (!g) return std::move(g).error();
    lease = json_int(*g, "ID");
    if (lease == 0)
      return make_error(errc::backend_refused,
                        fmt::format("etcd at {} granted no lease", client.endpoints_text()));
    lease_sent = sent;
    return {};
  }

  void drop_lease() {
    if (lease != 0) (void)revoke(client, lease, Clock::now() + milliseconds(1000));  // best effort
    lease = 0;
  }
};

EtcdLock::EtcdLock(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EtcdLock::EtcdLock(EtcdLock&&) noexcept = default;
EtcdLock& EtcdLock::operator=(EtcdLock&& other) noexcept {
  if (this == &other) return *this;
  if (impl_) (void)release();  // best effort, as in the destructor
  impl_ = std::move(other.impl_);
  return *this;
}
EtcdLock::~EtcdLock() {
  if (impl_) (void)release();  // best effort: the lease expires otherwise
}

bool EtcdLock::held() const noexcept { return impl_->held; }
std::uint64_t EtcdLock::token() const noexcept { return impl_->held ? impl_->token : 0; }
const std::string& EtcdLock::cluster_id() const noexcept { return impl_->cluster_id; }
const std::string& EtcdLock::key() const noexcept { return impl_->key; }
milliseconds EtcdLock::waited() const noexcept { return impl_->waited; }
milliseconds EtcdLock::ttl() const noexcept { return impl_->ttl; }
Clock::time_point EtcdLock::deadline() const noexcept { return impl_->deadline; }

Result<EtcdLock> EtcdLock::acquire(const EtcdTarget& target, std::string_view name,
                                   const LockOptions& o) {
  if (o.mode != LockMode::exclusive)
    return make_error(errc::invalid_argument, "etcd locks are exclusive only");
  if (auto ok = check_name(name); !ok) return std::move(ok).error();
  auto client = EtcdClient::create(target.endpoints);
  if (!client) return std::move(client).error();
  auto impl = std::make_unique<Impl>(std::move(*client));
  auto& s = *impl;
  s.key = etcd_lock_key(target, name);
  s.ttl = o.ttl.count() > 0 ? o.ttl : kEtcdDefaultTtl;
  const auto value = format_record(holder_record(o, s.ttl));
  const auto start = Clock::now();
  const bool nonblocking = o.timeout && o.timeout->count() == 0;
  const auto give_up = o.timeout ? start + *o.timeout : Clock::time_point::max();
  // One try needs a few round trips; a non-blocking try still gets that long.
  const auto try_until = [&] {
    const auto now = Clock::now();
    const auto cap = now + std::max(per_try(s.ttl) * 3, milliseconds(1000));
    // The try after the last wait still gets a short window of its own.
    if (!nonblocking && now >= give_up) return now + per_try(s.ttl);
    return nonblocking ? cap : std::min(give_up, cap);
  };
  std::optional<detail::EtcdKv> holder;
  std::optional<Error> unreachable;
  for (;;) {
    auto step = s.fresh_lease(try_until());
    Result<TxnOutcome> txn = step ? create_if_absent(s.client, s.key, value, s.lease,
                                                     try_until(), per_try(s.ttl))
                                  : Result<TxnOutcome>(std::move(step).error());
    if (txn && txn->won) {
      s.token = static_cast<std::uint64_t>(txn->revision);
      s.cluster_id = txn->cluster_id;
      s.deadline = s.lease_sent + s.ttl - etcd_safety_margin(s.ttl);
      s.waited = since(start);
      s.holder_pid = self_pid();
      s.held = true;
      EtcdLock lock(std::move(impl));
      // A waiter may win with a lease last refreshed up to TTL/3 ago (fresh_lease skips younger
      // ones), leaving less than TTL/3 before the deadline: a holder renewing every TTL/3 from
      // now would lose the lock to its own schedule (always so at a TTL of 1 s). Refresh now;
      // a failure leaves the deadline as it is, and the next renew() decides.
      if (since(lock.impl_->lease_sent) > lock.impl_->ttl / 10) (void)lock.renew();
      return lock;
    }
    if (txn) {
      holder = txn->holder;
      unreachable.reset();
    } else {
      unreachable = std::move(txn).error();
    }
    if (nonblocking || Clock::now() >= give_up) break;
    const auto watch_until = std::min(give_up, Clock::now() + s.ttl / 3);
    const auto pause = [&] {  // between rounds over the endpoints, then try again
      const auto to_give_up = std::chrono::duration_cast<milliseconds>(give_up - Clock::now());
      std::this_thread::sleep_for(
          std::max(milliseconds(0), std::min({milliseconds(200), s.ttl / 10, to_give_up})));
    };
    if (unreachable) {
      pause();
      continue;
    }
    // Watch from just after the revision we saw, so a delete in between is not missed. A watch
    // that fails, or ends early without a delete (a member or proxy refusing the stream), must
    // not turn the wait into a busy loop of transactions.
    auto watched = s.client.wait_for_delete(s.key, txn->revision + 1, watch_until);
    if (!watched || (!*watched && Clock::now() < watch_until)) pause();
  }
  s.drop_lease();
  s.waited = since(start);
  const auto what = fmt::format("etcd key '{}'", s.key);
  const auto holder_rec = record_of(holder, /*for_message=*/true);
  detail::emit_wait_event(o, s.key, holder_rec, s.waited);
  if (o.on_timeout == TimeoutPolicy::fail_open) return EtcdLock(std::move(impl));
  if (!unreachable) return detail::wait_error(o, what, holder_rec, s.waited);
  return make_error(nonblocking ? errc::lock_busy : errc::lock_timeout,
                    fmt::format("cannot lock {}{}: {}", what,
                                nonblocking ? "" : fmt::format(" within {} ms", s.waited.count()),
                                unreachable->context));
}

Result<void> EtcdLock::renew() {
  auto& s = *impl_;
  if (!s.held) return make_error(errc::lock_lost, fmt::format("etcd key '{}' is not held", s.key));
  if (auto ok = verify(); !ok) return ok;
  const auto sent = Clock::now();
  auto r = s.client.call("lease/keepalive", {{"ID", std::to_string(s.lease)}}, s.deadline,
                         per_try(s.ttl));
  if (!r) {
    if (auto ok = verify(); !ok) return ok;
    return std::move(r).error();
  }
  if (json_int(detail::json_field(*r, "result"), "TTL") <= 0)
    return make_error(errc::lock_lost,
                      fmt::format("the lease of etcd key '{}' expired on the server", s.key));
  s.lease_sent = sent;
  s.deadline = std::max(s.deadline, sent + s.ttl - etcd_safety_margin(s.ttl));
  return {};
}

Result<void> EtcdLock::verify() const {
  const auto& s = *impl_;
  if (!s.held) return make_error(errc::lock_lost, fmt::format("etcd key '{}' is not held", s.key));
  if (Clock::now() < s.deadline) return {};
  return make_error(errc::lock_lost,
                    fmt::format("no keepalive of etcd key '{}' succeeded within its TTL ({} ms) "
                                "less the safety margin",
                                s.key, s.ttl.count()));
}

Result<void> EtcdLock::release() {
  auto& s = *impl_;
  if (!s.held || s.holder_pid != self_pid()) {
    s.held = false;
    return {};
  }
  s.held = false;
  const auto k = detail::base64_encode(s.key);
  const json body = {{"compare",
                      {{{"key", k},
                        {"target", "CREATE"},
                        {"result", "EQUAL"},
                        {"create_revision", std::to_string(s.token)}}}},
                     {"success", {{{"request_delete_range", {{"key", k}}}}}}};
  auto del = s.client.call("kv/txn", body, op_deadline(), per_try(s.ttl));
  auto rev = revoke(s.client, s.lease, op_deadline());
  s.lease = 0;
  if (!del) return std::move(del).error();
  if (!rev) return std::move(rev).error();
  return {};
}

Result<EtcdLockStatus> etcd_lock_status(const EtcdTarget& target, std::string_view name) {
  if (auto ok = check_name(name); !ok) return std::move(ok).error();
  auto client = EtcdClient::create(target.endpoints);
  if (!client) return std::move(client).error();
  EtcdLockStatus st;
  st.key = etcd_lock_key(target, name);
  auto r = client->call("kv/range", {{"key", detail::base64_encode(st.key)}}, op_deadline(),
                        milliseconds(2000));
  if (!r) return std::move(r).error();
  st.cluster_id = header_cluster(*r);
  const auto& kvs = detail::json_field(*r, "kvs");
  if (!kvs.is_array() || kvs.empty()) return st;
  const auto kv = detail::parse_kv(kvs[0]);
  st.held = true;
  st.token = static_cast<std::uint64_t>(kv.create_revision);
  st.lease = kv.lease;
  st.record = record_of(kv);
  st.record_unreadable = !st.record;
  if (kv.lease == 0) return st;
  auto ttl = client->call("lease/timetolive", {{"ID", std::to_string(kv.lease)}}, op_deadline(),
                          milliseconds(2000));
  if (ttl) st.lease_left = milliseconds(json_int(*ttl, "TTL") * 1000);
  return st;
}

std::string etcd_describe_holder(const EtcdLockStatus& st) {
  auto rec = st.record;
  if (rec) rec->ttl_ms = 0;  // the lease lives on the server; the record's times are not renewed
  return describe_holder(rec);
}

Result<EtcdLockStatus> etcd_break_lock(const EtcdTarget& target, std::string_view name,
                                       const std::string& tool, EventSink* events) {
  auto st = etcd_lock_status(target, name);
  if (!st || !st->held) return st;
  auto client = EtcdClient::create(target.endpoints);
  if (!client) return std::move(client).error();
  if (st->lease != 0) {
    if (auto ok = revoke(*client, st->lease, op_deadline()); !ok) return std::move(ok).error();
  } else {
    auto del = client->call("kv/deleterange", {{"key", detail::base64_encode(st->key)}},
                            op_deadline(), milliseconds(2000));
    if (!del) return std::move(del).error();
  }
  if (!events) return st;
  Event ev{"lock_stale_break", {}};
  ev.add("path", st->key)
      .add("tool", tool)
      .add("reason", "manual")
      .add("holder", etcd_describe_holder(*st))
      .add("holder_pid", std::int64_t{st->record ? st->record->owner.pid : 0})
      .add("holder_token", static_cast<std::int64_t>(st->token))
      .add("cluster_id", st->cluster_id);
  events->emit(ev);
  return st;
}

}  // namespace ddsafe

#include "etcd_client.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

namespace ddsafe::detail {
namespace {

// libcurl is loaded on first use, not linked: it brings some 30 shared libraries (TLS, Kerberos,
// LDAP...) whose loading would cost every dd-lock start several milliseconds, flock users
// included. Only the etcd backend pays for it.
struct CurlApi {
  void* lib = nullptr;
  std::string problem;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  void (*easy_reset)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
};

template <class F>
void bind(CurlApi& api, F& fn, const char* name) {
  void* sym = ::dlsym(api.lib, name);
  if (!sym && api.problem.empty()) api.problem = fmt::format("libcurl lacks {}", name);
  std::memcpy(&fn, &sym, sizeof fn);  // POSIX: data and function pointers convert
}

const CurlApi& curl_api() {
  static const CurlApi api = [] {
    CurlApi a;
    a.lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!a.lib) {
      const char* why = ::dlerror();
      a.problem = fmt::format("cannot load libcurl.so.4 (Debian: libcurl4): {}", why ? why : "?");
      return a;
    }
    bind(a, a.easy_init, "curl_easy_init");
    bind(a, a.easy_cleanup, "curl_easy_cleanup");
    bind(a, a.easy_reset, "curl_easy_reset");
    bind(a, a.easy_setopt, "curl_easy_setopt");
    bind(a, a.easy_perform, "curl_easy_perform");
    bind(a, a.easy_getinfo, "curl_easy_getinfo");
    bind(a, a.easy_strerror, "curl_easy_strerror");
    bind(a, a.slist_append, "curl_slist_append");
    bind(a, a.slist_free_all, "curl_slist_free_all");
    return a;
  }();
  return api;
}

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct CurlFree {
  void operator()(CURL* c) const noexcept { curl_api().easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const noexcept { curl_api().slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlFree>;

// No gateway reply we ask for comes near this (etcd caps a request at 1.5 MiB); something else
// listening on the port (a file server, a misconfigured proxy) must not fill our memory.
constexpr std::size_t kMaxReply = 16U << 20;

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto& reply = *static_cast<std::string*>(user);
  if (reply.size() + size * n > kMaxReply) return 0;  // libcurl stops: CURLE_WRITE_ERROR
  reply.append(data, size * n);
  return size * n;
}

// The gateway streams one JSON object per line; a watch ends when one carries a DELETE event.
struct WatchState {
  std::string pending;
  bool created = false;
  bool deleted = false;
  bool failed = false;
};

void scan_watch_line(WatchState& st, std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return;
  if (j.contains("error")) st.failed = true;
  const auto& r = json_field(j, "result");
  if (json_true(r, "created")) st.created = true;
  if (json_true(r, "canceled")) st.failed = true;  // e.g. start revision compacted
  const auto& events = json_field(r, "events");
  if (!events.is_array()) return;
  for (const auto& ev : events)
    if (json_text(ev, "type") == "DELETE") st.deleted = true;
}

std::size_t watch_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto& st = *static_cast<WatchState*>(user);
  if (st.pending.size() + size * n > kMaxReply) {
    st.failed = true;
    return 0;
  }
  st.pending.append(data, size * n);
  for (auto nl = st.pending.find('\n'); nl != std::string::npos; nl = st.pending.find('\n')) {
    scan_watch_line(st, std::string_view(st.pending).substr(0, nl));
    st.pending.erase(0, nl + 1);
  }
  // Returning less than given makes libcurl stop the transfer (CURLE_WRITE_ERROR).
  return st.deleted || st.failed ? 0 : size * n;
}

std::chrono::milliseconds left_until(EtcdClock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                        EtcdClock::now()));
}

// A member that answers but cannot serve (no leader, lost quorum, leader change, an internal
// error or overload: HTTP 5xx, 429) is as good as unreachable for us: the next endpoint may be
// in the majority. A holder stuck on such a member would lose its lock with a healthy cluster.
bool member_unusable(long http, const nlohmann::json& body) {
  if (http >= 200 && http < 300) return false;
  const auto code = json_int(body, "code");
  const auto msg = json_text(body, "message");
  return code == 14 || code == 4 || msg.find("no leader") != std::string::npos ||
         msg.find("timed out") != std::string::npos ||
         msg.find("leader changed") != std::string::npos || http >= 500 || http == 429;
}

}  // namespace

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto v = (std::uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                   (std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kB64[(v >> s) & 63U];
  }
  if (i < in.size()) {
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(in[i])} << 16;
    if (i + 1 < in.size()) v |= std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
    out += kB64[(v >> 18) & 63U];
    out += kB64[(v >> 12) & 63U];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63U] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const auto pos = kB64.find(c);
    if (pos == std::string_view::npos) return make_error(errc::corrupt_record, "bad base64");
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFFU);
    }
  }
  return out;
}

std::int64_t json_int(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return 0;
  const auto it = obj.find(key);
  if (it == obj.end()) return 0;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (!it->is_string()) return 0;
  const auto& s = it->get_ref<const std::string&>();
  std::int64_t v = 0;
  // Lease IDs exceed 2^53 and may use the full 64 bits: parse as unsigned, keep the bits.
  std::uint64_t u = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return s.front() == '-' ? std::strtoll(s.c_str(), nullptr, 10) : 0;
    u = u * 10 + static_cast<std::uint64_t>(c - '0');
  }
  std::memcpy(&v, &u, sizeof v);
  return v;
}

const nlohmann::json& json_field(const nlohmann::json& obj, std::string_view key) {
  static const nlohmann::json null_value;
  if (!obj.is_object()) return null_value;
  const auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

bool json_true(const nlohmann::json& obj, std::string_view key) {
  const auto& v = json_field(obj, key);
  return v.is_boolean() && v.get<bool>();
}

std::string json_text(const nlohmann::json& obj, std::string_view key) {
  const auto& v = json_field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::string json_bytes(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  auto d = base64_decode(it->get_ref<const std::string&>());
  return d ? *d : std::string();
}

EtcdKv parse_kv(const nlohmann::json& kv) {
  return EtcdKv{json_bytes(kv, "key"), json_bytes(kv, "value"), json_int(kv, "create_revision"),
                json_int(kv, "lease")};
}

struct EtcdClient::Impl {
  std::vector<std::string> endpoints;
  std::size_t current = 0;
  CurlHandle curl;  // kept across calls: its connection cache gives us keep-alive
  std::unique_ptr<curl_slist, SlistFree> headers;

  void setup(CURL* c, const std::string& url, const std::string& body,
             std::chrono::milliseconds timeout) const {
    curl_api().easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_api().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_api().easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_api().easy_setopt(c, CURLOPT_NOPROXY, "*");  // a proxy must never stand between us and etcd
    curl_api().easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_api().easy_setopt(c, CURLOPT_COPYPOSTFIELDS, body.c_str());
    curl_api().easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_api().easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<std::int64_t>(timeout.count(), 1000)));
  }
};

EtcdClient::EtcdClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EtcdClient::EtcdClient(EtcdClient&&) noexcept = default;
EtcdClient& EtcdClient::operator=(EtcdClient&&) noexcept = default;
EtcdClient::~EtcdClient() = default;

Result<EtcdClient> EtcdClient::create(std::vector<std::string> endpoints) {
  if (endpoints.empty()) return make_error(errc::invalid_argument, "no etcd endpoint given");
  if (!curl_api().problem.empty()) return make_error(errc::backend_unavailable, curl_api().problem);
  auto impl = std::make_unique<Impl>();
  impl->endpoints = std::move(endpoints);
  impl->curl.reset(curl_api().easy_init());
  if (!impl->curl) return make_error(errc::backend_unavailable, "cannot initialise libcurl");
  impl->headers.reset(curl_api().slist_append(nullptr, "Content-Type: application/json"));
  return EtcdClient(std::move(impl));
}

std::string EtcdClient::endpoints_text() const {
  std::string out;
  for (const auto& e : impl_->endpoints) out += (out.empty() ? "" : ",") + e;
  return out;
}

Result<nlohmann::json> EtcdClient::call(std::string_view path, const nlohmann::json& body,
                                        EtcdClock::time_point deadline,
                                        std::chrono::milliseconds per_try) {
  const auto text = body.dump();
  std::string last_cause = "no try made";
  const auto n = impl_->endpoints.size();
  for (std::size_t k = 0; k < n && EtcdClock::now() < deadline; ++k) {
    const auto& ep = impl_->endpoints[impl_->current];
    std::string reply;
    CURL* c = impl_->curl.get();
    curl_api().easy_reset(c);
    impl_->setup(c, fmt::format("http://{}/v3/{}", ep, path), text,
                 std::min(per_try, left_until(deadline)));
    curl_api().easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
    curl_api().easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    const CURLcode rc = curl_api().easy_perform(c);
    long http = 0;
    curl_api().easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    auto j = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
    // Every reply of the gateway is a JSON object; anything else is not etcd talking.
    if (rc == CURLE_OK && j.is_object() && !member_unusable(http, j)) {
      if (http >= 200 && http < 300) return j;
      const auto msg = json_text(j, "message");
      return make_error(errc::backend_refused,
                        fmt::format("etcd {} {}: {}", ep, path,
                                    msg.empty() ? reply.substr(0, 200) : msg));
    }
    last_cause = rc != CURLE_OK ? std::string(curl_api().easy_strerror(rc))
                                : fmt::format("HTTP {}: {}", http, reply.substr(0, 200));
    impl_->current = (impl_->current + 1) % n;
  }
  return make_error(errc::backend_unavailable,
                    fmt::format("no etcd member answered at {} (last: {})", endpoints_text(),
                                last_cause));
}

Result<bool> EtcdClient::wait_for_delete(const std::string& key, std::int64_t start_revision,
                                         EtcdClock::time_point deadline) {
  const nlohmann::json body = {
      {"create_request",
       {{"key", base64_encode(key)}, {"start_revision", std::to_string(start_revision)}}}};
  const auto text = body.dump();
  std::string last_cause = "no try made";
  const auto n = impl_->endpoints.size();
  for (std::size_t k = 0; k < n && EtcdClock::now() < deadline; ++k) {
    // A stream ends by abort or timeout, which closes its connection: use a handle of its own.
    CurlHandle c(curl_api().easy_init());
    if (!c) return make_error(errc::backend_unavailable, "cannot initialise libcurl");
    const auto& ep = impl_->endpoints[impl_->current];
    WatchState st;
    impl_->setup(c.get(), fmt::format("http://{}/v3/watch", ep), text, left_until(deadline));
    curl_api().easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, watch_body);
    curl_api().easy_setopt(c.get(), CURLOPT_WRITEDATA, &st);
    const CURLcode rc = curl_api().easy_perform(c.get());
    if (st.deleted) return true;
    if (st.created && !st.failed) return false;  // stream ran until the deadline
    last_cause = st.failed ? "watch canceled" : curl_api().easy_strerror(rc);
    impl_->current = (impl_->current + 1) % n;
  }
  if (EtcdClock::now() >= deadline) return false;
  return make_error(errc::backend_unavailable,
                    fmt::format("no etcd member answered a watch at {} (last: {})",
                                endpoints_text(), last_cause));
}

}  // namespace ddsafe::detail

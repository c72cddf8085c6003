#pragma once

// Private: a minimal client for etcd's v3 JSON gateway (HTTP/1.1, libcurl). Never installed;
// libcurl and nlohmann stay out of the public headers.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ddsafe/result.hpp"

namespace ddsafe::detail {

using EtcdClock = std::chrono::steady_clock;

std::string base64_encode(std::string_view in);
/// nullopt-like empty result with ok=false on bad input.
Result<std::string> base64_decode(std::string_view in);

/// An int64 field that the gateway sends as a JSON string (or number); 0 when absent, since
/// proto3 omits zero values.
std::int64_t json_int(const nlohmann::json& obj, std::string_view key);
/// Field `key` of `obj`; a null value when `obj` is no object or lacks it. These accessors never
/// throw, whatever a (possibly hostile or non-etcd) server sent: nlohmann's value() does.
const nlohmann::json& json_field(const nlohmann::json& obj, std::string_view key);
/// True only when field `key` is the boolean true.
bool json_true(const nlohmann::json& obj, std::string_view key);
/// Field `key` when it is a string, else empty.
std::string json_text(const nlohmann::json& obj, std::string_view key);
/// A bytes field, base64-decoded; empty when absent or undecodable.
std::string json_bytes(const nlohmann::json& obj, std::string_view key);

/// One key as the gateway reports it.
struct EtcdKv {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t lease = 0;
};
EtcdKv parse_kv(const nlohmann::json& kv);

/// Endpoints tried in turn: a request that gets no answer (connection refused, timeout, or a
/// member without a leader) moves on to the next one. Not thread-safe.
class EtcdClient {
 public:
  static Result<EtcdClient> create(std::vector<std::string> endpoints);
  EtcdClient(EtcdClient&&) noexcept;
  EtcdClient& operator=(EtcdClient&&) noexcept;
  ~EtcdClient();

  /// POSTs `body` to /v3/<path>. Each try waits at most `per_try`, all of them together end by
  /// `deadline`. Fails with errc::backend_unavailable naming every endpoint when none answered;
  /// an error reply (gRPC code) of a member that answered is returned as errc::backend_refused
  /// with the server's message.
  Result<nlohmann::json> call(std::string_view path, const nlohmann::json& body,
                              EtcdClock::time_point deadline, std::chrono::milliseconds per_try);

  /// Watches `key` from `start_revision` until a DELETE event arrives (true) or `deadline`
  /// passes (false). Fails like call() when no endpoint answers.
  Result<bool> wait_for_delete(const std::string& key, std::int64_t start_revision,
                               EtcdClock::time_point deadline);

  [[nodiscard]] std::string endpoints_text() const;

 private:
  struct Impl;
  explicit EtcdClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ddsafe::detail

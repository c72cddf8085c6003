#include "ddsafe/lock.hpp"

#include <fmt/format.h>

namespace ddsafe {

Result<LockTarget> LockTarget::parse(std::string_view backend, std::string_view name) {
  if (backend.empty() || backend == "file") return LockTarget{std::filesystem::path(name)};
  auto etcd = parse_etcd_target(backend);
  if (!etcd) return std::move(etcd).error();
  if (name.empty() || name.find('/') != std::string_view::npos)
    return make_error(errc::invalid_argument,
                      fmt::format("etcd lock name '{}' must be one non-empty word without '/'",
                                  name));
  return LockTarget{Etcd{std::move(*etcd), std::string(name)}};
}

std::string LockTarget::describe() const {
  if (const auto* p = std::get_if<std::filesystem::path>(&where)) return p->string();
  const auto& e = std::get<Etcd>(where);
  return etcd_lock_key(e.target, e.name);
}

Result<Lock> Lock::acquire(const LockTarget& target, const LockOptions& options) {
  if (const auto* p = std::get_if<std::filesystem::path>(&target.where)) {
    auto l = FileLock::acquire(*p, options);
    if (!l) return std::move(l).error();
    return Lock(std::move(*l));
  }
  const auto& e = std::get<LockTarget::Etcd>(target.where);
  auto l = EtcdLock::acquire(e.target, e.name, options);
  if (!l) return std::move(l).error();
  return Lock(std::move(*l));
}

bool Lock::held() const noexcept {
  return std::visit([](const auto& l) { return l.held(); }, impl_);
}

std::uint64_t Lock::token() const noexcept {
  return std::visit([](const auto& l) { return l.token(); }, impl_);
}

std::string Lock::token_text() const {
  if (!held()) return {};
  if (const auto* e = std::get_if<EtcdLock>(&impl_))
    return fmt::format("{}:{}", e->cluster_id(), e->token());
  return std::to_string(token());
}

std::chrono::milliseconds Lock::waited() const noexcept {
  return std::visit([](const auto& l) { return l.waited(); }, impl_);
}

Result<void> Lock::renew() {
  return std::visit([](auto& l) { return l.renew(); }, impl_);
}

Result<void> Lock::verify() const {
  return std::visit([](const auto& l) { return l.verify(); }, impl_);
}

Result<void> Lock::release() {
  return std::visit([](auto& l) { return l.release(); }, impl_);
}

}  // namespace ddsafe

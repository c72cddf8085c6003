#include "ddsafe/error.hpp"

#include <cerrno>

#include <fmt/format.h>

namespace ddsafe {
namespace {

class DdsafeCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ddsafe"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::lock_busy: return "lock is held by another process";
      case errc::lock_timeout: return "timed out waiting for the lock";
      case errc::lock_held_by_self: return "lock is already held by this process";
      case errc::lock_lost: return "lock was lost";
      case errc::corrupt_record: return "unreadable record";
      case errc::not_a_regular_file: return "not a regular file";
      case errc::symlink_refused: return "is a symbolic link (refusing to follow it)";
      case errc::invalid_argument: return "invalid argument";
      case errc::empty_output_refused:
        return "refusing to replace a non-empty file with empty content";
      case errc::validation_failed: return "validation failed";
      case errc::fence_token_stale: return "fencing token is stale";
      case errc::not_durable: return "committed, but durability unknown";
      case errc::hard_link_refused: return "file has other hard links";
      case errc::liveness_source_failed: return "liveness source failed";
      case errc::path_escapes_root: return "path escapes the root";
      case errc::backend_unavailable: return "lock service unavailable";
      case errc::backend_refused: return "lock service refused the request";
    }
    return "unknown ddsafe error";
  }
};

}  // namespace

const std::error_category& ddsafe_category() noexcept {
  static const DdsafeCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), ddsafe_category()};
}

std::string Error::message() const {
  if (context.empty()) return code.message();
  return fmt::format("{}: {}", context, code.message());
}

Error sys_error(std::string_view op, const std::filesystem::path& path) {
  return sys_error(errno, op, path);
}

Error sys_error(int errnum, std::string_view op, const std::filesystem::path& path) {
  auto context = path.empty() ? std::string(op) : fmt::format("{} '{}'", op, path.string());
  return Error{std::error_code(errnum, std::generic_category()), std::move(context)};
}

Error make_error(errc code, std::string context) {
  return Error{make_error_code(code), std::move(context)};
}

}  // namespace ddsafe

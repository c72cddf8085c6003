// std::regex for --live-regex, kept in its own translation unit: GCC 12 reports false
// -Wmaybe-uninitialized warnings inside libstdc++'s regex automaton (std::function moved out of
// a half-built _State) when built with sanitizers. The warning is silenced here only, for the
// code of <regex>; the rest of the library keeps it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <memory>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "gc_internal.hpp"

namespace ddsafe::gc::detail {

struct IdRegex::Impl {
  std::regex re;
};

IdRegex::IdRegex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IdRegex::IdRegex(IdRegex&&) noexcept = default;
IdRegex::~IdRegex() = default;

Result<IdRegex> IdRegex::compile(const std::string& regex) {
  try {
    auto impl = std::make_unique<Impl>(Impl{std::regex(regex, std::regex::ECMAScript)});
    return IdRegex(std::move(impl));
  } catch (const std::regex_error& e) {  // dependency seam: std::regex reports by throwing
    return make_error(errc::invalid_argument,
                      fmt::format("invalid --live-regex '{}': {}", regex, e.what()));
  }
}

Result<IdRegex::Match> IdRegex::search(std::string_view line) const {
  std::match_results<std::string_view::const_iterator> m;
  try {
    if (!std::regex_search(line.begin(), line.end(), m, impl_->re)) return Match{};
  } catch (const std::regex_error& e) {  // dependency seam: error_complexity, error_stack
    return make_error(errc::liveness_source_failed,
                      fmt::format("std::regex gave up on the line: {}", e.what()));
  }
  const auto& g = m.size() > 1 ? m[1] : m[0];
  if (m.size() > 1 && !g.matched) return Match{true, std::nullopt};
  return Match{true, g.str()};
}

}  // namespace ddsafe::gc::detail

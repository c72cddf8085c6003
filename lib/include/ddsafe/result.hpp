#pragma once

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

#include "ddsafe/error.hpp"

namespace ddsafe {

/// Either a value or an Error, with std::expected's names. Must be checked before use.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT(implicit)
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(value()); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T& value() & {
    assert(has_value() && "Result::value() on an error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value() && "Result::value() on an error");
    return std::get<0>(v_);
  }
  const Error& error() const& {
    assert(!has_value() && "Result::error() on a value");
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!has_value() && "Result::error() on a value");
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(implicit)

  [[nodiscard]] bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  const Error& error() const& {
    assert(error_ && "Result::error() on a value");
    return *error_;
  }
  Error&& error() && {
    assert(error_ && "Result::error() on a value");
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

}  // namespace ddsafe

// Names of an enum's values kept in one table, indexed by the value, that
// both directions read: EnumName (value -> name) and EnumFromName (name ->
// value). An empty entry is a value without a name (an "unset" 0, or a gap).
#pragma once

#include <cstddef>
#include <string_view>

namespace ccl::events {

// The name of `value` in `names`; `unknown` for a value past the table's end
// or without a name.
template <typename Enum, size_t N>
constexpr std::string_view EnumName(const std::string_view (&names)[N], Enum value,
                                    std::string_view unknown = {}) {
  const auto i = static_cast<size_t>(value);
  return i < N && !names[i].empty() ? names[i] : unknown;
}

// Sets *out to the value named `name` and returns true; false (and *out
// untouched) for a name not in the table or an empty one. Linear search:
// the tables hold a few dozen short names at most.
template <typename Enum, size_t N>
constexpr bool EnumFromName(const std::string_view (&names)[N], std::string_view name, Enum* out) {
  if (name.empty()) return false;
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      *out = static_cast<Enum>(i);
      return true;
    }
  }
  return false;
}

}  // namespace ccl::events

// The query string of a request, parsed strictly: each parameter at most
// once, only the names the route accepts, numbers as plain decimals within a
// stated maximum. Every failure is an ApiError naming the parameter.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tools/access/api_error.h"

namespace ccl::ledgerd {

// A percent-decoded query string (without the '?').
class Query {
 public:
  // Parses `raw` ("a=1&b=x%20y"; '+' is a space). 400 for a parameter
  // given twice, one not in `allowed`, one with an empty value, a malformed
  // %-escape, or a name or value holding a control character after
  // decoding.
  [[nodiscard]] static std::optional<ApiError> Parse(std::string_view raw,
                                                     std::span<const std::string_view> allowed,
                                                     Query* out);

  bool Has(std::string_view name) const { return values_.count(name) != 0; }
  // The value, or "" when absent.
  std::string_view Get(std::string_view name) const;

  // A whole number 0..max (absent: `fallback`). 400 naming the parameter
  // for anything but 1-20 ASCII digits or a value over `max`.
  [[nodiscard]] std::optional<ApiError> Number(std::string_view name, uint64_t fallback,
                                               uint64_t max, uint64_t* out) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// A decimal number of a path segment or parameter: 1-20 ASCII digits that
// fit in uint64_t. False otherwise.
bool ParseDecimal(std::string_view text, uint64_t* out);

}  // namespace ccl::ledgerd

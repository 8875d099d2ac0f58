#include "tools/server/query.h"

#include <algorithm>
#include <cassert>
#include <charconv>

#include "events/base/quote.h"
#include "events/model/uuid.h"

namespace ccl::ledgerd {
namespace {

// Percent-decoding; false on a malformed escape or a control character.
bool Decode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = events::HexDigitValue(in[i + 1]);
      const int lo = events::HexDigitValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    *out += c;
  }
  return true;
}

}  // namespace

bool ParseDecimal(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::optional<ApiError> Query::Parse(std::string_view raw,
                                     std::span<const std::string_view> allowed, Query* out) {
  out->values_.clear();
  while (!raw.empty()) {
    const size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw.remove_prefix(amp == std::string_view::npos ? raw.size() : amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    // A pair without a name is named by the whole pair, before its value is
    // looked at: every refusal names something.
    if (eq == 0) return BadParameter(events::EscapeForMessage(pair), "a parameter without a name");
    std::string name, value;
    if (!Decode(pair.substr(0, eq), &name) ||
        !Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), &value)) {
      return BadParameter(events::EscapeForMessage(pair.substr(0, eq)),
                          "malformed %-escape or a control character");
    }
    assert(!name.empty());  // a non-empty name decodes to at least one character
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return BadParameter(events::EscapeForMessage(name), "not a parameter of this route");
    }
    // An empty value would read as "not given" to most routes (`contract=`:
    // every contract): leave the parameter out instead.
    if (value.empty())
      return BadParameter(name, "must not be empty (leave the parameter out instead)");
    if (!out->values_.emplace(name, std::move(value)).second) {
      return BadParameter(name, "given twice");
    }
  }
  return std::nullopt;
}

std::string_view Query::Get(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<ApiError> Query::Number(std::string_view name, uint64_t fallback, uint64_t max,
                                      uint64_t* out) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    *out = fallback;
    return std::nullopt;
  }
  uint64_t v = 0;
  if (!ParseDecimal(it->second, &v) || v > max) {
    return BadParameter(name, "must be a whole number 0.." + std::to_string(max) + ", got " +
                                  events::QuoteForMessage(it->second));
  }
  *out = v;
  return std::nullopt;
}

}  // namespace ccl::ledgerd

#include "events/quote.h"

namespace ccl::events {

std::string QuoteForMessage(std::string_view s) {
  static constexpr size_t kShownBytesMax = 64;
  static constexpr char kHex[] = "0123456789abcdef";
  const bool cut = s.size() > kShownBytesMax;
  if (cut) s = s.substr(0, kShownBytesMax);
  std::string out;
  out.reserve(s.size() + 8);
  out.push_back('\'');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('\'');
  if (cut) out += "...";
  return out;
}

}  // namespace ccl::events

#include "events/base/quote.h"

#include "events/base/hex.h"
#include "events/base/limits.h"

namespace ccl::events {

namespace {

constexpr size_t kShownBytesMax = limits::kEchoedInputBytesMax;

// Appends the first kShownBytesMax bytes of s, escaped; true if s was cut.
bool AppendEscaped(std::string_view s, std::string* out) {
  const bool cut = s.size() > kShownBytesMax;
  if (cut) s = s.substr(0, kShownBytesMax);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
      *out += "\\x";
      AppendHexByte(c, out);
    } else {
      out->push_back(ch);
    }
  }
  return cut;
}

// What follows a cut: the size of the whole input.
void AppendCutNote(size_t size_bytes, std::string* out) {
  *out += "... (";
  *out += std::to_string(size_bytes);
  *out += " bytes)";
}

}  // namespace

std::string_view Utf8Prefix(std::string_view s, size_t bytes_max) {
  if (s.size() <= bytes_max) return s;
  size_t cut = bytes_max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

std::string QuoteForMessage(std::string_view s) {
  std::string out = "'";
  const bool cut = AppendEscaped(s, &out);
  out.push_back('\'');
  if (cut) AppendCutNote(s.size(), &out);
  return out;
}

std::string EscapeForMessage(std::string_view s) {
  std::string out;
  if (AppendEscaped(s, &out)) AppendCutNote(s.size(), &out);
  return out;
}

}  // namespace ccl::events

// HTML escaping (tools/report/html.h).
#include "tools/report/html.h"

#include <cstdint>
#include <utility>

namespace ccl::report {

namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no
// overlongs, no surrogates, at most U+10FFFF).
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  size_t n;
  uint8_t lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xbf) return 0;
  }
  return n;
}

// What an ASCII byte becomes: its entity for the five characters markup
// gives a meaning, U+FFFD for a control character other than tab, newline
// and carriage return, else "" (the byte itself).
std::string_view AsciiEscape(uint8_t c) {
  constexpr std::pair<char, std::string_view> kEntities[] = {
      {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
  for (const auto& [ch, entity] : kEntities) {
    if (c == static_cast<uint8_t>(ch)) return entity;
  }
  const bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
  return control ? kReplacement : std::string_view();
}

// The bidirectional embeddings, overrides and isolates (U+202A..U+202E,
// U+2066..U+2069): one left open in an event's text would reorder the
// report's own text after it ("term 2026-01-01" shown reversed). The marks
// U+200E and U+200F, which reorder nothing beyond themselves, stay.
bool IsBidiControl(std::string_view utf8) {
  if (utf8.size() != 3 || static_cast<uint8_t>(utf8[0]) != 0xE2) return false;
  const auto b1 = static_cast<uint8_t>(utf8[1]), b2 = static_cast<uint8_t>(utf8[2]);
  return (b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
}

}  // namespace

void AppendEscaped(std::string_view text, std::string* out) {
  out->reserve(out->size() + text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x80) {
      const size_t n = Utf8Length(text, i);
      if (n == 0) {
        out->append(kReplacement);
        ++i;
      } else if (IsBidiControl(text.substr(i, n))) {
        out->append(kReplacement);
        i += n;
      } else {
        out->append(text.data() + i, n);
        i += n;
      }
      continue;
    }
    const std::string_view escaped = AsciiEscape(c);
    if (escaped.empty()) {
      out->push_back(static_cast<char>(c));
    } else {
      out->append(escaped);
    }
    ++i;
  }
}

std::string Escaped(std::string_view text) {
  std::string out;
  AppendEscaped(text, &out);
  return out;
}

bool OpenSection(std::string_view opening, bool empty, std::string_view empty_text,
                 std::string* out) {
  out->append(opening);
  if (!empty) return true;
  out->append("<p class=\"empty\">");
  out->append(empty_text);
  out->append("</p></section>");
  return false;
}

}  // namespace ccl::report

// Numbers and text for people (events/base/display.h).
#include "events/base/display.h"

#include <algorithm>
#include <iterator>

#include "events/base/csv_cell.h"
#include "events/base/quote.h"

namespace ccl::events {

namespace {

uint64_t Magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

std::string Signed(int64_t v, std::string body) { return v < 0 ? "-" + body : body; }

std::string TwoDigits(uint64_t v) {
  std::string s = std::to_string(v);
  return v < 10 ? "0" + s : s;
}

struct Range {
  char32_t first;
  char32_t last;
};

// Zero-width code points: combining marks (general categories Mn, Me of the
// main scripts), zero-width spaces and joiners, variation selectors.
constexpr Range kZeroWidth[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5},   {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC},   {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0900, 0x0902},
    {0x093A, 0x093A},   {0x093C, 0x093C}, {0x0941, 0x0948}, {0x094D, 0x094D}, {0x0951, 0x0957},
    {0x0E31, 0x0E31},   {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1160, 0x11FF}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF},   {0x200B, 0x200F}, {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF},
    {0x302A, 0x302D},   {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
    {0xE0100, 0xE01EF},
};

// East Asian Wide (W) and Fullwidth (F) blocks.
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x2614, 0x2615},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

bool In(const Range* begin, const Range* end, char32_t c) {
  const Range* it =
      std::upper_bound(begin, end, c, [](char32_t v, const Range& r) { return v < r.first; });
  return it != begin && c <= (it - 1)->last;
}

// Decodes the code point at s[*i] and advances *i; an invalid byte is one
// code point U+FFFD (width 1).
char32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  const size_t n = b0 < 0x80         ? 1
                   : (b0 >> 5) == 6  ? 2
                   : (b0 >> 4) == 14 ? 3
                   : (b0 >> 3) == 30 ? 4
                                     : 0;
  if (n == 0 || *i + n > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  char32_t c = n == 1 ? b0 : b0 & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[*i + k]);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    c = (c << 6) | (b & 0x3F);
  }
  *i += n;
  return c;
}

// The bidirectional formatting characters (Unicode's Bidi_Control: marks,
// embeddings, overrides, isolates) and the line and paragraph separators: shown
// raw, they reorder or break what follows them on a line (an amount, a name).
bool ReordersText(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

constexpr char kLowerHex[] = "0123456789abcdef";

}  // namespace

std::string FormatThousands(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string FormatSignedThousands(int64_t n) { return Signed(n, FormatThousands(Magnitude(n))); }

std::string FormatHoursMinutes(int64_t minutes) {
  const uint64_t mag = Magnitude(minutes);
  return Signed(minutes, FormatThousands(mag / 60) + ":" + TwoDigits(mag % 60));
}

std::string FormatDuration(int64_t seconds) {
  const uint64_t mag = Magnitude(seconds);
  return Signed(seconds, FormatThousands(mag / 3600) + ":" + TwoDigits(mag / 60 % 60) + ":" +
                             TwoDigits(mag % 60));
}

std::string FormatBasisPoints(int64_t bp) {
  const uint64_t mag = Magnitude(bp);
  return Signed(bp, FormatThousands(mag / 100) + "." + TwoDigits(mag % 100) + "%");
}

size_t DisplayWidth(std::string_view utf8) {
  size_t width = 0;
  for (size_t i = 0; i < utf8.size();) {
    const char32_t c = NextCodePoint(utf8, &i);
    if (c >= 0x300 && In(std::begin(kZeroWidth), std::end(kZeroWidth), c)) continue;
    width += c >= 0x1100 && In(std::begin(kWide), std::end(kWide), c) ? 2 : 1;
  }
  return width;
}

std::string TerminalText(std::string_view text) {
  bool reorders = false;
  for (size_t i = 0; i < text.size() && !reorders;)
    reorders = ReordersText(NextCodePoint(text, &i));
  if (!reorders && !HasControlCharacter(text)) return std::string(text);
  std::string escaped;
  AppendJsonStringBody(text, /*escape_del_c1=*/true, &escaped);
  if (!reorders) return escaped;
  std::string shown;
  for (size_t i = 0, run = 0; i < escaped.size(); run = i) {
    const char32_t c = NextCodePoint(escaped, &i);
    if (!ReordersText(c)) {
      shown.append(escaped, run, i - run);
      continue;
    }
    const char esc[6] = {'\\',
                         'u',
                         kLowerHex[c >> 12],
                         kLowerHex[(c >> 8) & 0xf],
                         kLowerHex[(c >> 4) & 0xf],
                         kLowerHex[c & 0xf]};
    shown.append(esc, sizeof(esc));
  }
  return shown;
}

std::string LineField(std::string_view text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\';
  });
  return plain ? std::string(text) : QuoteForMessage(text);
}

}  // namespace ccl::events

// Numbers and text for people (tables, the HTML report, progress and
// summaries): the one formatter of each kind, so every output shows a figure
// the same way. Machine formats (CSV, JSON) carry plain integers instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ccl::events {

// 1234567 -> "1,234,567" (every integer shown to people is grouped so).
std::string FormatThousands(uint64_t n);
// The same with a sign: -1234 -> "-1,234"; INT64_MIN prints exactly.
std::string FormatSignedThousands(int64_t n);

// Minutes as "h:mm", hours grouped: 65 -> "1:05", 130800 -> "2,180:00",
// -750 -> "-12:30".
std::string FormatHoursMinutes(int64_t minutes);

// Seconds as "h:mm:ss", hours grouped: 90061 -> "25:01:01" (durations such
// as time to resolve; never "1 d ...", so columns compare at a glance).
std::string FormatDuration(int64_t seconds);

// Basis points as a percentage with two decimals: 1234 -> "12.34%",
// -5 -> "-0.05%".
std::string FormatBasisPoints(int64_t bp);

// Columns `utf8` takes in a terminal: 2 for East Asian Wide and Fullwidth
// characters (CJK ideographs, kana, Hangul syllables, fullwidth forms, most
// emoji), 0 for combining marks, zero-width characters and variation
// selectors, 1 for everything else. Bytes that are not valid UTF-8 count 1
// each (the ledger stores valid UTF-8 only).
size_t DisplayWidth(std::string_view utf8);

// Text from the ledger as a table for people shows it: unchanged unless it
// holds a control character (HasControlCharacter: C0, DEL, C1), a
// bidirectional formatting character (U+061C, U+200E, U+200F, U+202A..U+202E,
// U+2066..U+2069) or a line or paragraph separator (U+2028, U+2029), then
// escaped as the inside of a JSON string (AppendJsonStringBody; those code
// points as \uXXXX), so no byte of it can drive the terminal (an ESC or CSI
// sequence could rewrite the screen) or reorder the rest of its line.
std::string TerminalText(std::string_view text);

// Untrusted text (a request's target, a certificate's CN) as one field of a
// line of space-separated fields for people (the access-log table, the text
// server log): as it is when it is printable ASCII other than space, `"`,
// `'` and `\`, else QuoteForMessage(text), so that it reads as one field, and
// no byte of it (invalid UTF-8, a bidirectional override, a line separator, a
// control character) reaches the reader raw.
std::string LineField(std::string_view text);

}  // namespace ccl::events

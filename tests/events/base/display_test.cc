// Numbers and text for people: grouping, h:mm, h:mm:ss, percentages and the
// display width that table alignment uses.
#include "events/base/display.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "events/base/quote.h"

namespace ccl::events {
namespace {

class DisplayTest : public ::testing::Test {};

TEST_F(DisplayTest, Thousands) {
  EXPECT_EQ(FormatThousands(0), "0");
  EXPECT_EQ(FormatThousands(999), "999");
  EXPECT_EQ(FormatThousands(1000), "1,000");
  EXPECT_EQ(FormatThousands(1'234'567), "1,234,567");
  EXPECT_EQ(FormatThousands(UINT64_MAX), "18,446,744,073,709,551,615");
  EXPECT_EQ(FormatSignedThousands(-1234), "-1,234");
  EXPECT_EQ(FormatSignedThousands(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST_F(DisplayTest, FormatHoursMinutes) {
  EXPECT_EQ(FormatHoursMinutes(0), "0:00");
  EXPECT_EQ(FormatHoursMinutes(65), "1:05");
  EXPECT_EQ(FormatHoursMinutes(-750), "-12:30");
  EXPECT_EQ(FormatHoursMinutes(6'000), "100:00");
  EXPECT_EQ(FormatHoursMinutes(-5), "-0:05");
  // Hours are grouped like every other number people read.
  EXPECT_EQ(FormatHoursMinutes(2180 * 60), "2,180:00");
  EXPECT_EQ(FormatHoursMinutes(-(1'234'567 * 60 + 9)), "-1,234,567:09");
  EXPECT_EQ(FormatHoursMinutes(INT64_MIN), "-153,722,867,280,912,930:08");
}

TEST_F(DisplayTest, DurationIsHoursMinutesSeconds) {
  EXPECT_EQ(FormatDuration(0), "0:00:00");
  EXPECT_EQ(FormatDuration(86'400), "24:00:00");
  EXPECT_EQ(FormatDuration(90'061), "25:01:01");
  EXPECT_EQ(FormatDuration(3600 * 1234 + 5), "1,234:00:05");
}

TEST_F(DisplayTest, BasisPoints) {
  EXPECT_EQ(FormatBasisPoints(1234), "12.34%");
  EXPECT_EQ(FormatBasisPoints(-5), "-0.05%");
  EXPECT_EQ(FormatBasisPoints(10'000), "100.00%");
  EXPECT_EQ(FormatBasisPoints(-1'234'567), "-12,345.67%");
}

TEST_F(DisplayTest, DisplayWidth) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("Acme"), 4u);
  EXPECT_EQ(DisplayWidth("Ministère"), 9u);         // precomposed è
  EXPECT_EQ(DisplayWidth("Cafe\xcc\x81"), 4u);      // e + combining acute
  EXPECT_EQ(DisplayWidth("株式会社"), 8u);          // CJK ideographs
  EXPECT_EQ(DisplayWidth("テスト"), 6u);            // katakana
  EXPECT_EQ(DisplayWidth("ﾃｽﾄ"), 3u);               // halfwidth katakana
  EXPECT_EQ(DisplayWidth("한국"), 4u);              // Hangul syllables
  EXPECT_EQ(DisplayWidth("ＡＢ"), 4u);              // fullwidth Latin
  EXPECT_EQ(DisplayWidth("\xF0\x9F\x98\x80"), 2u);  // U+1F600 emoji
  EXPECT_EQ(DisplayWidth("a\xE2\x80\x8B"
                         "b"),
            2u);                                    // zero-width space
  EXPECT_EQ(DisplayWidth("\xF0\xA0\x80\x80"), 2u);  // U+20000, CJK extension B
  EXPECT_EQ(DisplayWidth("\xFF\xFE"), 2u);          // invalid bytes: one each
  EXPECT_EQ(DisplayWidth("\xE4\xB8"), 2u);          // truncated sequence
}

TEST_F(DisplayTest, LineFieldIsOneFieldOfPrintableAscii) {
  EXPECT_EQ(LineField("reader"), "reader");
  EXPECT_EQ(LineField("/v1/events/{seq}"), "/v1/events/{seq}");
  EXPECT_EQ(LineField(""), "''");
  EXPECT_EQ(LineField("x\" 200 1 1ms"), "'x\" 200 1 1ms'");  // a forged line end: one field
  EXPECT_EQ(LineField("it's"), "'it\\x27s'");
  EXPECT_EQ(LineField("a\\b"), "'a\\x5cb'");
  EXPECT_EQ(LineField("\xff\xfe"), "'\\xff\\xfe'");  // invalid UTF-8
  EXPECT_EQ(LineField("a\xe2\x80\xae"
                      "b"),
            "'a\\xe2\\x80\\xaeb'");  // U+202E override
  EXPECT_EQ(LineField("a\xe2\x80\xa8"
                      "b"),
            "'a\\xe2\\x80\\xa8b'");  // U+2028 line separator
  EXPECT_EQ(LineField("a\x1b[2Jb"), "'a\\x1b[2Jb'");
}

// A table cell keeps text as it is unless a byte of it would drive the
// terminal or reorder the rest of the line (an amount after a customer name
// holding U+202E would print right to left).
TEST_F(DisplayTest, TerminalTextEscapesControlsAndBidiFormattingOnly) {
  EXPECT_EQ(TerminalText("Département \"Nord\" \xe6\x9d\xb1"), "Département \"Nord\" \xe6\x9d\xb1");
  EXPECT_EQ(TerminalText("a\x1b[2Jb"), "a\\u001b[2Jb");
  EXPECT_EQ(TerminalText("a\xe2\x80\xae"
                         "b"),
            "a\\u202eb");                                                   // U+202E override
  EXPECT_EQ(TerminalText("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");  // an isolate
  EXPECT_EQ(TerminalText("a\xe2\x80\xa8"
                         "b\""),
            "a\\u2028b\\\"");  // U+2028, and the JSON escapes with it
  EXPECT_EQ(TerminalText("\xd8\x9c\xe2\x80\x8f"), "\\u061c\\u200f");  // marks
  EXPECT_EQ(TerminalText("\xe2\x80\x8b"), "\xe2\x80\x8b");  // a zero-width space: no reordering
}

}  // namespace
}  // namespace ccl::events

namespace ccl::events {
namespace {

TEST(Utf8PrefixTest, CutsAtALimitWithoutSplittingASequence) {
  EXPECT_EQ(Utf8Prefix("abc", 5), "abc");
  EXPECT_EQ(Utf8Prefix("abc", 2), "ab");
  const std::string text = "a\xc3\xa9\xe2\x82\xac";  // a, é (2 bytes), € (3 bytes)
  EXPECT_EQ(Utf8Prefix(text, 6), text);
  EXPECT_EQ(Utf8Prefix(text, 5), "a\xc3\xa9");
  EXPECT_EQ(Utf8Prefix(text, 4), "a\xc3\xa9");
  EXPECT_EQ(Utf8Prefix(text, 3), "a\xc3\xa9");
  EXPECT_EQ(Utf8Prefix(text, 2), "a");
  EXPECT_EQ(Utf8Prefix(text, 0), "");
}

}  // namespace
}  // namespace ccl::events

// Dates and instants: the calendar, RFC 3339 forms, ranges and formatting.
#include <gtest/gtest.h>

#include "events/base/time_format.h"

namespace ccl::events {
namespace {

class TimeTest : public ::testing::Test {
 protected:
  // A parser of dates or instants: ParseDate or ParseInstant.
  template <typename T>
  using Parser = Status (*)(std::string_view, T*);

  // What `parse` makes of `text`, which it must accept.
  template <typename T>
  static T Parsed(Parser<T> parse, std::string_view text) {
    T value = -999;
    const Status s = parse(text, &value);
    EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
    return value;
  }
  // The message of `parse`'s refusal of `text` (InvalidArgument).
  template <typename T>
  static std::string Refusal(Parser<T> parse, std::string_view text) {
    T value = 0;
    const Status s = parse(text, &value);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    return s.message();
  }

  static int32_t Day(std::string_view text) { return Parsed<int32_t>(ParseDate, text); }
  static std::string DateError(std::string_view text) { return Refusal<int32_t>(ParseDate, text); }
  static int64_t Ns(std::string_view text) { return Parsed<int64_t>(ParseInstant, text); }
  static std::string InstantError(std::string_view text) {
    return Refusal<int64_t>(ParseInstant, text);
  }
};

TEST_F(TimeTest, ParsesDates) {
  EXPECT_EQ(Day("1970-01-01"), 0);
  EXPECT_EQ(Day("2026-01-01"), 20'454);
  EXPECT_EQ(Day("2024-02-29"), 19'782);  // leap year
  EXPECT_EQ(Day("2000-02-29"), 11'016);  // divisible by 400
  EXPECT_EQ(Day("2199-12-31"), MaxDay());
}

TEST_F(TimeTest, RejectsImpossibleDates) {
  for (const std::string bad : {"2026-02-30", "2025-02-29", "2100-02-29" /* not leap */,
                                "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00"}) {
    EXPECT_EQ(DateError(bad), "not a calendar date: '" + bad + "'");
  }
  for (const std::string bad : {"1969-12-31", "2200-01-01"}) {
    EXPECT_EQ(DateError(bad), "year must be 1970..2199, got '" + bad + "'");
  }
  for (const char* bad : {"2026-1-01", "2026/01/01", "20260101", "2026-01-01T00:00:00Z",
                          " 2026-01-01", "2026-01-0a", "", "+026-01-01"}) {
    EXPECT_NE(DateError(bad).find("must be a date YYYY-MM-DD"), std::string::npos) << bad;
  }
}

TEST_F(TimeTest, FormatsDates) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(20'818), "2026-12-31");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatMonth(20'818), "2026-12");
  EXPECT_EQ(MonthIndexOf(20'818), 2026 * 12 + 11);
  EXPECT_EQ(MonthIndexOf(0), 1970 * 12);
  // Every day of the accepted range round-trips through text.
  for (int32_t d = MinDay(); d <= MaxDay(); d += 1) {
    int32_t back = -1;
    ASSERT_TRUE(ParseDate(FormatDate(d), &back).ok()) << d;
    ASSERT_EQ(back, d);
  }
  // Corrupt values still print (for error messages).
  EXPECT_FALSE(FormatDate(INT32_MAX).empty());
  EXPECT_FALSE(FormatDate(INT32_MIN).empty());
}

TEST_F(TimeTest, ParsesInstants) {
  EXPECT_EQ(Ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Ns("1970-01-01"), 0);
  EXPECT_EQ(Ns("2026-03-31"), int64_t{20'543} * kNsPerDay);
  EXPECT_EQ(Ns("2026-03-31T14:05:00Z"),
            (int64_t{20'543} * 86'400 + 14 * 3600 + 5 * 60) * kNsPerSecond);
  EXPECT_EQ(Ns("2026-03-31T14:05:00+00:00"), Ns("2026-03-31T14:05:00Z"));
  EXPECT_EQ(Ns("1970-01-01T00:00:00.5Z"), 500'000'000);
  EXPECT_EQ(Ns("1970-01-01T00:00:00.000000001Z"), 1);
  EXPECT_EQ(Ns("2199-12-31T23:59:59.999999999Z"), MaxInstantNs());
}

TEST_F(TimeTest, RejectsBadInstants) {
  EXPECT_EQ(InstantError("2026-03-31T14:05:00+02:00"),
            "must be in UTC (Z or +00:00), got '2026-03-31T14:05:00+02:00'");
  EXPECT_EQ(InstantError("2026-02-30T00:00:00Z"), "not a calendar date: '2026-02-30T00:00:00Z'");
  EXPECT_EQ(InstantError("2026-03-31T24:00:00Z"),
            "not a valid time of day: '2026-03-31T24:00:00Z'");
  EXPECT_EQ(InstantError("2026-03-31T23:59:60Z"),
            "not a valid time of day: '2026-03-31T23:59:60Z'");
  EXPECT_EQ(InstantError("2026-03-31T23:60:00Z"),
            "not a valid time of day: '2026-03-31T23:60:00Z'");
  EXPECT_EQ(InstantError("2026-03-31T00:00:00.1234567890Z"),
            "fraction of a second must have 1..9 digits, got '2026-03-31T00:00:00.1234567890Z'");
  for (const char* bad :
       {"2026-03-31T14:05Z", "2026-03-31 14:05:00Z", "2026-03-31T14:05:00", "2026-03-31T14:05:00.Z",
        "2026-03-31T14:05:00z", "2026-03-31T14:05:00ZZ", "2026-03-31T14:05:00+0000", "now"}) {
    EXPECT_NE(InstantError(bad).find("must be an RFC 3339 UTC time"), std::string::npos) << bad;
  }
  EXPECT_EQ(InstantError("1969-12-31T23:59:59Z"),
            "year must be 1970..2199, got '1969-12-31T23:59:59Z'");
}

TEST_F(TimeTest, FormatsInstants) {
  EXPECT_EQ(FormatInstant(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatInstant(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(FormatInstant(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(FormatInstantNs(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatInstantNs(Ns("2026-03-31T14:05:00.123Z")), "2026-03-31T14:05:00.123000000Z");
  EXPECT_EQ(FormatInstant(MaxInstantNs()), "2199-12-31T23:59:59.999999999Z");
  for (const char* text : {"2026-03-31T14:05:00Z", "2024-02-29T23:59:59.000000001Z",
                           "2000-01-01T12:00:00.100000000Z"}) {
    EXPECT_EQ(FormatInstant(Ns(text)), text);
  }
  std::string s = "x";
  AppendInstantNs(5, &s);
  EXPECT_EQ(s, "x1970-01-01T00:00:00.000000005Z");
  EXPECT_FALSE(FormatInstant(INT64_MIN).empty());
  EXPECT_FALSE(FormatInstant(INT64_MAX).empty());
}

TEST_F(TimeTest, AddsYearsToTheSameMonthAndDayAndFebruary29ToMarch1) {
  EXPECT_EQ(AddYearsToDay(Day("2025-12-31"), 3), Day("2028-12-31"));
  EXPECT_EQ(AddYearsToDay(Day("2024-02-28"), 3), Day("2027-02-28"));
  EXPECT_EQ(AddYearsToDay(Day("2024-02-29"), 3), Day("2027-03-01"));
  EXPECT_EQ(AddYearsToDay(Day("2024-02-29"), 4), Day("2028-02-29"));
  EXPECT_EQ(AddYearsToDay(Day("2096-02-29"), 4), Day("2100-03-01"));  // not leap
  EXPECT_EQ(AddYearsToDay(Day("2024-03-01"), 0), Day("2024-03-01"));
}

TEST_F(TimeTest, DayOfFloors) {
  EXPECT_EQ(DayOf(0), 0);
  EXPECT_EQ(DayOf(kNsPerDay - 1), 0);
  EXPECT_EQ(DayOf(kNsPerDay), 1);
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(DayOf(-kNsPerDay), -1);
}

}  // namespace
}  // namespace ccl::events

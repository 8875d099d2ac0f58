// Dates and instants in UTC, on the C++20 chrono calendar. No time zones: the
// ledger is UTC throughout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/base/status.h"

namespace ccl::events {

inline constexpr int64_t kNsPerSecond = 1'000'000'000;
inline constexpr int64_t kNsPerDay = 86'400 * kNsPerSecond;

// "2026-03-31" -> days since 1970-01-01. Rejects impossible dates (2026-02-30)
// and years outside [limits::kYearMin, limits::kYearMax]. Message names no field;
// callers add it.
Status ParseDate(std::string_view text, int32_t* days);
std::string FormatDate(int32_t days);  // "2026-03-31"

// RFC 3339 in UTC: "2026-03-31T14:05:00Z", fraction of 1..9 digits allowed,
// "Z" or "+00:00"; a bare date means 00:00:00Z. -> ns since epoch.
Status ParseInstant(std::string_view text, int64_t* ns);
// Canonical: "2026-03-31T14:05:00Z" when whole seconds, else 9 fraction digits.
std::string FormatInstant(int64_t ns);
// Always 9 fraction digits: "2026-03-31T14:05:00.123456789Z" (recorded_at).
std::string FormatInstantNs(int64_t ns);

// Floor division of ns to days since epoch (works for negative values).
int32_t DayOf(int64_t ns);
// "YYYY-MM" of the day.
std::string FormatMonth(int32_t days);
// Year * 12 + month - 1: a sortable month number.
int32_t MonthIndexOf(int32_t days);

// Month numbers (MonthIndexOf) of the form "YYYY-MM", a year kYearMin..kYearMax:
// the `period` of a PeriodClosed. Message names no field; callers add it.
Status ParseMonth(std::string_view text, int32_t* month_index);
std::string FormatMonthIndex(int32_t month_index);  // "2026-03"
// First day of the month (days since 1970-01-01); the month's last instant is
// the next month's first day minus 1 ns. REQUIRES: a month of kYearMin..kYearMax
int32_t FirstDayOfMonthIndex(int32_t month_index);
int64_t LastInstantOfMonthIndexNs(int32_t month_index);
// The month numbers of kYearMin-01 and kYearMax-12.
int32_t MinMonthIndex();
int32_t MaxMonthIndex();

// The same month and day `years` later; 29 February becomes 1 March in a
// common year (a period of years runs to the day after, as legal retention
// periods do); MaxDay() when that is after it. REQUIRES: 0 <= years <= 10000
int32_t AddYearsToDay(int32_t days, int years);

// Allocation-free forms of the Format* functions above for hot output loops
// (JSON/CSV export): append the same text to *out.
void AppendDate(int32_t days, std::string* out);
void AppendInstant(int64_t ns, std::string* out);
void AppendInstantNs(int64_t ns, std::string* out);

// First and last day (days since epoch) and first and last instant (ns) that
// ParseDate/ParseInstant accept: [kYearMin-01-01, kYearMax-12-31T23:59:59.999999999Z].
int32_t MinDay();
int32_t MaxDay();
int64_t MinInstantNs();
int64_t MaxInstantNs();

}  // namespace ccl::events

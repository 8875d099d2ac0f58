// Dates and instants in UTC, on the C++20 chrono calendar. No time zones: the
// ledger is UTC throughout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"

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

}  // namespace ccl::events

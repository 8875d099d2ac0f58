// The options every report takes, from the text a front end receives
// (`--as-of 2026-03-31` on the command line, `as_of=2026-03-31` in a query
// string) to a projections::View, parsed in one place. The reports
// themselves are projections/folds/report_query.h's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "events/base/status.h"
#include "projections/folds/view.h"

namespace ccl::app {

// The view options as given; absent when not given.
struct ViewText {
  std::optional<std::string> as_of;     // a date, YYYY-MM-DD (UTC)
  std::optional<std::string> known_at;  // an instant, RFC 3339 UTC (a date means 00:00Z)
  std::optional<std::string> contract;  // one contract
};

// Parses `text` into *view. A bad value is InvalidField("as-of" or
// "known-at", why): field() names the option, field_detail() says what is
// wrong, so each front end words it its own way.
Status ParseView(const ViewText& text, projections::View* view);

// Today's date (UTC, days since 1970-01-01) by the system clock: the default
// evaluation day of burn forecasts (projections::ReportQuery::today_day),
// which the folds never read themselves.
int32_t TodayDay();

}  // namespace ccl::app

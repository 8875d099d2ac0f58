// The burn-down chart of one contract line as inline SVG: funded minutes
// (a step line, moving with amendments), cumulative consumed minutes (a
// line over a light area) up to the evaluation day, and the burn
// projection from there to the end of the term (dashed; red when it ends
// above the funded line). Month ticks on the x axis, hours on the y axis.
//
// Self-contained: no scripts, no fonts to fetch, no external references;
// the colors are set on the elements (not only in CSS) so the chart looks
// the same wherever the SVG is copied. Coordinates are computed in integer
// tenths of a pixel, so the same data always give the same bytes.
#pragma once

#include <string>

#include "tools/report/report_data.h"

namespace ccl::report {

// Colors of the chart's series (also used by the report's legend, and by the
// screenshot test that looks for the consumed line's pixels).
inline constexpr const char* kFundedColor = "#334155";
inline constexpr const char* kConsumedColor = "#2563eb";
inline constexpr const char* kProjectionColor = "#d97706";
inline constexpr const char* kOverrunColor = "#dc2626";

// Size of the chart's viewBox (it scales to its container's width).
inline constexpr int kChartWidth = 640;
inline constexpr int kChartHeight = 260;

// Appends one <svg> element (with role="img" and a <title>).
void AppendBurnChartSvg(const BurnChartData& chart, std::string* out);

// The y axis top and step for values up to `max_minutes`, in whole hours:
// 4 to 6 gridlines at 1, 2 or 5 times a power of ten hours. Exposed for tests.
void ChooseHourScale(int64_t max_minutes, int64_t* top_hours, int64_t* step_hours);

}  // namespace ccl::report

// Burn-down chart as SVG (tools/report/svg_chart.h).
#include "tools/report/svg_chart.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdio>

#include "events/base/display.h"
#include "events/base/time_format.h"
#include "events/model/money.h"
#include "tools/report/html.h"

namespace ccl::report {

namespace {

// Plot area inside the viewBox, in pixels.
constexpr int kLeft = 58;
constexpr int kRight = 16;
constexpr int kTop = 18;
constexpr int kBottom = 34;
constexpr int kPlotWidth = kChartWidth - kLeft - kRight;
constexpr int kPlotHeight = kChartHeight - kTop - kBottom;
// Month labels closer than this (pixels) are thinned out.
constexpr int kMonthLabelSpacingMin = 34;

constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Appends v/10 with one decimal, dropping ".0".
void Tenths(int64_t v, std::string* out) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  out->append(std::to_string(v / 10));
  if (v % 10 != 0) {
    out->push_back('.');
    out->push_back(static_cast<char>('0' + v % 10));
  }
}

std::chrono::year_month_day Ymd(int32_t day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

int32_t DayOfYmd(const std::chrono::year_month_day& ymd) {
  return static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

// "31 Mar 2026"
std::string ShortDate(int32_t day) {
  const auto ymd = Ymd(day);
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         kMonthNames[static_cast<unsigned>(ymd.month()) - 1] + " " +
         std::to_string(static_cast<int>(ymd.year()));
}

// Maps days and minutes to tenths of a pixel.
class Scale {
 public:
  Scale(int32_t first_day, int32_t end_day, int64_t top_minutes)
      : first_day_(first_day), end_day_(end_day), top_minutes_(std::max<int64_t>(1, top_minutes)) {}

  // Left edge of `day` (end_day: the right edge of the plot).
  int64_t X(int32_t day) const {
    day = std::clamp(day, first_day_, end_day_);
    const int64_t span = end_day_ - first_day_;
    return kLeft * 10 +
           (static_cast<int64_t>(day - first_day_) * kPlotWidth * 10 + span / 2) / span;
  }
  int64_t Y(int64_t minutes) const {
    minutes = std::clamp<int64_t>(minutes, 0, top_minutes_);
    const __int128 scaled =
        (static_cast<__int128>(minutes) * kPlotHeight * 10 + top_minutes_ / 2) / top_minutes_;
    return (kTop + kPlotHeight) * 10 - static_cast<int64_t>(scaled);
  }
  int32_t first_day() const { return first_day_; }
  int32_t end_day() const { return end_day_; }

 private:
  int32_t first_day_;
  int32_t end_day_;  // exclusive
  int64_t top_minutes_;
};

void Point(char command, int64_t x, int64_t y, std::string* out) {
  out->push_back(command);
  Tenths(x, out);
  out->push_back(' ');
  Tenths(y, out);
}

// The funded level in effect on `day` (0 before the first point).
int64_t LevelOn(const std::vector<SeriesPoint>& series, int32_t day) {
  int64_t level = 0;
  for (const SeriesPoint& p : series) {
    if (p.day > day) break;
    level = p.minutes;
  }
  return level;
}

void Line(int64_t x1, int64_t y1, int64_t x2, int64_t y2, const char* attrs, std::string* out) {
  out->append("<line x1=\"");
  Tenths(x1, out);
  out->append("\" y1=\"");
  Tenths(y1, out);
  out->append("\" x2=\"");
  Tenths(x2, out);
  out->append("\" y2=\"");
  Tenths(y2, out);
  out->append("\" ");
  out->append(attrs);
  out->append("/>");
}

void Text(int64_t x, int64_t y, const char* attrs, std::string_view text, std::string* out) {
  out->append("<text x=\"");
  Tenths(x, out);
  out->append("\" y=\"");
  Tenths(y, out);
  out->append("\" ");
  out->append(attrs);
  out->push_back('>');
  AppendEscaped(text, out);
  out->append("</text>");
}

}  // namespace

void ChooseHourScale(int64_t max_minutes, int64_t* top_hours, int64_t* step_hours) {
  // 5% headroom so no line runs along the top edge.
  const int64_t with_headroom = max_minutes + max_minutes / 20;
  const int64_t hours = std::max<int64_t>(1, (with_headroom + 59) / 60);
  for (int64_t power = 1;; power *= 10) {
    for (int64_t m : {1, 2, 5}) {
      const int64_t step = m * power;
      if ((hours + step - 1) / step <= 5) {
        *step_hours = step;
        *top_hours = (hours + step - 1) / step * step;
        return;
      }
    }
  }
}

namespace {

// The x axis: the term, or (without one in the view) the data and the
// 90-day window; at least a week. `*end` is exclusive.
void ChartDays(const BurnChartData& c, int32_t* first, int32_t* end) {
  if (c.has_term && c.term_end_day >= c.term_start_day) {
    *first = c.term_start_day;
    *end = c.term_end_day + 1;
  } else {
    *first = c.burn.as_of_day - 89;
    *end = c.burn.as_of_day + 1;
    for (const auto* s : {&c.funded, &c.consumed}) {
      if (!s->empty()) {
        *first = std::min(*first, s->front().day);
        *end = std::max(*end, s->back().day + 1);
      }
    }
  }
  if (*end - *first < 7) *end = *first + 7;
}

// The <svg> element's opening, its title and background.
void AppendChartHead(const BurnChartData& c, std::string* out) {
  const std::string title = c.contract + " \xc2\xb7 " +
                            std::string(events::ServiceLineName(c.service_line)) +
                            ": funded vs consumed";
  out->append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
  out->append(std::to_string(kChartWidth) + " " + std::to_string(kChartHeight));
  out->append(
      "\" role=\"img\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, "
      "'DejaVu Sans', sans-serif\" font-size=\"11\"><title>");
  AppendEscaped(title, out);
  out->append("</title>");
  out->append("<rect x=\"0\" y=\"0\" width=\"" + std::to_string(kChartWidth) + "\" height=\"" +
              std::to_string(kChartHeight) + "\" fill=\"#ffffff\"/>");
}

constexpr int64_t kPlotLeft = kLeft * 10;
constexpr int64_t kPlotRight = (kChartWidth - kRight) * 10;
constexpr int64_t kPlotTop = kTop * 10;
constexpr int64_t kPlotBase = (kTop + kPlotHeight) * 10;

// Horizontal gridlines with hour labels.
void AppendHourGrid(const Scale& s, int64_t top_hours, int64_t step_hours, std::string* out) {
  assert(step_hours > 0);
  for (int64_t h = 0; h <= top_hours; h += step_hours) {
    const int64_t y = s.Y(h * 60);
    Line(kPlotLeft, y, kPlotRight, y,
         h == 0 ? "stroke=\"#94a3b8\" stroke-width=\"1\"" : "stroke=\"#e2e8f0\" stroke-width=\"1\"",
         out);
    Text(kPlotLeft - 60, y + 35, "text-anchor=\"end\" fill=\"#64748b\"",
         events::FormatSignedThousands(h) + " h", out);
  }
}

// Month ticks: a faint line at each first of the month, thinned so the
// labels never overlap; the year under each January and the first label.
void AppendMonthTicks(const Scale& s, std::string* out) {
  const int32_t first = s.first_day();
  const int32_t end = s.end_day();
  assert(end > first);
  const int64_t month_px = static_cast<int64_t>(kPlotWidth) * 30 / (end - first);
  int every = 1;
  for (int k : {1, 2, 3, 6, 12}) {
    every = k;
    if (month_px * k >= kMonthLabelSpacingMin) break;
  }
  auto ymd = Ymd(first);
  std::chrono::year_month month{ymd.year(), ymd.month()};
  if (ymd.day() != std::chrono::day{1}) month += std::chrono::months{1};
  bool first_label = true;
  for (;; month += std::chrono::months{1}) {
    const int32_t day = DayOfYmd(month / std::chrono::day{1});
    if (day >= end) break;
    const unsigned m = static_cast<unsigned>(month.month());
    if ((m - 1) % every != 0) continue;
    const int64_t x = s.X(day);
    if (day > first) Line(x, kPlotTop, x, kPlotBase, "stroke=\"#f1f5f9\" stroke-width=\"1\"", out);
    Line(x, kPlotBase, x, kPlotBase + 40, "stroke=\"#94a3b8\" stroke-width=\"1\"", out);
    Text(x, kPlotBase + 150, "text-anchor=\"middle\" fill=\"#64748b\"", kMonthNames[m - 1], out);
    if (m == 1 || first_label) {
      Text(x, kPlotBase + 290, "text-anchor=\"middle\" fill=\"#94a3b8\" font-size=\"10\"",
           std::to_string(static_cast<int>(month.year())), out);
    }
    first_label = false;
  }
}

// A dashed vertical line at `x` with a label beside it, on the side of the
// plot's middle that leaves it room.
void AppendMarker(int64_t x, int64_t label_y, const std::string& line_attrs,
                  const std::string& label_attrs, const std::string& label, std::string* out) {
  Line(x, kPlotTop, x, kPlotBase, line_attrs.c_str(), out);
  const bool right_half = x > (kLeft + kPlotWidth / 2) * 10;
  Text(right_half ? x - 40 : x + 40, label_y,
       (std::string(right_half ? "text-anchor=\"end\"" : "text-anchor=\"start\"") + label_attrs)
           .c_str(),
       label, out);
}

// Consumed: cumulative at the end of each day up to `eval_end`, as the line
// `*path` and the filled area under it.
void AppendConsumedArea(const BurnChartData& c, const Scale& s, int32_t eval_end, std::string* path,
                        std::string* out) {
  const int32_t first = s.first_day();
  Point('M', s.X(first), s.Y(0), path);
  int64_t total = 0;
  for (const SeriesPoint& p : c.consumed) {
    if (p.day >= eval_end) break;
    if (p.day + 1 <= first) {
      total = p.minutes;
      continue;
    }
    Point('L', s.X(p.day), s.Y(total), path);
    total = p.minutes;
    Point('L', s.X(p.day + 1), s.Y(total), path);
  }
  Point('L', s.X(eval_end), s.Y(total), path);
  std::string area = *path;
  Point('L', s.X(eval_end), s.Y(0), &area);
  area.push_back('Z');
  out->append("<path class=\"consumed-area\" d=\"" + area + "\" fill=\"" + kConsumedColor +
              "\" fill-opacity=\"0.10\" stroke=\"none\"/>");
}

// Funded: a step line over the whole axis.
void AppendFunded(const BurnChartData& c, const Scale& s, std::string* out) {
  const int32_t first = s.first_day();
  const int32_t end = s.end_day();
  std::string funded;
  int64_t level = LevelOn(c.funded, first);
  Point('M', s.X(first), s.Y(level), &funded);
  for (const SeriesPoint& p : c.funded) {
    if (p.day <= first || p.day >= end) continue;
    Point('L', s.X(p.day), s.Y(level), &funded);
    level = p.minutes;
    Point('L', s.X(p.day), s.Y(level), &funded);
  }
  Point('L', s.X(end), s.Y(level), &funded);
  out->append("<path class=\"funded\" d=\"" + funded + "\" fill=\"none\" stroke=\"" + kFundedColor +
              "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>");
}

// The projection from the evaluation day to the end of the term.
void AppendProjection(const projections::BurnRow& burn, const Scale& s, int32_t eval_end,
                      std::string* out) {
  const bool overrun = burn.flag == projections::BurnFlag::kOverrun;
  const char* color = overrun ? kOverrunColor : kProjectionColor;
  const int64_t x1 = s.X(eval_end), y1 = s.Y(burn.consumed_minutes);
  const int64_t x2 = s.X(s.end_day()), y2 = s.Y(burn.projected_minutes);
  Line(x1, y1, x2, y2,
       (std::string("class=\"projection\" stroke=\"") + color +
        "\" stroke-width=\"2\" stroke-dasharray=\"6 4\"")
           .c_str(),
       out);
  out->append("<circle cx=\"");
  Tenths(x2, out);
  out->append("\" cy=\"");
  Tenths(y2, out);
  out->append("\" r=\"3.5\" fill=\"" + std::string(color) + "\"/>");
}

}  // namespace

void AppendBurnChartSvg(const BurnChartData& c, std::string* out) {
  const projections::BurnRow& burn = c.burn;
  int32_t first = 0;
  int32_t end = 0;
  ChartDays(c, &first, &end);
  // y: everything drawn must fit.
  int64_t max_minutes = std::max(burn.funded_minutes, burn.projected_minutes);
  for (const SeriesPoint& p : c.funded) max_minutes = std::max(max_minutes, p.minutes);
  for (const SeriesPoint& p : c.consumed) max_minutes = std::max(max_minutes, p.minutes);
  int64_t top_hours = 1;
  int64_t step_hours = 1;
  ChooseHourScale(max_minutes, &top_hours, &step_hours);
  const Scale s(first, end, top_hours * 60);

  AppendChartHead(c, out);
  out->append("<g class=\"grid\">");
  AppendHourGrid(s, top_hours, step_hours, out);
  AppendMonthTicks(s, out);
  out->append("</g>");
  const int32_t eval_end = std::clamp(burn.as_of_day + 1, first, end);
  if (burn.as_of_day + 1 > first && burn.as_of_day + 1 < end) {
    AppendMarker(s.X(eval_end), kPlotTop - 40,
                 "stroke=\"#94a3b8\" stroke-width=\"1\" stroke-dasharray=\"2 3\"",
                 " fill=\"#64748b\" font-size=\"10\"", "as of " + ShortDate(burn.as_of_day), out);
  }
  std::string consumed;
  AppendConsumedArea(c, s, eval_end, &consumed, out);
  AppendFunded(c, s, out);
  out->append("<path class=\"consumed\" d=\"" + consumed + "\" fill=\"none\" stroke=\"" +
              kConsumedColor + "\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>");
  if (c.has_term && burn.remaining_days > 0 && eval_end < end) {
    AppendProjection(burn, s, eval_end, out);
  }
  // Where the funding runs out, when the forecast says it will within the term.
  if (burn.exhaustion_day.has_value() && *burn.exhaustion_day >= first &&
      *burn.exhaustion_day < end) {
    AppendMarker(s.X(*burn.exhaustion_day + 1), kPlotTop + 110,
                 std::string("class=\"exhaustion\" stroke=\"") + kOverrunColor +
                     "\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"",
                 std::string(" fill=\"") + kOverrunColor + "\" font-size=\"10\"",
                 "runs out " + ShortDate(*burn.exhaustion_day), out);
  }
  out->append("</svg>");
}

}  // namespace ccl::report

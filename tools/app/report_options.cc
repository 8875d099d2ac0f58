// Report options from text (tools/app/report_options.h).
#include "tools/app/report_options.h"

#include <chrono>

#include "events/base/time_format.h"

namespace ccl::app {

Status ParseView(const ViewText& text, projections::View* view) {
  if (text.as_of.has_value()) {
    int32_t day = 0;
    Status s = events::ParseDate(*text.as_of, &day);
    if (!s.ok()) return Status::InvalidField("as-of", s.message());
    view->as_of_day = day;
  }
  if (text.known_at.has_value()) {
    int64_t ns = 0;
    Status s = events::ParseInstant(*text.known_at, &ns);
    if (!s.ok()) return Status::InvalidField("known-at", s.message());
    view->known_at_ns = ns;
  }
  if (text.contract.has_value()) view->contract = *text.contract;
  return Status::OK();
}

int32_t TodayDay() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return events::DayOf(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

}  // namespace ccl::app

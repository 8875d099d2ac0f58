// Report options from text (tools/app/report_options.h): the view every
// front end builds from --as-of / --known-at / --contract (or as_of=...).
#include "tools/app/report_options.h"

#include <gtest/gtest.h>

#include "events/base/time_format.h"

namespace ccl::app {
namespace {

TEST(ParseViewTest, GivenOptionsFillTheView) {
  ViewText text;
  text.as_of = "2026-03-31";
  text.known_at = "2026-04-05T12:00:00Z";
  text.contract = "C-1";
  projections::View view;
  ASSERT_TRUE(ParseView(text, &view).ok());
  int32_t day = 0;
  ASSERT_TRUE(events::ParseDate("2026-03-31", &day).ok());
  EXPECT_EQ(view.as_of_day, day);
  int64_t ns = 0;
  ASSERT_TRUE(events::ParseInstant("2026-04-05T12:00:00Z", &ns).ok());
  EXPECT_EQ(view.known_at_ns, ns);
  EXPECT_EQ(view.contract, "C-1");
}

TEST(ParseViewTest, AbsentOptionsLeaveTheViewUnfiltered) {
  projections::View view;
  ASSERT_TRUE(ParseView(ViewText(), &view).ok());
  EXPECT_FALSE(view.filtered());
}

TEST(ParseViewTest, ABadValueNamesItsOptionAsData) {
  projections::View view;
  ViewText as_of;
  as_of.as_of = "2026-02-30";
  const Status s = ParseView(as_of, &view);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.field(), "as-of");
  int32_t day = 0;
  EXPECT_EQ(s.field_detail(), events::ParseDate("2026-02-30", &day).message());

  ViewText known_at;
  known_at.known_at = "yesterday";
  const Status t = ParseView(known_at, &view);
  ASSERT_TRUE(t.IsInvalidArgument());
  EXPECT_EQ(t.field(), "known-at");
  EXPECT_FALSE(view.as_of_day.has_value());
}

}  // namespace
}  // namespace ccl::app

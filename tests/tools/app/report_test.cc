// The sealed-close header of a margins report over the network service
// (tools/app/report.h): what the server writes the client reads back into
// the same note, and a header missing a part is refused, never guessed.
#include "tools/app/report.h"

#include <gtest/gtest.h>

#include "events/base/time_format.h"

namespace ccl::app {
namespace {

projections::ClosedPeriod Close() {
  projections::ClosedPeriod c;
  EXPECT_TRUE(events::ParseMonth("2025-02", &c.month).ok());
  c.seq = 1234;
  c.actor = "controller \"eu\"\n";
  EXPECT_TRUE(events::ParseInstant("2025-03-01T08:30:00Z", &c.recorded_at_ns).ok());
  return c;
}

TEST(SealedCloseJsonTest, ReadsBackIntoTheSameNote) {
  const projections::ClosedPeriod sent = Close();
  const std::string json = SealedCloseJson(sent);
  EXPECT_EQ(json.find('\n'), std::string::npos) << json;  // a header value: one line
  projections::ClosedPeriod read;
  ASSERT_TRUE(ParseSealedCloseJson(json, sent.month, &read).ok());
  EXPECT_EQ(read.seq, sent.seq);
  EXPECT_EQ(read.actor, sent.actor);
  EXPECT_EQ(read.recorded_at_ns, sent.recorded_at_ns);
  EXPECT_EQ(SealedNote(read), SealedNote(sent));
  EXPECT_EQ(SealedNote(sent).rfind("sealed: period 2025-02 closed by controller", 0), 0u);
}

TEST(SealedCloseJsonTest, AMissingOrMalformedPartIsInvalid) {
  projections::ClosedPeriod c;
  for (const char* bad : {"", "{}", R"({"seq":1,"actor":"a"})",
                          R"({"seq":"1","actor":"a","recorded_at":"2025-03-01T00:00:00Z"})",
                          R"({"seq":1,"actor":"a","recorded_at":"yesterday"})"}) {
    Status s = ParseSealedCloseJson(bad, 0, &c);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace ccl::app

// Status: codes, rule ids and how context and details keep them.
#include "events/base/status.h"

#include <gtest/gtest.h>

namespace ccl {
namespace {

TEST(StatusTest, ContextPrefixesAndKeepsTheRule) {
  const Status s = Status::RuleViolation("too many").WithRule("R-X-01").WithContext("f.jsonl:3");
  EXPECT_TRUE(s.IsRuleViolation());
  EXPECT_EQ(s.rule(), "R-X-01");
  EXPECT_EQ(s.message(), "f.jsonl:3: too many (rule R-X-01)");
}

TEST(StatusTest, FirstRuleWins) {
  const Status s = Status::Conflict("dup").WithRule("R-A-01").WithRule("R-B-02");
  EXPECT_EQ(s.rule(), "R-A-01");
  EXPECT_EQ(s.message(), "dup (rule R-A-01)");
}

TEST(StatusTest, DetailGoesBeforeTheRuleId) {
  const Status s = Status::Conflict("used twice")
                       .WithRule("R-ID-02")
                       .WithContext("f.jsonl:2")
                       .WithDetail("(first used on line 1 of f.jsonl)");
  EXPECT_TRUE(s.IsConflict());
  EXPECT_EQ(s.rule(), "R-ID-02");
  EXPECT_EQ(s.message(), "f.jsonl:2: used twice (first used on line 1 of f.jsonl) (rule R-ID-02)");
}

TEST(StatusTest, DetailWithoutARuleIsAppended) {
  const Status s = Status::IOError("disk").WithDetail("(retry)");
  EXPECT_EQ(s.message(), "disk (retry)");
  EXPECT_EQ(s.rule(), "");
  EXPECT_TRUE(Status::OK().WithDetail("x").ok());
}

TEST(StatusTest, LocationIsDataAndPrefixesTheMessage) {
  const Status s = Status::InvalidField("minutes", "must be 1..1440")
                       .WithRule("R-HB-01")
                       .WithLocation("f.jsonl", 7)
                       .WithDetail("(see line 3)");
  EXPECT_EQ(s.message(), "f.jsonl:7: field 'minutes': must be 1..1440 (see line 3) (rule R-HB-01)");
  EXPECT_EQ(s.source(), "f.jsonl");
  EXPECT_EQ(s.line(), 7u);
  EXPECT_EQ(s.field(), "minutes");
  EXPECT_EQ(s.field_detail(), "must be 1..1440 (see line 3) (rule R-HB-01)");
  EXPECT_EQ(s.rule(), "R-HB-01");
  const Status whole = Status::InvalidArgument("no events").WithLocation("request", 0);
  EXPECT_EQ(whole.message(), "request: no events");
  EXPECT_EQ(whole.line(), 0u);
  EXPECT_EQ(whole.WithContext("import").source(), "request");
  EXPECT_TRUE(Status::OK().WithLocation("f", 1).source().empty());
}

TEST(StatusTest, AnUnnamedInputIsLocatedByItsLineAlone) {
  const Status s = Status::InvalidField("minutes", "must be 1..1440").WithLocation("", 2);
  EXPECT_EQ(s.message(), "line 2: field 'minutes': must be 1..1440");
  EXPECT_EQ(s.line(), 2u);
  EXPECT_EQ(s.source(), "");
  EXPECT_EQ(s.field_detail(), "must be 1..1440");
  const Status whole = Status::IOError("sync failed").WithLocation("", 0);
  EXPECT_EQ(whole.message(), "sync failed");
  EXPECT_EQ(whole.line(), 0u);
}

}  // namespace
}  // namespace ccl

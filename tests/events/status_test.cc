// Status: codes, rule ids and how context and details keep them.
#include "events/status.h"

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

}  // namespace
}  // namespace ccl

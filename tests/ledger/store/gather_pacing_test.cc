// GatherPacing (ledger/gather_pacing.h): whether the group commit's leader
// waits for the last group's writers, from how the last wait went.
#include "ledger/store/gather_pacing.h"

#include <gtest/gtest.h>

namespace ccl::ledger {
namespace {

TEST(GatherPacingTest, FirstLeaderWaits) { EXPECT_TRUE(GatherPacing().ShouldWait()); }

TEST(GatherPacingTest, WritersThatComeWithinTheWaitAreAlwaysWaitedFor) {
  GatherPacing p;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(p.ShouldWait()) << "group " << i;
    p.Waited(true);
  }
}

TEST(GatherPacingTest, AMissedWaitMakesTheNextLeadersCommitAtOnceThenOneTriesAgain) {
  GatherPacing p;
  p.Waited(false);
  for (uint32_t i = 0; i < GatherPacing::kSkipsAfterMiss; ++i) {
    ASSERT_FALSE(p.ShouldWait()) << "leader " << i << " after the miss";
    p.Skipped();
  }
  ASSERT_TRUE(p.ShouldWait());
  // Callers still slow: another round of leaders without a wait.
  p.Waited(false);
  EXPECT_FALSE(p.ShouldWait());
  for (uint32_t i = 0; i < GatherPacing::kSkipsAfterMiss; ++i) p.Skipped();
  // Callers now fast: waited for again from the next leader on.
  p.Waited(true);
  EXPECT_TRUE(p.ShouldWait());
  p.Waited(true);
  EXPECT_TRUE(p.ShouldWait());
}

}  // namespace
}  // namespace ccl::ledger

// StringInterner and KeyedNames: ids, scopes, and keys never trusted across
// key spaces.
#include "projections/folds/intern.h"

#include <gtest/gtest.h>

namespace ccl::projections {
namespace {

class ProjectionInternTest : public ::testing::Test {};

TEST_F(ProjectionInternTest, DenseIdsPerScopeAndSortedOrder) {
  StringInterner in;
  EXPECT_EQ(in.Intern(0, "x"), 0u);
  EXPECT_EQ(in.Intern(1, "x"), 1u) << "the same name in another scope is another entry";
  EXPECT_EQ(in.Find(1, "x"), 1u);
  EXPECT_EQ(in.Find(2, "x"), StringInterner::kNone);
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back("SC-2025-" + std::to_string(100000 + i * 7));
  StringInterner one;
  for (size_t i = 0; i < names.size(); ++i) ASSERT_EQ(one.Intern(0, names[i]), i);
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(one.Find(0, names[i]), i);
    EXPECT_EQ(one.Find(1, names[i]), StringInterner::kNone);
  }
  EXPECT_EQ(one.Find(0, "absent"), StringInterner::kNone);
  const std::vector<uint32_t> sorted = SortedIds(one);
  for (size_t i = 1; i < sorted.size(); ++i) {
    EXPECT_LT(one.name(sorted[i - 1]), one.name(sorted[i]));
  }
}

TEST_F(ProjectionInternTest, KeyedNamesDropKeysOfAnotherSpace) {
  KeyedNames n;
  EXPECT_EQ(n.Intern("a", ContractKey{7, 0}), 0u);
  EXPECT_EQ(n.Intern("b", ContractKey{7, 1}), 1u);
  EXPECT_EQ(n.Intern("a", ContractKey{7, 0}), 0u);
  EXPECT_EQ(n.Find("b", ContractKey{7, 1}), 1u);
  // Space 8 numbers the same names the other way round: its keys must not
  // be read through space 7's cache.
  EXPECT_EQ(n.Intern("b", ContractKey{8, 0}), 1u);
  EXPECT_EQ(n.Intern("a", ContractKey{8, 1}), 0u);
  EXPECT_EQ(n.Find("b", ContractKey{8, 0}), 1u);
  EXPECT_EQ(n.Find("c", ContractKey{8, 2}), StringInterner::kNone);
  EXPECT_EQ(n.Intern("c", ContractKey{8, 2}), 2u);
  n = KeyedNames();  // what a projection's Reset does
  EXPECT_EQ(n.Intern("c", ContractKey{8, 2}), 0u) << "new names forget the old keys";
}

}  // namespace
}  // namespace ccl::projections

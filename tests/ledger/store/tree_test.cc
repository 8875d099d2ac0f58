// The Merkle tree is maintained by append in the same WriteBatch: after
// groups with rejected writers, duplicates and reopens, the stored tree's root
// is the root recomputed from the stored events.
#include <gtest/gtest.h>

#include <thread>

#include "ledger/audit/merkle_ledger.h"
#include "ledger/merkle/merkle.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

Hash RootFromEvents(Ledger* l) {
  MerkleFrontier f;
  for (auto it = l->NewIterator(1); it->Valid(); it->Next()) {
    f.Append(EventLeafHash(it->seq(), it->bytes()));
  }
  return f.Root();
}

Hash StoredRoot(Ledger* l) {
  std::unique_ptr<MerkleStore> tree;
  Status s = OpenLedgerTree(l, &tree);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return Hash{};
  EXPECT_EQ(tree->size(), l->head().seq);
  return tree->root();
}

TEST(LedgerTreeTest, AppendMaintainsTheTree) {
  TempDir dir;
  EventFactory f;
  Options o;
  o.create_if_missing = true;
  std::unique_ptr<Ledger> l;
  ASSERT_TRUE(Ledger::Open(o, dir.Sub("db"), &l).ok());
  EXPECT_EQ(StoredRoot(l.get()), EmptyTreeHash());

  std::vector<Event> first = {f.Open("C1")};
  for (int i = 0; i < 40; ++i) first.push_back(f.Book("C1", ServiceLine::kReactive, 1 + i));
  AppendResult r;
  ASSERT_TRUE(l->Append(first, AppendOptions(), &r).ok());
  EXPECT_EQ(StoredRoot(l.get()), RootFromEvents(l.get()));

  // Concurrent single appends, half of them rejected, some duplicates.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    std::vector<Event> mine;
    for (int i = 0; i < 30; ++i) {
      mine.push_back(
          f.Book("C1", t % 2 ? ServiceLine::kDesignatedEngineering : ServiceLine::kReactive, 1));
    }
    threads.emplace_back([&l, mine] {
      for (const Event& e : mine) {
        AppendResult res;
        l->Append({&e, 1}, AppendOptions(), &res).IgnoreError();
        l->Append({&e, 1}, AppendOptions(), &res).IgnoreError();  // duplicate or rejected
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(l->head().seq, 41u + 60u);
  EXPECT_EQ(StoredRoot(l.get()), RootFromEvents(l.get()));

  l.reset();
  ASSERT_TRUE(Ledger::Open(o, dir.Sub("db"), &l).ok());
  std::vector<Event> more;
  for (int i = 0; i < 17; ++i) more.push_back(f.Book("C1", ServiceLine::kReactive, 2));
  ASSERT_TRUE(l->Append(more, AppendOptions(), &r).ok());
  EXPECT_EQ(StoredRoot(l.get()), RootFromEvents(l.get()));
  VerifyReport report;
  EXPECT_TRUE(l->Verify(VerifyProgress(), &report).ok());
}

}  // namespace
}  // namespace ccl::ledger::testing

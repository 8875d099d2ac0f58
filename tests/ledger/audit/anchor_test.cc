// The audit layer on a real ledger: digests and proofs of the head, and
// `verify --against` catching an event edited, deleted, inserted or reordered
// even when the tamperer recomputed the chain and the tree.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/audit/merkle_ledger.h"
#include "ledger/audit/merkle_verify.h"
#include "tests/ledger/audit/audit_test_util.h"

namespace ccl::ledger {
namespace {

using testing::kDigestTimeNs;
using testing::Tamperer;

class AnchorTest : public testing::AuditLedgerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AuditLedgerTest::SetUp());
    ledger_.Append(25);
    digest25_ = Digest25();
    ledger_.Append(15);
    digest40_ = DigestNow();
  }

  Digest Digest25() { return DigestNow(); }
  Digest DigestNow() {
    std::unique_ptr<MerkleStore> tree;
    Status s = OpenLedgerTree(ledger_.get(), &tree);
    EXPECT_TRUE(s.ok()) << s.ToString();
    Digest d;
    EXPECT_TRUE(MakeDigest(ledger_.get(), *tree, kDigestTimeNs, &d).ok());
    return d;
  }

  // Closes the ledger, lets `tamper` edit its files, reopens (which may
  // itself refuse a damaged ledger) and verifies against `digest`.
  Status TamperAndVerify(const std::function<void(Tamperer&)>& tamper, const Digest& digest,
                         AnchorReport* report) {
    ledger_.Close();
    {
      Tamperer t(ledger_.path());
      tamper(t);
    }
    Status s = ledger_.Open();
    if (!s.ok()) return s;
    return VerifyAgainstDigest(ledger_.get(), digest, report);
  }
  // TamperAndVerify against digest25_ by a tamperer who rewrites the stored
  // events as `edit` changes them, recomputing the chain and the tree after
  // the change unless told not to.
  Status EditAndVerify(const std::function<void(std::vector<events::Event>&)>& edit,
                       AnchorReport* report, bool rechain = true, bool retree = true) {
    return TamperAndVerify(
        [&](Tamperer& t) {
          std::vector<events::Event> events = t.Decoded();
          edit(events);
          t.Rewrite(events, rechain, retree);
        },
        digest25_, report);
  }

  Digest digest25_, digest40_;
};

TEST_F(AnchorTest, UntouchedLedgerExtendsItsDigests) {
  EXPECT_EQ(digest25_.tree_size, 25u);
  EXPECT_EQ(digest40_.tree_size, 40u);
  AnchorReport r;
  Status s = VerifyAgainstDigest(ledger_.get(), digest25_, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.events, 40u);
  EXPECT_EQ(r.root_at_digest, digest25_.root_hash);
  EXPECT_EQ(r.root_at_head, digest40_.root_hash);
  EXPECT_EQ(r.head_hash, ledger_.get()->head().hash);
  EXPECT_TRUE(VerifyAgainstDigest(ledger_.get(), digest40_, &r).ok());
  std::unique_ptr<MerkleStore> tree;
  ASSERT_TRUE(OpenLedgerTree(ledger_.get(), &tree).ok());
  EXPECT_TRUE(CheckDigestOfLedger(ledger_.get(), *tree, digest25_).ok());
}

TEST_F(AnchorTest, EditedEventWithChainAndTreeRecomputedFails) {
  AnchorReport r;
  Status s = EditAndVerify(
      [](std::vector<events::Event>& events) {
        events[6].minutes += 60;  // seq 7 booked an hour more
      },
      &r);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("events 1..25"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("recomputed after the change"), std::string::npos) << s.message();
  EXPECT_NE(r.root_at_digest, digest25_.root_hash);
}

TEST_F(AnchorTest, EditedEventAloneIsNamedBySeq) {
  AnchorReport r;
  Status s = EditAndVerify([](std::vector<events::Event>& events) { events[6].minutes += 60; }, &r,
                           /*rechain=*/false, /*retree=*/false);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(r.first_bad_seq, 7u) << s.message();
  EXPECT_NE(s.message().find("seq 7"), std::string::npos) << s.message();
}

TEST_F(AnchorTest, DeletedEventFails) {
  AnchorReport r;
  // Deleted and the rest renumbered, everything recomputed.
  Status s = EditAndVerify(
      [](std::vector<events::Event>& events) { events.erase(events.begin() + 9); }, &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("does not extend the digest"), std::string::npos) << s.message();
}

TEST_F(AnchorTest, DeletedKeyIsNamedMissing) {
  AnchorReport r;
  Status s = TamperAndVerify(
      [](Tamperer& t) {
        ASSERT_TRUE(t.db()
                        ->Delete(rocksdb::WriteOptions(), t.cf(kCfEvents), testing::SeqKeyBytes(10))
                        .ok());
      },
      digest25_, &r);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("seq 10"), std::string::npos) << s.message();
}

TEST_F(AnchorTest, InsertedEventFails) {
  AnchorReport r;
  Status s = EditAndVerify(
      [this](std::vector<events::Event>& events) {
        events::Event extra = events[12];
        extra.event_id = ledger_.factory().NextId();
        events.insert(events.begin() + 12, extra);
      },
      &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(AnchorTest, ReorderedEventsFail) {
  AnchorReport r;
  Status s = EditAndVerify(
      [](std::vector<events::Event>& events) { std::swap(events[3], events[4]); }, &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(AnchorTest, TruncatedLedgerFails) {
  AnchorReport r;
  Status s = EditAndVerify([](std::vector<events::Event>& events) { events.resize(20); }, &r);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("20 events but the digest covers 25"), std::string::npos)
      << s.message();
}

TEST_F(AnchorTest, ChangesAfterTheDigestAreOutsideIt) {
  AnchorReport r;
  Status s = EditAndVerify(
      [](std::vector<events::Event>& events) {
        events[29].minutes += 1;  // seq 30, after the 25 the digest covers
      },
      &r);
  EXPECT_TRUE(s.ok()) << s.ToString();  // the digest cannot speak for seq 26..
  EXPECT_TRUE(VerifyAgainstDigest(ledger_.get(), digest40_, &r).IsCorruption());
}

TEST_F(AnchorTest, RewrittenTreeTileIsNamed) {
  AnchorReport r;
  Status s = TamperAndVerify(
      [](Tamperer& t) {
        std::string tile;
        ASSERT_TRUE(
            t.db()->Get(rocksdb::ReadOptions(), t.cf(kCfMerkle), MerkleTileKey(0, 1), &tile).ok());
        tile[32 * 3] ^= 1;  // the leaf of seq 20
        ASSERT_TRUE(
            t.db()->Put(rocksdb::WriteOptions(), t.cf(kCfMerkle), MerkleTileKey(0, 1), tile).ok());
      },
      digest25_, &r);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(r.first_bad_seq, 20u) << s.message();
  EXPECT_NE(s.message().find("extends the digest, but seq 20"), std::string::npos) << s.message();
}

TEST_F(AnchorTest, DigestOfAnotherLedgerOrForgedRootFails) {
  AnchorReport r;
  Digest other = digest25_;
  other.ledger_id = "00000000-0000-4000-8000-000000000000";
  EXPECT_TRUE(VerifyAgainstDigest(ledger_.get(), other, &r).IsCorruption());
  Digest forged = digest25_;
  forged.root_hash[0] ^= 1;
  EXPECT_TRUE(VerifyAgainstDigest(ledger_.get(), forged, &r).IsCorruption());
  forged = digest25_;
  forged.head_hash[0] ^= 1;
  Status s = VerifyAgainstDigest(ledger_.get(), forged, &r);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("chain hash at seq 25"), std::string::npos) << s.message();
  Digest future = digest40_;
  future.tree_size = future.head_seq = 41;
  EXPECT_TRUE(VerifyAgainstDigest(ledger_.get(), future, &r).IsCorruption());
}

TEST_F(AnchorTest, ProofsOfTheLedgerCheckAgainstItsDigests) {
  std::unique_ptr<MerkleStore> tree;
  ASSERT_TRUE(OpenLedgerTree(ledger_.get(), &tree).ok());
  for (uint64_t seq = 1; seq <= 25; ++seq) {
    InclusionProof p;
    Status s = ProveInclusion(ledger_.get(), *tree, seq, digest25_, &p);
    ASSERT_TRUE(s.ok()) << seq << ": " << s.ToString();
    InclusionProof back;
    ASSERT_TRUE(ParseInclusionProofJson(InclusionProofToJson(p), &back).ok());
    EXPECT_TRUE(CheckInclusionProof(back, digest25_).ok());
    std::string stored;
    events::Event e;
    ASSERT_TRUE(ledger_.get()->Get(seq, &e, &stored).ok());
    EXPECT_EQ(back.event_bytes, stored);
  }
  InclusionProof p;
  EXPECT_TRUE(ProveInclusion(ledger_.get(), *tree, 26, digest25_, &p).IsNotFound());
  EXPECT_TRUE(ProveInclusion(ledger_.get(), *tree, 0, digest25_, &p).IsNotFound());
  Digest forged = digest25_;
  forged.root_hash[5] ^= 1;
  EXPECT_TRUE(ProveInclusion(ledger_.get(), *tree, 3, forged, &p).IsCorruption());

  ConsistencyProof c;
  ASSERT_TRUE(ProveConsistency(ledger_.get(), *tree, digest25_, digest40_, &c).ok());
  EXPECT_TRUE(CheckConsistencyProof(c, digest25_, digest40_).ok());
  EXPECT_TRUE(ProveConsistency(ledger_.get(), *tree, digest40_, digest25_, &c).IsInvalidArgument());
  EXPECT_TRUE(ProveConsistency(ledger_.get(), *tree, forged, digest40_, &c).IsCorruption());
  // A larger digest of another ledger as the old one: not "swap them" (a
  // rejected input) but digests of different ledgers, whichever is larger.
  Digest other = digest40_;
  other.ledger_id = "00000000-0000-4000-8000-000000000000";
  for (const auto& [old_d, new_d] : {std::pair{other, digest25_}, std::pair{digest25_, other}}) {
    const Status s = ProveConsistency(ledger_.get(), *tree, old_d, new_d, &c);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find("the digests are of different ledgers"), std::string::npos)
        << s.ToString();
  }
}

}  // namespace
}  // namespace ccl::ledger

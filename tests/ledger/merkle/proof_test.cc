// Proof files checked against digests alone: every proof of a small ledger,
// every byte of valid proofs mutated, and proofs that do not belong to the
// digest they are checked against.
#include "ledger/merkle/proof.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle.h"
#include "tests/testing/mutate.h"

namespace ccl::ledger {
namespace {

constexpr char kLedgerId[] = "0b6e4e1c-2f1a-4c7e-9a51-3d2b8f4e6a10";

class ProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(7);
    for (uint64_t seq = 1; seq <= 40; ++seq) {
      std::string bytes(10 + rng() % 60, '\0');
      for (char& c : bytes) c = static_cast<char>(rng());
      events_.push_back(bytes);
      tree_.AddLeafHash(EventLeafHash(seq, bytes));
    }
  }

  Digest DigestAt(uint64_t size) {
    Digest d;
    d.ledger_id = kLedgerId;
    d.tree_size = d.head_seq = size;
    EXPECT_TRUE(TreeRoot(&tree_, size, &d.root_hash).ok());
    d.head_hash = Sha256("chain head " + std::to_string(size));
    d.time_ns = 1'774'915'199'000'000'000;
    return d;
  }

  InclusionProof ProveInclusion(uint64_t seq, uint64_t size) {
    InclusionProof p;
    p.ledger_id = kLedgerId;
    p.tree_size = size;
    p.seq = seq;
    p.event_bytes = events_[seq - 1];
    EXPECT_TRUE(MakeInclusionPath(&tree_, seq - 1, size, &p.path).ok());
    return p;
  }

  // Of `tree` (the fixture's unless given).
  ConsistencyProof ProveConsistency(uint64_t old_size, uint64_t new_size,
                                    MemoryNodeReader* tree = nullptr) {
    ConsistencyProof p;
    p.ledger_id = kLedgerId;
    p.old_size = old_size;
    p.new_size = new_size;
    EXPECT_TRUE(MakeConsistencyPath(tree ? tree : &tree_, old_size, new_size, &p.path).ok());
    return p;
  }

  // `p` printed by `print` parses (`parse`) back to `*back`, the same proof.
  template <typename Proof, typename Print, typename Parse>
  static void ParsesBack(const Proof& p, Print print, Parse parse, Proof* back) {
    const std::string json = print(p);
    ASSERT_TRUE(parse(json, back).ok()) << json;
    EXPECT_EQ(*back, p);
  }

  // What check-proof does with the files.
  static Status CheckInclusionText(std::string_view text, const Digest& d) {
    InclusionProof p;
    CCL_RETURN_IF_ERROR(ParseInclusionProofJson(text, &p));
    return CheckInclusionProof(p, d);
  }
  static Status CheckConsistencyText(std::string_view text, const Digest& a, const Digest& b) {
    ConsistencyProof p;
    CCL_RETURN_IF_ERROR(ParseConsistencyProofJson(text, &p));
    return CheckConsistencyProof(p, a, b);
  }

  std::vector<std::string> events_;
  MemoryNodeReader tree_;
};

TEST_F(ProofTest, EveryInclusionProofRoundTripsAndChecks) {
  for (uint64_t size = 1; size <= events_.size(); ++size) {
    const Digest d = DigestAt(size);
    for (uint64_t seq = 1; seq <= size; ++seq) {
      InclusionProof back;
      ASSERT_NO_FATAL_FAILURE(ParsesBack(ProveInclusion(seq, size), InclusionProofToJson,
                                         ParseInclusionProofJson, &back));
      Status s = CheckInclusionProof(back, d);
      ASSERT_TRUE(s.ok()) << seq << "/" << size << ": " << s.ToString();
      // The same proof against any other size's digest fails.
      if (size > 1) {
        EXPECT_TRUE(CheckInclusionProof(back, DigestAt(size - 1)).IsCorruption());
      }
    }
  }
}

TEST_F(ProofTest, EveryConsistencyProofRoundTripsAndChecks) {
  for (uint64_t n = 0; n <= events_.size(); ++n) {
    for (uint64_t m = 0; m <= n; ++m) {
      ConsistencyProof back;
      ASSERT_NO_FATAL_FAILURE(ParsesBack(ProveConsistency(m, n), ConsistencyProofToJson,
                                         ParseConsistencyProofJson, &back));
      Status s = CheckConsistencyProof(back, DigestAt(m), DigestAt(n));
      ASSERT_TRUE(s.ok()) << m << "->" << n << ": " << s.ToString();
      if (m < n) {
        EXPECT_TRUE(CheckConsistencyProof(back, DigestAt(n), DigestAt(m)).IsCorruption());
      }
    }
  }
}

// Every byte of a valid proof file, flipped in every bit: rejected, or (for
// insignificant whitespace only) the same proof.
TEST_F(ProofTest, EveryByteOfAnInclusionProofMutatedIsRejected) {
  const Digest d = DigestAt(37);
  const InclusionProof p = ProveInclusion(22, 37);
  const std::string good = InclusionProofToJson(p);
  ASSERT_TRUE(CheckInclusionText(good, d).ok());
  int same = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      if (!CheckInclusionText(bad, d).ok()) continue;
      InclusionProof q;
      ASSERT_TRUE(ParseInclusionProofJson(bad, &q).ok());
      EXPECT_EQ(q, p) << "byte " << i << " bit " << bit << " accepted:\n" << bad;
      ++same;
    }
    std::string cut = good;
    cut.erase(i, 1);
    InclusionProof q;
    if (CheckInclusionText(cut, d).ok()) {
      ASSERT_TRUE(ParseInclusionProofJson(cut, &q).ok());
      EXPECT_EQ(q, p) << "byte " << i << " removed";
    }
  }
  EXPECT_LT(same, 200);
}

TEST_F(ProofTest, EveryByteOfAConsistencyProofMutatedIsRejected) {
  const Digest a = DigestAt(13), b = DigestAt(38);
  const ConsistencyProof p = ProveConsistency(13, 38);
  const std::string good = ConsistencyProofToJson(p);
  ASSERT_TRUE(CheckConsistencyText(good, a, b).ok());
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      if (!CheckConsistencyText(bad, a, b).ok()) continue;
      ConsistencyProof q;
      ASSERT_TRUE(ParseConsistencyProofJson(bad, &q).ok());
      EXPECT_EQ(q, p) << "byte " << i << " bit " << bit << " accepted:\n" << bad;
    }
  }
}

TEST_F(ProofTest, ProofsThatDoNotBelongAreRejected) {
  const Digest d = DigestAt(20);
  InclusionProof p = ProveInclusion(5, 20);
  ASSERT_TRUE(CheckInclusionProof(p, d).ok());
  auto rejected = [&](InclusionProof q, const Digest& dd) {
    Status s = CheckInclusionProof(q, dd);
    return s.IsCorruption() && !s.message().empty();
  };
  InclusionProof q = p;
  q.event_bytes[0] ^= 1;  // an edited event
  EXPECT_TRUE(rejected(q, d));
  q = p;
  q.event_bytes += "x";
  EXPECT_TRUE(rejected(q, d));
  q = p;
  q.seq = 6;  // the event claimed at another position
  EXPECT_TRUE(rejected(q, d));
  q = p;
  q.event_bytes = events_[5];  // another event with this event's path
  EXPECT_TRUE(rejected(q, d));
  q = p;
  q.ledger_id = "0b6e4e1c-2f1a-4c7e-9a51-3d2b8f4e6a11";
  EXPECT_TRUE(rejected(q, d));
  Digest other = d;
  other.root_hash[0] ^= 1;
  EXPECT_TRUE(rejected(p, other));
  other = d;
  other.ledger_id = "0b6e4e1c-2f1a-4c7e-9a51-3d2b8f4e6a11";
  EXPECT_TRUE(rejected(p, other));
  // Consistency: digests of different ledgers, sizes that do not match, equal
  // sizes with different heads.
  ConsistencyProof c = ProveConsistency(7, 20);
  Digest old_d = DigestAt(7);
  ASSERT_TRUE(CheckConsistencyProof(c, old_d, d).ok());
  old_d.ledger_id = "0b6e4e1c-2f1a-4c7e-9a51-3d2b8f4e6a11";
  EXPECT_TRUE(CheckConsistencyProof(c, old_d, d).IsCorruption());
  EXPECT_TRUE(CheckConsistencyProof(c, DigestAt(8), d).IsCorruption());
  EXPECT_TRUE(CheckConsistencyProof(c, DigestAt(7), DigestAt(21)).IsCorruption());
  Digest same = d;
  same.head_hash[3] ^= 1;
  EXPECT_TRUE(CheckConsistencyProof(ProveConsistency(20, 20), d, same).IsCorruption());
  // A rewritten history: same size, different events, consistent with nothing.
  MemoryNodeReader rewritten;
  for (uint64_t seq = 1; seq <= 20; ++seq) {
    rewritten.AddLeafHash(EventLeafHash(seq, seq == 3 ? "edited" : events_[seq - 1]));
  }
  Digest forged = d;
  ASSERT_TRUE(TreeRoot(&rewritten, 20, &forged.root_hash).ok());
  const ConsistencyProof fc = ProveConsistency(7, 20, &rewritten);
  EXPECT_TRUE(CheckConsistencyProof(fc, DigestAt(7), forged).IsCorruption());
}

TEST_F(ProofTest, StrictParsing) {
  const std::string incl = InclusionProofToJson(ProveInclusion(3, 9));
  const std::string cons = ConsistencyProofToJson(ProveConsistency(3, 9));
  ProofKind kind;
  ASSERT_TRUE(DetectProofKind(incl, &kind).ok());
  EXPECT_EQ(kind, ProofKind::kInclusion);
  ASSERT_TRUE(DetectProofKind(cons, &kind).ok());
  EXPECT_EQ(kind, ProofKind::kConsistency);
  EXPECT_TRUE(DetectProofKind(DigestToJson(DigestAt(3)), &kind).IsInvalidArgument());
  InclusionProof ip;
  ConsistencyProof cp;
  EXPECT_TRUE(ParseInclusionProofJson(cons, &ip).IsInvalidArgument());
  EXPECT_TRUE(ParseConsistencyProofJson(incl, &cp).IsInvalidArgument());
  auto with = [](std::string s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return s;
  };
  const std::vector<std::string> bad_incl = {
      with(incl, "\"seq\": 3", "\"seq\": 0"),
      with(incl, "\"seq\": 3", "\"seq\": 10"),
      with(incl, "\"leaf_index\": 2", "\"leaf_index\": 3"),
      with(incl, "\"tree_size\": 9", "\"tree_size\": 0"),
      with(incl, "\"event\": \"", "\"event\": \"0"),
      with(incl, "\"event\": \"", "\"event\": \"\", \"x\": \""),
      with(incl, "\"path\": [", "\"path\": [\"00\","),
      with(incl, "\"path\": [", "\"path\": [1,"),
      with(incl, "\"path\": [", "\"path\": {\"a\": ["),
      with(incl, "\"path\": [", "\"path\": [["),
  };
  for (const std::string& text : bad_incl) {
    EXPECT_TRUE(ParseInclusionProofJson(text, &ip).IsInvalidArgument()) << text;
  }
  std::string empty_event = incl;
  const size_t at = empty_event.find("\"event\": \"") + 10;
  empty_event.erase(at, empty_event.find('"', at) - at);
  EXPECT_TRUE(ParseInclusionProofJson(empty_event, &ip).IsInvalidArgument());
  // Over-long paths are refused before any hashing.
  std::string long_path = "\"path\": [";
  for (int i = 0; i < 200; ++i) long_path += "\"" + std::string(64, 'a') + "\",";
  EXPECT_TRUE(
      ParseInclusionProofJson(with(incl, "\"path\": [", long_path), &ip).IsInvalidArgument());
  EXPECT_TRUE(
      ParseConsistencyProofJson(with(cons, "\"path\": [", long_path), &cp).IsInvalidArgument());
  EXPECT_TRUE(ParseConsistencyProofJson(with(cons, "\"old_size\": 3", "\"old_size\": 10"), &cp)
                  .IsInvalidArgument());
  // An event over the size limit is refused without decoding it.
  std::string big = with(incl, "\"event\": \"",
                         "\"event\": \"" + std::string(2 * limits::kEventBytesMax + 2, 'a'));
  EXPECT_TRUE(ParseInclusionProofJson(big, &ip).IsInvalidArgument());
}

// Random garbage and random splices of real proofs never crash or verify.
TEST_F(ProofTest, RandomInputsNeverCrashOrVerify) {
  const uint64_t seed = std::random_device{}();
  std::printf("RandomInputsNeverCrashOrVerify seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const Digest d = DigestAt(30);
  const std::string good = InclusionProofToJson(ProveInclusion(11, 30));
  for (int trial = 0; trial < 3000; ++trial) {
    const std::string text =
        test_mutate::Mutate(good, rng, {.edits_max = 6, .splice_bytes_max = 70});
    InclusionProof p;
    if (ParseInclusionProofJson(text, &p).ok() && CheckInclusionProof(p, d).ok()) {
      EXPECT_EQ(p, ProveInclusion(11, 30)) << text;
    }
    Digest dd;
    (void)ParseDigestJson(text, &dd).ok();
    ConsistencyProof cp;
    (void)ParseConsistencyProofJson(text, &cp).ok();
  }
}

}  // namespace
}  // namespace ccl::ledger

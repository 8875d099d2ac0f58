// The worked example of schemas/MERKLE.md, kept honest: the files in
// tests/data/merkle/ must be exactly what the code produces today (so the
// documented format does not drift) and must check. Regenerate them after a
// deliberate format change with CCL_WRITE_GOLDEN=1 and update MERKLE.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "events/model/uuid.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/proof.h"
#include "ledger/merkle/signing.h"

namespace ccl::ledger {
namespace {

constexpr char kLedgerId[] = "0b6e4e1c-2f1a-4c7e-9a51-3d2b8f4e6a10";
// RFC 8032 section 7.1 TEST 1: a published key, for examples only.
constexpr char kExampleSeed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr int64_t kTimeNs = 1'775'001'599'000'000'000;  // 2026-03-31T23:59:59Z

class GoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("CCL_TEST_DATA");
    dir_ = std::string(dir != nullptr ? dir : "tests/data") + "/merkle/";
    // Five stand-in events: the tree hashes stored bytes without reading them.
    for (const char* e : {"event one", "event two", "event three", "event four", "event five"}) {
      events_.push_back(e);
    }
    for (size_t i = 0; i < events_.size(); ++i) tree_.AddLeafHash(EventLeafHash(i + 1, events_[i]));
    events::Uuid id;
    ASSERT_TRUE(events::ParseUuid(kLedgerId, &id));
    // The chain of schemas/FORMAT.md: h_0 = SHA-256("ccl-genesis" || 16 id bytes),
    // h_n = SHA-256(h_{n-1} || BE64(n) || bytes).
    chain_.push_back(Sha256("ccl-genesis" + std::string(id.begin(), id.end())));
    for (size_t i = 0; i < events_.size(); ++i) {
      const std::string data = EventLeafData(i + 1, events_[i]);  // BE64(n) || bytes
      chain_.push_back(Sha256(std::string(chain_.back().begin(), chain_.back().end()) + data));
    }
  }

  Digest DigestAt(uint64_t size, bool sign) {
    Digest d;
    d.ledger_id = kLedgerId;
    d.tree_size = d.head_seq = size;
    EXPECT_TRUE(TreeRoot(&tree_, size, &d.root_hash).ok());
    d.head_hash = chain_[size];
    d.time_ns = kTimeNs;
    if (sign) {
      SigningKey key;
      EXPECT_TRUE(HexDecode(kExampleSeed, key.seed));
      // Derive the public key the way a key file is read.
      std::ofstream(::testing::TempDir() + "/golden_key") << kExampleSeed << "\n";
      EXPECT_TRUE(ReadSigningKey(::testing::TempDir() + "/golden_key", &key).ok());
      EXPECT_TRUE(SignDigest(key, &d).ok());
    }
    return d;
  }

  // Compares with (or, with CCL_WRITE_GOLDEN=1, writes) tests/data/merkle/NAME.
  void Golden(const std::string& name, const std::string& text) {
    const std::string path = dir_ + name;
    if (std::getenv("CCL_WRITE_GOLDEN") != nullptr) {
      std::ofstream(path, std::ios::binary) << text;
      return;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path;
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), text) << path << " differs from what the code writes";
  }

  std::string dir_;
  std::vector<std::string> events_;
  std::vector<Hash> chain_;
  MemoryNodeReader tree_;
};

TEST_F(GoldenTest, WorkedExampleFilesAreWhatTheCodeWritesAndCheck) {
  const Digest d3 = DigestAt(3, false);
  const Digest d5 = DigestAt(5, true);
  InclusionProof ip;
  ip.ledger_id = kLedgerId;
  ip.tree_size = 5;
  ip.seq = 3;
  ip.event_bytes = events_[2];
  ASSERT_TRUE(MakeInclusionPath(&tree_, 2, 5, &ip.path).ok());
  ConsistencyProof cp;
  cp.ledger_id = kLedgerId;
  cp.old_size = 3;
  cp.new_size = 5;
  ASSERT_TRUE(MakeConsistencyPath(&tree_, 3, 5, &cp.path).ok());

  Golden("digest-3.json", DigestToJson(d3));
  Golden("digest-5-signed.json", DigestToJson(d5));
  Golden("digest-5-signed.txt", DigestSigningBytes(d5));
  Golden("inclusion-3-of-5.json", InclusionProofToJson(ip));
  Golden("consistency-3-to-5.json", ConsistencyProofToJson(cp));
  std::string leaves;
  for (size_t i = 0; i < events_.size(); ++i) {
    leaves += "seq " + std::to_string(i + 1) + " leaf " +
              HexEncode(EventLeafHash(i + 1, events_[i])) + " chain " + HexEncode(chain_[i + 1]) +
              "\n";
  }
  for (uint64_t n = 1; n <= 5; ++n) {
    Hash root;
    ASSERT_TRUE(TreeRoot(&tree_, n, &root).ok());
    leaves += "root of size " + std::to_string(n) + " " + HexEncode(root) + "\n";
  }
  Golden("example-hashes.txt", leaves);

  // And what an auditor does with them.
  PublicKey pub;
  ASSERT_TRUE(ReadPublicKey(dir_ + "example-key.pub", &pub).ok());
  Digest old_d, new_d;
  ASSERT_TRUE(ReadDigestFile(dir_ + "digest-3.json", &old_d).ok());
  ASSERT_TRUE(ReadDigestFile(dir_ + "digest-5-signed.json", &new_d).ok());
  EXPECT_TRUE(CheckDigestSignature(new_d, &pub).ok());
  InclusionProof ip2;
  ASSERT_TRUE(ParseInclusionProofJson(InclusionProofToJson(ip), &ip2).ok());
  EXPECT_TRUE(CheckInclusionProof(ip2, new_d).ok());
  EXPECT_TRUE(CheckConsistencyProof(cp, old_d, new_d).ok());
}

}  // namespace
}  // namespace ccl::ledger

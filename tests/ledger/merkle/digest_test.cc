// Digest JSON and signatures: round trips, strict parsing, every byte of a
// signed digest mutated, and forgeries.
#include "ledger/merkle/digest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/merkle/merkle.h"

namespace ccl::ledger {
namespace {

class DigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    digest_.ledger_id = "0b6e4e1c-2f1a-4c7e-9a51-3d2b8f4e6a10";
    digest_.tree_size = 8;
    digest_.root_hash = Sha256("root");
    digest_.head_seq = 8;
    digest_.head_hash = Sha256("head");
    digest_.time_ns = 1'774'915'199'000'000'000;  // 2026-03-30T23:59:59Z
    ASSERT_TRUE(GenerateSigningKey(&key_).ok());
    ASSERT_TRUE(GenerateSigningKey(&attacker_).ok());
  }

  // Must be rejected: either it does not parse, or its signature does not
  // check against the trusted key.
  bool Rejected(std::string_view text) {
    Digest d;
    if (!ParseDigestJson(text, &d).ok()) return true;
    return !CheckDigestSignature(d, &key_.public_key).ok();
  }

  Digest digest_;
  SigningKey key_, attacker_;
};

TEST_F(DigestTest, JsonRoundTripsSignedAndUnsigned) {
  Digest back;
  ASSERT_TRUE(ParseDigestJson(DigestToJson(digest_), &back).ok());
  EXPECT_EQ(back, digest_);
  ASSERT_TRUE(SignDigest(key_, &digest_).ok());
  const std::string json = DigestToJson(digest_);
  Status s = ParseDigestJson(json, &back);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << json;
  EXPECT_EQ(back, digest_);
  EXPECT_TRUE(CheckDigestSignature(back, &key_.public_key).ok());
  EXPECT_TRUE(CheckDigestSignature(back, nullptr).ok());
}

TEST_F(DigestTest, SigningBytesAreTheDocumentedLines) {
  EXPECT_EQ(DigestSigningBytes(digest_),
            "format=ccl-digest-v1\n"
            "ledger_id=0b6e4e1c-2f1a-4c7e-9a51-3d2b8f4e6a10\n"
            "tree_size=8\n"
            "root_hash=" +
                HexEncode(Sha256("root")) +
                "\n"
                "head_seq=8\n"
                "head_hash=" +
                HexEncode(Sha256("head")) +
                "\n"
                "time=2026-03-30T23:59:59Z\n");
}

TEST_F(DigestTest, StrictParsingRejectsEachMalformation) {
  const std::string good = DigestToJson(digest_);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return s;
  };
  const std::string root_hex = HexEncode(digest_.root_hash);
  std::vector<std::string> bad = {
      "",
      "[]",
      "null",
      "{}",
      good + "{}",
      good.substr(0, good.size() - 3),
      std::string(kDigestJsonBytesMax + 1, ' '),
      std::string("{\"format\": \"ccl-digest-v1\xff\"}"),
      std::string(200, '[') + std::string(200, ']'),
  };
  // Each text of the good document, and what it is replaced with.
  const std::pair<std::string, std::vector<std::string>> replaced[] = {
      {"\"format\": \"ccl-digest-v1\"", {"\"format\": \"ccl-digest-v2\""}},
      {"\"tree_size\": 8",
       {"\"tree_size\": \"8\"", "\"tree_size\": 8.0", "\"tree_size\": 8e0", "\"tree_size\": -8",
        "\"tree_size\": 18446744073709551616",
        "\"tree_size\": 9",  // head_seq differs
        "\"tree_size\": 8, \"tree_size\": 8", "\"tree_size\": 8, \"extra\": 1"}},
      {"\"tree_size\": 8,", {""}},
      {root_hex,
       {root_hex.substr(0, 63), root_hex + "0", "AB" + root_hex.substr(2),
        "zz" + root_hex.substr(2)}},
      {"0b6e4e1c-2f1a", {"0B6E4E1C-2f1a", "0b6e4e1c2f1a"}},
      {"2026-03-30T23:59:59Z",
       {"2026-03-30T23:59:59.000Z", "2026-03-30T23:59:59+00:00", "2026-02-30T23:59:59Z",
        "2026-03-30"}},
      {"\"time\"", {"\"time\": 1, \"x\""}},
      {"\"ledger_id\": \"", {"\"ledger_id\": \"\\u0000"}},
      {"}", {"},\"signature\": {}}"}},
      {"\n}", {",\n\"signature\": {\"algorithm\": \"ed25519\"}}", ",\n\"signature\": null}"}},
  };
  for (const auto& [from, tos] : replaced) {
    for (const std::string& to : tos) bad.push_back(with(from, to));
  }
  for (const std::string& text : bad) {
    Digest d;
    Status s = ParseDigestJson(text, &d);
    EXPECT_TRUE(s.IsInvalidArgument()) << text << " -> " << s.ToString();
    EXPECT_FALSE(s.message().empty());
  }
  Digest empty = digest_;
  empty.tree_size = empty.head_seq = 0;
  Digest d;
  EXPECT_TRUE(ParseDigestJson(DigestToJson(empty), &d).IsCorruption());  // root not MTH({})
  empty.root_hash = EmptyTreeHash();
  EXPECT_TRUE(ParseDigestJson(DigestToJson(empty), &d).ok());
}

// Every byte of a signed digest, changed in several ways: the result either
// fails to parse, fails the signature under the trusted key, or (only for
// insignificant whitespace) is the very same digest.
TEST_F(DigestTest, EveryByteOfASignedDigestMutatedIsRejected) {
  ASSERT_TRUE(SignDigest(key_, &digest_).ok());
  const std::string good = DigestToJson(digest_);
  ASSERT_FALSE(Rejected(good));
  const uint8_t kXor[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80};
  int same = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t x : kXor) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ x);
      if (Rejected(bad)) continue;
      Digest d;
      ASSERT_TRUE(ParseDigestJson(bad, &d).ok());
      EXPECT_EQ(d, digest_) << "byte " << i << " ^ " << int{x} << " accepted:\n" << bad;
      ++same;
    }
  }
  // Only whitespace may vary (e.g. '\n' <-> '\r' or ' ' <-> '\t' spellings).
  EXPECT_LT(same, 100);
  // Removing any one byte is never the same digest either.
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad.erase(i, 1);
    if (Rejected(bad)) continue;
    Digest d;
    ASSERT_TRUE(ParseDigestJson(bad, &d).ok());
    EXPECT_EQ(d, digest_) << "byte " << i << " removed";
  }
}

TEST_F(DigestTest, ForgedSignaturesAreRejected) {
  ASSERT_TRUE(SignDigest(key_, &digest_).ok());
  // The attacker changes the root and re-signs with their own key: the
  // signature is valid, but not by the trusted key.
  Digest forged = digest_;
  forged.root_hash = Sha256("rewritten history");
  ASSERT_TRUE(SignDigest(attacker_, &forged).ok());
  EXPECT_TRUE(CheckDigestSignature(forged, nullptr).ok());
  EXPECT_TRUE(CheckDigestSignature(forged, &key_.public_key).IsCorruption());
  // ... or keeps the trusted key's name on it: the signature fails.
  forged.signature->public_key = VerifyingKeyOf(key_).bytes;
  EXPECT_TRUE(CheckDigestSignature(forged, &key_.public_key).IsCorruption());
  EXPECT_TRUE(CheckDigestSignature(forged, nullptr).IsCorruption());
  // A valid signature moved onto another digest fails.
  Digest moved = digest_;
  moved.tree_size = moved.head_seq = 9;
  EXPECT_TRUE(CheckDigestSignature(moved, &key_.public_key).IsCorruption());
  Digest later = digest_;
  later.time_ns += 1'000'000'000;
  EXPECT_TRUE(CheckDigestSignature(later, &key_.public_key).IsCorruption());
  // An unsigned digest is not good enough when a key is trusted.
  Digest unsigned_digest = digest_;
  unsigned_digest.signature.reset();
  EXPECT_TRUE(CheckDigestSignature(unsigned_digest, &key_.public_key).IsCorruption());
  EXPECT_TRUE(CheckDigestSignature(unsigned_digest, nullptr).ok());
}

}  // namespace
}  // namespace ccl::ledger

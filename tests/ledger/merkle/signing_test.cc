// Ed25519 through OpenSSL: the RFC 8032 vector, key files, and forgeries.
#include "ledger/merkle/signing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/merkle/merkle.h"
#include "tests/testing/files.h"

namespace ccl::ledger {
namespace {

class SigningTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& text) {
    test_files::WriteFile(Path(name), text);
  }
  test_files::TempDir tmp_{"signing_test"};
  const std::filesystem::path dir_ = tmp_.path();
};

// RFC 8032 section 7.1, TEST 1 (empty message).
TEST_F(SigningTest, Rfc8032Test1) {
  SigningKey key;
  ASSERT_TRUE(
      HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", key.seed));
  Write("k", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n");
  ASSERT_TRUE(ReadSigningKey(Path("k"), &key).ok());
  EXPECT_EQ(HexEncode(key.public_key),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Signature sig;
  ASSERT_TRUE(Ed25519Sign(key, "", &sig).ok());
  EXPECT_EQ(HexEncode(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(Ed25519Verify(key.public_key, "", sig).ok());
}

TEST_F(SigningTest, KeyFilesRoundTripWithPrivateMode0600) {
  SigningKey key;
  ASSERT_TRUE(GenerateSigningKey(&key).ok());
  ASSERT_TRUE(WriteKeyFiles(Path("auditor"), key).ok());
  struct stat st;
  ASSERT_EQ(::stat(Path("auditor").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  SigningKey back;
  ASSERT_TRUE(ReadSigningKey(Path("auditor"), &back).ok());
  EXPECT_EQ(back.seed, key.seed);
  EXPECT_EQ(back.public_key, key.public_key);
  PublicKey pub;
  ASSERT_TRUE(ReadPublicKey(Path("auditor.pub"), &pub).ok());
  EXPECT_EQ(pub, key.public_key);
  // Never overwrites a key.
  SigningKey other;
  ASSERT_TRUE(GenerateSigningKey(&other).ok());
  EXPECT_TRUE(WriteKeyFiles(Path("auditor"), other).IsInvalidArgument());
  ASSERT_TRUE(ReadSigningKey(Path("auditor"), &back).ok());
  EXPECT_EQ(back.seed, key.seed);
  // A public key file is not a private key and vice versa, said in words.
  Status s = ReadSigningKey(Path("auditor.pub"), &back);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), Path("auditor.pub") +
                             ": not a PEM private key (it is a public key; give the private key "
                             "file (keygen's PREFIX))");
  s = ReadPublicKey(Path("auditor"), &pub);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), Path("auditor") +
                             ": not a PEM public key (it is a private key; give its public key "
                             "(PREFIX.pub))");
}

TEST_F(SigningTest, SignaturesAndForgeries) {
  SigningKey key, other;
  ASSERT_TRUE(GenerateSigningKey(&key).ok());
  ASSERT_TRUE(GenerateSigningKey(&other).ok());
  ASSERT_NE(key.public_key, other.public_key);
  const std::string msg = "format=ccl-digest-v1\ntree_size=8\n";
  Signature sig;
  ASSERT_TRUE(Ed25519Sign(key, msg, &sig).ok());
  EXPECT_TRUE(Ed25519Verify(key.public_key, msg, sig).ok());
  EXPECT_TRUE(Ed25519Verify(other.public_key, msg, sig).IsCorruption());
  EXPECT_TRUE(Ed25519Verify(key.public_key, msg + " ", sig).IsCorruption());
  for (size_t i = 0; i < sig.size(); ++i) {
    Signature bad = sig;
    bad[i] ^= 0x01;
    EXPECT_TRUE(Ed25519Verify(key.public_key, msg, bad).IsCorruption()) << i;
  }
  for (size_t i = 0; i < msg.size(); ++i) {
    std::string bad = msg;
    bad[i] ^= 0x20;
    EXPECT_TRUE(Ed25519Verify(key.public_key, bad, sig).IsCorruption()) << i;
  }
  for (size_t i = 0; i < key.public_key.size(); ++i) {
    PublicKey bad = key.public_key;
    bad[i] ^= 0x04;
    EXPECT_TRUE(Ed25519Verify(bad, msg, sig).IsCorruption()) << i;
  }
  // Malleability: S + L (the group order) is the same signature in another
  // spelling; RFC 8032 requires rejecting it.
  static const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                 0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  Signature malleated = sig;
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned v = malleated[32 + i] + kL[i] + carry;
    malleated[32 + i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  EXPECT_TRUE(Ed25519Verify(key.public_key, msg, malleated).IsCorruption());
  // All-zero key and signature: not a signature of anything.
  EXPECT_TRUE(Ed25519Verify(PublicKey{}, msg, Signature{}).IsCorruption());
  EXPECT_TRUE(Ed25519Verify(PublicKey{}, "", Signature{}).IsCorruption());
}

TEST_F(SigningTest, BadKeyFilesAreRejected) {
  SigningKey key;
  PublicKey pub;
  EXPECT_TRUE(ReadSigningKey(Path("missing"), &key).IsNotFound());
  EXPECT_TRUE(ReadPublicKey(Path("missing"), &pub).IsNotFound());
  const char* const kBad[] = {
      "",
      "\n",
      "xyz",
      "9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60",
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f6",
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f6000",
      "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n",
  };
  for (const char* text : kBad) {
    Write("bad", text);
    EXPECT_TRUE(ReadSigningKey(Path("bad"), &key).IsInvalidArgument()) << text;
    EXPECT_TRUE(ReadPublicKey(Path("bad"), &pub).IsInvalidArgument()) << text;
  }
  Write("big", std::string(kKeyFileBytesMax + 1, 'a'));
  EXPECT_TRUE(ReadSigningKey(Path("big"), &key).IsInvalidArgument());
}

}  // namespace
}  // namespace ccl::ledger

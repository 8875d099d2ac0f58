// ECDSA P-256 with SHA-256 as the alternative to Ed25519: the RFC 6979 A.2.5
// known answer (P-256, SHA-256, message "sample"), key files, signed digests
// and signed-note checkpoints (type 0x02, key ID over the DER SPKI).
#include <gtest/gtest.h>

#include <string>

#include "ledger/merkle/checkpoint.h"
#include "ledger/merkle/cosignature.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/signing.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  EXPECT_TRUE(HexDecodeString(hex, 1024, &out)) << hex;
  return out;
}

SigningKey NewEcdsaKey() {
  SigningKey key;
  EXPECT_TRUE(GenerateSigningKey(&key, KeyAlgorithm::kEcdsaP256).ok());
  EXPECT_EQ(key.algorithm, KeyAlgorithm::kEcdsaP256);
  return key;
}

// RFC 6979 appendix A.2.5: the P-256 key and its deterministic SHA-256
// signature of "sample", wrapped in the DER forms OpenSSL reads.
TEST(EcdsaTest, Rfc6979KnownAnswerVerifies) {
  const std::string spki = Unhex(
      "3059301306072a8648ce3d020106082a8648ce3d030107034200"
      "04"
      "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
      "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
  const std::string sig = Unhex(
      "3046"
      "022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
      "022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  const VerifyingKey key{KeyAlgorithm::kEcdsaP256, spki};
  EXPECT_TRUE(VerifyMessage(key, "sample", sig).ok());
  EXPECT_TRUE(VerifyMessage(key, "samplf", sig).IsCorruption());
  std::string bad = sig;
  bad[10] ^= 0x01;
  EXPECT_TRUE(VerifyMessage(key, "sample", bad).IsCorruption());
}

TEST(EcdsaTest, KeyFilesRoundTripAndSignaturesVerify) {
  testing::TempDir dir;
  const SigningKey key = NewEcdsaKey();
  ASSERT_TRUE(WriteKeyFiles(dir.Sub("k"), key).ok());
  SigningKey back;
  ASSERT_TRUE(ReadSigningKey(dir.Sub("k"), &back).ok());
  EXPECT_EQ(back.algorithm, KeyAlgorithm::kEcdsaP256);
  EXPECT_EQ(back.ecdsa_spki, key.ecdsa_spki);
  VerifyingKey pub;
  ASSERT_TRUE(ReadVerifyingKey(dir.Sub("k.pub"), &pub).ok());
  EXPECT_EQ(pub, VerifyingKeyOf(key));
  PublicKey ed;
  EXPECT_TRUE(ReadPublicKey(dir.Sub("k.pub"), &ed).IsInvalidArgument());  // not Ed25519
  std::string sig;
  ASSERT_TRUE(SignMessage(back, "message", &sig).ok());
  EXPECT_TRUE(VerifyMessage(pub, "message", sig).ok());
  EXPECT_TRUE(VerifyMessage(VerifyingKeyOf(NewEcdsaKey()), "message", sig).IsCorruption());
  Signature ed_sig;
  EXPECT_TRUE(Ed25519Sign(back, "message", &ed_sig).IsInvalidArgument());
}

TEST(EcdsaTest, SignedDigestRoundTripsThroughJson) {
  const SigningKey key = NewEcdsaKey();
  Digest d;
  d.ledger_id = "0b0e6c1e-8d4b-4f6a-9c3e-0b1d2e3f4a5b";
  d.tree_size = d.head_seq = 0;
  d.root_hash = EmptyTreeHash();
  d.head_hash = Sha256("genesis");
  d.time_ns = 1700000000LL * 1000000000LL;
  ASSERT_TRUE(SignDigest(key, &d).ok());
  const std::string json = DigestToJson(d);
  EXPECT_NE(json.find("\"ecdsa-p256-sha256\""), std::string::npos) << json;
  Digest back;
  ASSERT_TRUE(ParseDigestJson(json, &back).ok());
  EXPECT_EQ(back, d);
  const VerifyingKey pub = VerifyingKeyOf(key);
  EXPECT_TRUE(CheckDigestSignatureBy(back, &pub).ok());
  back.tree_size = back.head_seq = 1;
  EXPECT_TRUE(CheckDigestSignatureBy(back, &pub).IsCorruption());
  const VerifyingKey other = VerifyingKeyOf(NewEcdsaKey());
  EXPECT_TRUE(CheckDigestSignatureBy(d, &other).IsCorruption());
}

TEST(EcdsaTest, CheckpointSignedWithTypeTwoAndTheSpkiKeyId) {
  const SigningKey key = NewEcdsaKey();
  Checkpoint cp;
  cp.origin = "example.com/fips-log";
  cp.tree_size = 0;
  cp.root_hash = EmptyTreeHash();
  std::string note;
  ASSERT_TRUE(SignCheckpoint(key, cp, &note).ok());
  NoteVerifierKey vkey;
  ASSERT_TRUE(NoteVerifierKeyOf(key, cp.origin, &vkey).ok());
  EXPECT_EQ(vkey.type, NoteKeyType::kEcdsa);
  const Hash h = Sha256(key.ecdsa_spki);
  EXPECT_EQ(vkey.key_id, uint32_t{h[0]} << 24 | uint32_t{h[1]} << 16 | uint32_t{h[2]} << 8 | h[3]);
  NoteVerifierKey parsed;
  ASSERT_TRUE(ParseVerifierKey(FormatVerifierKey(vkey), &parsed).ok());
  SignedNote opened;
  Checkpoint back;
  ASSERT_TRUE(OpenCheckpoint(note, parsed, &opened, &back).ok());
  EXPECT_EQ(back, cp);
  std::string forged = note;
  forged[forged.find("\n0\n") + 1] = '1';
  EXPECT_TRUE(OpenCheckpoint(forged, parsed, &opened, &back).IsCorruption());
  // cosignature/v1 is Ed25519 only.
  NoteSignature cosig;
  EXPECT_TRUE(Cosign(key, "w.example", CheckpointText(cp), 1, &cosig).IsInvalidArgument());
}

}  // namespace
}  // namespace ccl::ledger

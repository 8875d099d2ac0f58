// C2SP tlog-checkpoint bodies, tlog-cosignature/v1 lines and the witness's
// rules, against the examples the specs publish (c2sp.org/tlog-checkpoint,
// c2sp.org/tlog-cosignature: origin example.com/behind-the-sofa).
#include "ledger/merkle/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/merkle/cosignature.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/witness.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger {
namespace {

// The checkpoint text of both specs' examples.
constexpr char kSpecText[] =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
// tlog-cosignature's example cosignature line (its key is not published).
constexpr char kSpecCosignatureLine[] =
    "\xE2\x80\x94 witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
    "mbIUBkBIfZ+qnA==\n";

SigningKey NewKey() {
  SigningKey key;
  EXPECT_TRUE(GenerateSigningKey(&key).ok());
  return key;
}

TEST(CheckpointTest, SpecExampleParsesAndFormatsBack) {
  Checkpoint cp;
  ASSERT_TRUE(ParseCheckpointText(kSpecText, &cp).ok());
  EXPECT_EQ(cp.origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp.tree_size, 20852163u);
  EXPECT_EQ(HexEncode(cp.root_hash).substr(0, 8), "0ac5186a");
  EXPECT_TRUE(cp.extensions.empty());
  EXPECT_EQ(CheckpointText(cp), kSpecText);
}

TEST(CheckpointTest, MalformedBodiesAreRejected) {
  Checkpoint cp;
  for (const char* bad : {
           "", "example.com/log\n",
           "example.com/log\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  // leading 0
           "example.com/log\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
           "example.com/log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n",     // 31 bytes
           "example.com/log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",  // empty ext.
           "example.com/log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",      // no newline
           "a log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  // space in origin
       }) {
    EXPECT_TRUE(ParseCheckpointText(bad, &cp).IsCorruption()) << bad;
  }
}

TEST(CheckpointTest, SpecCosignatureLineCarriesItsKeyIdAndTimestamp) {
  SignedNote note;
  ASSERT_TRUE(ParseSignedNote(std::string(kSpecText) + "\n" + kSpecCosignatureLine, &note).ok());
  ASSERT_EQ(note.signatures.size(), 1u);
  EXPECT_EQ(note.signatures[0].key_id, 0x8d66cf3fu);
  ASSERT_EQ(note.signatures[0].signature.size(), 8u + 64u);
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = t << 8 | static_cast<uint8_t>(note.signatures[0].signature[i]);
  EXPECT_EQ(t, 1679315147u);  // the spec's "time 1679315147"
  EXPECT_EQ(CosignedMessage(kSpecText, t),
            "cosignature/v1\ntime 1679315147\n" + std::string(kSpecText));
}

TEST(CheckpointTest, CosignatureVerifiesAndAnyChangeBreaksIt) {
  const SigningKey key = NewKey();
  NoteVerifierKey vkey;
  ASSERT_TRUE(CosignerVerifierKey(key, "w.example", &vkey).ok());
  EXPECT_EQ(vkey.type, NoteKeyType::kCosignatureV1);
  NoteVerifierKey parsed;
  ASSERT_TRUE(ParseVerifierKey(FormatVerifierKey(vkey), &parsed).ok());
  NoteSignature sig;
  ASSERT_TRUE(Cosign(key, "w.example", kSpecText, 1679315147, &sig).ok());
  uint64_t t = 0;
  ASSERT_TRUE(VerifyCosignature(parsed, kSpecText, sig, &t).ok());
  EXPECT_EQ(t, 1679315147u);
  for (size_t i = 0; i < sig.signature.size(); ++i) {
    NoteSignature bad = sig;
    bad.signature[i] ^= 0x01;
    EXPECT_TRUE(VerifyCosignature(parsed, kSpecText, bad, &t).IsCorruption()) << i;
  }
  std::string text = kSpecText;
  text[2] ^= 0x01;
  EXPECT_TRUE(VerifyCosignature(parsed, text, sig, &t).IsCorruption());
  // The same key as a plain Ed25519 note key has another key ID.
  NoteVerifierKey plain;
  ASSERT_TRUE(NoteVerifierKeyOf(key, "w.example", &plain).ok());
  EXPECT_NE(plain.key_id, vkey.key_id);
}

TEST(CheckpointTest, LedgerCheckpointCarriesTheDigest) {
  Digest d;
  d.ledger_id = "0b0e6c1e-8d4b-4f6a-9c3e-0b1d2e3f4a5b";
  d.tree_size = d.head_seq = 5;
  d.root_hash = Sha256("root");
  d.head_hash = Sha256("head");
  const Checkpoint cp = CheckpointOfDigest(d, "ccl.ledger/x");
  Checkpoint parsed;
  ASSERT_TRUE(ParseCheckpointText(CheckpointText(cp), &parsed).ok());
  EXPECT_EQ(parsed, cp);
  Digest back;
  ASSERT_TRUE(DigestOfCheckpoint(parsed, &back).ok());
  EXPECT_EQ(back, d);
  parsed.extensions = {"ccl-chain-head 0b0e6c1e-8d4b-4f6a-9c3e-0b1d2e3f4a5b 00"};
  EXPECT_TRUE(DigestOfCheckpoint(parsed, &back).IsCorruption());
  parsed.extensions.clear();
  EXPECT_TRUE(DigestOfCheckpoint(parsed, &back).IsCorruption());
}

class WitnessTest : public ::testing::Test {
 protected:
  // A signed checkpoint of the first `size` leaves of a fixed tree.
  std::string Note(uint64_t size, const std::string& salt = "") {
    MerkleFrontier f;
    for (uint64_t i = 0; i < size; ++i) f.Append(LeafHash(salt + std::to_string(i)));
    Checkpoint cp;
    cp.origin = "example.com/log";
    cp.tree_size = size;
    cp.root_hash = f.Root();
    std::string note;
    EXPECT_TRUE(SignCheckpoint(log_, cp, &note).ok());
    return note;
  }
  Status Witness(const std::string& note, const ConsistencyProof* proof, WitnessResult* r) {
    WitnessRequest req;
    req.note = note;
    EXPECT_TRUE(NoteVerifierKeyOf(log_, "example.com/log", &req.log_key).ok());
    req.proof = proof;
    req.state_dir = dir_.Sub("state");
    req.now_seconds = 1700000000;
    return WitnessCheckpoint(witness_, "w.example", req, r);
  }
  SigningKey log_ = NewKey();
  SigningKey witness_ = NewKey();
  testing::TempDir dir_;
};

TEST_F(WitnessTest, ExtendsWithAProofAndRefusesRollBackAndFork) {
  WitnessResult r;
  ASSERT_TRUE(Witness(Note(3), nullptr, &r).ok());
  EXPECT_TRUE(r.first_sight);
  // The proof from 3 to 7, computed from the leaves (RFC 6962 2.1.2).
  std::vector<Hash> leaves;
  for (int i = 0; i < 7; ++i) leaves.push_back(LeafHash(std::to_string(i)));
  ConsistencyProof proof;
  proof.old_size = 3;
  proof.new_size = 7;
  const Hash l01 = NodeHash(leaves[0], leaves[1]);
  const Hash l45 = NodeHash(leaves[4], leaves[5]);
  proof.path = {leaves[2], leaves[3], l01, NodeHash(l45, leaves[6])};
  EXPECT_TRUE(Witness(Note(7), nullptr, &r).IsInvalidArgument());
  ASSERT_TRUE(Witness(Note(7), &proof, &r).ok());
  EXPECT_FALSE(r.first_sight);
  EXPECT_EQ(r.previous_size, 3u);
  EXPECT_TRUE(Witness(Note(3), nullptr, &r).IsCorruption());           // roll-back
  EXPECT_TRUE(Witness(Note(7, "other"), nullptr, &r).IsCorruption());  // fork, same size
  ASSERT_TRUE(Witness(Note(7), nullptr, &r).ok());                     // the same again
  ConsistencyProof forged = proof;
  forged.old_size = 7;
  forged.new_size = 9;
  forged.path[0] = Sha256("x");
  EXPECT_TRUE(Witness(Note(9), &forged, &r).IsCorruption());
}

TEST_F(WitnessTest, RefusesANoteNotSignedByTheLog) {
  std::string note = Note(3);
  note[note.size() - 5] = note[note.size() - 5] == 'A' ? 'B' : 'A';
  WitnessResult r;
  EXPECT_TRUE(Witness(note, nullptr, &r).IsCorruption());
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("state")));  // nothing written
}

// A file given as the state folder, or above it, is the caller's mistake
// (InvalidArgument, exit 1), said before anything is cosigned.
TEST_F(WitnessTest, AFileAsTheStateFolderIsBadInput) {
  { std::ofstream(dir_.Sub("state")) << "mine"; }
  WitnessResult r;
  Status s = Witness(Note(3), nullptr, &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message(), dir_.Sub("state") + " exists and is not a folder");
  EXPECT_EQ(std::filesystem::file_size(dir_.Sub("state")), 4u);
  WitnessRequest req;
  req.note = Note(3);
  ASSERT_TRUE(NoteVerifierKeyOf(log_, "example.com/log", &req.log_key).ok());
  req.state_dir = dir_.Sub("state") + "/below";
  s = WitnessCheckpoint(witness_, "w.example", req, &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message(), req.state_dir + ": " + dir_.Sub("state") + " is not a folder");
}

TEST_F(WitnessTest, QuorumCountsDistinctTrustedCosigners) {
  WitnessResult r;
  ASSERT_TRUE(Witness(Note(4), nullptr, &r).ok());
  std::vector<NoteVerifierKey> trusted(2);
  ASSERT_TRUE(NoteVerifierKeyOf(log_, "example.com/log", &trusted[0]).ok());
  ASSERT_TRUE(CosignerVerifierKey(witness_, "w.example", &trusted[1]).ok());
  Checkpoint cp;
  QuorumReport q;
  EXPECT_TRUE(CheckCheckpointQuorum(r.cosigned_note, trusted, 1, &cp, &q).ok());
  EXPECT_EQ(q.cosigners, std::vector<std::string>{"w.example"});
  EXPECT_TRUE(CheckCheckpointQuorum(r.cosigned_note, trusted, 2, &cp, &q).IsCorruption());
  // Without the log's key, no quorum of witnesses is enough.
  EXPECT_TRUE(CheckCheckpointQuorum(r.cosigned_note, {trusted[1]}, 1, &cp, &q).IsCorruption());
  std::vector<NoteVerifierKey> keys;
  const std::string file =
      "# keys\n\n" + FormatVerifierKey(trusted[0]) + "\n" + FormatVerifierKey(trusted[1]) + "\n";
  ASSERT_TRUE(ParseTrustedKeys(file, &keys).ok());
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_TRUE(ParseTrustedKeys("not a key\n", &keys).IsCorruption());
}

}  // namespace
}  // namespace ccl::ledger

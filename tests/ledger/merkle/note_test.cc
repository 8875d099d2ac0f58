// C2SP signed notes and verifier keys, against the published vectors: the
// PeterNeumann key, text and signature of golang.org/x/mod/sumdb/note's
// note_test.go, the ECDSA key of sigstore's Rekor (whose key ID the signed-note
// spec defines as SHA-256 of the DER SPKI), and the spec's parsing rules.
#include "ledger/merkle/note.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "ledger/merkle/merkle.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger {
namespace {

// golang.org/x/mod/sumdb/note, note_test.go.
constexpr char kGoVkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kGoSkeyMaterial[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kGoText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kGoSignatureLine[] =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

// The Rekor log's ECDSA P-256 vkey, as transparency-dev's note tests use it.
constexpr char kRekorVkey[] =
    "rekor.sigstore.dev+c0d23d6a+"
    "AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW"
    "5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=";

// The PeterNeumann signing key: its base64 material is 0x01 || the seed.
SigningKey GoSigningKey(const std::string& dir) {
  std::string material;
  EXPECT_TRUE(Base64Decode(kGoSkeyMaterial, &material));
  EXPECT_EQ(material.size(), 33u);
  EXPECT_EQ(material[0], 0x01);
  const std::string path = dir + "/go.key";
  std::ofstream(path) << HexEncode(std::span<const uint8_t>(
                             reinterpret_cast<const uint8_t*>(material.data() + 1), 32))
                      << "\n";
  SigningKey key;
  EXPECT_TRUE(ReadSigningKey(path, &key).ok());
  return key;
}

TEST(NoteTest, GoVerifierKeyParsesAndFormatsBack) {
  NoteVerifierKey key;
  ASSERT_TRUE(ParseVerifierKey(kGoVkey, &key).ok());
  EXPECT_EQ(key.name, "PeterNeumann");
  EXPECT_EQ(key.key_id, 0xc74f20a3u);
  EXPECT_EQ(key.type, NoteKeyType::kEd25519);
  EXPECT_EQ(FormatVerifierKey(key), kGoVkey);
}

TEST(NoteTest, MangledVerifierKeysAreRejected) {
  // As note_test.go does: every byte changed, and every proper substring.
  std::string vkey = kGoVkey;
  for (size_t i = 0; i < vkey.size(); ++i) {
    std::string bad = vkey;
    bad[i] = static_cast<char>(bad[i] + 1);
    NoteVerifierKey key;
    EXPECT_FALSE(ParseVerifierKey(bad, &key).ok()) << bad;
  }
  for (size_t i = 0; i < vkey.size(); i += 3) {
    for (size_t j = i + 1; j <= vkey.size(); j += 2) {
      if (i == 0 && j == vkey.size()) continue;
      NoteVerifierKey key;
      EXPECT_FALSE(ParseVerifierKey(vkey.substr(i, j - i), &key).ok()) << vkey.substr(i, j - i);
    }
  }
}

TEST(NoteTest, SigningTheGoTextReproducesItsSignatureByteForByte) {
  testing::TempDir dir;
  const SigningKey key = GoSigningKey(dir.path());
  NoteVerifierKey vkey;
  ASSERT_TRUE(NoteVerifierKeyOf(key, "PeterNeumann", &vkey).ok());
  EXPECT_EQ(FormatVerifierKey(vkey), kGoVkey);
  SignedNote note;
  note.text = kGoText;
  NoteSignature sig;
  ASSERT_TRUE(SignNote(key, "PeterNeumann", kGoText, &sig).ok());
  note.signatures.push_back(sig);
  EXPECT_EQ(FormatSignedNote(note), std::string(kGoText) + "\n" + kGoSignatureLine);
}

TEST(NoteTest, GoNoteVerifiesAndAnEditedOneDoesNot) {
  NoteVerifierKey vkey;
  ASSERT_TRUE(ParseVerifierKey(kGoVkey, &vkey).ok());
  const std::string text = std::string(kGoText) + "\n" + kGoSignatureLine;
  SignedNote note;
  ASSERT_TRUE(ParseSignedNote(text, &note).ok());
  ASSERT_EQ(note.signatures.size(), 1u);
  EXPECT_EQ(note.text, kGoText);
  ASSERT_EQ(SignaturesBy(note, vkey).size(), 1u);
  EXPECT_TRUE(VerifyNoteSignature(vkey, note.text, note.signatures[0]).ok());
  std::string edited = note.text;
  edited[3] ^= 0x20;
  EXPECT_TRUE(VerifyNoteSignature(vkey, edited, note.signatures[0]).IsCorruption());
  // A key of another name or ID does not match the line at all.
  NoteVerifierKey other = vkey;
  other.name = "PeterNeumann2";
  EXPECT_TRUE(SignaturesBy(note, other).empty());
}

TEST(NoteTest, RekorEcdsaKeyIdIsTheHashOfItsSpki) {
  NoteVerifierKey key;
  ASSERT_TRUE(ParseVerifierKey(kRekorVkey, &key).ok());
  EXPECT_EQ(key.type, NoteKeyType::kEcdsa);
  EXPECT_EQ(key.key_id, 0xc0d23d6au);
  EXPECT_EQ(NoteKeyId("any name", NoteKeyType::kEcdsa, key.public_key), 0xc0d23d6au);
  EXPECT_EQ(FormatVerifierKey(key), kRekorVkey);
}

TEST(NoteTest, MalformedNotesAreRejected) {
  const std::string good = std::string(kGoText) + "\n" + kGoSignatureLine;
  SignedNote note;
  const std::string bad_cases[] = {
      "",
      kGoText,                                                // no signatures
      std::string(kGoText) + "\n",                            // blank line, nothing after
      std::string(kGoText) + kGoSignatureLine,                // no blank line
      good.substr(0, good.size() - 1),                        // no final newline
      std::string(kGoText) + "\n-- PeterNeumann AAAAAAAA\n",  // not an em dash
      std::string(kGoText) + "\n\xE2\x80\x94 Peter+Neumann x08go/ZJ\n",  // '+' in the name
      std::string(kGoText) + "\n\xE2\x80\x94 PeterNeumann AAAA\n",       // only a key ID
      std::string(kGoText) + "\n\xE2\x80\x94 PeterNeumann x08go/ZJ=\n",  // not base64
      "a\tb\n\n" + std::string(kGoSignatureLine),                        // a control character
  };
  for (const std::string& bad : bad_cases) {
    EXPECT_TRUE(ParseSignedNote(bad, &note).IsCorruption()) << bad;
  }
  std::string many = kGoText + std::string("\n");
  for (size_t i = 0; i <= kNoteSignaturesMax; ++i) many += kGoSignatureLine;
  EXPECT_TRUE(ParseSignedNote(many, &note).IsCorruption());
}

TEST(NoteTest, Base64IsStrict) {
  std::string out;
  EXPECT_TRUE(Base64Decode("AAEC", &out));
  EXPECT_EQ(out, std::string("\0\1\2", 3));
  EXPECT_TRUE(Base64Decode("AA==", &out));
  EXPECT_EQ(out, std::string(1, '\0'));
  for (const char* bad : {"", "AA=", "AB==", "A===", "AA=A", "AA AA", "AAE\n"}) {
    EXPECT_FALSE(Base64Decode(bad, &out)) << bad;
  }
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe", 2)), "//4=");
}

TEST(NoteTest, SignNoteRefusesTextsThatAreNotNoteTexts) {
  testing::TempDir dir;
  const SigningKey key = GoSigningKey(dir.path());
  NoteSignature sig;
  EXPECT_TRUE(SignNote(key, "k", "no newline", &sig).IsInvalidArgument());
  EXPECT_TRUE(SignNote(key, "k", "a\n\nb\n", &sig).IsInvalidArgument());
  EXPECT_TRUE(SignNote(key, "a b", "text\n", &sig).IsInvalidArgument());
  EXPECT_TRUE(SignNote(key, "a+b", "text\n", &sig).IsInvalidArgument());
}

}  // namespace
}  // namespace ccl::ledger

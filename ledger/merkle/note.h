// C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a
// blank line, then one signature line per key:
//   "\u2014 <key name> <base64(BE32 key ID || signature)>\n"
// and verifier keys ("vkeys") of the form <name>+<hex key ID>+<base64(type ||
// public key)>. The key ID is SHA-256(name || "\n" || type || public key)[:4]
// for the Ed25519 types, and SHA-256(DER SubjectPublicKeyInfo)[:4] for ECDSA
// (type 0x02, as the spec assigns it). Used by checkpoints (checkpoint.h) and
// witness cosignatures (cosignature.h). Format in schemas/MERKLE.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "ledger/merkle/signing.h"

namespace ccl::ledger {

// Signature type bytes of the signed-note spec.
enum class NoteKeyType : uint8_t {
  kEd25519 = 0x01,       // RFC 8032 over the note text
  kEcdsa = 0x02,         // ECDSA (P-256, SHA-256, DER signature) over the note text
  kCosignatureV1 = 0x04  // c2sp.org/tlog-cosignature: timestamped Ed25519
};

// Limits of what is parsed (the spec asks verifiers to accept at least 16).
inline constexpr size_t kNoteBytesMax = 64 * 1024;
inline constexpr size_t kNoteSignaturesMax = 100;
inline constexpr size_t kNoteKeyNameBytesMax = 256;
inline constexpr size_t kNoteSignatureBytesMax = 512;  // decoded, key ID included
inline constexpr size_t kNotePublicKeyBytesMax = 256;  // decoded, type byte excluded

struct NoteVerifierKey {
  std::string name;
  uint32_t key_id = 0;
  NoteKeyType type = NoteKeyType::kEd25519;
  // Ed25519 types: the 32-byte key. ECDSA: the DER SubjectPublicKeyInfo.
  std::string public_key;
};

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the key ID

  bool operator==(const NoteSignature&) const = default;
};

struct SignedNote {
  std::string text;  // ends in "\n"; what the signatures cover
  std::vector<NoteSignature> signatures;
};

// Standard base64 (RFC 4648 section 4), padded. Decode is strict: only the
// canonical encoding of some bytes is accepted.
std::string Base64Encode(std::string_view bytes);
[[nodiscard]] bool Base64Decode(std::string_view text, std::string* out);

// Non-empty, valid for a signature line: no spaces, no '+', no control
// characters, at most kNoteKeyNameBytesMax bytes.
bool IsValidNoteKeyName(std::string_view name);

// The key ID the spec recommends for (name, type, public key).
uint32_t NoteKeyId(std::string_view name, NoteKeyType type, std::string_view public_key);

// "<name>+<8 hex>+<base64(type || public key)>".
std::string FormatVerifierKey(const NoteVerifierKey& key);
// Strict parse of a vkey: a known type, a key of the type's size, and the key
// ID recomputed from name, type and key equal to the one written. Corruption
// naming the part that is wrong.
[[nodiscard]] Status ParseVerifierKey(std::string_view text, NoteVerifierKey* out);

// Splits a note at its last blank line and parses every signature line
// (kNoteBytesMax, kNoteSignaturesMax). Corruption naming the line otherwise.
[[nodiscard]] Status ParseSignedNote(std::string_view note, SignedNote* out);
// The note's bytes: text, blank line, signature lines in order.
std::string FormatSignedNote(const SignedNote& note);

// The verifier key of a signing key under `name`: type 0x01 for Ed25519,
// 0x02 for ECDSA P-256.
[[nodiscard]] Status NoteVerifierKeyOf(const SigningKey& key, std::string_view name,
                                       NoteVerifierKey* out);

// Signs `text` (a note text: ends in "\n") as `name` with `key`: Ed25519
// (type 0x01) or ECDSA P-256 with SHA-256, DER (type 0x02), by the key's
// algorithm. InvalidArgument for an invalid name or text.
[[nodiscard]] Status SignNote(const SigningKey& key, std::string_view name, std::string_view text,
                              NoteSignature* out);

// OK when `sig` is by `key` (same name and key ID) and verifies over `text`.
// Corruption otherwise. Types 0x01 and 0x02 only (cosignature.h checks 0x04).
[[nodiscard]] Status VerifyNoteSignature(const NoteVerifierKey& key, std::string_view text,
                                         const NoteSignature& sig);

// The signature lines of `note` made by `key` (same name and key ID): the
// spec's rule is that a verifier ignores every other line.
std::vector<const NoteSignature*> SignaturesBy(const SignedNote& note, const NoteVerifierKey& key);

}  // namespace ccl::ledger

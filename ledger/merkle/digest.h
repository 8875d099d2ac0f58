// Digests: the small statement "ledger L had tree_size events, with this
// Merkle root and this chain head, at this time", optionally signed with
// Ed25519 or ECDSA P-256. Published at period end; proofs are later checked against it.
// The JSON form and the signed bytes are specified in schemas/MERKLE.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "ledger/merkle/merkle.h"
#include "ledger/merkle/signing.h"

namespace ccl::ledger {

inline constexpr char kDigestFormat[] = "ccl-digest-v1";
inline constexpr char kSignatureAlgorithm[] = "ed25519";
inline constexpr char kEcdsaSignatureAlgorithm[] = "ecdsa-p256-sha256";
// A digest is about 600 bytes; anything much larger is not one.
inline constexpr size_t kDigestJsonBytesMax = 4 * 1024;

struct DigestSignature {
  KeyAlgorithm algorithm = KeyAlgorithm::kEd25519;
  std::string public_key;  // Ed25519: 32 bytes; ECDSA: DER SubjectPublicKeyInfo
  std::string value;       // Ed25519: 64 bytes; ECDSA: DER signature

  bool operator==(const DigestSignature&) const = default;
};

struct Digest {
  std::string ledger_id;   // lower-case UUID text
  uint64_t tree_size = 0;  // events covered: seq 1..tree_size
  Hash root_hash{};        // MTH of those events' leaves
  uint64_t head_seq = 0;   // always == tree_size
  Hash head_hash{};        // chain hash h_head_seq
  int64_t time_ns = 0;     // when the digest was made (UTC); whole seconds in practice
  std::optional<DigestSignature> signature;

  bool operator==(const Digest&) const = default;
};

// The exact bytes a signature covers (schemas/MERKLE.md):
//   "format=ccl-digest-v1\nledger_id=<uuid>\ntree_size=<decimal>\n"
//   "root_hash=<hex>\nhead_seq=<decimal>\nhead_hash=<hex>\ntime=<RFC 3339>\n"
std::string DigestSigningBytes(const Digest& digest);

// Canonical JSON (fixed key order, two-space indent, trailing newline).
std::string DigestToJson(const Digest& digest);

// Strict parse: exactly the documented keys, each once, of the documented
// types; canonical UUID, hex and time spellings; head_seq == tree_size; the
// empty tree's root for tree_size 0. InvalidArgument naming the field
// otherwise (Corruption for a tree_size 0 root that is not the empty tree's);
// *out is unspecified then. Does not check the signature.
[[nodiscard]] Status ParseDigestJson(std::string_view text, Digest* out);
// Reads and parses a digest file (at most kDigestJsonBytesMax bytes).
[[nodiscard]] Status ReadDigestFile(const std::string& path, Digest* out);

// Adds (or replaces) the signature of `digest` by `key`.
[[nodiscard]] Status SignDigest(const SigningKey& key, Digest* digest);

// Checks the digest's signature. With trusted_key null: a signature, if
// present, must verify under the public key it names (integrity only: anyone
// can sign with their own key). With trusted_key set: the digest must be
// signed, by exactly that key. Corruption saying which rule failed.
[[nodiscard]] Status CheckDigestSignature(const Digest& digest, const PublicKey* trusted_key);
// The same with a trusted key of either algorithm.
[[nodiscard]] Status CheckDigestSignatureBy(const Digest& digest, const VerifyingKey* trusted_key);

}  // namespace ccl::ledger

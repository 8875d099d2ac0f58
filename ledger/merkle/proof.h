// Proof files: an inclusion proof (event N, with its stored bytes, is leaf
// N - 1 of the tree a digest names) and a consistency proof (the tree of one
// digest is a prefix of the tree of a later one). Checking needs only the
// files and SHA-256: no ledger. JSON forms in schemas/MERKLE.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/limits.h"
#include "events/base/status.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle.h"

namespace ccl::ledger {

inline constexpr char kInclusionProofFormat[] = "ccl-inclusion-proof-v1";
inline constexpr char kConsistencyProofFormat[] = "ccl-consistency-proof-v1";
// An inclusion proof carries one event (at most limits::kEventBytesMax bytes,
// twice that in hex) and at most 63 hashes.
inline constexpr size_t kProofJsonBytesMax = 64 * 1024;

struct InclusionProof {
  std::string ledger_id;
  uint64_t tree_size = 0;
  uint64_t seq = 0;         // the event; its leaf index is seq - 1
  std::string event_bytes;  // the event's stored bytes, exactly
  std::vector<Hash> path;   // PATH(seq - 1, D[tree_size]), leaf side first

  bool operator==(const InclusionProof&) const = default;
};

struct ConsistencyProof {
  std::string ledger_id;
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<Hash> path;  // PROOF(old_size, D[new_size])

  bool operator==(const ConsistencyProof&) const = default;
};

enum class ProofKind { kInclusion, kConsistency };

// Canonical JSON (fixed key order, two-space indent, trailing newline).
std::string InclusionProofToJson(const InclusionProof& proof);
std::string ConsistencyProofToJson(const ConsistencyProof& proof);

// Which kind of proof `text` claims to be (its "format"); InvalidArgument when
// it is neither.
[[nodiscard]] Status DetectProofKind(std::string_view text, ProofKind* kind);
// Strict parses, like ParseDigestJson: exact keys and types, canonical hex,
// leaf_index == seq - 1, 1 <= seq <= tree_size, event of 1..kEventBytesMax
// bytes, at most the hashes a tree can need. InvalidArgument naming the field.
[[nodiscard]] Status ParseInclusionProofJson(std::string_view text, InclusionProof* out);
[[nodiscard]] Status ParseConsistencyProofJson(std::string_view text, ConsistencyProof* out);

// Checks an inclusion proof against a trusted digest: same ledger and tree
// size, then the leaf hash recomputed from the event bytes and the path must
// give the digest's root. OK or Corruption saying what differs.
[[nodiscard]] Status CheckInclusionProof(const InclusionProof& proof, const Digest& trusted);
// Checks a consistency proof between two trusted digests of one ledger:
// sizes as the digests say, and the path proves the old root a prefix of the
// new. Equal sizes need equal roots and head hashes.
[[nodiscard]] Status CheckConsistencyProof(const ConsistencyProof& proof, const Digest& old_digest,
                                           const Digest& new_digest);

}  // namespace ccl::ledger

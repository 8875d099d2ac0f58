#include "ledger/merkle/proof.h"

#include <string>

#include "ledger/merkle/merkle_json.h"

namespace ccl::ledger {
namespace {

// A proof file that does not parse is rejected input; a parsed one that does
// not prove what it claims is a verification failure (Corruption).
using internal::BadField;

void AppendPath(const std::vector<Hash>& path, std::string* out) {
  out->append("[");
  for (size_t i = 0; i < path.size(); ++i) {
    out->append(i == 0 ? "\n    \"" : ",\n    \"");
    out->append(HexEncode(path[i]));
    out->append("\"");
  }
  out->append(path.empty() ? "]" : "\n  ]");
}

}  // namespace

std::string InclusionProofToJson(const InclusionProof& p) {
  std::string out;
  internal::AppendDocumentHead(kInclusionProofFormat, p.ledger_id, &out);
  out += ",\n  \"tree_size\": " + std::to_string(p.tree_size);
  out += ",\n  \"seq\": " + std::to_string(p.seq);
  out += ",\n  \"leaf_index\": " + std::to_string(p.seq - 1);
  out += ",\n  \"event\": \"";
  out += HexEncode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(p.event_bytes.data()),
                                            p.event_bytes.size()));
  out += "\",\n  \"path\": ";
  AppendPath(p.path, &out);
  out += "\n}\n";
  return out;
}

std::string ConsistencyProofToJson(const ConsistencyProof& p) {
  std::string out;
  internal::AppendDocumentHead(kConsistencyProofFormat, p.ledger_id, &out);
  out += ",\n  \"old_size\": " + std::to_string(p.old_size);
  out += ",\n  \"new_size\": " + std::to_string(p.new_size);
  out += ",\n  \"path\": ";
  AppendPath(p.path, &out);
  out += "\n}\n";
  return out;
}

Status DetectProofKind(std::string_view text, ProofKind* kind) {
  internal::JsonObjectReader r;
  Status s = r.Parse(text, kProofJsonBytesMax);
  if (!s.ok()) return s.WithContext("proof");
  std::string format;
  if (r.String("format", 64, &format).ok()) {
    if (format == kInclusionProofFormat) {
      *kind = ProofKind::kInclusion;
      return Status::OK();
    }
    if (format == kConsistencyProofFormat) {
      *kind = ProofKind::kConsistency;
      return Status::OK();
    }
  }
  return BadField("proof", "format",
                  std::string("must be \"") + kInclusionProofFormat + "\" or \"" +
                      kConsistencyProofFormat + "\"");
}

Status ParseInclusionProofJson(std::string_view text, InclusionProof* out) {
  constexpr std::string_view kWhat = "inclusion proof";
  internal::JsonObjectReader r;
  InclusionProof p;
  CCL_RETURN_IF_ERROR(internal::ReadDocumentHead(
      kWhat, text, kProofJsonBytesMax, kInclusionProofFormat,
      {"format", "ledger_id", "tree_size", "seq", "leaf_index", "event", "path"}, {}, &r,
      &p.ledger_id));
  uint64_t leaf_index = 0;
  Status s = r.Uint("tree_size", &p.tree_size);
  if (s.ok()) s = r.Uint("seq", &p.seq);
  if (s.ok()) s = r.Uint("leaf_index", &leaf_index);
  if (s.ok()) s = r.HexBytes("event", limits::kEventBytesMax, &p.event_bytes);
  if (s.ok()) s = r.HashArray("path", kInclusionPathHashesMax, &p.path);
  if (!s.ok()) return s.WithContext(kWhat);
  if (p.tree_size == 0 || p.tree_size > kTreeSizeMax) {
    return BadField(kWhat, "tree_size", "must be 1.." + std::to_string(kTreeSizeMax));
  }
  if (p.seq == 0 || p.seq > p.tree_size) {
    return BadField(kWhat, "seq", "must be 1..tree_size (" + std::to_string(p.tree_size) + ")");
  }
  if (leaf_index != p.seq - 1) return BadField(kWhat, "leaf_index", "must be seq - 1");
  if (p.event_bytes.empty()) return BadField(kWhat, "event", "must not be empty");
  *out = std::move(p);
  return Status::OK();
}

Status ParseConsistencyProofJson(std::string_view text, ConsistencyProof* out) {
  constexpr std::string_view kWhat = "consistency proof";
  internal::JsonObjectReader r;
  ConsistencyProof p;
  CCL_RETURN_IF_ERROR(internal::ReadDocumentHead(
      kWhat, text, kProofJsonBytesMax, kConsistencyProofFormat,
      {"format", "ledger_id", "old_size", "new_size", "path"}, {}, &r, &p.ledger_id));
  Status s = r.Uint("old_size", &p.old_size);
  if (s.ok()) s = r.Uint("new_size", &p.new_size);
  if (s.ok()) s = r.HashArray("path", kConsistencyPathHashesMax, &p.path);
  if (!s.ok()) return s.WithContext(kWhat);
  if (p.new_size > kTreeSizeMax) return BadField(kWhat, "new_size", "over the maximum tree size");
  if (p.old_size > p.new_size) return BadField(kWhat, "old_size", "must not exceed new_size");
  *out = std::move(p);
  return Status::OK();
}

Status CheckInclusionProof(const InclusionProof& proof, const Digest& trusted) {
  if (proof.ledger_id != trusted.ledger_id) {
    return Status::Corruption("inclusion proof is for ledger " + proof.ledger_id +
                              ", the digest for ledger " + trusted.ledger_id);
  }
  if (proof.tree_size != trusted.tree_size) {
    return Status::Corruption("inclusion proof is for a tree of " +
                              std::to_string(proof.tree_size) + " events, the digest for " +
                              std::to_string(trusted.tree_size));
  }
  if (proof.seq == 0 || proof.seq > proof.tree_size) {
    return Status::Corruption("inclusion proof: seq " + std::to_string(proof.seq) + " not in 1.." +
                              std::to_string(proof.tree_size));
  }
  const Hash leaf = EventLeafHash(proof.seq, proof.event_bytes);
  Status s = VerifyInclusion(proof.seq - 1, proof.tree_size, leaf, proof.path, trusted.root_hash);
  if (!s.ok()) {
    return Status::Corruption("event " + std::to_string(proof.seq) +
                              " is not proven in the digest's tree: " + s.message());
  }
  return Status::OK();
}

Status CheckConsistencyProof(const ConsistencyProof& proof, const Digest& old_digest,
                             const Digest& new_digest) {
  if (old_digest.ledger_id != new_digest.ledger_id) {
    return Status::Corruption("the digests are of different ledgers: " + old_digest.ledger_id +
                              " and " + new_digest.ledger_id);
  }
  if (proof.ledger_id != old_digest.ledger_id) {
    return Status::Corruption("consistency proof is for ledger " + proof.ledger_id +
                              ", the digests for ledger " + old_digest.ledger_id);
  }
  if (proof.old_size != old_digest.tree_size || proof.new_size != new_digest.tree_size) {
    return Status::Corruption(
        "consistency proof is between sizes " + std::to_string(proof.old_size) + " and " +
        std::to_string(proof.new_size) + ", the digests are of sizes " +
        std::to_string(old_digest.tree_size) + " and " + std::to_string(new_digest.tree_size));
  }
  if (old_digest.tree_size == new_digest.tree_size &&
      old_digest.head_hash != new_digest.head_hash) {
    return Status::Corruption("digests of the same size " + std::to_string(old_digest.tree_size) +
                              " have different head hashes");
  }
  Status s = VerifyConsistency(proof.old_size, proof.new_size, old_digest.root_hash,
                               new_digest.root_hash, proof.path);
  if (!s.ok()) {
    return Status::Corruption("the new digest's tree does not extend the old one: " + s.message());
  }
  return Status::OK();
}

}  // namespace ccl::ledger

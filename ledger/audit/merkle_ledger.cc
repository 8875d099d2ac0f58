#include "ledger/audit/merkle_ledger.h"

#include <string>

#include "events/model/uuid.h"

namespace ccl::ledger {
namespace {

std::string Num(uint64_t n) { return std::to_string(n); }

// The NotFound of a seq that is not among a digest's `tree_size` events (0,
// or beyond them).
Status SeqNotInDigest(uint64_t seq, uint64_t tree_size) {
  return Status::NotFound("seq " + Num(seq) + " is not among the digest's " + Num(tree_size) +
                          " events");
}

}  // namespace

Status OpenLedgerTree(Ledger* ledger, std::unique_ptr<MerkleStore>* out) {
  return ledger->OpenMerkleTree(out);
}

Status NewLedgerTreeChecker(Ledger* ledger, std::unique_ptr<MerkleTreeChecker>* out) {
  return ledger->NewMerkleTreeChecker(out);
}

std::string LedgerIdText(const Ledger& ledger) { return events::FormatUuid(ledger.ledger_id()); }

Status MakeDigest(Ledger* ledger, const MerkleStore& tree, int64_t time_ns, Digest* out) {
  return MakeDigestAt(ledger, tree, tree.size(), time_ns, out);
}

Status MakeDigestAt(Ledger* ledger, const MerkleStore& tree, uint64_t tree_size, int64_t time_ns,
                    Digest* out) {
  if (tree_size > tree.size()) {
    return Status::NotFound("the ledger has " + Num(tree.size()) + " events, not " +
                            Num(tree_size));
  }
  Digest d;
  d.ledger_id = LedgerIdText(*ledger);
  d.tree_size = d.head_seq = tree_size;
  CCL_RETURN_IF_ERROR(tree.RootAt(tree_size, &d.root_hash));
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(d.tree_size, &d.head_hash));
  d.time_ns = time_ns;
  *out = std::move(d);
  return Status::OK();
}

Status CheckDigestOfLedger(Ledger* ledger, const MerkleStore& tree, const Digest& digest) {
  const std::string id = LedgerIdText(*ledger);
  if (digest.ledger_id != id) {
    return Status::Corruption("the digest is of ledger " + digest.ledger_id + ", this is " + id);
  }
  if (digest.tree_size > tree.size()) {
    return Status::Corruption("the digest covers " + Num(digest.tree_size) +
                              " events but this ledger has " + Num(tree.size()) +
                              ": events were removed, or the digest is of another copy");
  }
  Hash root;
  CCL_RETURN_IF_ERROR(tree.RootAt(digest.tree_size, &root));
  if (root != digest.root_hash) {
    return Status::Corruption("the digest does not match this ledger: the root of its first " +
                              Num(digest.tree_size) + " events is " + HexEncode(root) +
                              ", the digest says " + HexEncode(digest.root_hash));
  }
  Hash chain;
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(digest.head_seq, &chain));
  if (chain != digest.head_hash) {
    return Status::Corruption("the digest does not match this ledger: the chain hash at seq " +
                              Num(digest.head_seq) + " is " + HexEncode(chain) +
                              ", the digest says " + HexEncode(digest.head_hash));
  }
  return Status::OK();
}

Status ProveInclusion(Ledger* ledger, const MerkleStore& tree, uint64_t seq, const Digest& digest,
                      InclusionProof* out) {
  CCL_RETURN_IF_ERROR(CheckDigestOfLedger(ledger, tree, digest));
  if (seq == 0 || seq > digest.tree_size) {
    return SeqNotInDigest(seq, digest.tree_size);
  }
  InclusionProof p;
  p.ledger_id = digest.ledger_id;
  p.tree_size = digest.tree_size;
  p.seq = seq;
  events::Event event;  // decoded to run the Verifier on the bytes we hand out
  CCL_RETURN_IF_ERROR(ledger->Get(seq, &event, &p.event_bytes));
  CCL_RETURN_IF_ERROR(tree.InclusionPath(seq - 1, digest.tree_size, &p.path));
  // Check the positive space before handing it out: the stored tree must
  // prove the stored event.
  Status s = CheckInclusionProof(p, digest);
  if (!s.ok()) {
    return Status::Corruption("seq " + Num(seq) +
                              ": the stored Merkle tree does not prove the stored event (" +
                              s.message() + "); run `ledgerctl verify`");
  }
  *out = std::move(p);
  return Status::OK();
}

Status ProveConsistency(Ledger* ledger, const MerkleStore& tree, const Digest& old_digest,
                        const Digest& new_digest, ConsistencyProof* out) {
  // Ledgers first: swapping two digests of different ledgers cannot help.
  if (old_digest.ledger_id != new_digest.ledger_id) {
    return Status::Corruption("the digests are of different ledgers: " + old_digest.ledger_id +
                              " and " + new_digest.ledger_id);
  }
  if (old_digest.tree_size > new_digest.tree_size) {
    return Status::InvalidArgument("the old digest (" + Num(old_digest.tree_size) +
                                   " events) is larger than the new one (" +
                                   Num(new_digest.tree_size) + "): swap --old and --new");
  }
  Status s = CheckDigestOfLedger(ledger, tree, old_digest);
  if (!s.ok()) return s.WithContext("old digest");
  s = CheckDigestOfLedger(ledger, tree, new_digest);
  if (!s.ok()) return s.WithContext("new digest");
  ConsistencyProof p;
  p.ledger_id = new_digest.ledger_id;
  p.old_size = old_digest.tree_size;
  p.new_size = new_digest.tree_size;
  CCL_RETURN_IF_ERROR(tree.ConsistencyPath(p.old_size, p.new_size, &p.path));
  s = CheckConsistencyProof(p, old_digest, new_digest);
  if (!s.ok()) {
    return Status::Corruption("the stored Merkle tree does not prove its own consistency (" +
                              s.message() + "); run `ledgerctl verify`");
  }
  *out = std::move(p);
  return Status::OK();
}

}  // namespace ccl::ledger

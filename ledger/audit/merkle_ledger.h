// The Merkle tree of an open ledger and what the audit commands make of it:
// digests of the head and proofs against digests. Reads only; the tree is
// written by the ledger's append (MerkleStore::AppendLeafHashes).
#pragma once

#include <cstdint>
#include <memory>

#include "events/base/status.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle_store.h"
#include "ledger/merkle/proof.h"
#include "ledger/store/ledger.h"

namespace ccl::ledger {

// Opens a reader of the ledger's tree showing the first head().seq events
// (Ledger::OpenMerkleTree). InvalidArgument when `ledger` has no tree;
// Corruption when the stored tree does not hold the head's events (a ledger
// written before the tree existed, or a damaged one).
// REQUIRES: `ledger` outlives *out.
[[nodiscard]] Status OpenLedgerTree(Ledger* ledger, std::unique_ptr<MerkleStore>* out);

// A checker of the ledger's stored tiles against leaf hashes fed to it
// (Ledger::NewMerkleTreeChecker). REQUIRES: `ledger` outlives *out.
[[nodiscard]] Status NewLedgerTreeChecker(Ledger* ledger, std::unique_ptr<MerkleTreeChecker>* out);

// The ledger's id as digests and proofs spell it (lower-case UUID).
std::string LedgerIdText(const Ledger& ledger);

// The unsigned digest of the tree's size (normally the head): root from the
// tree, head hash from the chain. `time_ns` is the digest's time.
[[nodiscard]] Status MakeDigest(Ledger* ledger, const MerkleStore& tree, int64_t time_ns,
                                Digest* out);

// The same for the first `tree_size` events (a digest of an earlier head):
// NotFound when the tree has fewer.
[[nodiscard]] Status MakeDigestAt(Ledger* ledger, const MerkleStore& tree, uint64_t tree_size,
                                  int64_t time_ns, Digest* out);

// OK when `digest` states this ledger: same id, a size the tree has, and the
// same root and chain hash at that size. Corruption naming what differs.
[[nodiscard]] Status CheckDigestOfLedger(Ledger* ledger, const MerkleStore& tree,
                                         const Digest& digest);

// The inclusion proof of event `seq` in the tree of `digest`, which must be a
// digest of this ledger (CheckDigestOfLedger). The proof is checked against the
// digest before it is returned. NotFound for a seq beyond the digest.
[[nodiscard]] Status ProveInclusion(Ledger* ledger, const MerkleStore& tree, uint64_t seq,
                                    const Digest& digest, InclusionProof* out);

// The consistency proof from `old_digest` to `new_digest`, both of this ledger
// (old first: InvalidArgument when it is the larger). Checked before returned.
[[nodiscard]] Status ProveConsistency(Ledger* ledger, const MerkleStore& tree,
                                      const Digest& old_digest, const Digest& new_digest,
                                      ConsistencyProof* out);

}  // namespace ccl::ledger

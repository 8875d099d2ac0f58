// Anchored verification: does this ledger extend a digest published earlier?
// Everything is recomputed from the stored events (never taken from the stored
// tree or chain, which whoever rewrote the events could have rewritten too),
// then the stored chain and tree are checked against the events as well.
#pragma once

#include <cstdint>
#include <string>

#include "events/base/status.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/merkle.h"
#include "ledger/store/ledger.h"

namespace ccl::ledger {

struct AnchorReport {
  uint64_t digest_size = 0;  // events the digest covers
  uint64_t events = 0;       // events read and recomputed (the whole ledger)
  Hash root_at_digest{};     // MTH of events 1..digest_size, from the events
  Hash root_at_head{};       // MTH of all events, from the events
  Hash head_hash{};          // the chain head, from the events
  // When the difference can be placed: the first seq whose event no longer
  // matches what was stored with it (its chain hash or Merkle leaf); 0 else.
  uint64_t first_bad_seq = 0;
};

// Proves that the ledger extends `digest` (whose signature the caller has
// checked as it sees fit):
//  1. same ledger id; at least digest.tree_size events;
//  2. the root over events 1..tree_size and the chain hash at tree_size,
//     recomputed from the events, equal the digest's;
//  3. the stored chain hashes, head and Merkle tree (every tile) equal the ones
//     recomputed from all the events.
// On failure returns Corruption saying what differs: an event edited, deleted,
// inserted or reordered within the digest's range fails 2 even when the chain
// and tree were recomputed by whoever did it; the message then names the
// first seq whose stored chain hash or leaf disagrees with its event when
// there is one (report->first_bad_seq), and says that the stored data was
// recomputed when there is none. Events that fail their own checks (the
// FlatBuffers Verifier, seq order) are named by seq. IOError on read failure.
[[nodiscard]] Status VerifyAgainstDigest(Ledger* ledger, const Digest& digest,
                                         AnchorReport* report);

// `ledgerctl verify --against DIGEST [--pubkey KEY]` in one call: reads the
// digest file (strictly), checks its signature (which must be by the key in
// `pubkey_path` when that is non-empty), then VerifyAgainstDigest. On success
// *summary is one line for the user ("OK: ledger ... extends the digest of N
// events ..."). Failures as above; a malformed digest is Corruption (exit 3).
[[nodiscard]] Status VerifyAgainstDigestFile(Ledger* ledger, const std::string& digest_path,
                                             const std::string& pubkey_path, AnchorReport* report,
                                             std::string* summary);

}  // namespace ccl::ledger

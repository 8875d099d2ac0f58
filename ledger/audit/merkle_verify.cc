#include "ledger/audit/merkle_verify.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <string>

#include "events/base/time_format.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/merkle/merkle_store.h"
#include "ledger/merkle/signing.h"
#include "ledger/store/range_iterator.h"

namespace ccl::ledger {
namespace {

std::string Num(uint64_t n) { return std::to_string(n); }

// The first problem found with the stored data derived from the events.
struct FirstProblem {
  uint64_t seq = 0;
  std::string what;
  void Note(uint64_t s, std::string w) {
    if (seq != 0) return;
    seq = std::max<uint64_t>(s, 1);
    what = std::move(w);
  }
};

// Identity and size: the digest must be of this ledger and not cover more
// events than it has.
Status CheckDigestCovers(const Ledger& ledger, const Head& head, const Digest& digest) {
  const std::string id = LedgerIdText(ledger);
  if (digest.ledger_id != id) {
    return Status::Corruption("the digest is of ledger " + digest.ledger_id + ", this is ledger " +
                              id);
  }
  if (head.seq < digest.tree_size) {
    return Status::Corruption("the ledger has " + Num(head.seq) + " events but the digest covers " +
                              Num(digest.tree_size) + ": events " + Num(head.seq + 1) + ".." +
                              Num(digest.tree_size) + " were deleted, or this is an older copy");
  }
  return Status::OK();
}

// What the events alone give, recomputed in one pass.
struct Recomputed {
  Hash root_at_digest{};
  Hash chain_at_digest{};
  Hash root_at_head{};
  Hash chain_at_head{};
};

// The stored tree is checked as we go; if it cannot even be opened, the
// digest comparison (which never uses it) still runs and is reported first.
std::unique_ptr<MerkleTreeChecker> OpenChecker(Ledger* ledger, uint64_t head_seq,
                                               FirstProblem* stored) {
  std::unique_ptr<MerkleTreeChecker> checker;
  std::unique_ptr<MerkleStore> tree;
  Status s = OpenLedgerTree(ledger, &tree);
  if (s.ok()) s = NewLedgerTreeChecker(ledger, &checker);
  if (!s.ok()) {
    checker.reset();
    stored->Note(head_seq, s.message());
  }
  return checker;
}

// Reads events 1..head.seq, recomputing the tree and the chain, and notes
// in *stored the first stored chain hash or tile that disagrees with them.
// An error only when the events themselves cannot be read in order.
Status RecomputeFromEvents(Ledger* ledger, const Head& head, uint64_t digest_size,
                           std::unique_ptr<MerkleTreeChecker>* checker, FirstProblem* stored,
                           Recomputed* out) {
  MerkleFrontier frontier;
  Hash chain = GenesisHash(ledger->ledger_id());
  out->root_at_digest = EmptyTreeHash();
  out->chain_at_digest = chain;
  uint64_t expected = 1;
  std::unique_ptr<EventIterator> it = NewRangeIterator(ledger, 1, head.seq);
  for (; it->Valid(); it->Next(), ++expected) {
    const uint64_t seq = it->seq();
    if (seq != expected) {
      return Status::Corruption("seq " + Num(expected) +
                                ": missing (the next stored event is seq " + Num(seq) + ")");
    }
    if (seq > head.seq) break;  // appended after we read the head
    const std::string_view bytes = it->bytes();
    const Hash leaf = EventLeafHash(seq, bytes);
    frontier.Append(leaf);
    chain = ChainHash(chain, seq, bytes);
    Hash stored_chain;
    Status s = it->chain_hash(&stored_chain);
    if (!s.ok()) {
      stored->Note(seq, "its stored chain hash cannot be read: " + s.message());
    } else if (stored_chain != chain) {
      stored->Note(seq, "its stored chain hash does not match the events");
    }
    if (*checker != nullptr) {
      s = (*checker)->Add(seq, leaf);
      if (!s.ok()) {
        stored->Note((*checker)->bad_seq(), "Merkle tree: " + s.message());
        checker->reset();  // a failed checker's state is not usable further
      }
    }
    if (seq == digest_size) {
      out->root_at_digest = frontier.Root();
      out->chain_at_digest = chain;
    }
  }
  Status s = it->status();
  if (!s.ok()) return s.WithContext("reading the events");
  if (expected - 1 < head.seq) {
    return Status::Corruption("seq " + Num(expected) + ": missing (the head is seq " +
                              Num(head.seq) + ")");
  }
  out->root_at_head = frontier.Root();
  out->chain_at_head = chain;
  return Status::OK();
}

// The digest, from the events alone.
Status CompareWithDigest(const Recomputed& r, const Digest& digest, const FirstProblem& stored) {
  if (r.root_at_digest != digest.root_hash) {
    std::string msg = "the ledger does not extend the digest: the root of events 1.." +
                      Num(digest.tree_size) + " recomputed from the events is " +
                      HexEncode(r.root_at_digest) + ", the digest's is " +
                      HexEncode(digest.root_hash) + " (an event in 1.." + Num(digest.tree_size) +
                      " was edited, deleted, inserted or reordered)";
    if (stored.seq != 0 && stored.seq <= digest.tree_size) {
      msg += "; seq " + Num(stored.seq) + " is the first that differs: " + stored.what;
    } else {
      msg +=
          "; the stored chain and Merkle tree agree with the events, so they were recomputed "
          "after the change";
    }
    return Status::Corruption(msg);
  }
  if (r.chain_at_digest != digest.head_hash) {
    return Status::Corruption("the ledger does not extend the digest: the chain hash at seq " +
                              Num(digest.tree_size) + " recomputed from the events is " +
                              HexEncode(r.chain_at_digest) + ", the digest's is " +
                              HexEncode(digest.head_hash));
  }
  return Status::OK();
}

// What is stored beside the events (chain hashes, tree tiles, the head),
// against the events.
Status CompareStoredWithEvents(const Recomputed& r, const Head& head, const FirstProblem& stored,
                               MerkleTreeChecker* checker, AnchorReport* report) {
  if (stored.seq != 0) {
    return Status::Corruption("the ledger extends the digest, but seq " + Num(stored.seq) + ": " +
                              stored.what);
  }
  if (checker != nullptr) {
    Status s = checker->Finish();
    if (!s.ok()) {
      report->first_bad_seq = checker->bad_seq();
      return Status::Corruption(
          "the ledger extends the digest, but its Merkle tree does not "
          "match its events: " +
          s.message());
    }
  }
  if (r.chain_at_head != head.hash) {
    report->first_bad_seq = std::max<uint64_t>(head.seq, 1);
    return Status::Corruption("the ledger extends the digest, but its stored head hash " +
                              HexEncode(head.hash) + " is not the chain of its events " +
                              HexEncode(r.chain_at_head));
  }
  return Status::OK();
}

}  // namespace

Status VerifyAgainstDigest(Ledger* ledger, const Digest& digest, AnchorReport* report) {
  assert(ledger != nullptr && report != nullptr);
  *report = AnchorReport{};
  report->digest_size = digest.tree_size;
  const Head head = ledger->head();
  CCL_RETURN_IF_ERROR(CheckDigestCovers(*ledger, head, digest));
  FirstProblem stored;  // the first stored chain hash / tile that disagrees
  std::unique_ptr<MerkleTreeChecker> checker = OpenChecker(ledger, head.seq, &stored);
  Recomputed r;
  CCL_RETURN_IF_ERROR(RecomputeFromEvents(ledger, head, digest.tree_size, &checker, &stored, &r));
  report->events = head.seq;
  report->root_at_digest = r.root_at_digest;
  report->root_at_head = r.root_at_head;
  report->head_hash = r.chain_at_head;
  report->first_bad_seq = stored.seq;
  CCL_RETURN_IF_ERROR(CompareWithDigest(r, digest, stored));
  return CompareStoredWithEvents(r, head, stored, checker.get(), report);
}

Status VerifyAgainstDigestFile(Ledger* ledger, const std::string& digest_path,
                               const std::string& pubkey_path, AnchorReport* report,
                               std::string* summary) {
  Digest digest;
  CCL_RETURN_IF_ERROR(ReadDigestFile(digest_path, &digest));
  VerifyingKey key;
  if (!pubkey_path.empty()) CCL_RETURN_IF_ERROR(ReadVerifyingKey(pubkey_path, &key));
  Status s = CheckDigestSignatureBy(digest, pubkey_path.empty() ? nullptr : &key);
  if (!s.ok()) return s.WithContext(digest_path);
  CCL_RETURN_IF_ERROR(VerifyAgainstDigest(ledger, digest, report));
  std::string signed_by = "unsigned";
  if (digest.signature) {
    signed_by = (pubkey_path.empty() ? "signed by key " : "signed by the trusted key ") +
                HexEncode(digest.signature->public_key).substr(0, 16) + "...";
  }
  *summary = "OK: ledger " + digest.ledger_id + " extends the digest of " + Num(digest.tree_size) +
             " events made " + events::FormatInstant(digest.time_ns) + " (" + signed_by +
             ", root " + HexEncode(digest.root_hash) + "); it now has " + Num(report->events) +
             " events, root " + HexEncode(report->root_at_head);
  return Status::OK();
}

}  // namespace ccl::ledger

// Verify's internals: the rebuilt write model and the index digests
// (ledger/store/verify.cc, ledger/store/verify_model.cc). Internal header.
#pragma once

#include <rocksdb/options.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/merkle/merkle.h"
#include "ledger/store/ledger_impl.h"
#include "ledger/store/period_seal.h"
#include "ledger/store/write_model.h"

namespace ccl::ledger {

// An order-independent digest of a set of (key, value) entries: the count and
// two 64-bit sums of independent hashes of each entry. Two sets with equal
// digests are, short of an accident of ~2^-128, equal; this is a consistency
// check of derived data, not a defense against a forger (who could rewrite
// the chain anyway: that is the Merkle digest's job).
class IndexDigest {
 public:
  void Add(std::string_view key, std::string_view value);
  bool operator==(const IndexDigest&) const = default;

 private:
  uint64_t count_ = 0;
  uint64_t sum_a_ = 0;
  uint64_t sum_b_ = 0;
};

// An order-independent, keyed digest of the `streams` copies: the count and
// the sum mod 2^256 of, per entry, SHA-256(salt || key || EventLeafHash(seq,
// copied bytes)) (the Merkle leaf hash, merkle.h; its fixed size delimits the
// key). The copies are what single-contract reports read, so unlike an index
// of seqs they are worth forging (altered minutes that still decode), and
// IndexDigest's unkeyed mix could be steered to a chosen sum. Here the salt
// is drawn afresh by each verify and never stored: without it no one can
// compute an entry's term of the sum, so a forged set of copies matches only
// by an accident of about 2^-256; and a forged copy with the leaf hash of the
// original would be a SHA-256 second preimage. Going through the leaf hash
// lets the expected side reuse the one the chain scan computes anyway: the
// event bytes are hashed once per side. The salt fills one SHA-256 block,
// hashed once per run, so a term costs one block compression (a stream key
// of up to 23 bytes: contracts of up to 14 characters) instead of two. An
// entry whose value holds no seq is hashed under the salt with its last bit
// flipped (with its key's size), so it never has a real entry's term.
class CopyDigest {
 public:
  static constexpr size_t kSaltBytes = 64;
  using Salt = std::array<uint8_t, kSaltBytes>;
  explicit CopyDigest(const Salt& salt);
  CopyDigest(const CopyDigest&) = delete;
  CopyDigest& operator=(const CopyDigest&) = delete;

  // One stored entry, as it is (a value too short to hold a seq counts as
  // an entry no event implies).
  void Add(std::string_view key, std::string_view value);
  // The entry an event implies: its stream key and EventLeafHash(seq, its
  // stored bytes). Same as Add(key, BE64(seq) || bytes).
  void AddLeaf(std::string_view key, const Hash& leaf);
  // Same entries (the salt must be the same too).
  bool Matches(const CopyDigest& other) const {
    return count_ == other.count_ && sum_ == other.sum_;
  }

 private:
  void AddTerm(Sha256Stream* term);  // adds the finished hash to the sum
  // SHA-256 after the salt (after the other salt), never finished.
  Sha256Stream salted_;
  Sha256Stream salted_malformed_;
  uint64_t count_ = 0;
  std::array<uint64_t, 4> sum_{};  // limbs of the 256-bit sum, least significant first
};

class VerifyState;

// The stored bytes of the last kEventsKept events the scan read, by seq, and
// the ids of the last kIdsKept: the rules and the period figures look up the
// targets of reversals and decisions, which on the generated ledgers are the
// event just before (a decision) or a median of 26,000 events back (a
// reversal: 80% within 65,536). Read from `events` again, each would
// decompress a 32 KiB block the scan did not cache; and finding a decision's
// target through `ids` would read a block of that index (a random key) for
// an event just read. Memory: about kEventsKept times an event's size.
class RecentEvents {
 public:
  static constexpr uint64_t kEventsKept = 1 << 16;
  static constexpr uint64_t kIdsKept = 8;
  RecentEvents() : slots_(kEventsKept) {}
  // REQUIRES: seqs strictly increasing.
  void Add(uint64_t seq, const events::Uuid& id, std::string_view bytes);
  // Event `seq`'s bytes when still kept; valid until the next Add.
  bool Find(uint64_t seq, std::string_view* bytes) const;
  // The seq of the latest of the last kIdsKept events with this id, false
  // when none of them has it.
  bool FindId(const events::Uuid& id, uint64_t* seq) const;

 private:
  std::vector<std::string> slots_;            // event seq at slot seq % kEventsKept
  std::array<events::Uuid, kIdsKept> ids_{};  // its id at seq % kIdsKept
  uint64_t last_seq_ = 0;                     // 0: none yet
};

// The write model rebuilt in memory from the log, as a ModelView for
// ApplyEvent. Targets of reversals and decisions are found among the last
// events scanned (RecentEvents) or through the `ids` index (whose own
// consistency CheckIds establishes) and must precede the current event.
class VerifyModel final : public ModelView {
 public:
  VerifyModel(LedgerImpl* ledger, const rocksdb::ReadOptions& ro);
  void set_current_seq(uint64_t seq) { current_seq_ = seq; }
  // Event `seq` passed the scan's checks: a later event may look it up.
  void Scanned(uint64_t seq, const events::Uuid& id, std::string_view bytes) {
    recent_.Add(seq, id, bytes);
  }

  Status FindContract(std::string_view contract, ContractState** state) override;
  ContractState* CreateContract(std::string_view contract) override;
  Status FindEscalation(const std::string& key, bool* found, EscalationState* state) override;
  void PutEscalation(const std::string& key, const EscalationState& state) override;
  Status FindReversal(uint64_t target_seq, bool* found, uint64_t* reversing_seq) override;
  void PutReversal(uint64_t target_seq, uint64_t reversing_seq) override;
  Status FindEvent(const events::Uuid& id, EventLookup* out) override;
  // `contract`'s sums in `fold`: for a contract the rules just looked up,
  // without a second lookup by name. REQUIRES: the same fold every call.
  PeriodFold::ContractSums* PeriodSumsOf(std::string_view contract, PeriodFold* fold);

  // Compares the rebuilt model with the stored `contracts`, `escalations` and
  // `reversals` column families, both ways; failures go through v->Fail.
  Status CompareWithStored(VerifyState* v);

 private:
  // One column family each, as CompareWithStored.
  Status CompareContracts(VerifyState* v);
  Status CompareEscalations(VerifyState* v);
  Status CompareReversals(VerifyState* v);

  struct Escalation {
    EscalationState state;
    uint64_t last_seq;  // to name a seq when the stored state differs
  };
  // An event FindEvent found, kept for the lookups that follow: one event's
  // replay and period figures ask for the same target up to four times (a
  // decision, its target, the target's reversal target).
  struct Found {
    events::Uuid id{};
    uint64_t seq = 0;  // 0: empty
    events::Event event;
  };
  // Finds the event `id` (not in found_) and decodes it into *slot: from
  // recent_ while kept, else through `ids` and `events`.
  Status LookUp(const events::Uuid& id, Found* slot, bool* found);

  // A contract's rebuilt state, and its period sums once asked for.
  struct Contract {
    ContractState state;
    PeriodFold::ContractSums* sums = nullptr;
  };
  using ContractEntry = std::pair<const std::string, Contract>;
  void Remember(ContractEntry* e);  // as one of last_contracts_
  // One of last_contracts_ by name, else nullptr.
  ContractEntry* RecentContract(std::string_view contract) const;

  LedgerImpl* ledger_;
  rocksdb::ReadOptions ro_;
  // Point lookups: through the block cache (targets cluster in time), no
  // readahead.
  rocksdb::ReadOptions lookup_ro_;
  uint64_t current_seq_ = 0;
  std::unordered_map<std::string, Contract, StringHash, std::equal_to<>> contracts_;
  std::array<ContractEntry*, 2> last_contracts_{};  // the last two found, most recent first
  std::unordered_map<std::string, Escalation> escalations_;
  std::unordered_map<uint64_t, uint64_t> reversals_;
  // The two events found last; `next_found_` is the one the next miss
  // replaces, so the event a caller got from the previous call stays valid.
  std::array<Found, 2> found_;
  size_t next_found_ = 0;
  RecentEvents recent_;
  std::string value_;
};

// Hands the stored bytes of the events, in seq order, from the event scan to
// the chain scan, so the events are read (and decompressed) once. Chunks of
// ~1 MiB, at most kChunksMax in flight: memory stays bounded. One producer,
// one consumer.
class EventHandoff {
 public:
  // Producer: appends event `seq`'s bytes and its `streams` key (seqs
  // strictly consecutive).
  void Add(uint64_t seq, std::string_view bytes, std::string_view stream_key);
  // Producer: no more events; `complete` when the scan reached the end of
  // `events` (not stopped by a failure).
  void Close(bool complete);
  // Consumer: the next event, false at the end. The views stay valid until
  // the next call.
  bool Next(uint64_t* seq, std::string_view* bytes, std::string_view* stream_key);
  // Consumer: stops taking events; the producer's Adds then do nothing.
  void Abandon();
  bool complete() const { return complete_; }  // after Next returned false

 private:
  static constexpr size_t kChunkBytes = 1 << 20;
  static constexpr size_t kChunksMax = 4;
  struct Chunk {
    uint64_t first_seq = 0;
    uint64_t count = 0;
    std::string data;  // count times: u32 length, bytes, u32 length, stream key
  };
  void Push();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> queue_;  // guarded by mu_
  bool closed_ = false;      // guarded by mu_
  bool abandoned_ = false;   // guarded by mu_
  bool complete_ = false;    // guarded by mu_ until Next returns false
  std::string spare_;        // guarded by mu_: a consumed chunk's buffer, for reuse
  Chunk filling_;            // producer only
  Chunk reading_;            // consumer only
  size_t read_pos_ = 0;      // consumer only
  uint64_t read_index_ = 0;  // consumer only
};

// Digests of the stored `ids` and `streams`, made on their own thread.
struct StoredDigests {
  explicit StoredDigests(const CopyDigest::Salt& salt) : streams(salt) {}
  IndexDigest ids;
  CopyDigest streams;
};

// The steps of LedgerImpl::Verify (ledger/store/verify.cc). ScanEvents, ScanChain
// and DigestStoredIndexes run on three threads at once and share only
// read-only state and the stop flag; the rest runs after they are joined.
class VerifyState {
 public:
  // `salt` keys the digests of the `streams` copies (CopyDigest).
  VerifyState(LedgerImpl* ledger, const rocksdb::ReadOptions& ro, const CopyDigest::Salt& salt);

  // What the chain thread found.
  struct ChainScan {
    // Corruption (bad_seq set), or the error of a read: bad_seq is then the
    // seq whose chain hash could not be read, 0 when the read was of none.
    Status status;
    uint64_t bad_seq = 0;
    uint64_t seq = 0;       // events hashed
    Hash hash{};            // h_seq
    bool complete = false;  // reached the end of the events
  };

  enum Scan { kEventScan = 0, kChainScan = 1 };

  Status ReadHead();
  // Reads the events: checks each, replays the rules, digests the `ids`
  // entries they imply, and hands their bytes and `streams` keys to the
  // chain scan once they passed (closing
  // `handoff` however it returns). Returns OK early past a seq the chain scan
  // found bad.
  Status ScanEvents(const VerifyProgress& progress, EventHandoff* handoff);
  // Recomputes the chain and the Merkle tree over the bytes handed over, and
  // compares them with `chain` and `merkle`; digests the `streams` copies
  // the events imply (from the leaf hashes it computes anyway). Returns early past a seq the
  // event scan found bad.
  ChainScan ScanChain(EventHandoff* handoff);
  // Digests what is stored in `ids` and `streams`; returns early (OK) once
  // either scan found damage.
  Status DigestStoredIndexes(StoredDigests* out);
  // Tells the other scans that `scan` failed at `seq` (when `failed`).
  void StopAt(int scan, uint64_t seq, bool failed);
  // The first failure of the two scans, else the head check.
  Status Merge(const Status& events, const ChainScan& chain);
  // Compare the stored digests with the implied ones; on a difference, find
  // the seq concerned.
  Status CheckIds(const IndexDigest& stored);
  Status CheckStreams(const CopyDigest& stored);
  Status CheckWriteModel();
  // verify_period.cc: folds event `seq` into the period figures and, for a
  // PeriodClosed, compares its sealed figures with the recomputed ones.
  Status CheckPeriodSeal(uint64_t seq, const events::Event& e);

  // Records the first bad seq and returns Corruption "seq N: what".
  Status Fail(uint64_t seq, const std::string& what);
  // The same for a failed check: Corruption "seq N: <cause's message>", with
  // the cause's rule id (a stored event that breaks a rule).
  Status Fail(uint64_t seq, const Status& cause);
  // A table that could not be read (`read_error`) kept the scan from
  // checking seq `seq` and those after it: records `seq` as the first bad
  // seq when the head holds it, and returns `read_error` as it is.
  Status Unchecked(uint64_t seq, const Status& read_error);

  uint64_t events_checked() const { return computed_.seq; }
  const Head& recomputed_head() const { return computed_; }
  uint64_t first_bad_seq() const { return first_bad_seq_; }
  LedgerImpl* ledger() const { return ledger_; }
  const rocksdb::ReadOptions& read_options() const { return ro_; }

 private:
  Status LocateIndexDamage(ColumnFamilyId cf);
  Status FindEventWithBadEntry(ColumnFamilyId cf);
  Status FindEntryWithoutEvent(ColumnFamilyId cf);
  // ScanEvents' steps.
  Status ReplayThroughRules(const events::Event& e, uint64_t seq);
  Status CheckScanEnd(const VerifyProgress& progress);
  // True when the other scan failed at a seq before `seq`.
  bool Beyond(int other_scan, uint64_t seq) const;

  LedgerImpl* ledger_;
  rocksdb::ReadOptions ro_;
  VerifyModel model_;
  Head stored_head_;
  Head computed_;
  uint64_t first_bad_seq_ = 0;
  std::atomic<uint64_t> bad_at_[2] = {0, 0};  // by Scan: first bad seq, 0 = none
  IndexDigest ids_expected_;
  CopyDigest streams_expected_;  // the chain scan's until it is joined
  std::string key_;
  PeriodFold period_fold_;
};

}  // namespace ccl::ledger

// Point reads: by seq, by event id, chain hashes, stream versions and the
// known-at binary search (ledger/ledger_impl.h).
#include <rocksdb/db.h>

#include <cstring>

#include "events/codec.h"
#include "events/quote.h"
#include "events/uuid.h"
#include "ledger/ledger_impl.h"

namespace ccl::ledger {

namespace {

std::string SeqLabel(uint64_t seq) { return "seq " + std::to_string(seq); }

}  // namespace

Status LedgerImpl::GetStored(uint64_t seq, std::string* bytes) {
  SeqKey k(seq);
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kCfEvents), rocksdb::Slice(k.bytes, 8), bytes);
  if (s.IsNotFound()) {
    // Below the head every seq exists: a hole is damage, not absence.
    if (seq >= 1 && seq <= head().seq) return Status::Corruption(SeqLabel(seq) + ": missing");
    return Status::NotFound(SeqLabel(seq) + ": no such event");
  }
  return FromRocks(s, "read " + SeqLabel(seq));
}

Status LedgerImpl::SeqById(const events::Uuid& id, bool* found, uint64_t* seq) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfIds),
                               rocksdb::Slice(reinterpret_cast<const char*>(id.data()), 16), &v);
  *found = false;
  if (s.IsNotFound()) return Status::OK();
  CCL_RETURN_IF_ERROR(FromRocks(s, "read ids index"));
  if (!DecodeSeq(v, seq)) {
    return Status::Corruption("ids index: value for " + events::FormatUuid(id) + " is not 8 bytes");
  }
  *found = true;
  return Status::OK();
}

Status LedgerImpl::Get(uint64_t seq, events::Event* out, std::string* stored_bytes) {
  if (seq == 0 || seq > head().seq) return Status::NotFound(SeqLabel(seq) + ": no such event");
  std::string local;
  std::string* bytes = stored_bytes != nullptr ? stored_bytes : &local;
  CCL_RETURN_IF_ERROR(GetStored(seq, bytes));
  Status s = events::DecodeEvent(*bytes, out);
  if (!s.ok()) return Status::Corruption(SeqLabel(seq) + ": " + s.message());
  if (out->seq != seq) {
    return Status::Corruption(SeqLabel(seq) + ": stored event carries seq " +
                              std::to_string(out->seq));
  }
  return Status::OK();
}

Status LedgerImpl::GetByEventId(const events::Uuid& id, events::Event* out) {
  bool found = false;
  uint64_t seq = 0;
  CCL_RETURN_IF_ERROR(SeqById(id, &found, &seq));
  if (!found || seq > head().seq) {
    return Status::NotFound("no event " + events::FormatUuid(id));
  }
  CCL_RETURN_IF_ERROR(Get(seq, out, nullptr));
  if (out->event_id != id) {
    return Status::Corruption(SeqLabel(seq) + ": ids index entry for " + events::FormatUuid(id) +
                              " points to event " + events::FormatUuid(out->event_id));
  }
  return Status::OK();
}

Status LedgerImpl::GetChainHash(uint64_t seq, Hash* out) {
  if (seq == 0) {
    *out = GenesisHash(ledger_id_);
    return Status::OK();
  }
  if (seq > head().seq) return Status::NotFound(SeqLabel(seq) + ": no such event");
  SeqKey k(seq);
  std::string v;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kCfChain), rocksdb::Slice(k.bytes, 8), &v);
  if (s.IsNotFound()) return Status::Corruption(SeqLabel(seq) + ": chain hash missing");
  CCL_RETURN_IF_ERROR(FromRocks(s, "read chain hash"));
  if (v.size() != out->size()) {
    return Status::Corruption(SeqLabel(seq) + ": chain hash is not 32 bytes");
  }
  std::memcpy(out->data(), v.data(), out->size());
  return Status::OK();
}

Status LedgerImpl::StreamVersion(std::string_view contract, uint64_t* version) {
  // Committed state straight from RocksDB: safe from any thread, and in a
  // read-only instance the only source there is.
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfContracts),
                               rocksdb::Slice(contract.data(), contract.size()), &v);
  if (s.IsNotFound()) {
    *version = 0;
    return Status::OK();
  }
  CCL_RETURN_IF_ERROR(FromRocks(s, "read contract state"));
  ContractState c;
  Status d = DecodeContractState(v, &c);
  if (!d.ok()) return d.WithContext("contract '" + std::string(contract) + "'");
  *version = c.stream_version;
  return Status::OK();
}

Status LedgerImpl::LastSeqRecordedAtOrBefore(int64_t t_ns, uint64_t* seq) {
  // recorded_at never decreases along seq, so the events recorded at or
  // before t are a prefix [1, answer]: binary search, ~log2(head) reads.
  uint64_t lo = 0;               // invariant: recorded_at(lo) <= t (seq 0: before all)
  uint64_t hi = head().seq + 1;  // invariant: recorded_at(hi) > t (past the end)
  events::Event e;
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    CCL_RETURN_IF_ERROR(Get(mid, &e, nullptr));
    if (e.recorded_at_ns <= t_ns) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  *seq = lo;
  return Status::OK();
}

Status CheckContractExists(Ledger* ledger, std::string_view contract) {
  if (contract.empty()) return Status::OK();
  uint64_t version = 0;
  CCL_RETURN_IF_ERROR(ledger->StreamVersion(contract, &version));
  if (version == 0) {
    return Status::NotFound("no contract " + events::QuoteForMessage(contract) + " in the ledger");
  }
  return Status::OK();
}

}  // namespace ccl::ledger

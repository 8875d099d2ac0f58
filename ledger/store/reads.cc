// Point reads: by seq, by event id, chain hashes, stream versions and the
// known-at binary search; the Merkle tree's readers and backups, which audit
// reaches through the public interface (ledger/store/ledger_impl.h).
#include <rocksdb/db.h>
#include <rocksdb/utilities/backup_engine.h>

#include <cassert>
#include <cstring>

#include "events/base/quote.h"
#include "events/model/codec.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "ledger/store/ledger_impl.h"
#include "ledger/store/stored_event.h"

namespace ccl::ledger {

Status LedgerImpl::GetStored(uint64_t seq, std::string* bytes) {
  SeqKey k(seq);
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kCfEvents), rocksdb::Slice(k.bytes, 8), bytes);
  if (s.IsNotFound()) {
    // Below the head every seq exists: a hole is damage, not absence.
    if (seq >= 1 && seq <= head().seq) return Status::Corruption(SeqLabel(seq) + ": missing");
    return EventNotFound(seq);
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
  if (seq == 0 || seq > head().seq) return EventNotFound(seq);
  std::string local;
  std::string* bytes = stored_bytes != nullptr ? stored_bytes : &local;
  CCL_RETURN_IF_ERROR(GetStored(seq, bytes));
  return DecodeStoredEvent(seq, *bytes, out);
}

Status LedgerImpl::GetByEventId(const events::Uuid& id, events::Event* out) {
  bool found = false;
  uint64_t seq = 0;
  CCL_RETURN_IF_ERROR(SeqById(id, &found, &seq));
  if (!found || seq > head().seq) {
    return EventIdNotFound(id);
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
  bool found = false;
  ContractState c;
  CCL_RETURN_IF_ERROR(ReadStoredContract(contract, &found, &c));
  *version = found ? c.stream_version : 0;
  return Status::OK();
}

Status LedgerImpl::PendingApprovals(std::vector<uint64_t>* out) {
  bool found = false;
  ContractState ledger_stream;
  CCL_RETURN_IF_ERROR(ReadStoredContract("", &found, &ledger_stream));
  out->clear();
  if (found) *out = std::move(ledger_stream.pending_seqs);
  return Status::OK();
}

Status LedgerImpl::ReadStoredContract(std::string_view contract, bool* found, ContractState* out) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfContracts),
                               rocksdb::Slice(contract.data(), contract.size()), &v);
  *found = !s.IsNotFound();
  if (!*found) return Status::OK();
  CCL_RETURN_IF_ERROR(FromRocks(s, "read contract state"));
  Status d = DecodeContractState(v, out);
  if (!d.ok()) return d.WithContext("contract '" + std::string(contract) + "'");
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

Status LedgerImpl::OpenMerkleTree(std::unique_ptr<MerkleStore>* out) {
  const uint64_t size = head().seq;
  // A writer in this process may append after head() was read: accept a tree
  // that has grown since, and show its first `size` leaves.
  Status s = MerkleStore::Open(db_, cf(kCfMerkle), size, out, /*may_have_grown=*/true);
  if (!s.ok()) {
    return s.WithContext("the ledger's Merkle tree (" + std::to_string(size) + " events)");
  }
  return Status::OK();
}

Status LedgerImpl::NewMerkleTreeChecker(std::unique_ptr<MerkleTreeChecker>* out) {
  *out = std::make_unique<MerkleTreeChecker>(db_, cf(kCfMerkle));
  return Status::OK();
}

Status LedgerImpl::CreateBackup(rocksdb::BackupEngine* engine, const std::string& app_metadata,
                                uint32_t* backup_id) {
  assert(engine != nullptr && backup_id != nullptr);
  // The engine copies table files whole and checks only that the copy equals
  // the file: a damaged block would go into the backup unnoticed, to fail
  // only at the restore. Every block's checksum is read first.
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  const rocksdb::Status checked = db_->VerifyChecksum(ro);
  if (!checked.ok()) {
    return FromRocks(checked, "check the table files before the backup")
        .WithDetail("(nothing was backed up)");
  }
  rocksdb::CreateBackupOptions create;
  // Copying the live WAL instead of flushing keeps every column family at one
  // point in time even with concurrent appends.
  create.flush_before_backup = false;
  rocksdb::BackupID id = 0;
  const rocksdb::IOStatus s = engine->CreateNewBackupWithMetadata(create, db_, app_metadata, &id);
  if (!s.ok()) return FromRocks(s, "create backup");
  *backup_id = id;
  return Status::OK();
}

Status CheckContractExists(Ledger* ledger, std::string_view contract) {
  if (contract.empty()) return Status::OK();
  uint64_t version = 0;
  CCL_RETURN_IF_ERROR(ledger->StreamVersion(contract, &version));
  if (version == 0) {
    return ContractNotFound(contract);
  }
  return Status::OK();
}

Status ContractNotFound(std::string_view contract) {
  return Status::NotFound("no contract " + events::QuoteForMessage(contract) + " in the ledger");
}

Status EventIdConflict(const events::Event& e, std::optional<uint64_t> seq) {
  return Status::Conflict(EventLabel(e.event_id) + ": event_id conflict: already used" +
                          (seq ? " by seq " + std::to_string(*seq) : std::string()) +
                          " with different content")
      .WithRule(rules::kEventIdConflict);
}

Status EventNotFound(uint64_t seq) { return Status::NotFound(SeqLabel(seq) + ": no such event"); }

Status EventIdNotFound(const events::Uuid& id) {
  return Status::NotFound("no event " + events::FormatUuid(id));
}

}  // namespace ccl::ledger

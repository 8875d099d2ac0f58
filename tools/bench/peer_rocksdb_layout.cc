// Raw RocksDB with our key layout: per event the stored bytes under BE64(seq)
// in `events`, a 32-byte value under BE64(seq) in `chain`, BE64(seq) under the
// event id in `ids`, and BE64(seq) followed by a copy of the event bytes
// under (contract, 0x00, BE64(stream_version)) in `streams` (format 2,
// schemas/FORMAT.md); index entries sorted within the batch, one synced WriteBatch per
// batch, and the column family settings of ledger/store/ledger_open.cc. No rules,
// no hashing (the chain values are zeros), no encoding: the ceiling of this
// layout, which tells how much of the gap to raw RocksDB is the layout itself
// (memtable inserts of four keys per event, two of them in random order) and
// how much is our code. Reported as context, not as a published metric.
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "events/base/durable_file.h"
#include "ledger/store/cf_options.h"
#include "tools/bench/peer.h"

namespace ccl::bench {

namespace {

enum Cf { kDefault = 0, kEvents, kChain, kIds, kStreams, kCfs };

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  return Status::IOError("rocksdb " + std::string(what) + ": " + s.ToString());
}

void AppendBe64(uint64_t v, std::string* out) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The ledger's own options for these families (ledger/store/cf_options.h).
rocksdb::ColumnFamilyOptions LayoutOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& cache) {
  static constexpr ledger::ColumnFamilyId kLedgerCf[kCfs] = {
      ledger::kCfDefault, ledger::kCfEvents, ledger::kCfChain, ledger::kCfIds, ledger::kCfStreams};
  return ledger::CfOptions(kLedgerCf[cf], cache);
}

class RocksDbLayoutPeer final : public Peer {
 public:
  explicit RocksDbLayoutPeer(std::string dir)
      : dir_(std::move(dir)), cache_(rocksdb::NewLRUCache(256 << 20)) {
    db_options_.create_if_missing = true;
    db_options_.create_missing_column_families = true;
    db_options_.max_background_jobs = 2;
    db_options_.allow_concurrent_memtable_write = false;  // as the ledger: hints need it
    write_options_.sync = true;
  }
  ~RocksDbLayoutPeer() override { Close().IgnoreError(); }

  Status Open() {
    const char* names[kCfs] = {"default", "events", "chain", "ids", "streams"};
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    std::vector<rocksdb::ColumnFamilyOptions> options;
    for (int i = 0; i < kCfs; ++i) {
      options.push_back(LayoutOptions(static_cast<Cf>(i), cache_));
      cfs.emplace_back(names[i], options.back());
    }
    rocksdb::DB* db = nullptr;
    CCL_RETURN_IF_ERROR(
        FromRocks(rocksdb::DB::Open(db_options_, dir_, cfs, &handles_, &db), "open " + dir_));
    db_.reset(db);
    // As the ledger's writer: hints on once the DB is open.
    ledger::EnableInsertHints(options);
    return Status::OK();
  }

  Status Write(std::span<const PeerRow> rows) override {
    batch_.Clear();
    ids_.clear();
    streams_.clear();
    const std::string zeros(32, '\0');
    for (const PeerRow& r : rows) {
      key_.clear();
      AppendBe64(r.seq, &key_);
      batch_.Put(handles_[kEvents], key_, rocksdb::Slice(r.bytes.data(), r.bytes.size()));
      batch_.Put(handles_[kChain], key_, zeros);
      ids_.emplace_back(std::string(reinterpret_cast<const char*>(r.event_id.data()), 16), r.seq);
      std::string stream(r.contract);
      stream.push_back('\0');
      AppendBe64(r.stream_version, &stream);
      streams_.push_back({std::move(stream), r.seq, &r});
    }
    // As the ledger does: index entries in key order within the batch.
    std::sort(ids_.begin(), ids_.end());
    std::sort(streams_.begin(), streams_.end(),
              [](const StreamEntry& a, const StreamEntry& b) { return a.key < b.key; });
    for (const auto& [k, seq] : ids_) {
      value_.clear();
      AppendBe64(seq, &value_);
      batch_.Put(handles_[kIds], k, value_);
    }
    for (const StreamEntry& e : streams_) {
      value_.clear();
      AppendBe64(e.seq, &value_);
      value_.append(e.row->bytes);
      batch_.Put(handles_[kStreams], e.key, value_);
    }
    return FromRocks(db_->Write(write_options_, &batch_), "write");
  }

  Status Reopen() override {
    CCL_RETURN_IF_ERROR(Close());
    return Open();
  }

  Status Scan(uint64_t* rows) override {
    rocksdb::ReadOptions ro;
    ro.readahead_size = 2 << 20;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kEvents]));
    uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    CCL_RETURN_IF_ERROR(FromRocks(it->status(), "scan"));
    *rows = n;
    return Status::OK();
  }

  Status DiskBytes(uint64_t* bytes) override {
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (int i = kEvents; i < kCfs; ++i) {
      CCL_RETURN_IF_ERROR(
          FromRocks(db_->CompactRange(c, handles_[i], nullptr, nullptr), "compact"));
    }
    *bytes = events::DirectoryBytes(dir_);
    return Status::OK();
  }

  std::string Describe() const override {
    return "RocksDB with our key layout (events, chain, ids, streams with a copy of each event; "
           "the ledger's column family settings and insert hints), one synced WriteBatch per "
           "batch, no rules, no hashing, no write-model states, no Merkle tiles";
  }

 private:
  Status Close() {
    if (!db_) return Status::OK();
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    handles_.clear();
    rocksdb::Status s = db_->Close();
    db_.reset();
    return FromRocks(s, "close");
  }

  std::string dir_;
  std::shared_ptr<rocksdb::Cache> cache_;
  rocksdb::DBOptions db_options_;
  rocksdb::WriteOptions write_options_;
  rocksdb::WriteBatch batch_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::pair<std::string, uint64_t>> ids_;
  struct StreamEntry {
    std::string key;
    uint64_t seq;
    const PeerRow* row;  // its bytes are the value's copy; alive during Write
  };
  std::vector<StreamEntry> streams_;
  std::string key_;
  std::string value_;
};

}  // namespace

Status OpenRocksDbLayoutPeer(const std::string& dir, std::unique_ptr<Peer>* out) {
  return OpenInto(std::make_unique<RocksDbLayoutPeer>(dir), out);
}

}  // namespace ccl::bench

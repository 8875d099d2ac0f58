// Raw RocksDB: the physical limit. The same stored bytes under the same
// BE64(seq) keys, one WriteBatch per batch, WAL synced, and the storage
// settings of the ledger's `events` column family (LZ4, 32 KiB blocks,
// 128 MiB memtables; ledger/store/ledger_open.cc), so the difference to ours is
// exactly our work: rules, indexes, hashing, encoding.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "events/base/durable_file.h"
#include "tools/bench/peer.h"

namespace ccl::bench {

namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  return Status::IOError("rocksdb " + std::string(what) + ": " + s.ToString());
}

void PutBe64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

class RocksDbPeer final : public Peer {
 public:
  explicit RocksDbPeer(std::string dir) : dir_(std::move(dir)) {
    options_.create_if_missing = true;
    options_.max_background_jobs = 2;
    options_.compression = rocksdb::kLZ4Compression;
    options_.write_buffer_size = 128 << 20;
    options_.max_write_buffer_number = 4;
    options_.level_compaction_dynamic_level_bytes = true;
    rocksdb::BlockBasedTableOptions t;
    t.block_size = 32 << 10;
    t.format_version = 5;
    options_.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    write_options_.sync = true;
  }

  Status Open() {
    rocksdb::DB* db = nullptr;
    CCL_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options_, dir_, &db), "open " + dir_));
    db_.reset(db);
    return Status::OK();
  }

  Status Write(std::span<const PeerRow> rows) override {
    batch_.Clear();
    char key[8];
    for (const PeerRow& r : rows) {
      PutBe64(r.seq, key);
      batch_.Put(rocksdb::Slice(key, 8), rocksdb::Slice(r.bytes.data(), r.bytes.size()));
    }
    return FromRocks(db_->Write(write_options_, &batch_), "write");
  }

  Status Reopen() override {
    CCL_RETURN_IF_ERROR(FromRocks(db_->Close(), "close"));
    db_.reset();
    return Open();
  }

  Status Scan(uint64_t* rows) override {
    rocksdb::ReadOptions ro;
    // The same read options as the ledger's replay iterator (ledger/store/iterators.cc).
    ro.readahead_size = 2 << 20;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    uint64_t n = 0;
    uint64_t bytes = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++n;
      bytes += it->key().size() + it->value().size();
    }
    CCL_RETURN_IF_ERROR(FromRocks(it->status(), "scan"));
    if (bytes == 0 && n != 0) return Status::Corruption("scan: empty values");
    *rows = n;
    return Status::OK();
  }

  Status DiskBytes(uint64_t* bytes) override {
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    CCL_RETURN_IF_ERROR(FromRocks(db_->CompactRange(c, nullptr, nullptr), "compact"));
    *bytes = events::DirectoryBytes(dir_);
    return Status::OK();
  }

  std::string Describe() const override {
    return "RocksDB " + std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) +
           ", one WriteBatch per batch with sync=true, LZ4, 128 MiB memtables (the ledger's "
           "`events` column family settings), no indexes, no hashing";
  }

 private:
  std::string dir_;
  rocksdb::Options options_;
  rocksdb::WriteOptions write_options_;
  rocksdb::WriteBatch batch_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

Status OpenRocksDbPeer(const std::string& dir, std::unique_ptr<Peer>* out) {
  return OpenInto(std::make_unique<RocksDbPeer>(dir), out);
}

}  // namespace ccl::bench

// The ledger's column-family options and memtable insert hints
// (ledger/store/cf_options.h).
#include "ledger/store/cf_options.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace ccl::ledger {

namespace {

// Memtable insert hints. RocksDB keeps, per memtable, a skiplist splice per
// prefix of this transform, so an append's entries for a contract land next
// to that contract's previous ones instead of being searched for from the top
// of a skiplist of millions of entries (the profile's first item:
// InlineSkipList::FindSpliceForLevel).
//
// RocksDB 7.8 shares that splice map between a memtable's point-key skiplist
// and its range-tombstone skiplist (MemTable::Add picks the table by type but
// not the hint; fixed upstream later with a `table == table_` test). A range
// deletion whose start key has the prefix of a point key therefore inserts
// into one skiplist with a splice of the other: an assertion in debug builds
// (AnchorTest.DeletedEventFails: a tamperer's DeleteRange replayed from the
// WAL on reopen) and silent memtable damage in release builds. The ledger
// itself never writes range deletions, but the WAL it recovers at open may
// hold anyone's. So the hints are off while RocksDB opens (WAL recovery and,
// for read-only opens, the secondary's WAL tailing, for good) and are turned
// on by EnableInsertHints() once the writer's DB is open: from then on every
// memtable insert is ours. Hint entries made before then cannot exist, since
// InDomain() answered false for every key.
class HintPrefix final : public rocksdb::SliceTransform {
 public:
  // `prefix_bytes_fixed` 0: up to the first 0x00 byte (contract keys);
  // otherwise that many leading bytes.
  explicit HintPrefix(size_t prefix_bytes_fixed) : fixed_bytes_(prefix_bytes_fixed) {}
  const char* Name() const override { return "ccl.HintPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    if (fixed_bytes_ != 0) return rocksdb::Slice(key.data(), std::min(fixed_bytes_, key.size()));
    const void* zero = std::memchr(key.data(), 0, key.size());
    return rocksdb::Slice(key.data(),
                          zero != nullptr
                              ? static_cast<size_t>(static_cast<const char*>(zero) - key.data())
                              : key.size());
  }
  bool InDomain(const rocksdb::Slice&) const override {
    return enabled_.load(std::memory_order_relaxed);
  }
  // const: RocksDB holds the transform as a shared_ptr<const SliceTransform>.
  void Enable() const { enabled_.store(true, std::memory_order_relaxed); }

 private:
  const size_t fixed_bytes_;
  mutable std::atomic<bool> enabled_{false};
};

// The `ids` memtable's hash table: at 64 MiB per memtable and ~60 bytes per
// entry, about four entries per bucket when full (8 bytes per bucket).
constexpr size_t kIdsMemtableBuckets = 1 << 18;
constexpr size_t kIdBytes = 16;

// The `ids` index: random 16-byte keys, looked up mostly for ids that are
// not there (new events).
void TuneIds(rocksdb::ColumnFamilyOptions* o, rocksdb::BlockBasedTableOptions* t) {
  o->compression = rocksdb::kNoCompression;  // random keys
  o->write_buffer_size = 64 << 20;
  t->filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t->optimize_filters_for_memory = true;
  o->memtable_prefix_bloom_size_ratio = 0.02;
  o->memtable_whole_key_filtering = true;
  // Random keys make a skiplist insert a search from the top of a list
  // of up to a million entries; a hash table of linked lists keyed by the
  // whole id inserts in O(1) (appending thread, batch 1000: about 5 us
  // less CPU per event). The price: an iterator sees the memtable in key
  // order only with ReadOptions::total_order_seek (cf_options.h), and a
  // flush sorts the memtable on the background thread. The capped
  // transform accepts keys of any length: an entry a tamperer wrote with
  // another length must replay from the WAL and be reported by verify.
  o->prefix_extractor.reset(rocksdb::NewCappedPrefixTransform(kIdBytes));
  o->memtable_factory.reset(rocksdb::NewHashLinkListRepFactory(kIdsMemtableBuckets));
}

}  // namespace

void EnableInsertHints(const std::vector<rocksdb::ColumnFamilyOptions>& cfs) {
  for (const rocksdb::ColumnFamilyOptions& o : cfs) {
    const auto* h =
        dynamic_cast<const HintPrefix*>(o.memtable_insert_with_hint_prefix_extractor.get());
    if (h != nullptr) h->Enable();
  }
}

// Column family tuning. The write path is bounded by memtable inserts (see
// FORMAT.md "Why these settings"), so memtables are large enough for a bulk
// import to land in few flushes; the read path is sequential scans of
// `events`/`chain` (large blocks, LZ4) and point lookups in the indexes and
// the write model (bloom filters, small blocks).
rocksdb::ColumnFamilyOptions CfOptions(ColumnFamilyId id,
                                       const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.format_version = 5;
  o.level_compaction_dynamic_level_bytes = true;
  o.max_write_buffer_number = 4;
  switch (id) {
    case kCfEvents:
      // FlatBuffers repeat contract, actor and source strings: LZ4 roughly
      // halves them at a decode cost far below our own per-event work.
      o.compression = rocksdb::kLZ4Compression;
      o.write_buffer_size = 128 << 20;
      t.block_size = 32 << 10;
      break;
    case kCfChain:
      o.compression = rocksdb::kNoCompression;  // hashes do not compress
      o.write_buffer_size = 32 << 20;
      t.block_size = 32 << 10;
      break;
    case kCfIds:
      TuneIds(&o, &t);
      break;
    case kCfStreams:
      // Values are copies of events (format 2), read as one range per
      // contract: the events' LZ4 and block size (measured on 1M events:
      // 317 -> 288 MB on disk, stream reads 10-20% less CPU than 4 KiB).
      o.compression = rocksdb::kLZ4Compression;
      o.write_buffer_size = 64 << 20;
      t.block_size = 32 << 10;
      o.memtable_insert_with_hint_prefix_extractor = std::make_shared<HintPrefix>(0);
      break;
    case kCfContracts:
    case kCfEscalations:
    case kCfReversals:
      o.compression = rocksdb::kLZ4Compression;
      o.write_buffer_size = 16 << 20;
      t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      o.memtable_prefix_bloom_size_ratio = 0.02;
      o.memtable_whole_key_filtering = true;
      if (id != kCfReversals) {
        o.memtable_insert_with_hint_prefix_extractor = std::make_shared<HintPrefix>(0);
      }
      break;
    case kCfMerkle:
      // Tile keys are level || BE64(index): sequential within a level.
      o.write_buffer_size = 16 << 20;
      o.memtable_insert_with_hint_prefix_extractor = std::make_shared<HintPrefix>(1);
      break;
    default:
      o.write_buffer_size = 4 << 20;
      break;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

}  // namespace ccl::ledger

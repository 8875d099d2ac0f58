// Bulk appends through SST ingestion (ledger/store/ledger_impl.h).
//
// A group's WriteBatch normally goes to the WAL and the memtables, and the
// memtables are flushed to SST files later: a large import writes every byte
// three times (WAL, memtable, SST) and spends most of its time inserting into
// skiplists. Past kIngestBytesMin, the same entries are instead sorted per
// column family, written as SST files and added to every column family with
// one IngestExternalFiles call, which RocksDB records in the MANIFEST as one
// atomic edit (after a crash: all or none) and syncs before returning. The
// batch contents, and so the ledger's bytes, are identical either way.
#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

namespace {

// Collects a WriteBatch's Puts per column family (views into the batch).
class Collector final : public rocksdb::WriteBatch::Handler {
 public:
  using Entry = std::pair<rocksdb::Slice, rocksdb::Slice>;
  explicit Collector(const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
    for (size_t i = 0; i < handles.size(); ++i) index_[handles[i]->GetID()] = i;
    entries_.resize(handles.size());
  }
  rocksdb::Status PutCF(uint32_t cf_id, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    auto it = index_.find(cf_id);
    if (it == index_.end()) return rocksdb::Status::InvalidArgument("unknown column family");
    entries_[it->second].emplace_back(key, value);
    return rocksdb::Status::OK();
  }
  // Appends write only Puts; anything else means this is not our batch.
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::NotSupported("delete in an append batch");
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::NotSupported("merge in an append batch");
  }
  std::vector<std::vector<Entry>>& entries() { return entries_; }

 private:
  std::unordered_map<uint32_t, size_t> index_;
  std::vector<std::vector<Entry>> entries_;
};

// Key order, and for a key put twice only the later value (as a WriteBatch
// applies them). Entries are mostly added in order already.
void SortUnique(std::vector<Collector::Entry>* v) {
  auto less = [](const Collector::Entry& a, const Collector::Entry& b) {
    return a.first.compare(b.first) < 0;
  };
  if (!std::is_sorted(v->begin(), v->end(), less)) std::stable_sort(v->begin(), v->end(), less);
  // Keep the last of equal keys.
  size_t out = 0;
  for (size_t i = 0; i < v->size(); ++i) {
    if (i + 1 < v->size() && (*v)[i + 1].first == (*v)[i].first) continue;
    (*v)[out++] = (*v)[i];
  }
  v->resize(out);
}

// The `streams` values of a group with files held at once to be put in key
// order (PutStreamsFromFiles): each run of them costs one pass over the spill.
constexpr size_t kStreamsRunBytes = 128u << 20;

// Writes one column family's SST file from `put`, which calls its argument
// with every entry in key order (keys strictly ascending), and adds it to
// *args (nothing when `put` gave no entry).
template <typename PutAll>
Status WriteTable(const rocksdb::Options& o, rocksdb::ColumnFamilyHandle* handle,
                  const std::string& file, PutAll put_all,
                  std::vector<rocksdb::IngestExternalFileArg>* args) {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(o), o, handle);
  rocksdb::Status s = writer.Open(file);
  uint64_t entries = 0;
  if (s.ok()) {
    s = put_all([&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
      ++entries;
      return writer.Put(key, value);
    });
  }
  if (s.ok() && entries == 0) return Status::OK();  // an empty table cannot be finished
  if (s.ok()) s = writer.Finish();
  CCL_RETURN_IF_ERROR(FromRocks(s, "write " + file));
  args->push_back(IngestArg(handle, file));
  return Status::OK();
}

// The `streams` entries of a group whose copies are in its files
// (GroupScratch::files), in key order: in runs of entries whose values
// total at most kStreamsRunBytes, each run's values gathered by one pass
// over the spill in offset order (large sequential reads, where reading
// them in key order would be one small random read each), then put.
template <typename Scratch, typename Put>
rocksdb::Status PutStreamsFromFiles(const Scratch& g, Put put) {
  std::string key;
  // The run's values, in key order: not zero-filled first (up to
  // kStreamsRunBytes, every byte of it is copied in before it is put).
  std::unique_ptr<char[]> values;
  size_t values_room = 0;
  std::vector<std::pair<size_t, size_t>> by_copy;  // (copy_at, entry) of the run
  std::vector<size_t> value_at;                    // of entry begin + i in values
  for (size_t begin = 0, end = 0; begin < g.streams.size(); begin = end) {
    size_t total = 0;
    value_at.clear();
    for (end = begin; end < g.streams.size(); ++end) {
      if (end > begin && total + g.streams[end].copy_bytes > kStreamsRunBytes) break;
      value_at.push_back(total);
      total += g.streams[end].copy_bytes;
    }
    by_copy.clear();
    for (size_t i = begin; i < end; ++i) by_copy.emplace_back(g.streams[i].copy_at, i);
    std::sort(by_copy.begin(), by_copy.end());
    if (total > values_room) {
      values.reset();  // the old run's room goes before the larger one is taken
      values = std::make_unique_for_overwrite<char[]>(total);
      values_room = total;
    }
    for (const auto& [copy_at, i] : by_copy) {
      std::string_view copy;
      Status r = LedgerImpl::GroupCopy(g, copy_at, g.streams[i].copy_bytes, true, &copy);
      if (!r.ok()) return rocksdb::Status::IOError(r.message());
      std::memcpy(values.get() + value_at[i - begin], copy.data(), copy.size());
    }
    for (size_t i = begin; i < end; ++i) {
      const auto& e = g.streams[i];
      StreamKeyInto(e.contract, e.version, &key);
      rocksdb::Status s =
          put(key, rocksdb::Slice(values.get() + value_at[i - begin], e.copy_bytes));
      if (!s.ok()) return s;
    }
  }
  return rocksdb::Status::OK();
}

// The `streams` entries [begin, end) of a group whose copies are in memory
// or in its mapped spill (views that last), in key order.
template <typename Scratch, typename Put>
rocksdb::Status PutStreamsRange(const Scratch& g, size_t begin, size_t end, Put put) {
  std::string key;
  for (size_t i = begin; i < end; ++i) {
    const auto& e = g.streams[i];
    std::string_view copy;
    Status r = LedgerImpl::GroupCopy(g, e.copy_at, e.copy_bytes, false, &copy);
    if (!r.ok()) return rocksdb::Status::IOError(r.message());
    StreamKeyInto(e.contract, e.version, &key);
    rocksdb::Status s = put(key, rocksdb::Slice(copy.data(), copy.size()));
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

// A bulk group's `events`, `ids` and `streams` entries, which it keeps in its
// scratch rather than the batch (GroupScratch::bulk): calls put(key, value)
// for each entry of `cf` in key order. The events are g.copies in seq order
// (each `streams` value is BE64(seq) || the stored bytes); ids and streams
// are sorted already (StageIndexes). `Scratch` is LedgerImpl::GroupScratch.
template <typename Scratch, typename Put>
rocksdb::Status PutFromScratch(const Scratch& g, ColumnFamilyId cf, Put put) {
  rocksdb::Status s;
  if (cf == kCfIds) {
    for (size_t i = 0; s.ok() && i < g.ids.size(); ++i) {
      SeqKey v(g.ids[i].seq);
      s = put(rocksdb::Slice(reinterpret_cast<const char*>(g.ids[i].id.data()), 16),
              rocksdb::Slice(v.bytes, 8));
    }
  } else if (cf == kCfStreams && g.files != nullptr && !g.files->mapped()) {
    s = PutStreamsFromFiles(g, put);
  } else if (cf == kCfStreams) {
    s = PutStreamsRange(g, 0, g.streams.size(), put);
  } else if (cf == kCfEvents) {
    // Seqs are consecutive from g.first_seq; the streams entries say where
    // each copy lies.
    std::vector<std::pair<size_t, size_t>> at(g.streams.size());
    for (const auto& e : g.streams) {
      assert(e.seq >= g.first_seq && e.seq - g.first_seq < at.size());
      at[e.seq - g.first_seq] = {e.copy_at, e.copy_bytes};
    }
    for (size_t i = 0; s.ok() && i < at.size(); ++i) {
      SeqKey k(g.first_seq + i);
      assert(at[i].second >= 8);  // BE64(seq) || bytes
      s = put(k.view(), rocksdb::Slice(g.copies.data() + at[i].first + 8, at[i].second - 8));
    }
  }
  return s;
}

// A bulk group's `streams` table, its largest, as two files of disjoint key
// ranges written at once: the second half on a thread of its own (the
// parser and the events writer are done by now, their core is free). Both
// files go into one argument: one per column family. REQUIRES: the copies
// are in memory or in the mapped spill (reads without shared state).
template <typename Scratch>
Status WriteStreamsInTwo(const rocksdb::Options& o, rocksdb::ColumnFamilyHandle* handle,
                         const std::string& dir, const Scratch& g,
                         std::vector<rocksdb::IngestExternalFileArg>* args) {
  assert(g.files == nullptr || g.files->mapped());
  const size_t half = g.streams.size() / 2;
  std::vector<rocksdb::IngestExternalFileArg> parts[2];
  Status second;
  std::thread thread([&] {
    second = WriteTable(
        o, handle, ScratchFile(dir, kCfStreams, 1),
        [&](auto put) { return PutStreamsRange(g, half, g.streams.size(), put); }, &parts[1]);
  });
  Status first = WriteTable(
      o, handle, ScratchFile(dir, kCfStreams),
      [&](auto put) { return PutStreamsRange(g, 0, half, put); }, &parts[0]);
  thread.join();
  CCL_RETURN_IF_ERROR(first);
  CCL_RETURN_IF_ERROR(second);
  if (parts[0].empty()) parts[0].swap(parts[1]);  // the first half had no entry
  if (parts[0].empty()) return Status::OK();
  for (const auto& a : parts[1]) {
    parts[0][0].external_files.insert(parts[0][0].external_files.end(), a.external_files.begin(),
                                      a.external_files.end());
  }
  args->push_back(std::move(parts[0][0]));
  return Status::OK();
}

}  // namespace

std::string ScratchFile(const std::string& dir, size_t cf, int part) {
  return dir + "/" + std::to_string(cf) + (part == 0 ? "" : "-" + std::to_string(part)) + ".sst";
}

std::string SpillFile(const std::string& dir) { return dir + "/streams.spill"; }

rocksdb::IngestExternalFileArg IngestArg(rocksdb::ColumnFamilyHandle* handle,
                                         const std::string& file) {
  rocksdb::IngestExternalFileArg arg;
  arg.column_family = handle;
  arg.external_files = {file};
  arg.options.move_files = true;            // a link, not a copy
  arg.options.write_global_seqno = false;   // no rewrite of the file we just wrote
  arg.options.allow_blocking_flush = true;  // memtables overlapping the range go first
  return arg;
}

void RemoveIngestScratch(const std::string& dir) {
  std::error_code ec;
  for (size_t cf = 0; cf < kCfCount; ++cf) {
    std::filesystem::remove(ScratchFile(dir, cf), ec);
    std::filesystem::remove(ScratchFile(dir, cf, 1), ec);
  }
  std::filesystem::remove(SpillFile(dir), ec);
  std::filesystem::remove(dir, ec);  // only when empty
}

Status LedgerImpl::IngestBatch(rocksdb::WriteBatch* batch, const GroupScratch* bulk) {
  Collector collector(handles_);
  CCL_RETURN_IF_ERROR(FromRocks(batch->Iterate(&collector), "sort bulk append"));

  const std::string dir = path_ + "/" + kIngestFolder;
  IngestFiles* files = bulk != nullptr ? bulk->files.get() : nullptr;
  assert(files == nullptr || files->dir() == dir);
  if (files == nullptr) {  // else the files of the group are there already
    RemoveIngestScratch(dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  }
  struct RemoveOnExit {
    std::string dir;
    ~RemoveOnExit() { RemoveIngestScratch(dir); }
  } remove_on_exit{dir};

  std::vector<rocksdb::IngestExternalFileArg> args;
  if (files != nullptr) CCL_RETURN_IF_ERROR(files->FinishTables(&args));
  for (size_t cf = 0; cf < collector.entries().size(); ++cf) {
    std::vector<Collector::Entry>& entries = collector.entries()[cf];
    // The group's files hold these already.
    if (files != nullptr && (cf == kCfEvents || cf == kCfChain)) {
      assert(entries.empty());
      continue;
    }
    const bool from_scratch =
        bulk != nullptr && (cf == kCfEvents || cf == kCfIds || cf == kCfStreams);
    // A bulk group puts none of these in the batch (StageIndexes, ProcessWriter).
    assert(!from_scratch || entries.empty());
    if (!from_scratch && entries.empty()) continue;
    rocksdb::Options o(db_options_, cf_options_[cf]);
    if (from_scratch && cf == kCfStreams && (files == nullptr || files->mapped())) {
      CCL_RETURN_IF_ERROR(WriteStreamsInTwo(o, handles_[cf], dir, *bulk, &args));
      continue;
    }
    auto put_all = [&](auto put) {
      if (from_scratch) return PutFromScratch(*bulk, static_cast<ColumnFamilyId>(cf), put);
      SortUnique(&entries);
      rocksdb::Status s;
      for (size_t i = 0; s.ok() && i < entries.size(); ++i) {
        s = put(entries[i].first, entries[i].second);
      }
      return s;
    };
    CCL_RETURN_IF_ERROR(WriteTable(o, handles_[cf], ScratchFile(dir, cf), put_all, &args));
    // The views are written: the next column family needs no room for them.
    std::vector<Collector::Entry>().swap(entries);
  }
  CCL_RETURN_IF_ERROR(FromRocks(db_->IngestExternalFiles(args), "ingest bulk append"));
  AnnounceIngestion();
  return Status::OK();
}

// A secondary instance (a read-only Ledger: `tail --follow`, reports beside
// a writer) that has caught up with the writer's current MANIFEST takes the
// newest sequence number from the WAL alone, so the entries of ingested files
// (numbered past everything in the WAL) stay invisible to it until some later
// write goes through the WAL. Writing the new head once more, through the WAL,
// carries every follower past them at its next Refresh. The append is durable
// already (IngestExternalFiles synced the MANIFEST): this write needs no sync,
// and if it fails the next append announces both.
void LedgerImpl::AnnounceIngestion() {
  std::string head;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfMeta), kMetaHead, &head);
  if (s.ok()) s = db_->Put(rocksdb::WriteOptions(), cf(kCfMeta), kMetaHead, head);
  s.PermitUncheckedError();
}

// Large groups are written as SST files and ingested (IngestBatch), the others
// through the WAL. After a failure the ledger refuses writes until it is
// opened again (WritesRefused): whether the write reached the disk is known
// only after recovery. The error says what failed, not that state.
Status LedgerImpl::WriteOrIngest(rocksdb::WriteBatch* batch, const GroupScratch* bulk,
                                 bool* ingested) {
  *ingested = bulk != nullptr || batch->GetDataSize() >= options_.bulk_ingest_bytes_min;
  if (*ingested) {
    Status s = IngestBatch(batch, bulk);
    if (!s.ok()) {
      // Whether the MANIFEST edit reached the disk is known after reopening.
      needs_reopen_.store(true);
      return s.WithContext("append");
    }
    return Status::OK();
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status ws = db_->Write(wo, batch);
  if (!ws.ok()) {
    // The batch may or may not be in the WAL: only a reopen (WAL recovery)
    // tells. Until then the in-memory head cannot be trusted either way.
    needs_reopen_.store(true);
    return FromRocks(ws, "append to " + path_);
  }
  return Status::OK();
}

}  // namespace ccl::ledger

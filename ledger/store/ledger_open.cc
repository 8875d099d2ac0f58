// Open and create the RocksDB database of a ledger (its column-family tuning
// is cf_options.cc's); meta, projections, Refresh, DiskBytes
// (ledger/store/ledger_impl.h).
#include <openssl/rand.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "events/base/durable_file.h"
#include "ledger/store/cf_options.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

namespace {

std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors(
    const std::shared_ptr<rocksdb::Cache>& cache) {
  std::vector<rocksdb::ColumnFamilyDescriptor> d;
  for (int i = 0; i < kCfCount; ++i) {
    d.emplace_back(kColumnFamilyNames[i], CfOptions(static_cast<ColumnFamilyId>(i), cache));
  }
  return d;
}

// Drops RocksDB's diagnostics. A read-only instance writes no file at all:
// the ledger folder may be read-only, and a folder of its own would outlive
// a process that a signal ends (`ledgerctl log | head`).
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

// RocksDB's diagnostics of a writer, in the ledger folder's LOG (replaced at
// each open). RocksDB's own file logger aborts the process, in builds with
// assertions (Debian's), when it logs again after a failed write: on a full
// disk, the error report of the first failed append. Write errors here are
// ignored: a diagnostic must never stop the ledger from reporting one.
class TolerantFileLogger final : public rocksdb::Logger {
 public:
  explicit TolerantFileLogger(const std::string& path)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), file_(std::fopen(path.c_str(), "w")) {}
  ~TolerantFileLogger() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr) return;
    std::lock_guard<std::mutex> l(mu_);
    std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    // Buffered, as RocksDB's own file logger does: written on LogFlush
    // (after an open, a flush, a compaction), on a warning or worse, and
    // at least every kFlushEvery otherwise. A write per line cost an open
    // about a thousand write calls (the option dump of every family).
    const auto now = std::chrono::steady_clock::now();
    if (now - last_flush_ >= kFlushEvery) FlushLocked(now);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    rocksdb::Logger::Logv(level, format, ap);
    if (level >= rocksdb::InfoLogLevel::WARN_LEVEL) Flush();
  }
  void Flush() override {
    if (file_ == nullptr) return;
    std::lock_guard<std::mutex> l(mu_);
    FlushLocked(std::chrono::steady_clock::now());
  }

 private:
  static constexpr auto kFlushEvery = std::chrono::seconds(1);

  void FlushLocked(std::chrono::steady_clock::time_point now) {
    std::fflush(file_);
    last_flush_ = now;
  }

  std::mutex mu_;
  std::FILE* file_;
  std::chrono::steady_clock::time_point last_flush_;  // guarded by mu_
};

constexpr uint64_t kFlushOnCloseBytes = 16ull << 20;
// Refresh: catch-ups until the head and the events agree (two suffice; see
// there), before the disagreement is reported as damage.
constexpr int kCatchUpRoundsMax = 3;

}  // namespace

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  if (s.IsNoSpace()) {
    return Status::IOError("no space left on device: " + std::string(context) +
                           " (free space and run it again: nothing acknowledged was lost)");
  }
  std::string m(context);
  m += ": ";
  m += s.ToString();
  if (s.IsCorruption()) return Status::Corruption(m);
  if (s.IsNotFound()) return Status::NotFound(m);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(m);
  return Status::IOError(m);
}

namespace {

// A checksum or format failure while opening (recovering the WAL, reading
// the MANIFEST) means damaged files: the message says so and what to do,
// not only RocksDB's words.
Status OpenFailure(const rocksdb::Status& s, const std::string& path) {
  if (s.IsCorruption()) {
    return Status::Corruption(path + " holds ledger data that is damaged (" + s.ToString() + "); " +
                              DamagedLedgerAdvice());
  }
  return FromRocks(s, "open " + path);
}

}  // namespace

Status Ledger::CheckNewFolder(const std::string& path) {
  if (HoldsDatabase(path)) {
    return Status::InvalidArgument(path + " holds a database; choose a new folder");
  }
  return CheckFolderWithoutCurrent(path, /*creating=*/true);
}

Status Ledger::Open(const Options& options, const std::string& path,
                    std::unique_ptr<Ledger>* ledger) {
  return LedgerImpl::OpenImpl(options, path, ledger);
}

LedgerImpl::LedgerImpl(const Options& options, std::string path)
    : options_(options),
      path_(std::move(path)),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      contract_cache_(options.contract_cache_entries_max),
      view_(this) {}

LedgerImpl::~LedgerImpl() {
  StopCommitThreads();
  if (db_ != nullptr && appended_bytes_ >= kFlushOnCloseBytes && !needs_reopen_.load()) {
    // Persist the memtables now rather than leave the next open (or every
    // read-only opener) to replay a large WAL; see PublishGroup. Small tails
    // replay faster than a flush of every column family would take.
    rocksdb::FlushOptions fo;
    fo.wait = true;
    db_->Flush(fo, handles_).PermitUncheckedError();  // the WAL still has it all
  }
  CloseDb();
}

void LedgerImpl::CloseDb() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  handles_.clear();
  db_->Close().PermitUncheckedError();
  delete db_;
  db_ = nullptr;
}

Status LedgerImpl::OpenImpl(const Options& options, const std::string& path,
                            std::unique_ptr<Ledger>* out) {
  std::unique_ptr<LedgerImpl> l(new LedgerImpl(options, path));
  CCL_RETURN_IF_ERROR(l->OpenDb());
  CCL_RETURN_IF_ERROR(l->LoadOrCreateMeta());
  if (!options.read_only) {
    Status s = MerkleStore::Open(l->db_, l->cf(kCfMerkle), l->head_.seq, &l->tree_);
    if (!s.ok()) return s.WithContext(path + ": Merkle tree");
  }
  *out = std::move(l);
  return Status::OK();
}

namespace {

// Table files per thread that opens them at DB::Open, and the most threads.
constexpr size_t kTableFilesPerOpeningThread = 128;
constexpr size_t kFileOpeningThreadsMax = 8;

// With max_open_files = -1 RocksDB opens every table file at DB::Open, in
// each column family on max_file_opening_threads threads, which it starts
// for every family however few files it has. Its default, 16, made a small
// ledger's open start 180 threads: most of the time of a short command (70
// of 117 ms CPU for an import that fails at line 1; twice that under the
// sanitizers). One thread per kTableFilesPerOpeningThread table files keeps
// a large ledger's cold open parallel.
int FileOpeningThreads(rocksdb::Env* env, const std::string& path) {
  const size_t tables = TableFilesIn(env, path).size();  // none when unlisted: DB::Open reports it
  return static_cast<int>(
      std::min(1 + tables / kTableFilesPerOpeningThread, kFileOpeningThreadsMax));
}

// The database options of a ledger; `create`: there is no database yet.
rocksdb::DBOptions LedgerDbOptions(rocksdb::Env* env, const std::string& path, bool create) {
  rocksdb::DBOptions o;
  o.env = env;
  o.create_if_missing = create;
  o.create_missing_column_families = create;
  o.max_background_jobs = 2;
  o.keep_log_file_num = 4;
  o.max_open_files = -1;  // required by secondary instances; cheap at our file counts
  o.max_file_opening_threads = create ? 1 : FileOpeningThreads(env, path);
  o.max_total_wal_size = 1ull << 30;
  o.paranoid_checks = true;
  // Recovery replays the WAL to its end and accepts only a torn last record
  // (a write a crash interrupted, never acknowledged) or the zeroed tail of
  // a preallocated file. RocksDB's default (point-in-time) would stop at
  // the first damaged record, open what came before and drop every synced,
  // acknowledged batch after it without a word; a damaged WAL must fail the
  // open (Corruption) instead.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // Our group commit already makes one WriteBatch of concurrent appends, and
  // RocksDB uses memtable insert hints (cf_options.cc) only for sequential inserts.
  o.allow_concurrent_memtable_write = false;
  return o;
}

}  // namespace

Status LedgerImpl::OpenDb() {
  rocksdb::Env* env = options_.env != nullptr ? options_.env : rocksdb::Env::Default();
  // A CURRENT of someone else's makes no database: the folder is then
  // judged as one without CURRENT.
  const bool exists = env->FileExists(path_ + "/CURRENT").ok() && HoldsDatabase(path_);
  const bool creating = options_.create_if_missing && !options_.read_only;
  // RocksDB creates a database wherever CURRENT is missing, and then deletes
  // every table file its new MANIFEST does not list: never let it create one
  // over anything but an interrupted creation of ours.
  if (!exists) CCL_RETURN_IF_ERROR(CheckFolderWithoutCurrent(path_, creating));
  unfinished_ = CreationMarkerPresent(path_);
  // Listed before the lock is ours: none can be a file this open writes.
  if (creating) creation_temp_files_ = CreationTempFiles(path_);
  block_cache_ = rocksdb::NewLRUCache(options_.block_cache_bytes);
  rocksdb::DBOptions o = LedgerDbOptions(env, path_, /*create=*/!exists);

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = Descriptors(block_cache_);
  // A marked folder holds only what a creation wrote: finishing it loses nothing.
  bool finish_creation = creating && unfinished_;
  if (exists) CCL_RETURN_IF_ERROR(CheckColumnFamilies(&o, &finish_creation));
  db_options_ = o;
  for (const auto& d : cfs) cf_options_.push_back(d.options);
  if (options_.read_only) return OpenSecondary();
  if (o.env == rocksdb::Env::Default()) CCL_RETURN_IF_ERROR(CheckFolderWritable(path_));
  // A bulk append interrupted before its ingestion left scratch files.
  RemoveIngestScratch(path_ + "/" + kIngestFolder);
  if (o.env == rocksdb::Env::Default()) {
    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
  }
  // Before RocksDB writes anything: its files are then provably ours.
  if (!exists && !unfinished_) {
    CCL_RETURN_IF_ERROR(WriteCreationMarker(env, path_));
    unfinished_ = true;
  }
  if (o.env == rocksdb::Env::Default()) {
    o.info_log = std::make_shared<TolerantFileLogger>(path_ + "/LOG");
  }
  rocksdb::Status s = rocksdb::DB::Open(o, path_, cfs, &handles_, &db_);
  if (!s.ok()) return WriterOpenFailure(s);
  // WAL recovery is over (a secondary keeps tailing the writer's WAL and
  // never turns them on).
  EnableInsertHints(cf_options_);
  created_ = !exists || finish_creation;
  // Every table the MANIFEST lists was opened: a missing or another one
  // failed the open (WriterOpenFailure names it).
  return Status::OK();
}

Status LedgerImpl::CheckColumnFamilies(rocksdb::DBOptions* o, bool* finish_creation) {
  std::vector<std::string> names;
  rocksdb::Status ls = rocksdb::DB::ListColumnFamilies(*o, path_, &names);
  if (!ls.ok()) {
    if (unfinished_ && !*finish_creation) return UnfinishedCreation(path_);
    CCL_RETURN_IF_ERROR(CheckCurrentNamesAManifest(o->env, path_));
    return FromRocks(ls, "list column families of " + path_);
  }
  for (int i = 0; i < kCfCount; ++i) {
    const std::string name = kColumnFamilyNames[i];
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (i == kCfAccess) {  // from before the access log: add it
      o->create_missing_column_families = !options_.read_only;
      continue;
    }
    // RocksDB creates a database, then each column family, then we write
    // meta: a crash in between leaves a folder without some of them. If it
    // holds no data at all, finishing the creation loses nothing.
    if (options_.create_if_missing && !options_.read_only && !*finish_creation) {
      CCL_RETURN_IF_ERROR(HoldsNoData(*o, names, finish_creation));
    }
    if (!*finish_creation) {
      if (unfinished_) return UnfinishedCreation(path_);
      return Status::Corruption(path_ + ": column family '" + name +
                                "' missing: not a ledger, or a damaged one");
    }
    o->create_missing_column_families = true;
    break;
  }
  return Status::OK();
}

Status LedgerImpl::WriterOpenFailure(const rocksdb::Status& s) {
  // RocksDB 7.8 tells a held lock only in its message text (an IOError
  // with no subcode): ask the lock itself instead.
  LockHolder holder;
  if (s.IsIOError() && LedgerLockHeld(path_, &holder)) {
    // A server holds it for as long as it runs: waiting does not help,
    // writing through it does (reads open the ledger beside it).
    return Status::Busy("the ledger at " + path_ + " is in use by another process" +
                        (holder.text.empty() ? std::string() : " (" + holder.text + ")") +
                        (holder.server ? "; write through that server (ledgerctl --server URL "
                                         "--cert PEM --key PEM --cacert PEM COMMAND) or stop it"
                                       : "; try again when it has finished"));
  }
  if (s.IsCorruption() && !unfinished_) {
    // RocksDB names a missing table file by its old suffix (.ldb), and a
    // file of another size not at all: ask the MANIFEST which it lists
    // (FirstMissingOrWrongTable), through a read-only instance.
    Options read_only = options_;
    read_only.read_only = true;
    read_only.create_if_missing = false;
    LedgerImpl reader(read_only, path_);
    const Status named = reader.OpenDb();
    if (named.IsCorruption() && named.message().find(kTableDamageText) != std::string::npos) {
      return named;
    }
    const std::string damage = named.ok() ? reader.FirstMissingOrWrongTable() : "";
    if (!damage.empty()) {
      return Status::Corruption(path_ + ": " + std::string(kTableDamageText) + " (" + damage +
                                "); " + DamagedLedgerAdvice());
    }
  }
  if (!unfinished_ || s.IsNoSpace()) return OpenFailure(s, path_);
  // Nothing there was appended: no event is taken before the meta is written.
  return Status::Corruption(path_ + ": the init that began creating a ledger there did not " +
                            "finish (it left " + path_ + "/" + std::string(kCreationMarker) +
                            "), and what it wrote cannot be opened (" + s.ToString() +
                            "); it holds no events: move the folder away (or remove it) and " +
                            "run init again");
}

Status LedgerImpl::OpenSecondary() {
  assert(options_.read_only && db_ == nullptr);
  rocksdb::DBOptions o = db_options_;
  o.info_log = std::make_shared<NullLogger>();
  rocksdb::Status s = rocksdb::ReadFileToString(o.env, path_ + "/CURRENT", &current_manifest_);
  if (!s.ok()) return FromRocks(s, "read " + path_ + "/CURRENT");
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  bool has_access = false;
  CCL_RETURN_IF_ERROR(SecondaryFamilies(o, &cfs, &has_access));
  // The secondary path is where RocksDB would put its info log (we give it
  // one) and the output of CompactWithPrimary (never called): nothing is
  // written there, so it names no folder.
  s = rocksdb::DB::OpenAsSecondary(o, path_, std::string(), cfs, &handles_, &db_);
  if (!s.ok()) {
    handles_.clear();
    return OpenFailure(s, path_);
  }
  if (!has_access) handles_.push_back(nullptr);  // kCfAccess, the last family
  return CheckLiveTables();
}

Status LedgerImpl::HoldsNoData(const rocksdb::DBOptions& options,
                               const std::vector<std::string>& names, bool* empty) {
  *empty = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, path_, cfs, &handles, &db);
  if (!s.ok()) return FromRocks(s, "open " + path_ + " to inspect it");
  bool any = false;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) any = true;
  }
  for (rocksdb::ColumnFamilyHandle* h : handles)
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  delete db;
  *empty = !any;
  return Status::OK();
}

bool LedgerImpl::HoldsNoData() {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // `ids` (cf_options.h)
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, h));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) return false;
  }
  return true;
}

Status LedgerImpl::ReadHead(Head* out) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfMeta), kMetaHead, &v);
  if (s.IsNotFound()) return MetaMissing("head");
  if (!s.ok()) return FromRocks(s, "read the head of " + path_);
  if (!DecodeHead(v, out)) return Status::Corruption(path_ + ": meta 'head' is not 48 bytes");
  return Status::OK();
}

Status LedgerImpl::LoadOrCreateMeta() {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfMeta), kMetaFormatVersion, &v);
  // A new ledger, or one whose creation a crash interrupted before the meta
  // batch (no data anywhere: nothing to lose by finishing it).
  if (s.IsNotFound() &&
      (created_ || (options_.create_if_missing && !options_.read_only && HoldsNoData()))) {
    CCL_RETURN_IF_ERROR(CreateMeta());
    return unfinished_ ? RemoveCreationMarker(db_options_.env, path_, creation_temp_files_)
                       : Status::OK();
  }
  if (s.IsNotFound() && unfinished_) return UnfinishedCreation(path_);
  if (s.IsNotFound()) return MetaMissing("format_version");
  if (!s.ok()) return FromRocks(s, "read the format version of " + path_);
  CCL_RETURN_IF_ERROR(LoadMeta(v));
  // A creation that ended between its meta and the marker's removal.
  if (unfinished_ && !options_.read_only) {
    CCL_RETURN_IF_ERROR(RemoveCreationMarker(db_options_.env, path_, creation_temp_files_));
  }
  return Status::OK();
}

Status LedgerImpl::CreateMeta() {
  if (RAND_bytes(ledger_id_.data(), static_cast<int>(ledger_id_.size())) != 1) {
    return Status::IOError(path_ + ": no randomness for the ledger id");
  }
  ledger_id_[6] = static_cast<uint8_t>(0x40 | (ledger_id_[6] & 0x0f));  // UUID version 4
  ledger_id_[8] = static_cast<uint8_t>(0x80 | (ledger_id_[8] & 0x3f));  // RFC 4122 variant
  Head genesis;
  genesis.hash = GenesisHash(ledger_id_);
  std::string version;
  AppendBE32(kFormatVersion, &version);
  rocksdb::WriteBatch b;
  rocksdb::Status ws = b.Put(cf(kCfMeta), kMetaFormatVersion, version);
  if (ws.ok()) {
    ws = b.Put(cf(kCfMeta), kMetaLedgerId,
               rocksdb::Slice(reinterpret_cast<const char*>(ledger_id_.data()), 16));
  }
  if (ws.ok()) ws = b.Put(cf(kCfMeta), kMetaHead, EncodeHead(genesis));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (ws.ok()) ws = db_->Write(wo, &b);
  if (!ws.ok()) return FromRocks(ws, "create the ledger meta of " + path_);
  head_ = genesis;
  access_head_ = AccessHead{0, AccessGenesisHash(ledger_id_)};
  return Status::OK();
}

Status LedgerImpl::LoadMeta(std::string v) {
  if (v.size() != 4) return Status::Corruption(path_ + ": meta 'format_version' is not 4 bytes");
  if (GetBE32(v.data()) != kFormatVersion) {
    return Status::Corruption(path_ + ": unsupported ledger format version " +
                              std::to_string(GetBE32(v.data())) + " (this build reads " +
                              std::to_string(kFormatVersion) + ")" +
                              (GetBE32(v.data()) < kFormatVersion
                                   ? "; re-import it: `ledgerctl export events --format jsonl` "
                                     "with the build that wrote it, then `init` and `import`"
                                   : ""));
  }
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfMeta), kMetaLedgerId, &v);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read the ledger id of " + path_);
  if (s.IsNotFound()) return MetaMissing("ledger_id");
  if (v.size() != 16) return Status::Corruption(path_ + ": meta 'ledger_id' is not 16 bytes");
  std::memcpy(ledger_id_.data(), v.data(), 16);
  Head head;
  CCL_RETURN_IF_ERROR(ReadHead(&head));
  if (head.seq == 0 && head.hash != GenesisHash(ledger_id_)) {
    return Status::Corruption(path_ + ": empty ledger whose head is not the genesis hash");
  }
  CCL_RETURN_IF_ERROR(WithTableDamage(CheckLastEventIsHead(head)));
  return PublishStoredHeads(head);
}

// O(1) sanity check: the last stored event is the head (one WriteBatch or
// one ingestion writes both, so anything else is damage, not a torn append).
Status LedgerImpl::CheckLastEventIsHead(const Head& head) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kCfEvents)));
  it->SeekToLast();
  CCL_RETURN_IF_ERROR(FromRocks(it->status(), "read the last event of " + path_));
  uint64_t last = 0;
  if (it->Valid() && !DecodeSeq(std::string_view(it->key().data(), it->key().size()), &last)) {
    return Status::Corruption(path_ + ": malformed key in `events`");
  }
  if (last != head.seq) {
    return Status::Corruption(path_ + ": seq " + std::to_string(std::max(last, head.seq)) +
                              ": last stored event is " + std::to_string(last) + " but head is " +
                              std::to_string(head.seq));
  }
  return Status::OK();
}

Status LedgerImpl::PublishStoredHeads(const Head& head) {
  AccessHead access;
  CCL_RETURN_IF_ERROR(ReadAccessHead(&access));
  std::lock_guard<std::mutex> l(head_mu_);
  head_ = head;
  access_head_ = access;
  return Status::OK();
}

Status LedgerImpl::Refresh() {
  if (!options_.read_only) return Status::OK();  // a writer is always current
  // A writer that opens starts a new MANIFEST. RocksDB's secondary instance
  // follows such a switch by skipping the new file's summary of the state,
  // and may then miss edits that follow it (ingested files whose events the
  // head already counts): across a switch, open the database afresh instead.
  std::string current;
  rocksdb::Status s = rocksdb::ReadFileToString(db_options_.env, path_ + "/CURRENT", &current);
  if (!s.ok()) return FromRocks(s, "read " + path_ + "/CURRENT");
  if (current != current_manifest_) {
    CloseDb();
    CCL_RETURN_IF_ERROR(OpenSecondary());
  }
  // A catch-up reads the MANIFEST, then the WAL. A bulk append edits the
  // MANIFEST and then writes the head through the WAL (AnnounceIngestion):
  // a catch-up that reads the MANIFEST just before the edit and the WAL just
  // after sees the new head without the events. The edit is durable before
  // the head is written, so the next catch-up has both.
  Head head;
  Status consistent;
  for (int round = 0; round < kCatchUpRoundsMax; ++round) {
    s = db_->TryCatchUpWithPrimary();
    if (!s.ok()) return FromRocks(s, "catch up with the writer of " + path_);
    CCL_RETURN_IF_ERROR(ReadHead(&head));
    consistent = CheckLastEventIsHead(head);
    if (consistent.ok()) break;
  }
  CCL_RETURN_IF_ERROR(WithTableDamage(consistent));
  return PublishStoredHeads(head);
}

Head LedgerImpl::head() const {
  std::lock_guard<std::mutex> l(head_mu_);
  return head_;
}

Status LedgerImpl::GetProjectionState(std::string_view name, std::string* value) {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfProjections), name, value);
  if (s.IsNotFound()) return Status::NotFound("projection state '" + std::string(name) + "'");
  return FromRocks(s, "read projection state");
}

Status LedgerImpl::PutProjectionState(std::string_view name, std::string_view value) {
  if (options_.read_only) {
    return Status::InvalidArgument("ledger opened read-only: cannot store projection state");
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, cf(kCfProjections), name, value), "store projection state");
}

uint64_t LedgerImpl::DiskBytes() { return events::DirectoryBytes(path_); }

}  // namespace ccl::ledger

// The RocksDB implementation of Ledger (ledger/store/ledger.h). Internal header.
//
// Files: ledger_open.cc (open, create, options), append.cc (group commit,
// batch building), reads.cc and iterators.cc (reads), verify.cc (Verify).
#pragma once

#include <rocksdb/options.h>

#include <atomic>
#include <cassert>
#include <condition_variable>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ledger/merkle/merkle_store.h"
#include "ledger/store/contract_state.h"
#include "ledger/store/folder_checks.h"
#include "ledger/store/gather_pacing.h"
#include "ledger/store/ingest_files.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "ledger/store/ledger_folder.h"
#include "ledger/store/period_seal.h"
#include "ledger/store/write_model.h"

namespace rocksdb {
class Cache;
struct ColumnFamilyDescriptor;
class ColumnFamilyHandle;
class DB;
class Env;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace ccl::ledger {

// What an error about a table file TableDamage names says before it.
inline constexpr std::string_view kTableDamageText = "its table files are damaged";

// The table files (*.sst) in the folder `path`, sorted; none when it cannot
// be listed.
std::vector<std::string> TableFilesIn(rocksdb::Env* env, const std::string& path);

// Translates a RocksDB status (IOError, Corruption, NotFound, InvalidArgument).
Status FromRocks(const rocksdb::Status& s, std::string_view context);

// What the ledger's event iterators (seq order, stream order) share: the
// current event and where iteration stands. A subclass's Load sets seq_ and
// event_ and then valid_, or status_ on an error.
class LoadedEventIterator : public EventIterator {
 public:
  bool Valid() const override { return valid_; }
  uint64_t seq() const override {
    assert(valid_);
    return seq_;
  }
  const events::Event& event() const override {
    assert(valid_);
    return event_;
  }
  Status status() const override { return status_; }

 protected:
  events::Event event_;
  uint64_t seq_ = 0;
  bool valid_ = false;
  Status status_;
};

// A bounded LRU cache of committed contract states, so that memory is bounded
// by the cache size rather than by the number of contracts or events.
// Not thread-safe: used by the group commit leader only.
class ContractCache {
 public:
  explicit ContractCache(size_t entries_max) : entries_max_(entries_max) {}
  const ContractState* Find(std::string_view contract);
  void Put(const std::string& contract, ContractState state);
  void Clear();

 private:
  using Entry = std::pair<std::string, ContractState>;
  size_t entries_max_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

class LedgerImpl final : public Ledger, private CommittedReader {
 public:
  static Status OpenImpl(const Options& options, const std::string& path,
                         std::unique_ptr<Ledger>* out);
  ~LedgerImpl() override;

  Status Append(std::span<const events::Event> batch, const AppendOptions& options,
                AppendResult* result) override;
  // append_source.cc
  Status AppendFrom(EventSource* source, const AppendOptions& options,
                    AppendResult* result) override;
  // append_async.cc
  void AppendAsync(std::vector<events::Event> batch, AppendOptions options,
                   AppendDone done) override;
  Status Get(uint64_t seq, events::Event* out, std::string* stored_bytes) override;
  Status GetByEventId(const events::Uuid& id, events::Event* out) override;
  Status GetChainHash(uint64_t seq, Hash* out) override;
  std::unique_ptr<EventIterator> NewIterator(uint64_t from_seq) override;
  std::unique_ptr<EventIterator> NewStreamIterator(std::string_view contract,
                                                   uint64_t from_version) override;
  std::unique_ptr<EventIterator> NewReadAheadIterator(uint64_t from_seq,
                                                      uint64_t last_seq) override;
  Status ReversalLinks(uint64_t first_seq, uint64_t last_seq,
                       std::vector<ReversalLink>* out) override;
  Status StreamVersion(std::string_view contract, uint64_t* version) override;
  Status PendingApprovals(std::vector<uint64_t>* out) override;
  Head head() const override;
  const events::Uuid& ledger_id() const override { return ledger_id_; }
  const std::string& path() const override { return path_; }
  Status LastSeqRecordedAtOrBefore(int64_t t_ns, uint64_t* seq) override;
  Status Verify(const VerifyProgress& progress, VerifyReport* report) override;
  Status Refresh() override;
  Status GetProjectionState(std::string_view name, std::string* value) override;
  Status PutProjectionState(std::string_view name, std::string_view value) override;
  uint64_t DiskBytes() override;
  Status OpenMerkleTree(std::unique_ptr<MerkleStore>* out) override;
  Status NewMerkleTreeChecker(std::unique_ptr<MerkleTreeChecker>* out) override;
  Status CreateBackup(rocksdb::BackupEngine* engine, const std::string& app_metadata,
                      uint32_t* backup_id) override;
  // access_store.cc
  Status AppendAccess(std::span<const AccessRecord> records) override;
  Status ReadAccess(uint64_t from, const std::function<bool(const AccessEntry&)>& fn) override;
  AccessHead access_head() const override;
  bool WritesRefused() const override { return needs_reopen_.load(); }

  // For the iterators, verify and ingest (this library's own files).
  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* cf(ColumnFamilyId id) const { return handles_[id]; }

 private:
  struct GroupScratch;

 public:
  // append_source.cc: a `streams` value of a group, [copy_at, copy_at +
  // copy_bytes) of its copies (GroupScratch::StreamEntry), valid until the
  // next call: in g.copies, or read from the group's files
  // (GroupScratch::files; `ahead` as IngestFiles::Read's).
  static Status GroupCopy(const GroupScratch& g, size_t copy_at, size_t copy_bytes, bool ahead,
                          std::string_view* copy);

 private:
  struct AsyncAppend;
  // One caller of Append waiting in the group commit queue.
  struct Writer {
    std::span<const events::Event> batch;
    const AppendOptions* options = nullptr;
    AppendResult* result = nullptr;
    // AppendFrom: the parts after `batch`, its first (its writer leads a
    // group of its own).
    EventSource* source = nullptr;
    Status status;
    bool done = false;
    bool accepted = false;  // passed the rules; written if the group's write succeeds
    // AppendAsync: no thread of the caller waits on cv; a commit thread
    // leads it when it reaches the front (leading: one does), and the
    // group's leader completes it (CompleteAsync).
    AsyncAppend* async = nullptr;
    bool leading = false;
    std::condition_variable cv;
  };
  // An AppendAsync's input and outcome, owned by the queue until completed.
  struct AsyncAppend {
    std::vector<events::Event> events;
    AppendOptions options;
    AppendResult result;
    AppendDone done;
    Writer writer;
  };
  // Per-group scratch, reused by successive leaders (only one at a time).
  struct GroupScratch {
    struct StreamEntry {
      std::string_view contract;  // the caller's event: alive until the group ends
      uint64_t version;
      uint64_t seq;
      size_t copy_at;  // its `streams` value: copies[copy_at, copy_at + copy_bytes)
      size_t copy_bytes;
    };
    struct IdEntry {
      events::Uuid id;
      uint64_t seq;
    };
    rocksdb::WriteBatch* batch = nullptr;
    // A group large enough to be ingested (IngestBatch): its `events`, `ids`
    // and `streams` entries stay in copies, ids and streams, not the batch.
    bool bulk = false;
    // A bulk group of an AppendFrom (one writer): its events, chain hashes
    // and `streams` values go to these files as they are accepted, and
    // copies stays empty (copy_at and copy_bytes are offsets of the spill).
    std::unique_ptr<IngestFiles> files;
    events::Event event;  // the event being encoded, with its assigned fields
    std::string bytes;    // its encoding
    std::vector<StreamEntry> streams;
    std::string copies;  // the `streams` values of the group, one after another
    std::vector<IdEntry> ids;
    std::vector<Hash> leaf_hashes;  // Merkle leaves of the current writer's events
    std::string key;
    std::string value;
    uint64_t next_seq = 0;
    Hash prev_hash{};
    int64_t recorded_at_ns = 0;
    uint64_t first_seq = 0;  // the group's first seq (head + 1 when it began)
    // Period seals (period_seal_append.cc): the committed fold plus the
    // group's events through fold_seq (streams[0, fold_streams) folded).
    // Null until a PeriodClosed needs it, and again when a writer whose
    // events it folded is rejected.
    std::unique_ptr<PeriodFold> fold;
    uint64_t fold_seq = 0;
    size_t fold_streams = 0;
    // The access chain's head after the records staged so far, and the
    // record being encoded (access_store.cc).
    AccessHead access;
    AccessRecord access_record;
    std::string access_value;
  };

  LedgerImpl(const Options& options, std::string path);

  // ledger_open.cc
  Status OpenDb();
  // read_only: opens db_ as a RocksDB secondary instance, remembering the
  // MANIFEST it reads (current_manifest_).
  Status OpenSecondary();
  void CloseDb();
  // An existing database without any data (an interrupted creation)? The
  // first form inspects it before it can be opened with our column families.
  Status HoldsNoData(const rocksdb::DBOptions& options, const std::vector<std::string>& names,
                     bool* empty);
  bool HoldsNoData();
  // The ledger's meta: written when the database is new (or a creation is
  // finished), read otherwise; removes the creation marker once the meta is
  // there (a writer).
  Status LoadOrCreateMeta();
  // A new ledger's id, format and genesis head, in one synced batch.
  Status CreateMeta();
  // Reads the id and head of a ledger whose stored format version is `v`.
  Status LoadMeta(std::string v);
  // OpenDb of an existing database: its column families are the ledger's;
  // a missing one is added when the access log's (from before it), or when
  // creating and *finish_creation (a marked folder) or the database holds
  // no data (then *finish_creation is set). UnfinishedCreation for a marked
  // folder otherwise.
  Status CheckColumnFamilies(rocksdb::DBOptions* o, bool* finish_creation);
  // The error of a writer's DB::Open: Busy naming the lock's holder, what
  // to do with an unfinished creation that cannot be opened, else OpenFailure's.
  Status WriterOpenFailure(const rocksdb::Status& s);
  Status ReadHead(Head* out);
  // Corruption for a meta key `what` an existing ledger lacks, with the
  // table damage that hid it (WithTableDamage) and what to do either way.
  Status MetaMissing(std::string_view what);
  // `s`, when it is a Corruption of what the tables should hold (a meta
  // key, the last event), with its cause when a table file is missing, is
  // not the one the MANIFEST lists, or fails its checksums (TableDamage),
  // and what to do: RocksDB answers NotFound for the keys of a table whose
  // properties block is damaged, and a secondary instance leaves out a
  // table it cannot open. Reads every table file. *file: TableDamage's NAME.
  Status WithTableDamage(const Status& s, std::string* file = nullptr);
  // table_damage.cc. After a read-only open: when the folder holds a table
  // file the instance does not (one it could not open, as a secondary leaves
  // out without a word), Corruption naming the first table file the
  // MANIFEST lists that is missing or another (FirstMissingOrWrongTable),
  // with what to do; OK otherwise.
  Status CheckLiveTables();
  // "NAME <why>" for the first table file the current MANIFEST lists (by
  // number) that the folder lacks or holds with another size, column
  // family or key range, and that a second reading of the MANIFEST still
  // lists (a compaction beside it deletes what it no longer lists); "" when
  // none, or when the MANIFEST cannot be read. Opens read-only instances of
  // its own that open no table. *file (when given): NAME, when one is named.
  std::string FirstMissingOrWrongTable(std::string* file = nullptr);
  // FirstMissingOrWrongTable(), else the first table file of the folder
  // failing its checksums ("NAME: <RocksDB's words>"; *file: NAME); "" when none.
  std::string TableDamage(std::string* file = nullptr);
  // Corruption unless the last key of `events` is head.seq.
  Status CheckLastEventIsHead(const Head& head);
  // Makes `head` (read from the database) and the stored access head the
  // ones readers see.
  Status PublishStoredHeads(const Head& head);

  // access_store.cc: the column families a read-only instance opens: all,
  // but `access` only when the ledger has it (*has_access): a ledger no
  // writer has opened since the access log existed has an empty log.
  Status SecondaryFamilies(const rocksdb::DBOptions& o,
                           std::vector<rocksdb::ColumnFamilyDescriptor>* cfs, bool* has_access);
  // access_store.cc: the stored access head (the genesis when there is
  // none), checked against the last key of `access`; Corruption otherwise.
  Status ReadAccessHead(AccessHead* out);
  // Stages w's access records (w accepted) after the group's others.
  Status StageAccess(const Writer& w, GroupScratch* g);
  // Verify's last step: the access chain (report->access_head and
  // first_bad_access_record).
  Status VerifyAccess(const rocksdb::ReadOptions& ro, VerifyReport* report);

  // What a group's leader hands from preparing the group to writing it.
  // What an event adds to a group's write (its bytes twice, chain, index and
  // tree entries: ~750 bytes), to decide before building it whether the
  // group is ingested (bulk) or goes through the WAL.
  static constexpr size_t kGroupBytesPerEvent = 768;
  bool BulkGroup(size_t events) const {
    return events * kGroupBytesPerEvent >= options_.bulk_ingest_bytes_min;
  }
  struct GroupWrite {
    bool writes = false;  // false: its writers were all rejected or duplicates
    Head after;           // the heads once it is written
    AccessHead access;
    // A bulk group's `events`, `ids` and `streams` entries (GroupScratch::bulk),
    // taken out of the scratch when it is prepared: the next group's leader
    // reuses the scratch while this one is written. Null for other groups.
    std::unique_ptr<GroupScratch> bulk;
  };
  // A group prepared and not yet retired: its write-model changes stand over
  // the committed state for the group prepared after it (CommittedReader).
  struct StagedGroup {
    uint64_t ticket = 0;  // its place in the write order (tickets_issued_)
    ModelDelta delta;
  };

  // The group commit, in named steps (append_pipeline.cc: the queue and
  // the group in flight; append.cc: the steps). The leader prepares its
  // group (PrepareGroup: validate, then, once the group before it was
  // written, stage indexes, write model and heads), hands the lead to the
  // next writer and writes (WriteGroup: write or ingest, publish); meanwhile
  // the next leader prepares the next group over this one's staged changes.
  void LeadGroup(Writer* leader);
  // REQUIRES: writers_mu_ held (through *lock), no group in flight.
  void GatherWriters(std::unique_lock<std::mutex>* lock);
  // Adds the queued writers after *group's to it, up to kGroupEventsMax
  // events in all; whether it took any. REQUIRES: writers_mu_ held.
  bool TakeQueued(std::vector<Writer*>* group, size_t* events);
  // False when the group failed before its write (the writers' statuses
  // set); true when it is to be written, *out saying what.
  bool PrepareGroup(std::vector<Writer*>* group, size_t events, rocksdb::WriteBatch* batch,
                    GroupWrite* out);
  // While a group is in flight: waits for its write to end, then takes in
  // and validates the writers queued by then. Its error, if it failed; *s
  // is the validation's.
  Status AwaitWriteInFlight(std::vector<Writer*>* group, size_t events, GroupScratch* g, Status* s);
  GroupScratch& StartGroup(const Head& before, const AccessHead& access,
                           rocksdb::WriteBatch* batch);
  // Validates group[from, end) in order.
  Status ValidateGroup(const std::vector<Writer*>& group, size_t from, GroupScratch* g);
  Status StageIndexes(GroupScratch* g);
  Status StageWriteModel(GroupScratch* g);
  Status StageHeads(const Head& before, const AccessHead& access_before, GroupScratch* g,
                    GroupWrite* out);
  // The leader's last step: drops the group's scratch state.
  void EndPrepare();
  void WriteGroup(const std::vector<Writer*>& group, const GroupWrite& gw,
                  rocksdb::WriteBatch* batch);
  // Sets *ingested when the batch went in as SST files rather than the WAL.
  Status WriteOrIngest(rocksdb::WriteBatch* batch, const GroupScratch* bulk, bool* ingested);
  void PublishGroup(const GroupWrite& gw, uint64_t wal_bytes);
  // Gives every accepted writer of the group the group's outcome `s`.
  static void FinishWriters(const std::vector<Writer*>& group, const Status& s);
  // w's failure: its status, and an empty result.
  static void FailWriter(Writer* w, const Status& s);
  // append_pipeline.cc: the group in flight and its staged state.
  // The heads a new group starts from: the group in flight's, until its
  // write ended, then the published ones.
  void StagedBase(Head* head, AccessHead* access);
  // The group in flight's write ended with `s`.
  void EndWrite(const Status& s);
  // Leader: hands the written groups' contract states to the cache.
  void RetireWrittenGroups();
  // Leader: waits for the group in flight and retires it (a period seal
  // reads the committed log). Its write error, if it failed.
  Status DrainStagedGroups();
  // The input event of `id` in the group in flight.
  bool FindStagedEvent(const events::Uuid& id, uint64_t* seq, events::Event* event);
  // Checks w's batch against the write model and stages its new events in g;
  // on failure, w->result names the failing event.
  Status ProcessWriter(Writer* w, GroupScratch* g);
  // append.cc: resets *result; whether this ledger takes an append now.
  Status BeginAppend(const AppendOptions& options, AppendResult* result);
  // append_async.cc: InvalidArgument (rules::kBatchEventsMax) for a batch
  // past limits::kEventsPerBatchMax; whether an append writes nothing at all
  // (answered OK without queuing).
  static Status CheckBatchSize(size_t events);
  static bool NothingToAppend(std::span<const events::Event> batch, const AppendOptions& options) {
    return batch.empty() && options.expected_versions.empty() && options.access_records.empty();
  }
  // append_source.cc: starts g->files for an AppendFrom's group, once no
  // group before it is being written (its folder is free then).
  Status StartFiles(GroupScratch* g);
  // append_pipeline.cc: queues `w` (checked) and waits for its outcome.
  Status QueueWriter(Writer* w);
  // Wakes whoever leads the queue's front: its own thread, or the commit
  // threads for an AppendAsync. REQUIRES: writers_mu_ held.
  void WakeFront();
  // append_async.cc: a commit thread: leads the AppendAsync writers that
  // reach the front, until stopping with none left.
  void CommitLoop();
  // Whether a commit thread is to lead the front now. REQUIRES: writers_mu_.
  bool AsyncFrontReady() const;
  // Calls the `done` of these AppendAsync writers (done by now) and frees
  // them. REQUIRES: writers_mu_ not held.
  void CompleteAsync(const std::vector<Writer*>& writers);
  // Destruction: lets the commit threads complete every queued AppendAsync,
  // then joins them.
  void StopCommitThreads();
  // append_source.cc: the part of w's source after the `taken` events
  // ProcessWriter took (w's outcomes grow to cover it); empty at the end.
  Status NextPart(Writer* w, size_t taken, GroupScratch* g, std::span<const events::Event>* part);
  // append_source.cc: the group's pending event `seq`, read back from its
  // copies (AppendView::SetPendingLoader).
  Status LoadPendingEvent(const GroupScratch& g, uint64_t seq, events::Event* out);
  // Stages g->event, the stored form of the caller's accepted event `in` (its
  // seq g->next_seq, its assigned fields set): encodes it, extends the
  // chain, puts its rows in g's batch and queues its stream copy and id for
  // StageIndexes. `in` must outlive the group (its stream entry views it).
  Status StageStoredEvent(const events::Event& in, GroupScratch* g);
  void SortStreamEntries(GroupScratch* g);
  // ingest.cc: writes a large group's batch (and, for a bulk group, its
  // events and indexes from g) as SST files and ingests them into all column
  // families in one atomic, synced MANIFEST edit.
  // `bulk`: null, or the rows of a bulk group (GroupWrite::bulk).
  Status IngestBatch(rocksdb::WriteBatch* batch, const GroupScratch* bulk);
  // ingest.cc: makes an ingestion visible to read-only instances (best effort).
  void AnnounceIngestion();
  Status CheckExpectedVersions(const Writer& w);
  // period_seal_append.cc: the sealed figures of a PeriodClosed of `month`
  // appended at `seq`, over the committed events and the group's before it.
  Status SealPeriod(GroupScratch* g, uint64_t seq, int32_t month, events::PeriodSeal* out);
  // Once a close has made the group's fold, folds the event just staged
  // (g->event), in hand, so that the next close need not read it back.
  Status FoldStaged(GroupScratch* g);
  // Folds committed events through `seq` into committed_fold_.
  Status CatchUpCommittedFold(uint64_t seq);
  Status AddToFold(const events::Event& e, GroupScratch* g, PeriodFold* fold);
  Status ReadForFold(const events::Uuid& id, GroupScratch* g, events::Event* out);
  Status FindDuplicate(const Writer& w, const events::Event& in, size_t i, bool* duplicate,
                       uint64_t* seq);

  // CommittedReader, over RocksDB and the contract cache.
  Status ReadContract(std::string_view contract, bool* found, ContractState* out) override;
  Status ReadEscalation(const std::string& key, bool* found, EscalationState* out) override;
  Status ReadReversal(uint64_t target_seq, bool* found, uint64_t* reversing_seq) override;
  Status ReadEventById(const events::Uuid& id, bool* found, uint64_t* seq,
                       events::Event* event) override;
  Status ReadDecision(const events::Event& target, DecisionLookup* out) override;

  // reads.cc
  Status GetStored(uint64_t seq, std::string* bytes);
  // The committed state of `contract` in `contracts` (no cache): *found false
  // when it has none; Corruption when it does not decode.
  Status ReadStoredContract(std::string_view contract, bool* found, ContractState* out);
  Status SeqById(const events::Uuid& id, bool* found, uint64_t* seq);

  const Options options_;
  const std::string path_;
  Clock* const clock_;
  bool created_ = false;     // OpenDb made a new database, or finishes a marked one
  bool unfinished_ = false;  // the folder held the creation marker at open
  std::vector<std::string> creation_temp_files_;  // CreationTempFiles before the open
  std::string current_manifest_;  // read_only: CURRENT's content when db_ was opened
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;     // by ColumnFamilyId
  rocksdb::DBOptions db_options_;                         // as opened
  std::vector<rocksdb::ColumnFamilyOptions> cf_options_;  // by ColumnFamilyId
  std::shared_ptr<rocksdb::Cache> block_cache_;
  events::Uuid ledger_id_{};

  mutable std::mutex head_mu_;
  Head head_;               // guarded by head_mu_; the last committed event
  AccessHead access_head_;  // guarded by head_mu_; the last committed access record

  // Group commit: callers queue here; the front one leads a group.
  std::mutex writers_mu_;
  std::deque<Writer*> writers_;
  // Group pacing (append_pipeline.cc GatherWriters): writers in the last group, and whether a
  // new leader is waiting for that many to queue again. Guarded by writers_mu_.
  size_t last_group_writers_ = 1;
  bool leader_gathering_ = false;
  GatherPacing gather_pacing_;  // whether a new leader waits at all
  std::condition_variable leader_cv_;
  // The pipeline (append_pipeline.cc), guarded by writers_mu_: at most one
  // group is being written (in flight) while the next is prepared.
  bool group_in_flight_ = false;
  // The group being written is an AppendFrom's: its events are in its files
  // only, where no later group can look them up, so it keeps the lead until
  // its write ended.
  bool lead_held_ = false;
  size_t in_flight_writers_ = 0;  // writers of the group in flight (or last written)
  uint64_t tickets_issued_ = 0;   // writing groups prepared, numbered from 1
  uint64_t tickets_written_ = 0;  // whose write ended (all but the one in flight)
  Status pipeline_failure_;       // the first failed write's error
  // AppendAsync (append_async.cc), guarded by writers_mu_: the commit
  // threads (started by the first AppendAsync; two, so that one prepares a
  // group while the other writes the one before), woken by commit_cv_; the
  // queued AppendAsync writers not completed yet; stop at destruction.
  std::vector<std::thread> commit_threads_;
  std::condition_variable commit_cv_;
  size_t async_queued_ = 0;
  bool commit_stop_ = false;
  // After a failed write the WAL may or may not hold the batch: refuse to go
  // on until a reopen recovers a known state.
  std::atomic<bool> needs_reopen_{false};

  // Leader-only state (one leader at a time, handed over under writers_mu_).
  std::deque<StagedGroup> staged_groups_;  // prepared and not retired, oldest first
  uint64_t last_writing_ticket_ = 0;       // the last prepared group that writes,
  Head last_writing_head_;                 // and its heads
  AccessHead last_writing_access_;
  ContractCache contract_cache_;
  // Written by the group in flight (one at a time, in ticket order).
  uint64_t unflushed_bytes_ = 0;  // appended since the last flush we asked for
  uint64_t appended_bytes_ = 0;   // since open
  AppendView view_;
  std::unique_ptr<GroupScratch> scratch_;
  // The period figures of the committed events through committed_fold_seq_:
  // built when the first PeriodClosed needs it, then caught up (leader only).
  std::unique_ptr<PeriodFold> committed_fold_;
  uint64_t committed_fold_seq_ = 0;
  // ReadContract found no ledger stream state (contract ""), so that events
  // checked against closed periods need not look for it in RocksDB each
  // time. Cleared when a group commits one.
  bool ledger_stream_absent_ = false;
  // The Merkle tree (schemas/MERKLE.md), staged into each group's WriteBatch.
  // Writers only; readers open their own (ledger/audit/merkle_ledger.h).
  std::unique_ptr<MerkleStore> tree_;
};

}  // namespace ccl::ledger

// The ledger: an append-only store of events in RocksDB with a hash chain,
// per-contract streams, an event-id index and the write model that enforces the
// domain rules of schemas/EVENTS.md. See schemas/FORMAT.md for the bytes on disk.
//
// Thread safety: a Ledger may be used from many threads at once. Concurrent
// appends are grouped by a leader into one synced WriteBatch (group commit);
// each caller's batch still stands or falls alone. Reads and Verify see a
// consistent prefix of the log while appends go on.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/access_log.h"

namespace rocksdb {
class BackupEngine;
class Env;
}  // namespace rocksdb

namespace ccl::ledger {

class MerkleStore;
class MerkleTreeChecker;

using Hash = std::array<uint8_t, 32>;

// Source of ledger time (recorded_at). Injected by tests; the default reads the
// system clock. recorded_at never decreases along seq whatever the clock does:
// the ledger uses max(NowNs(), head recorded_at).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowNs() = 0;  // ns since 1970-01-01T00:00:00Z
};
Clock* SystemClock();  // process-wide, never null

struct Options {
  // Create an empty ledger (new ledger id, genesis head) if PATH has none.
  bool create_if_missing = false;
  // Open without taking the writer lock, to inspect a ledger that another
  // process may have open for writing (a RocksDB secondary instance, with its
  // own files in a temporary folder). Append and PutProjectionState fail with
  // InvalidArgument. The view is fixed until Refresh() catches up with the
  // writer. NotFound when there is no ledger at the path. Writes no file,
  // in the ledger folder or elsewhere.
  bool read_only = false;
  // Sync the WAL on every append before acknowledging it. Only benchmarks of
  // the unsynced limit turn this off. After a failed write or sync, appends
  // fail with IOError until the ledger is reopened.
  bool sync = true;
  // Not owned; must outlive the Ledger. nullptr: SystemClock().
  Clock* clock = nullptr;
  // Not owned; RocksDB environment (fault injection in tests). nullptr: default.
  rocksdb::Env* env = nullptr;
  // RocksDB block cache shared by the column families.
  size_t block_cache_bytes = 256ull << 20;
  // Write model: contract states kept in memory (LRU); the rest are read from
  // the `contracts` column family when an append touches them.
  size_t contract_cache_entries_max = 65536;
  // An append (group) of at least this many bytes' worth of events (768 per
  // event), or whose WriteBatch reaches this many bytes, is written as SST
  // files ingested atomically into every column family instead of going
  // through the WAL and memtables: the same bytes, about half the time and a
  // third less memory for an import (schemas/FORMAT.md "Appends"). Tests set 1
  // to take this path always.
  size_t bulk_ingest_bytes_min = 32ull << 20;
};

struct AppendOptions {
  // Optimistic concurrency: (contract, expected stream version before this
  // batch; 0 = the contract has no events yet). A mismatch rejects the whole
  // batch with Conflict, unless every event of the batch for that contract is
  // a duplicate: a retry of a batch that was appended is acknowledged as
  // duplicates (it writes nothing), whatever the stream's version now.
  std::vector<std::pair<std::string, uint64_t>> expected_versions;
  // Access log records (ledger/store/access_log.h) that go with this append: when
  // the append is accepted (every event a duplicate included), they are
  // appended to the access chain in the same synced WriteBatch as its
  // events, after the records of the writers before it in the group; when
  // it is rejected, or its write fails, none is. The ledger sets each one's
  // rows (events appended) and first_seq/last_seq (the seqs of the input's
  // events, duplicates included). Each must pass CheckAccessRecord, else
  // the append is InvalidArgument and writes nothing.
  std::vector<AccessRecord> access_records;
};

// What happened to one input event of an Append.
struct EventOutcome {
  uint64_t seq = 0;        // assigned seq, or the existing one for a duplicate
  bool duplicate = false;  // same event_id, same content, already stored
  // The stream version assigned to a new event; 0 for a duplicate (read the
  // stored event for its own).
  uint64_t stream_version = 0;
  // A new event accepted pending (R-APPR-01: it awaits an Approved); false
  // for a duplicate (read the stored event for its own).
  bool awaits_approval = false;
};

struct AppendResult {
  size_t appended = 0;
  size_t duplicates = 0;
  std::vector<EventOutcome> outcomes;  // one per input event, in input order
  // On failure: index into the input of the event that was rejected
  // (SIZE_MAX when the failure is not about one event, e.g. I/O).
  size_t failed_index = SIZE_MAX;
  // On success: the events of every input of the group this append was
  // committed with (its own included, duplicates counted), and whether it is
  // the group's first accepted append, so that a caller counting groups
  // counts each one once.
  size_t group_events = 0;
  bool first_of_group = false;
  // When the failed event collides with an earlier event of the same input
  // (a Conflict: its event_id used with other content; or R-REV-04: a second
  // reversal of one target): that event's index (it has no seq, as nothing
  // of the batch is written). Else SIZE_MAX.
  size_t first_use_index = SIZE_MAX;
  // On an IOError: the append was refused, unwritten, because an earlier
  // write failed (WritesRefused), not because its own write failed.
  bool writes_refused = false;
};

// The events of one atomic append handed over in parts (Ledger::AppendFrom),
// so that the caller need not hold them all: a parser yields them as it reads.
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Sets *part to the next events of the input; an empty part ends it. The
  // events stay valid until the next call. A non-OK status ends the append,
  // which then writes nothing and returns that status as it is.
  [[nodiscard]] virtual Status Next(std::span<const events::Event>* part) = 0;
};

struct Head {
  uint64_t seq = 0;            // 0 for an empty ledger
  Hash hash{};                 // h_seq (h_0 = genesis hash)
  int64_t recorded_at_ns = 0;  // of the event at seq; 0 when empty
};

// Reads events in seq order (NewIterator) or in one contract's stream order
// (NewStreamIterator). Every event is checked by DecodeStoredEvent
// (ledger/store/stored_event.h: the FlatBuffers Verifier, ValidateEvent, its seq)
// before it is exposed; a failure ends iteration with status() = Corruption
// naming the seq.
class EventIterator {
 public:
  virtual ~EventIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;                         // REQUIRES: Valid()
  virtual uint64_t seq() const = 0;                // REQUIRES: Valid()
  virtual std::string_view bytes() const = 0;      // stored bytes; REQUIRES: Valid()
  virtual const events::Event& event() const = 0;  // decoded; REQUIRES: Valid()
  // The chain hash h_seq of the current event (the `chain` column family; one
  // extra read, cheap in seq order). Corruption when absent. REQUIRES: Valid()
  [[nodiscard]] virtual Status chain_hash(Hash* out) = 0;
  virtual Status status() const = 0;  // OK unless iteration stopped on an error
};

// The message of an append that WritesRefused() refuses (IOError).
inline constexpr std::string_view kWritesRefusedText =
    "writes are refused after a failed write, until the ledger is opened again";

struct VerifyProgress {
  // Called now and then with (events checked, head seq); may be empty.
  std::function<void(uint64_t, uint64_t)> on_progress;
};

struct VerifyReport {
  uint64_t events = 0;  // events checked
  Head head;            // recomputed head (equals the stored head on success)
  // The first bad seq: the first that fails a check, or the first that a
  // table file it could not read (RocksDB's checksums, an I/O error) kept
  // from being checked. 0 when OK, and when no seq is known: an index or
  // write-model table read in key order other than seq's (its damaged
  // file is then in damaged_table).
  uint64_t first_bad_seq = 0;
  // The table file (its name in the ledger folder) that a Corruption found
  // missing, not the one the MANIFEST lists, or failing its checksums; ""
  // when none is named.
  std::string damaged_table;
  AccessHead access_head;  // recomputed head of the access chain
  // The first damaged access record (its number), 0 when none.
  uint64_t first_bad_access_record = 0;
};

class Ledger {
 public:
  // Opens (or, with create_if_missing, creates) the ledger at `path` (its
  // parent folder must exist). Returns Busy when another writer (process or
  // Ledger object) holds the lock, NotFound when there is no ledger and
  // create_if_missing is false, Corruption when the stored format or head is
  // unreadable, the last stored event is not the head, or a table file the
  // MANIFEST lists is missing or another (named). A creation first writes
  // its marker (kCreationMarker, ledger_folder.h), durably, and removes it
  // once the meta is written; a creation that did not finish (the marker,
  // or a database holding no data) is completed when create_if_missing is
  // set, and is NotFound saying so otherwise. A folder without RocksDB's
  // CURRENT (or with one that names no MANIFEST, ledger_folder.h
  // HoldsDatabase) is created in only when it is missing, empty or holds
  // only the marker and what RocksDB writes before CURRENT; when it holds
  // ledger data (table files, WALs, MANIFESTs) and a database wrote some of
  // it (an options or table file of RocksDB's content), or the marker is
  // there, Corruption naming them, with or without create_if_missing; among
  // other files (LOG or IDENTITY without the marker, or files that only
  // have a database's names, included), InvalidArgument naming them.
  // Nothing in the folder is changed when Open refuses it.
  [[nodiscard]] static Status Open(const Options& options, const std::string& path,
                                   std::unique_ptr<Ledger>* ledger);

  // OK when a ledger may be made at `path` by other means than Open (a
  // restore writes the files, then opens): `path` is missing or an empty
  // folder, can be a folder (not a symbolic link to nothing, nor under a
  // file), and is not inside another ledger's folder. InvalidArgument
  // saying why not (Corruption for a folder holding ledger data without a
  // CURRENT, as Open); nothing is changed either way.
  [[nodiscard]] static Status CheckNewFolder(const std::string& path);

  virtual ~Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends a batch atomically: every event is validated and checked against
  // the write model (schemas/EVENTS.md "Rules checked on append"), seq /
  // stream_version / recorded_at / applied_bill_rate_minor / the chain hash
  // are assigned, and everything is written in one RocksDB WriteBatch with
  // the WAL synced. On any failure nothing is written, the in-memory state is
  // unchanged, result->outcomes is empty and result->failed_index names the
  // event. An event whose event_id is
  // stored (or earlier in the batch) with the same content is a duplicate
  // (reported, not written), recognised before the expected versions are
  // compared; with other content, Conflict. The input's
  // assigned fields are ignored. Failures: InvalidArgument (a field, the batch
  // size, a read-only ledger), RuleViolation "event <uuid>: <rule>: <detail>
  // (rule <id>)", Conflict (event id reuse, expected version), IOError (the write; the
  // ledger then refuses writes, WritesRefused()). A rejection of one input event (a field, a
  // rule, its event id) names it, "event <uuid>: ..."; an expected-version
  // Conflict names the contract. Callers add where the event came from
  // (result->failed_index), never the event again. `batch` must stay alive until Append returns.
  [[nodiscard]] virtual Status Append(std::span<const events::Event> batch,
                                      const AppendOptions& options, AppendResult* result) = 0;

  // One atomic append of every event `source` gives, in order: what Append
  // of them all at once does (rules, duplicates and reversal targets within
  // the input, results, errors; outcomes and failed_index count from the
  // input's first event), without holding them all. An input past
  // Options::bulk_ingest_bytes_min is checked and written part by part into
  // SST files (its encoded events leave memory as they are written) and
  // ingested at the end in one atomic step; when it is rejected, every file
  // it wrote is removed. It is appended alone, in no group with other
  // appends. options.expected_versions must be empty (InvalidArgument). The
  // default gathers every part and calls Append.
  [[nodiscard]] virtual Status AppendFrom(EventSource* source, const AppendOptions& options,
                                          AppendResult* result) {
    std::vector<events::Event> all;
    for (;;) {
      std::span<const events::Event> part;
      CCL_RETURN_IF_ERROR(source->Next(&part));
      if (part.empty()) break;
      all.insert(all.end(), part.begin(), part.end());
    }
    return Append(all, options, result);
  }

  // The outcome of an AppendAsync: the status Append would return and its
  // result (moved to the callee).
  using AppendDone = std::function<void(const Status&, AppendResult&&)>;

  // Append without holding the calling thread while the group commits: the
  // batch and options are taken over, queued in the same group commit as
  // Append's callers (same rules, atomicity, duplicates, errors and result),
  // and `done` is called exactly once with the outcome, after the group's
  // write is synced (or failed). It runs on a thread of the ledger, on the
  // thread of a concurrent Append that led the group, or, when the append is
  // refused before it is queued (a read-only ledger, a failed sync, the
  // batch size, an access record), on the caller's thread before
  // AppendAsync returns. `done` must not block (the group's other writers
  // wait for it), must not call Append and must not throw (one that throws
  // on a thread of the ledger has its exception dropped there); it may call
  // AppendAsync, also while the destructor runs. The ledger's destructor
  // waits for every queued append's `done`, those queued by a `done`
  // included. The default calls Append and then `done`.
  virtual void AppendAsync(std::vector<events::Event> batch, AppendOptions options,
                           AppendDone done) {
    AppendResult result;
    const Status s = Append(batch, options, &result);
    done(s, std::move(result));
  }

  // Point reads. NotFound when absent; Corruption when stored bytes fail checks.
  [[nodiscard]] virtual Status Get(uint64_t seq, events::Event* out,
                                   std::string* stored_bytes = nullptr) = 0;
  [[nodiscard]] virtual Status GetByEventId(const events::Uuid& id, events::Event* out) = 0;
  // The chain hash h_seq as stored with event `seq` (seq 0: the genesis hash).
  // NotFound when seq > head().seq.
  [[nodiscard]] virtual Status GetChainHash(uint64_t seq, Hash* out) = 0;

  // Events with seq >= from_seq, in seq order, as of a snapshot taken now.
  virtual std::unique_ptr<EventIterator> NewIterator(uint64_t from_seq = 1) = 0;
  // Events of one contract with stream_version >= from_version, in stream order,
  // reading only that stream (the `streams` index), never a full scan.
  virtual std::unique_ptr<EventIterator> NewStreamIterator(std::string_view contract,
                                                           uint64_t from_version = 1) = 0;

  // The events from_seq..min(last_seq, the head as of now) in seq order,
  // exactly as NewIterator gives them (the same checks, and the same error at
  // the same seq), for reading many: a second thread reads the log ahead and
  // decodes it, and the caller's thread shares the decoding whenever it
  // catches up, so a long read uses two cores. At most 8 batches of 1024
  // events are held ahead. The thread starts here and is joined when the
  // iterator is destroyed: worth it from some thousands of events.
  virtual std::unique_ptr<EventIterator> NewReadAheadIterator(uint64_t from_seq,
                                                              uint64_t last_seq) = 0;

  // One entry of the write model's `reversals` index.
  struct ReversalLink {
    uint64_t reversing_seq = 0;  // the EntryReversed
    uint64_t target_seq = 0;     // the event it reverses
  };
  // The reversals whose EntryReversed has a seq in [first_seq, last_seq], as
  // the `reversals` index records them, sorted by reversing_seq (replaces
  // *out): a replay can keep just the events it will need as reversal targets
  // instead of remembering every one. An index is not the log: a caller must
  // check each target against its reversal (target_event_id) and read it by
  // event id when they differ. Corruption when an entry is malformed; the
  // default returns NotFound (no index: read every target by event id).
  [[nodiscard]] virtual Status ReversalLinks(uint64_t first_seq, uint64_t last_seq,
                                             std::vector<ReversalLink>* out) {
    (void)first_seq;
    (void)last_seq;
    out->clear();
    return Status::NotFound("this ledger has no reversals index");
  }

  // The current stream version of a contract (0 when it has no events).
  [[nodiscard]] virtual Status StreamVersion(std::string_view contract, uint64_t* version) = 0;

  // The seqs of the events awaiting approval now (schemas/EVENTS.md
  // "Approvals"), ascending, as the write model holds them (replaces *out).
  // The default (a ledger without a write model) returns NotFound.
  [[nodiscard]] virtual Status PendingApprovals(std::vector<uint64_t>* out) {
    out->clear();
    return Status::NotFound("this ledger has no write model");
  }

  virtual Head head() const = 0;
  virtual const events::Uuid& ledger_id() const = 0;

  // The largest seq whose recorded_at <= t_ns (0 if none), by binary search over
  // seq (recorded_at never decreases along seq), not a scan.
  [[nodiscard]] virtual Status LastSeqRecordedAtOrBefore(int64_t t_ns, uint64_t* seq) = 0;

  // The access log (ledger/store/access_log.h; schemas/FORMAT.md "Access log").
  // AppendAccess appends `records` to the access chain through the group
  // commit, in one synced WriteBatch (shared with concurrent appends), and
  // returns once they are durable. InvalidArgument for a read-only ledger
  // or a record failing CheckAccessRecord (nothing is written); IOError as
  // Append. ReadAccess calls `fn` with records n >= from in order, as of
  // now, until it returns false; each record is decoded and its chain link
  // to the stored record before it checked (Corruption "access record N:
  // ..." otherwise). A ledger written before the access log existed has an
  // empty one. The defaults are for ledgers without one.
  [[nodiscard]] virtual Status AppendAccess(std::span<const AccessRecord> records) {
    (void)records;
    return Status::InvalidArgument("this ledger has no access log");
  }
  [[nodiscard]] virtual Status ReadAccess(uint64_t from,
                                          const std::function<bool(const AccessEntry&)>& fn) {
    (void)from;
    (void)fn;
    return Status::OK();
  }
  virtual AccessHead access_head() const { return AccessHead{}; }

  // True once a write failed (an append's IOError from the write itself):
  // whether it reached the disk is known only once the log is recovered, so
  // every later append is refused, IOError "writes are refused after a
  // failed write, until the ledger is opened again" (kWritesRefusedText),
  // until this object is destroyed and the ledger opened again.
  virtual bool WritesRefused() const { return false; }

  // Re-reads every event: Verifier and field checks, seq order and gaps,
  // recorded_at order, the hash chain against every stored chain hash and the
  // head, a replay through the rules (stream versions and applied bill rates
  // included), the streams and ids indexes in both directions, and the stored
  // write model against the replayed one (schemas/FORMAT.md "Verification").
  // On failure returns Corruption "seq N: what" naming the first bad seq (also
  // in report->first_bad_seq). A table file that cannot be read ends the
  // checks with RocksDB's error, which for a Corruption names the damaged
  // file (also in report->damaged_table); report->first_bad_seq is then the
  // first seq it kept from being checked when that table is read in seq
  // order (events, chain hashes), else 0. Uses three threads; memory is that of the
  // write model (contracts, escalations, reversals), not of the events.
  // Then the access chain: keys 1..n without gaps, every record decoded,
  // every a_n recomputed and compared with the stored one and the access
  // head; Corruption "access record N: what" (report->first_bad_access_record).
  [[nodiscard]] virtual Status Verify(const VerifyProgress& progress, VerifyReport* report) = 0;

  // Read-only instances: catch up with what a writer appended since Open
  // (head(), reads and iterators made afterwards see it), bulk appends
  // included. REQUIRES: no iterator of this ledger is alive (the database
  // may be reopened). After a failure only destruction is allowed. A
  // writer: no-op.
  [[nodiscard]] virtual Status Refresh() = 0;

  // Projection checkpoints and snapshots (the `projections` column family).
  // Opaque bytes to the ledger; NotFound when absent.
  [[nodiscard]] virtual Status GetProjectionState(std::string_view name, std::string* value) = 0;
  [[nodiscard]] virtual Status PutProjectionState(std::string_view name,
                                                  std::string_view value) = 0;

  // Size of the ledger's files on disk, in bytes.
  virtual uint64_t DiskBytes() = 0;

  // The folder the ledger was opened at, as given to Open.
  virtual const std::string& path() const = 0;

  // The ledger's Merkle tree (schemas/MERKLE.md), which Append keeps in the
  // same write as the events. OpenMerkleTree: a reader showing the first
  // head().seq leaves (a tree grown since by a writer of this process is
  // accepted); Corruption when the stored tree does not hold the head's
  // events. NewMerkleTreeChecker: a checker of the stored tiles against leaf
  // hashes fed to it. REQUIRES: this ledger outlives *out. The defaults are
  // for ledgers without a tree (InvalidArgument); they are inline so that a
  // program using only this interface links no store.
  [[nodiscard]] virtual Status OpenMerkleTree(std::unique_ptr<MerkleStore>* out) {
    (void)out;
    return Status::InvalidArgument("this ledger has no Merkle tree");
  }
  [[nodiscard]] virtual Status NewMerkleTreeChecker(std::unique_ptr<MerkleTreeChecker>* out) {
    (void)out;
    return Status::InvalidArgument("this ledger has no Merkle tree");
  }

  // Adds one backup of the whole ledger to `engine`, every column family at
  // one point in time even while appends go on (the live WAL is copied, not
  // flushed), with `app_metadata` stored beside it; *backup_id names it.
  // IOError or Corruption from the engine; the default (a ledger without
  // RocksDB files) is InvalidArgument.
  [[nodiscard]] virtual Status CreateBackup(rocksdb::BackupEngine* engine,
                                            const std::string& app_metadata, uint32_t* backup_id) {
    (void)engine;
    (void)app_metadata;
    (void)backup_id;
    return Status::InvalidArgument("this ledger has no files to back up");
  }

 protected:
  Ledger() = default;
};

// NotFound "no contract 'C' in the ledger" unless `contract` has events in
// `ledger`: a filter naming one contract that is not there is an error, not
// an empty answer. OK for an empty `contract` (no filter). Reads the stream
// version only.
[[nodiscard]] Status CheckContractExists(Ledger* ledger, std::string_view contract);

// The NotFound of a read of what the ledger does not hold, one factory per
// kind so that a server can answer a read it refuses to show with exactly the
// answer of a missing one.
Status ContractNotFound(std::string_view contract);  // "no contract 'C' in the ledger"
Status EventNotFound(uint64_t seq);                  // "seq N: no such event"
Status EventIdNotFound(const events::Uuid& id);      // "no event <uuid>"
// The refusals of an append that a server gives a caller who may not learn
// of an event outside its scope, each exactly what the rules say of that case:
// the refusal of event `e` (an EntryReversed, Approved or Rejected) whose
// target does not exist (R-REV-01, R-APPR-02), and the conflict of `e`'s
// event_id with a stored event's, without that event's seq (R-ID-02).
Status TargetNotFound(const events::Event& e);
Status EventIdConflict(const events::Event& e, std::optional<uint64_t> seq);

// The chain hash step: h_n = SHA-256(h_{n-1} || BE64(n) || event_bytes_n).
Hash ChainHash(const Hash& previous, uint64_t seq, std::string_view event_bytes);
// h_0 = SHA-256("ccl-genesis" || ledger_id).
Hash GenesisHash(const events::Uuid& ledger_id);
// The access chain's a_0 = SHA-256("ccl-access-genesis" || ledger_id).
Hash AccessGenesisHash(const events::Uuid& ledger_id);

}  // namespace ccl::ledger

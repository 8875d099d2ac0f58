// The PostgreSQL sink's main loop (tools/sink/postgres_sink.h).
#include "tools/sink/postgres_sink.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <optional>
#include <set>
#include <vector>

#include "events/base/limits.h"
#include "events/model/json.h"
#include "events/model/uuid.h"
#include "ledger/merkle/merkle.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_rows.h"
#include "tools/sink/pg_connection.h"
#include "tools/sink/pg_copy.h"
#include "tools/sink/postgres_ddl.h"
#include "tools/sink/sink_source.h"
#include "tools/sink/sink_tables.h"

namespace ccl::sink {

std::string_view PostgresDdl() { return kPostgresDdlText; }

Status CheckSchemaName(std::string_view name) {
  if (name.empty() || name.size() > limits::kSinkSchemaNameBytesMax) {
    return Status::InvalidArgument("schema name: must be 1.." +
                                   std::to_string(limits::kSinkSchemaNameBytesMax) + " bytes");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) {
      return Status::InvalidArgument("schema name '" + std::string(name) +
                                     "': must match [a-z_][a-z0-9_]*");
    }
  }
  return Status::OK();
}

namespace {

constexpr int kEventColumns = 13;
constexpr const char* kCopyEventsSql =
    "COPY events (seq, event_id, type, contract, stream_version, effective_at, recorded_at, "
    "actor, source, note, payload, stored, chain_hash) FROM STDIN (FORMAT binary)";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Sink {
 public:
  Sink(SinkSource* source, const PostgresSinkOptions& options, PostgresSinkResult* result)
      : source_(source), options_(options), result_(result) {}

  Status Run();

 private:
  Status Start();
  Status CheckAgainstSource(const Checkpoint& cp);
  Status WriteBatch(uint64_t first, uint64_t last);
  // The burn rows' evaluation day: the front end's today, or the latest
  // effective day folded when events are dated later than today (the sink
  // folds incrementally, so it cannot leave them out as `export burn` does).
  int32_t BurnDay() const { return std::max(options_.today_day(), set_.burn.max_day()); }
  // Conflict unless the stored checkpoint is still this sink's; locks it.
  Status LockUnchangedCheckpoint();
  // COPYs events first..last, sent as they are encoded (the server parses
  // one chunk while the next is encoded; memory stays at about one chunk),
  // and advances the projections to `last` meanwhile.
  Status CopyEvents(uint64_t first, uint64_t last, Checkpoint* next, SinkBatchStats* stats);
  Status EncodeRow(const SourceEvent& e, BinaryCopyWriter* w);
  // The batch's transaction.
  Status Transaction(uint64_t first, uint64_t last, Checkpoint* next, SinkBatchStats* stats);
  // The first batch into a schema without checkpoint is the initial sync.
  uint64_t BatchMax() const {
    return !checkpoint_.has_value() && options_.first_batch_events_max > 0
               ? options_.first_batch_events_max
               : options_.events_per_batch_max;
  }
  bool ShouldStop() const { return options_.should_stop && options_.should_stop(); }

  SinkSource* source_;
  const PostgresSinkOptions& options_;
  PostgresSinkResult* result_;
  projections::ProjectionSet set_;
  std::unique_ptr<PgConnection> db_;
  std::optional<Checkpoint> checkpoint_;  // as committed; nullopt before the first batch
  // The first batch of a run replaces every projection row (whatever an
  // earlier run left); later ones only the rows of the contracts they touch.
  bool rows_replaced_once_ = false;
  std::set<std::string> touched_;  // contracts of the batch being written
  std::string json_;
  std::string copy_;  // COPY bytes not sent yet
};

Status Sink::CheckAgainstSource(const Checkpoint& cp) {
  const std::string& id = source_->ledger_id();
  const std::string where = db_->server() + ": checkpoint of schema \"" + options_.schema + "\"";
  if (cp.ledger_id != id) {
    return Status::Corruption(where + " belongs to ledger " + cp.ledger_id +
                              ", not to the one of the " + source_->name() + " (" + id +
                              "): refusing to mix two ledgers in one schema");
  }
  if (cp.seq > source_->head()) {
    return Status::Corruption(where + " is at seq " + std::to_string(cp.seq) + " but the " +
                              source_->name() + " ends at seq " + std::to_string(source_->head()) +
                              ": the ledger was replaced by an older copy or rewritten");
  }
  return Status::OK();
}

Status Sink::Start() {
  CCL_RETURN_IF_ERROR(PgConnection::Connect(options_.conninfo, &db_));
  CCL_RETURN_IF_ERROR(EnsureSchema(db_.get(), options_.schema, &result_->created_schema));
  // Under the checkpoint lock: a sink killed after it sent COMMIT leaves a
  // backend that may still be committing its last batch (PostgreSQL notices
  // the lost client only when it next reads from it), and that backend holds
  // the lock until its commit is done. Reading without the lock could start
  // this run from the checkpoint before that batch.
  CCL_RETURN_IF_ERROR(db_->InTransaction([&] { return ReadCheckpoint(db_.get(), &checkpoint_); }));
  if (checkpoint_.has_value()) {
    CCL_RETURN_IF_ERROR(CheckAgainstSource(*checkpoint_));
    result_->start_seq = result_->end_seq = checkpoint_->seq;
  }
  // The projections as of the checkpoint: the state each batch advances.
  ledger::Hash h{};
  CCL_RETURN_IF_ERROR(source_->Start(result_->start_seq, &set_, &h));
  if (checkpoint_.has_value() && ledger::HexEncode(h) != checkpoint_->hash_hex) {
    return Status::Corruption(
        db_->server() + ": checkpoint of schema \"" + options_.schema + "\" records chain hash " +
        checkpoint_->hash_hex + " at seq " + std::to_string(checkpoint_->seq) + " but the " +
        source_->name() + " has " + ledger::HexEncode(h) + ": the ledger's history was rewritten");
  }
  return Status::OK();
}

Status Sink::EncodeRow(const SourceEvent& s, BinaryCopyWriter* w) {
  const events::Event& e = *s.event;
  touched_.insert(e.contract);
  json_.clear();
  // `payload` is what `log --json` prints after the envelope, which the
  // columns hold (JSON PostgreSQL parses: a third less of its CPU per row
  // than the whole line), the contract's currency beside every amount.
  events::JsonOutputOptions json_options;
  json_options.envelope = false;
  json_options.contract_currency = s.currency;
  events::AppendEventJson(e, json_options, &json_);
  w->BeginRow(kEventColumns);
  w->Int8(static_cast<int64_t>(e.seq));
  w->Uuid(e.event_id);
  w->Text(events::EventTypeName(e.type));
  w->Text(e.contract);
  w->Int8(static_cast<int64_t>(e.stream_version));
  w->TimestampTz(e.effective_at_ns);
  w->TimestampTz(e.recorded_at_ns);
  w->Text(e.actor);
  w->Text(e.source);
  if (e.note.empty()) {
    w->Null();
  } else {
    w->Text(e.note);
  }
  w->Jsonb(json_);
  w->Bytea(s.bytes);
  w->Bytea(std::span<const uint8_t>(*s.hash));
  if (copy_.size() >= limits::kSinkCopyChunkBytes) {
    CCL_RETURN_IF_ERROR(db_->PutCopyData(copy_));
    copy_.clear();
  }
  return Status::OK();
}

Status Sink::CopyEvents(uint64_t first, uint64_t last, Checkpoint* next, SinkBatchStats* stats) {
  CCL_RETURN_IF_ERROR(db_->BeginCopyIn(kCopyEventsSql));
  // On an error the COPY stays unfinished; the transaction's ROLLBACK ends it.
  copy_.clear();
  BinaryCopyWriter w(&copy_);
  uint64_t expect = first;
  ledger::Hash hash{};
  CCL_RETURN_IF_ERROR(source_->Batch(first, last, &set_, [&](const SourceEvent& e) {
    // The source hands out each seq once, in order; checked all the same,
    // as the rows' primary key is not there during an initial sync.
    if (e.event->seq != expect) {
      return Status::Corruption(source_->name() + ": seq " + std::to_string(e.event->seq) +
                                " where seq " + std::to_string(expect) + " was due");
    }
    if (expect == first) stats->oldest_recorded_at_ns = e.event->recorded_at_ns;
    ++expect;
    hash = *e.hash;
    return EncodeRow(e, &w);
  }));
  if (expect != last + 1) {
    return Status::Corruption(source_->name() + ": seq " + std::to_string(expect) + " missing");
  }
  w.Finish();
  CCL_RETURN_IF_ERROR(db_->PutCopyData(copy_));
  next->ledger_id = source_->ledger_id();
  next->seq = last;
  next->hash_hex = ledger::HexEncode(hash);
  return db_->EndCopyIn();
}

Status Sink::LockUnchangedCheckpoint() {
  // A second sink on the same schema waits here, then finds the checkpoint
  // moved and gives up (Conflict).
  std::optional<Checkpoint> now;
  CCL_RETURN_IF_ERROR(ReadCheckpoint(db_.get(), &now));
  const uint64_t now_seq = now.has_value() ? now->seq : 0;
  const uint64_t mine = checkpoint_.has_value() ? checkpoint_->seq : 0;
  if (now_seq != mine || now.has_value() != checkpoint_.has_value()) {
    return Status::Conflict(db_->server() + ": the checkpoint of schema \"" + options_.schema +
                            "\" moved to seq " + std::to_string(now_seq) +
                            " while this sink was at " + std::to_string(mine) +
                            ": another sink writes there");
  }
  return Status::OK();
}

Status Sink::Transaction(uint64_t first, uint64_t last, Checkpoint* next, SinkBatchStats* stats) {
  CCL_RETURN_IF_ERROR(LockUnchangedCheckpoint());
  // Into an empty table, every index (the primary key too) is built once
  // after the COPY rather than maintained row by row; they exist again
  // before COMMIT.
  bool empty = false;
  if (!checkpoint_.has_value()) CCL_RETURN_IF_ERROR(EventsEmpty(db_.get(), &empty));
  std::vector<std::string> recreate;
  if (empty) CCL_RETURN_IF_ERROR(DropEventIndexes(db_.get(), &recreate));
  const int32_t burn_day_before = BurnDay();
  int64_t t = SteadyNs();
  touched_.clear();
  CCL_RETURN_IF_ERROR(CopyEvents(first, last, next, stats));
  stats->events_ns = SteadyNs() - t;
  t = SteadyNs();
  for (const std::string& sql : recreate) CCL_RETURN_IF_ERROR(db_->Exec(sql));
  stats->indexes_ns = SteadyNs() - t;

  t = SteadyNs();
  std::vector<TableRows> tables;
  CCL_RETURN_IF_ERROR(BuildTableRows(&set_, rows_replaced_once_ ? &touched_ : nullptr, BurnDay(),
                                     BurnDay() != burn_day_before, &tables));
  stats->rows_ns = SteadyNs() - t;
  t = SteadyNs();
  for (const TableRows& rows : tables) CCL_RETURN_IF_ERROR(ReplaceRows(db_.get(), rows));
  stats->refresh_ns = SteadyNs() - t;
  return db_->Exec(StoreCheckpointSql(*next));
}

Status Sink::WriteBatch(uint64_t first, uint64_t last) {
  assert(first >= 1 && first <= last);
  SinkBatchStats stats;
  stats.first_seq = first;
  stats.last_seq = last;
  const int64_t t = SteadyNs();
  Checkpoint next;
  CCL_RETURN_IF_ERROR(db_->InTransaction([&] { return Transaction(first, last, &next, &stats); }));
  stats.transaction_ns = SteadyNs() - t;
  stats.committed_at_ns = NowNs();
  rows_replaced_once_ = true;
  checkpoint_ = next;
  result_->end_seq = last;
  result_->events += last - first + 1;
  ++result_->batches;
  if (options_.on_batch) options_.on_batch(stats);
  return Status::OK();
}

Status Sink::Run() {
  CCL_RETURN_IF_ERROR(Start());
  while (!ShouldStop()) {
    const uint64_t done = result_->end_seq;
    const uint64_t head = source_->head();
    if (head > done) {
      const uint64_t last = done + std::min(head - done, BatchMax());
      CCL_RETURN_IF_ERROR(WriteBatch(done + 1, last));
      continue;
    }
    if (!options_.follow) break;
    CCL_RETURN_IF_ERROR(source_->Wait(options_.poll_interval_ms));
  }
  return Status::OK();
}

}  // namespace

Status RunPostgresSink(ledger::Ledger* ledger, const PostgresSinkOptions& options,
                       PostgresSinkResult* result) {
  assert(ledger != nullptr);
  std::unique_ptr<SinkSource> source = NewLedgerSource(ledger);
  return RunPostgresSink(source.get(), options, result);
}

Status RunPostgresSink(SinkSource* source, const PostgresSinkOptions& options,
                       PostgresSinkResult* result) {
  assert(source != nullptr && result != nullptr);
  *result = PostgresSinkResult();
  CCL_RETURN_IF_ERROR(CheckSchemaName(options.schema));
  if (options.events_per_batch_max < 1 ||
      options.events_per_batch_max > limits::kSinkEventsPerBatchMax ||
      options.first_batch_events_max > limits::kSinkEventsPerBatchMax) {
    return Status::InvalidArgument("batch size: must be 1.." +
                                   std::to_string(limits::kSinkEventsPerBatchMax) + " events");
  }
  if (options.poll_interval_ms < 1 || options.poll_interval_ms > limits::kSinkPollIntervalMsMax) {
    return Status::InvalidArgument("poll interval: must be 1.." +
                                   std::to_string(limits::kSinkPollIntervalMsMax) + " ms");
  }
  if (!options.today_day)
    return Status::InvalidArgument("today_day: the front end's clock is required");
  Sink sink(source, options, result);
  return sink.Run();
}

}  // namespace ccl::sink

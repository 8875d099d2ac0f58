// The PostgreSQL sink: copies a ledger's events and its projections' report
// rows into PostgreSQL tables (schemas/postgres.sql), exactly once, for BI
// tools that read SQL. The ledger stays the system of record.
//
// Exactly once: each batch of events, the projection rows as of the batch's
// last event and the new checkpoint (ledger id, seq, chain hash) are written
// in ONE PostgreSQL transaction, which starts by locking the checkpoint table
// and checking it is still the one this sink started from. A sink killed at
// any moment leaves the tables at the last committed checkpoint; the next
// run continues after it. Events travel by binary COPY (tools/sink/pg_copy.h),
// sent as they are encoded; into an empty events table every index is
// built after the COPY, in the same transaction; the projections advance on
// a thread of their own meanwhile;
// the projection rows are those of projections/folds/report_rows.h, in the columns
// of `ledgerctl export` (projections/folds/format.h), so the tables and the CSV
// exports cannot disagree.
//
// Trust: on start the checkpoint must name this ledger's id, a seq not past
// its head and the chain hash the ledger holds at that seq; anything else is
// Corruption (another ledger, or this one rewritten) and nothing is written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "ledger/store/ledger.h"

namespace ccl::sink {

// The layout version of schemas/postgres.sql (its sink_schema row).
inline constexpr int kPostgresSchemaVersion = 2;
// The DDL of schemas/postgres.sql, compiled in.
std::string_view PostgresDdl();

// A schema name the sink accepts: [a-z_][a-z0-9_]*, at most
// limits::kSinkSchemaNameBytesMax bytes. InvalidArgument naming the rule.
Status CheckSchemaName(std::string_view name);

struct SinkBatchStats {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  int64_t oldest_recorded_at_ns = 0;  // recorded_at of first_seq (ledger time)
  int64_t transaction_ns = 0;         // BEGIN .. COMMIT in PostgreSQL, of which:
  int64_t events_ns = 0;              //   reading, encoding and COPYing the events (the
                                      //   projections advance meanwhile)
  int64_t indexes_ns = 0;             //   building the indexes (the initial sync)
  int64_t rows_ns = 0;                //   building the report rows
  int64_t refresh_ns = 0;             //   replacing the projection rows
  int64_t committed_at_ns = 0;        // wall clock after COMMIT returned
};

struct PostgresSinkOptions {
  // libpq connection string; empty: libpq's, every setting from the PG*
  // environment variables and libpq's defaults.
  std::string conninfo;
  std::string schema = "ccl";
  // Keep going as the ledger grows (Ledger::Refresh for a read-only
  // ledger) until should_stop returns true; without it, stop at the head.
  bool follow = false;
  uint64_t events_per_batch_max = 100'000;  // 1..limits::kSinkEventsPerBatchMax
  // The first batch into a schema without checkpoint (the initial sync, whose
  // COPY into the empty events table is followed by one build of each
  // index): at most this many events; 0: events_per_batch_max. One large
  // first batch saves maintaining the indexes row by row in the batches after
  // it, at the price that a kill during it loses all of it.
  uint64_t first_batch_events_max = 0;  // 0..limits::kSinkEventsPerBatchMax
  uint32_t poll_interval_ms = 50;       // follow: 1..limits::kSinkPollIntervalMsMax
  // Polled between batches and while waiting; the batch in progress is
  // always finished (committed) first. May be empty.
  std::function<bool()> should_stop;
  // The front end's clock as a day number (events::DayOf): the burn table's
  // evaluation day, as `export burn` without --as-of. The library reads no
  // clock; required.
  std::function<int32_t()> today_day;
  // Called after each committed batch. May be empty.
  std::function<void(const SinkBatchStats&)> on_batch;
};

struct PostgresSinkResult {
  bool created_schema = false;  // the tables were created by this run
  uint64_t start_seq = 0;       // checkpoint found on start (0: none)
  uint64_t end_seq = 0;         // checkpoint on return
  uint64_t events = 0;          // events written by this run
  uint64_t batches = 0;
};

class SinkSource;  // tools/sink/sink_source.h

// Syncs `ledger` (not owned; typically opened read-only beside a writer)
// into the database of options.conninfo. Errors:
//   InvalidArgument  bad options; the schema holds another layout version
//                    or tables the sink did not create;
//   Corruption       the checkpoint belongs to another ledger or to another
//                    history of this one; the tables hold events the
//                    checkpoint does not account for; the ledger fails its
//                    checks;
//   Conflict         another sink advanced the checkpoint meanwhile;
//   IOError          PostgreSQL unreachable or gone (the message names the
//                    server), or a ledger read failed.
// On any error the batch in progress is rolled back; *result tells how far
// this run got.
Status RunPostgresSink(ledger::Ledger* ledger, const PostgresSinkOptions& options,
                       PostgresSinkResult* result);
// The same from any source: the ledger's own (NewLedgerSource) or a ledgerd
// server's feed (NewServerSource), with the same tables and checks.
Status RunPostgresSink(SinkSource* source, const PostgresSinkOptions& options,
                       PostgresSinkResult* result);

}  // namespace ccl::sink

// The sink's tables in PostgreSQL (schemas/postgres.sql): creating them,
// reading the checkpoint, and the projection rows as CSV for COPY. Internal
// to tools/sink (postgres_sink.cc).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "projections/folds/registry.h"
#include "tools/sink/pg_connection.h"

namespace ccl::sink {

// Creates the schema and its tables when the schema has no sink_schema
// table (*created = true), else checks the stored layout version and that
// every table of the layout is there; then sets the session's search_path
// to the schema. InvalidArgument for a version other than
// kPostgresSchemaVersion; Corruption naming a table that is missing.
Status EnsureSchema(PgConnection* db, const std::string& schema, bool* created);

// The names of the tables `ddl` creates ("CREATE TABLE name"), in order.
std::vector<std::string> DdlTableNames(std::string_view ddl);

struct Checkpoint {
  std::string ledger_id;  // canonical text form (events::FormatUuid)
  uint64_t seq = 0;
  std::string hash_hex;  // lower-case hex of h_seq
};
// The stored checkpoint, or nullopt when none, read after locking the
// checkpoint table against other writers until the transaction ends: it
// waits for any transaction that holds that lock (a sink's batch, even one
// whose client is gone) and reads what it committed. REQUIRES: inside a
// transaction.
Status ReadCheckpoint(PgConnection* db, std::optional<Checkpoint>* out);
// The statement that stores `cp` (insert or replace).
std::string StoreCheckpointSql(const Checkpoint& cp);

// Whether the events table holds no row (REQUIRES: the checkpoint read
// under its lock found none, so no sink adds rows meanwhile).
Status EventsEmpty(PgConnection* db, bool* empty);
// Drops every index of the events table, its primary key and unique
// constraints included, as the catalog defines them, and returns the
// statements that re-create them exactly. Built once over the rows of a bulk
// COPY, an index costs a fraction of what row-by-row maintenance does.
// REQUIRES: inside a transaction that runs *recreate before it commits, so
// no committed state lacks an index.
Status DropEventIndexes(PgConnection* db, std::vector<std::string>* recreate);

// One projection table's new content: CSV with a header row naming the
// table's columns, in the form COPY ... (FORMAT csv, HEADER true) reads; text
// cells hold the exact text (events::CsvCellMode::kPlain), not the neutralised
// form of CSV files.
struct TableRows {
  std::string table;  // "balances", "margins", "escalations", "burn"
  std::string csv;
  // false: csv replaces every row of the table; true: only the rows of
  // `contracts` (sorted), the others stay.
  bool partial = false;
  std::vector<std::string> contracts;
};
// The report rows of the four projections (the `ledgerctl export` rows:
// margins by customer, contract and month), with every column either CSV or
// JSON export carries. `contracts` non-null: only the rows of those contracts
// (a batch changes no other contract's balances, margins or escalations);
// burn's rows all depend on its evaluation day, so `burn_whole` builds them
// all when that day moved. `burn_day` is the burn rows' evaluation day;
// REQUIRES: burn_day >= set->burn.max_day(). InvalidArgument when the margins
// left int64.
Status BuildTableRows(projections::ProjectionSet* set, const std::set<std::string>* contracts,
                      int32_t burn_day, bool burn_whole, std::vector<TableRows>* out);
// Replaces a table's rows (all, or those of rows.contracts) with rows.csv.
Status ReplaceRows(PgConnection* db, const TableRows& rows);

}  // namespace ccl::sink

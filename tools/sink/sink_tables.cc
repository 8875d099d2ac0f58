// The sink's tables (tools/sink/sink_tables.h).
#include "tools/sink/sink_tables.h"

#include <cassert>
#include <charconv>
#include <set>

#include "projections/folds/format.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/view.h"
#include "tools/sink/postgres_sink.h"

namespace ccl::sink {

namespace {

// Serializes schema creation between sinks starting at once (any constant
// works; it only has to be the same for every sink).
constexpr const char* kDdlLockSql = "SELECT pg_advisory_xact_lock(7217300917)";

// Whether `schema` holds a relation called `name`.
Status RelationExists(PgConnection* db, const std::string& schema, const std::string& name,
                      bool* exists) {
  std::vector<PgConnection::Row> rows;
  const std::string table = QuoteIdentifier(schema) + "." + QuoteIdentifier(name);
  CCL_RETURN_IF_ERROR(db->Query("SELECT to_regclass('" + table + "')", &rows));
  assert(rows.size() == 1 && rows[0].size() == 1);
  *exists = rows[0][0].has_value();
  return Status::OK();
}

// The first of the layout's tables (in the DDL's order) whose presence in
// `schema` is `present`, or "" when there is none.
Status FirstLayoutTable(PgConnection* db, const std::string& schema, bool present,
                        std::string* name) {
  name->clear();
  for (const std::string& table : DdlTableNames(PostgresDdl())) {
    bool exists = false;
    CCL_RETURN_IF_ERROR(RelationExists(db, schema, table, &exists));
    if (exists == present) {
      *name = table;
      return Status::OK();
    }
  }
  return Status::OK();
}

// Before the layout is created in `schema`: a table of its name that is
// already there belongs to someone else (the sink's own would have come with
// sink_schema). InvalidArgument naming it, rather than the DDL's error.
Status CheckNoForeignTables(PgConnection* db, const std::string& schema) {
  std::string name;
  CCL_RETURN_IF_ERROR(FirstLayoutTable(db, schema, /*present=*/true, &name));
  if (name.empty()) return Status::OK();
  return Status::InvalidArgument(db->server() + ": schema \"" + schema + "\" already has a table " +
                                 name +
                                 " that the sink did not create: sync into another --schema");
}

// A table of the layout that is gone from `schema` (dropped by hand, say):
// Corruption naming it, else OK. Without this a sink with nothing new to
// write would report success over a schema that has lost its events.
Status CheckTablesPresent(PgConnection* db, const std::string& schema) {
  std::string name;
  CCL_RETURN_IF_ERROR(FirstLayoutTable(db, schema, /*present=*/false, &name));
  if (name.empty()) return Status::OK();
  return Status::Corruption(db->server() + ": schema \"" + schema + "\" has no table " + name +
                            " (changed outside the sink): drop that schema and sync again from "
                            "the start, or sync into another --schema");
}

Status CreateOrCheck(PgConnection* db, const std::string& schema, bool* created) {
  std::vector<PgConnection::Row> rows;
  CCL_RETURN_IF_ERROR(db->Query(kDdlLockSql, &rows));
  const std::string table = QuoteIdentifier(schema) + ".sink_schema";
  bool exists = false;
  CCL_RETURN_IF_ERROR(RelationExists(db, schema, "sink_schema", &exists));
  if (!exists) {
    CCL_RETURN_IF_ERROR(CheckNoForeignTables(db, schema));
    // Only when missing: CREATE SCHEMA IF NOT EXISTS needs the database's
    // CREATE privilege even for a schema that exists, which a sink given
    // a schema of its own (and CREATE on it alone) does not have.
    CCL_RETURN_IF_ERROR(
        db->Query("SELECT to_regnamespace(" + QuoteLiteral(QuoteIdentifier(schema)) + ")", &rows));
    assert(rows.size() == 1 && rows[0].size() == 1);
    if (!rows[0][0].has_value()) {
      CCL_RETURN_IF_ERROR(db->Exec("CREATE SCHEMA " + QuoteIdentifier(schema)));
    }
    CCL_RETURN_IF_ERROR(db->Exec("SET LOCAL search_path TO " + QuoteIdentifier(schema)));
    CCL_RETURN_IF_ERROR(db->Exec(PostgresDdl()));
    *created = true;
  }
  CCL_RETURN_IF_ERROR(db->Query("SELECT version FROM " + table, &rows));
  const std::string want = std::to_string(kPostgresSchemaVersion);
  if (rows.size() != 1 || !rows[0][0].has_value() || *rows[0][0] != want) {
    const std::string found =
        rows.size() == 1 && rows[0][0].has_value() ? "version " + *rows[0][0] : "no single version";
    return Status::InvalidArgument(db->server() + ": schema \"" + schema +
                                   "\" holds sink tables of layout " + found +
                                   "; this ledgerctl writes layout version " + want +
                                   ": sync into another --schema, or drop that schema and "
                                   "sync again from the start");
  }
  // Tables just made from the DDL are all there.
  return *created ? Status::OK() : CheckTablesPresent(db, schema);
}

}  // namespace

std::vector<std::string> DdlTableNames(std::string_view ddl) {
  std::vector<std::string> names;
  constexpr std::string_view kCreate = "CREATE TABLE ";
  for (size_t at = ddl.find(kCreate); at != std::string_view::npos;
       at = ddl.find(kCreate, at + kCreate.size())) {
    const size_t begin = at + kCreate.size();
    const size_t end = ddl.find_first_of(" (\n", begin);
    if (end != std::string_view::npos && end > begin)
      names.emplace_back(ddl.substr(begin, end - begin));
  }
  return names;
}

Status EnsureSchema(PgConnection* db, const std::string& schema, bool* created) {
  *created = false;
  Status s = db->InTransaction([&] { return CreateOrCheck(db, schema, created); });
  if (!s.ok()) {
    *created = false;
    return s;
  }
  return db->Exec("SET search_path TO " + QuoteIdentifier(schema));
}

Status ReadCheckpoint(PgConnection* db, std::optional<Checkpoint>* out) {
  std::vector<PgConnection::Row> rows;
  // The table, not the row: before the first batch there is no row to lock,
  // and two sinks would both go ahead. EXCLUSIVE still lets readers in. The
  // SELECT is a statement of its own, so its snapshot (READ COMMITTED) is
  // taken after the lock was granted and sees what the holder committed.
  CCL_RETURN_IF_ERROR(db->Exec("LOCK TABLE sink_checkpoint IN EXCLUSIVE MODE"));
  CCL_RETURN_IF_ERROR(
      db->Query("SELECT ledger_id, seq, encode(chain_hash, 'hex') FROM sink_checkpoint", &rows));
  out->reset();
  if (rows.empty()) return Status::OK();
  // What the database holds is checked like any input: the table's
  // constraints say one row of three non-NULL values, but someone else's
  // hands may have been there.
  const PgConnection::Row& r = rows[0];
  const std::string bad = db->server() + ": table sink_checkpoint: ";
  if (rows.size() != 1 || r.size() != 3 || !r[0] || !r[1] || !r[2]) {
    return Status::Corruption(bad + "not one row of ledger_id, seq, chain_hash");
  }
  Checkpoint cp;
  cp.ledger_id = *r[0];
  const std::string& seq = *r[1];
  const auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), cp.seq);
  if (ec != std::errc() || end != seq.data() + seq.size()) {
    return Status::Corruption(bad + "seq '" + seq + "' is not a number");
  }
  cp.hash_hex = *r[2];
  *out = cp;
  return Status::OK();
}

std::string StoreCheckpointSql(const Checkpoint& cp) {
  // Every value is ours (a formatted uuid, a number, hex): no quoting needed.
  return "INSERT INTO sink_checkpoint (ledger_id, seq, chain_hash, synced_at) VALUES ('" +
         cp.ledger_id + "', " + std::to_string(cp.seq) + ", decode('" + cp.hash_hex +
         "', 'hex'), now()) ON CONFLICT (one) DO UPDATE SET ledger_id = excluded.ledger_id, "
         "seq = excluded.seq, chain_hash = excluded.chain_hash, synced_at = excluded.synced_at";
}

Status EventsEmpty(PgConnection* db, bool* empty) {
  std::vector<PgConnection::Row> rows;
  CCL_RETURN_IF_ERROR(db->Query("SELECT NOT EXISTS (SELECT 1 FROM events)", &rows));
  assert(rows.size() == 1 && rows[0].size() == 1 && rows[0][0].has_value());
  *empty = *rows[0][0] == "t";
  return Status::OK();
}

Status DropEventIndexes(PgConnection* db, std::vector<std::string>* recreate) {
  recreate->clear();
  // The primary key and unique constraints go through ALTER TABLE (their
  // index cannot be dropped alone); indexes that back no constraint through
  // DROP INDEX. The names and definitions come from the catalog, so they
  // round-trip whatever the DDL says. The primary key comes back first: a
  // duplicate seq is then reported as such.
  std::vector<PgConnection::Row> constraints, indexes;
  CCL_RETURN_IF_ERROR(
      db->Query("SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint WHERE "
                "conrelid = 'events'::regclass AND contype IN ('p', 'u') "
                "ORDER BY contype = 'p' DESC, conname",
                &constraints));
  CCL_RETURN_IF_ERROR(db->Query(
      "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
      "WHERE i.indrelid = 'events'::regclass AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 "
      "FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
      &indexes));
  for (const PgConnection::Row& r : constraints) {
    assert(r.size() == 2 && r[0].has_value() && r[1].has_value());
    CCL_RETURN_IF_ERROR(db->Exec("ALTER TABLE events DROP CONSTRAINT " + *r[0]));
    recreate->push_back("ALTER TABLE events ADD CONSTRAINT " + *r[0] + " " + *r[1]);
  }
  for (const PgConnection::Row& r : indexes) {
    assert(r.size() == 2 && r[0].has_value() && r[1].has_value());
    CCL_RETURN_IF_ERROR(db->Exec("DROP INDEX " + *r[0]));
    recreate->push_back(*r[1]);
  }
  return Status::OK();
}

namespace {

TableRows AsTable(std::string table, projections::RowSet set,
                  const std::set<std::string>* contracts) {
  // The table keeps every figure of the JSON export too (margin currency,
  // margin_bp), so BI tools need not recompute them.
  for (projections::Column& c : set.columns) c.in_csv = c.in_csv || c.in_json;
  TableRows t{std::move(table), {}, contracts != nullptr, {}};
  if (contracts != nullptr) {
    size_t col = 0;
    while (col < set.columns.size() && set.columns[col].name != "contract") ++col;
    assert(col < set.columns.size());  // every projection row names its contract
    std::erase_if(set.rows, [&](const std::vector<projections::Cell>& row) {
      return contracts->count(row[col].text) == 0;
    });
    t.contracts.assign(contracts->begin(), contracts->end());
  }
  // The exact text: neutralising formulas is for CSV files, and a table
  // must hold what the events say.
  projections::WriteRowSet(set, projections::OutputFormat::kCsv, &t.csv,
                           events::CsvCellMode::kPlain);
  return t;
}

}  // namespace

Status BuildTableRows(projections::ProjectionSet* set, const std::set<std::string>* contracts,
                      int32_t burn_day, bool burn_whole, std::vector<TableRows>* out) {
  out->clear();
  out->push_back(AsTable(
      "balances", projections::BalanceRowSet(projections::BalanceRows(set->balances)), contracts));
  if (set->margins.overflowed()) {
    return Status::InvalidArgument("margins: a sum left the 64-bit range; no figures synced");
  }
  projections::MarginReport report;
  CCL_RETURN_IF_ERROR(projections::BuildMarginReport(
      set->margins,
      {projections::MarginKey::kCustomer, projections::MarginKey::kContract,
       projections::MarginKey::kMonth},
      {}, {}, &report));
  out->push_back(AsTable("margins", projections::MarginRowSet(report), contracts));
  out->push_back(AsTable(
      "escalations", projections::EscalationRowSet(projections::EscalationRows(set->escalations)),
      contracts));
  out->push_back(AsTable("burn",
                         projections::BurnRowSet(projections::BurnRows(set->burn, burn_day, false)),
                         burn_whole ? nullptr : contracts));
  return Status::OK();
}

Status ReplaceRows(PgConnection* db, const TableRows& rows) {
  const size_t eol = rows.csv.find('\n');
  assert(eol != std::string::npos);  // WriteRowSet always writes the header
  std::string columns;
  for (char c : rows.csv.substr(0, eol)) {
    // Column names are the projections' own ([a-z_]); anything else would be
    // a bug, and is refused rather than spliced into SQL.
    if (!(c == ',' || c == '_' || (c >= 'a' && c <= 'z'))) {
      return Status::InvalidArgument("projection " + rows.table + ": unexpected column header");
    }
    columns += c;
  }
  std::string del = "DELETE FROM " + rows.table;
  if (rows.partial) {
    if (rows.contracts.empty()) return Status::OK();
    del += " WHERE contract IN (";
    for (size_t i = 0; i < rows.contracts.size(); ++i) {
      del += (i > 0 ? ", " : "") + QuoteLiteral(rows.contracts[i]);
    }
    del += ")";
  }
  CCL_RETURN_IF_ERROR(db->Exec(del));
  return db->CopyIn(
      "COPY " + rows.table + " (" + columns + ") FROM STDIN (FORMAT csv, HEADER true)", rows.csv);
}

}  // namespace ccl::sink

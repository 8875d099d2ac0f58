// tail (following a ledger another instance writes), stats, and the
// projection export (the projections' own rows and columns).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "events/base/hex.h"
#include "projections/folds/format.h"
#include "projections/folds/registry.h"
#include "projections/folds/runner.h"
#include "tests/projections/folds/builders.h"
#include "tests/tools/feed/feed_test_util.h"
#include "tools/feed/event_feed.h"
#include "tools/feed/projection_export.h"
#include "tools/feed/stats.h"

namespace ccl::feed {
namespace {

using projections::ReportKind;
using testing::AppendOrDie;
using testing::Bookings;
using testing::OpenLedgerAt;
using testing::ReadFile;
using testing::SeqsOfJsonl;

class FeedTailTest : public testing::LedgerWriterTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(LedgerWriterTest::SetUp());
    AppendOrDie(writer_.get(), {factory_.Open("C-1")});
    AppendOrDie(writer_.get(), Bookings(&factory_, "C-1", 20));  // head 21
  }

  // Runs TailEvents on a read-only instance; returns what it wrote.
  std::string Tail(const TailOptions& o, uint64_t* count, Status* status) {
    auto reader = OpenLedgerAt(db_, /*read_only=*/true);
    const std::string path = dir_.Sub("tail-" + std::to_string(++runs_));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    auto out = FeedOutput::ToDescriptor(fd, path);
    *status = TailEvents(reader.get(), o, out.get(), count);
    ::close(fd);
    return ReadFile(path);
  }

  int runs_ = 0;
};

TEST_F(FeedTailTest, WithoutFollowPrintsTheLastEvents) {
  TailOptions o;
  o.last_events = 5;
  uint64_t count = 0;
  Status s;
  EXPECT_EQ(SeqsOfJsonl(Tail(o, &count, &s)), (std::vector<uint64_t>{17, 18, 19, 20, 21}));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(count, 5u);

  o.from_seq = 3;
  o.limit = 2;
  EXPECT_EQ(SeqsOfJsonl(Tail(o, &count, &s)), (std::vector<uint64_t>{3, 4}));
  o.from_seq = 100;  // beyond the head: nothing, no error
  o.limit = 0;
  EXPECT_EQ(Tail(o, &count, &s), "");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(FeedTailTest, FollowStreamsWhatTheWriterAppends) {
  // The follower starts after the head and must see the next 60 events,
  // appended by the writer (which holds the lock) in three batches.
  TailOptions o;
  o.from_seq = 22;
  o.follow = true;
  o.poll_interval_ms = 10;
  o.limit = 60;
  o.idle_timeout_ms = 60'000;  // a safety net: the test never relies on it
  std::atomic<bool> done{false};
  uint64_t count = 0;
  Status status;
  std::string text;
  std::thread follower([&] {
    text = Tail(o, &count, &status);
    done = true;
  });
  for (int batch = 0; batch < 3; ++batch) {
    AppendOrDie(writer_.get(), Bookings(&factory_, "C-1", 20));
  }
  follower.join();
  ASSERT_TRUE(done);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(count, 60u);
  const std::vector<uint64_t> seqs = SeqsOfJsonl(text);
  ASSERT_EQ(seqs.size(), 60u);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], 22 + i);
  // Each line carries the stored chain hash.
  ledger::Hash h;
  ASSERT_TRUE(writer_->GetChainHash(81, &h).ok());
  const std::string hex = events::HexEncode(h);
  EXPECT_NE(text.find("\"hash\":\"" + hex + "\"}\n"), std::string::npos);
}

TEST_F(FeedTailTest, FollowStopsWhenAsked) {
  TailOptions o;
  o.follow = true;
  o.poll_interval_ms = 10;
  std::atomic<int> polls{0};
  o.should_stop = [&polls] { return ++polls > 5; };
  uint64_t count = 0;
  Status s;
  const std::string text = Tail(o, &count, &s);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(count, 10u);  // the last 10, then nothing new until stopped
  EXPECT_GT(polls.load(), 5);
}

TEST_F(FeedTailTest, CsvHasTheHeaderOnce) {
  TailOptions o;
  o.format = EventFormat::kCsv;
  o.last_events = 3;
  uint64_t count = 0;
  Status s;
  const auto records = testing::ParseCsv(Tail(o, &count, &s));
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0][0], "seq");
  EXPECT_EQ(records[1][0], "19");
}

// ---- stats

TEST(FeedStatsTest, CountsTypesContractsCustomersAndSpan) {
  testing::TempDir dir;
  testing::FakeClock clock(1'800'000'000'000'000'000);
  auto l = OpenLedgerAt(dir.Sub("db"), false, &clock);
  testing::EventFactory f;
  events::Event other = f.Open("C-3");
  other.customer = "Another Agency";
  AppendOrDie(l.get(), {f.Open("C-1"), f.Open("C-2"), other});
  clock.Advance(1'000'000'000);
  std::vector<events::Event> b = Bookings(&f, "C-1", 4);
  b.push_back(f.Close("C-2"));
  AppendOrDie(l.get(), b);

  LedgerStats st;
  uint64_t last_progress = 0;
  ASSERT_TRUE(ComputeStats(
                  l.get(), [&](uint64_t done, uint64_t) { last_progress = done; }, &st)
                  .ok());
  EXPECT_EQ(st.events, 8u);
  EXPECT_EQ(last_progress, 8u);
  EXPECT_EQ(st.events_by_type[static_cast<int>(events::EventType::kContractOpened) - 1], 3u);
  EXPECT_EQ(st.events_by_type[static_cast<int>(events::EventType::kHoursBooked) - 1], 4u);
  EXPECT_EQ(st.contracts, 3u);
  EXPECT_EQ(st.contracts_closed, 1u);
  EXPECT_EQ(st.customers, 2u);
  EXPECT_EQ(st.head.seq, 8u);
  EXPECT_EQ(st.effective_min_ns, ledger::testing::At("2026-01-01"));
  EXPECT_EQ(st.effective_max_ns, ledger::testing::At("2026-12-31"));
  EXPECT_EQ(st.recorded_first_ns, 1'800'000'000'000'000'000);
  EXPECT_EQ(st.recorded_last_ns, 1'800'000'001'000'000'000);
  EXPECT_GT(st.disk_bytes, 0u);

  const std::string json = FormatStatsJson(st);
  EXPECT_NE(json.find("\"events\":8,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"HoursBooked\":4,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"EntryReversed\":0,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"customers\":2,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"effective_first\":\"2026-01-01T00:00:00Z\""), std::string::npos);
  const std::string text = FormatStatsText(st);
  EXPECT_NE(text.find("contracts"), std::string::npos);
  EXPECT_NE(text.find("3 (1 closed)"), std::string::npos) << text;

  testing::TempDir empty_dir;
  auto empty = OpenLedgerAt(empty_dir.Sub("db"), false);
  ASSERT_TRUE(ComputeStats(empty.get(), nullptr, &st).ok());
  EXPECT_EQ(st.events, 0u);
  EXPECT_NE(FormatStatsJson(st).find("\"effective_first\":null"), std::string::npos);
}

// ---- projection export

class ProjectionExportTest : public FeedTailTest {};

// The export is exactly the projections' own CSV/JSON for the same view.
TEST_F(ProjectionExportTest, RowsAreTheProjectionsRows) {
  AppendOrDie(writer_.get(),
              {factory_.Deliver("C-1", events::ServiceLine::kProactive, 120),
               factory_.Escalation(events::EventType::kEscalationOpened, "C-1", "ESC-1")});
  projections::ProjectionSet set;
  ASSERT_TRUE(projections::testing::FoldFromZero(writer_.get(), writer_->head().seq, &set).ok());
  projections::RunStats rs;

  for (auto format : {projections::OutputFormat::kCsv, projections::OutputFormat::kJson}) {
    ProjectionExportOptions o;
    o.format = format;
    std::string expected, got;
    o.kind = ReportKind::kBalances;
    projections::WriteRowSet(projections::BalanceRowSet(projections::BalanceRows(set.balances)),
                             format, &expected);
    ASSERT_TRUE(ExportProjection(writer_.get(), o, &got, &rs).ok());
    EXPECT_EQ(got, expected);

    expected.clear();
    got.clear();
    o.kind = ReportKind::kEscalations;
    projections::WriteRowSet(
        projections::EscalationRowSet(projections::EscalationRows(set.escalations)), format,
        &expected);
    ASSERT_TRUE(ExportProjection(writer_.get(), o, &got, &rs).ok());
    EXPECT_EQ(got, expected);

    expected.clear();
    got.clear();
    o.kind = ReportKind::kMargins;
    projections::MarginReport report;
    ASSERT_TRUE(projections::BuildMarginReport(set.margins, o.margin_keys, {}, {}, &report).ok());
    projections::WriteRowSet(projections::MarginRowSet(report), format, &expected);
    ASSERT_TRUE(ExportProjection(writer_.get(), o, &got, &rs).ok());
    EXPECT_EQ(got, expected);

    expected.clear();
    got.clear();
    o.kind = ReportKind::kBurn;
    o.today_day = set.burn.max_day();
    const int32_t day = projections::BurnEvaluationDay(projections::View(), o.today_day);
    projections::WriteRowSet(projections::BurnRowSet(projections::BurnRows(set.burn, day, false)),
                             format, &expected);
    ASSERT_TRUE(ExportProjection(writer_.get(), o, &got, &rs).ok());
    EXPECT_EQ(got, expected);
  }
}

TEST_F(ProjectionExportTest, ViewsFilterTheRows) {
  AppendOrDie(writer_.get(), {factory_.Open("C-2")});
  ProjectionExportOptions o;
  o.kind = ReportKind::kBalances;
  o.view.contract = "C-2";
  std::string csv;
  projections::RunStats rs;
  ASSERT_TRUE(ExportProjection(writer_.get(), o, &csv, &rs).ok());
  EXPECT_EQ(csv,
            "contract,service_line,funded_minutes,consumed_minutes,remaining_minutes,"
            "overage_minutes\n"
            "C-2,proactive,6000,0,6000,0\n"
            "C-2,reactive,12000,0,12000,0\n");
  // As of before any consumption: C-1's reactive line consumed nothing yet.
  o.view = projections::View();
  o.view.as_of_day = ledger::testing::Day("2026-03-01");
  csv.clear();
  ASSERT_TRUE(ExportProjection(writer_.get(), o, &csv, &rs).ok());
  EXPECT_NE(csv.find("C-1,reactive,12000,0,12000,0\n"), std::string::npos) << csv;
  o.view.as_of_day.reset();
  csv.clear();
  ASSERT_TRUE(ExportProjection(writer_.get(), o, &csv, &rs).ok());
  EXPECT_NE(csv.find("C-1,reactive,12000,600,11400,0\n"), std::string::npos) << csv;
}

}  // namespace
}  // namespace ccl::feed

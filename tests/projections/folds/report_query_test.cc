// One report from projection state to rows (projections/folds/report_query.h):
// the rows every front end prints are the report_rows.h builders' over the
// folded state, options that do not apply are ignored, and a failure is
// returned, never printed as an empty report.
#include "projections/folds/report_query.h"

#include <gtest/gtest.h>

#include "tests/projections/folds/builders.h"
#include "tests/projections/folds/fake_ledger.h"

namespace ccl::projections {
namespace {

using events::EventType;
using events::ServiceLine;
using testing::At;
using testing::DayOf;
using testing::FakeLedger;

class ReportQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add(b_.Open("C-1", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 30000));
    Add(b_.Open("C-2", "2026-01-01", "2026-12-31", ServiceLine::kProactive, 3000, 20000, "EUR",
                "Beta"));
    Add(b_.Book("C-1", At("2026-02-03", 3600), ServiceLine::kReactive, 90, 30000, 9000));
    Add(b_.Book("C-1", At("2026-03-04", 3600), ServiceLine::kReactive, 60, 30000, 9000));
    Add(b_.Book("C-2", At("2026-03-05", 3600), ServiceLine::kProactive, 120, 20000, 8000));
    Add(b_.Escalation(EventType::kEscalationOpened, "C-1", At("2026-03-06"), "E-1",
                      events::Severity::kA));
  }
  void Add(const events::Event& e) { ledger_.AddAssigned(e); }

  // Every projection folded from zero for `view`, as the builders see it.
  ProjectionSet Folded(const View& view) {
    ProjectionSet set;
    Runner runner(&ledger_, RunnerOptions{.save_checkpoints = false});
    RunStats stats;
    EXPECT_TRUE(runner.Replay(view, set.All(), &stats).ok());
    return set;
  }

  Status Query(const ReportQuery& q, ReportRows* rows) {
    Runner runner(&ledger_, RunnerOptions{.save_checkpoints = false});
    RunStats stats;
    return QueryReportRows(&runner, q, rows, &stats);
  }

  testing::Builder b_;
  FakeLedger ledger_;
};

TEST_F(ReportQueryTest, EachKindIsTheBuildersRowsOfTheFoldedState) {
  std::vector<View> views(3);
  views[1].as_of_day = DayOf("2026-02-28");
  views[2].contract = "C-1";
  for (const View& view : views) {
    ProjectionSet set = Folded(view);
    ReportQuery q;
    q.view = view;
    q.today_day = DayOf("2026-03-31");
    ReportRows rows;

    q.kind = ReportKind::kBalances;
    ASSERT_TRUE(Query(q, &rows).ok());
    EXPECT_EQ(rows.balances, BalanceRows(set.balances, view.contract));
    EXPECT_FALSE(rows.balances.empty());

    q.kind = ReportKind::kMargins;
    q.margin_keys = {MarginKey::kCustomer};
    ASSERT_TRUE(Query(q, &rows).ok());
    MarginReport margins;
    ASSERT_TRUE(BuildMarginReport(set.margins, q.margin_keys, view.contract, "", &margins).ok());
    EXPECT_EQ(rows.margins.rows, margins.rows);
    EXPECT_EQ(rows.margins.totals, margins.totals);
    for (const MarginRow& r : rows.margins.rows) EXPECT_FALSE(r.currency.empty());

    q.kind = ReportKind::kEscalations;
    ASSERT_TRUE(Query(q, &rows).ok());
    EXPECT_EQ(rows.escalations, EscalationRows(set.escalations, view.contract));

    q.kind = ReportKind::kBurn;
    ASSERT_TRUE(Query(q, &rows).ok());
    const int32_t day = BurnEvaluationDay(view, q.today_day);
    EXPECT_EQ(rows.burn_day, day);
    EXPECT_EQ(rows.burn, BurnRows(set.burn, day, false, view.contract));
  }
}

TEST_F(ReportQueryTest, TheRowSetIsTheFormatsOfTheRows) {
  ReportQuery q;
  q.kind = ReportKind::kBalances;
  ReportRows rows;
  ASSERT_TRUE(Query(q, &rows).ok());
  std::string got, want;
  WriteRowSet(RowSetOf(rows), OutputFormat::kCsv, &got);
  WriteRowSet(BalanceRowSet(rows.balances), OutputFormat::kCsv, &want);
  EXPECT_EQ(got, want);
  EXPECT_NE(got.find("C-1,reactive,6000,150,5850,0"), std::string::npos) << got;
}

TEST_F(ReportQueryTest, ACurrencyIsAFilterAndAnUnknownOneIsNotFound) {
  ReportQuery q;
  q.kind = ReportKind::kMargins;
  q.margin_keys = {MarginKey::kContract};
  q.currency = "EUR";
  ReportRows rows;
  ASSERT_TRUE(Query(q, &rows).ok());
  ASSERT_EQ(rows.margins.rows.size(), 1u);
  EXPECT_EQ(rows.margins.rows[0].keys, std::vector<std::string>{"C-2"});
  EXPECT_EQ(rows.margins.rows[0].currency, "EUR");
  q.currency = "GBP";
  EXPECT_TRUE(Query(q, &rows).IsNotFound());
}

TEST_F(ReportQueryTest, AtRiskKeepsOnlyFlaggedBurnLines) {
  ReportQuery q;
  q.kind = ReportKind::kBurn;
  q.today_day = DayOf("2026-03-31");
  ReportRows all, at_risk;
  ASSERT_TRUE(Query(q, &all).ok());
  q.at_risk_only = true;
  ASSERT_TRUE(Query(q, &at_risk).ok());
  std::vector<BurnRow> flagged;
  for (const BurnRow& r : all.burn) {
    if (r.flag != BurnFlag::kOk) flagged.push_back(r);
  }
  EXPECT_EQ(at_risk.burn, flagged);
  EXPECT_FALSE(flagged.empty());  // both lines run far under their funding
}

// A margin sum out of the 64-bit range is an error for every caller (the
// replay command used to print it as an empty report and exit 0).
TEST_F(ReportQueryTest, AnOverflowedMarginStateIsAnErrorNotAnEmptyReport) {
  // Past every input limit (the ledger refuses such rates), so folded by
  // hand: two bookings of about INT64_MAX each.
  const int64_t huge_rate = INT64_MAX / 1440 * 60;
  ProjectionSet set;
  set.margins.Apply(b_.Open("C-9", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 1),
                    nullptr);
  for (const char* day : {"2026-03-10", "2026-03-11"}) {
    set.margins.Apply(b_.Book("C-9", At(day), ServiceLine::kReactive, 1440, huge_rate, 1), nullptr);
  }
  ASSERT_TRUE(set.margins.overflowed());
  Runner runner(&ledger_, RunnerOptions{.save_checkpoints = false});
  RunStats stats;
  ReportQuery q;
  q.kind = ReportKind::kMargins;
  ReportRows rows;
  const Status s = RowsOfState(&runner, q, &set, &rows, &stats);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(rows.margins.rows.empty());
}

TEST(ReportKindTest, NamesParse) {
  ReportKind k;
  ASSERT_TRUE(ParseReportKind("escalations", &k));
  EXPECT_EQ(k, ReportKind::kEscalations);
  ASSERT_TRUE(ParseReportKind("burn", &k));
  EXPECT_EQ(k, ReportKind::kBurn);
  EXPECT_FALSE(ParseReportKind("balance", &k));
  EXPECT_FALSE(ParseReportKind("", &k));
}

}  // namespace
}  // namespace ccl::projections

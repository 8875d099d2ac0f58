// Burn semantics: the evaluation day, flags only for contracts running on
// that day, and `reject` lines never projected past their funding.
#include "projections/folds/burn.h"

#include <gtest/gtest.h>

#include "projections/folds/report_rows.h"
#include "tests/projections/folds/builders.h"

namespace ccl::projections {
namespace {

using events::ServiceLine;
using testing::At;
using testing::Builder;
using testing::DayOf;

class BurnTest : public ::testing::Test {
 protected:
  // A 2026 contract, 100 h reactive, 12 h booked on 2026-03-01.
  void OpenAndBook(events::Overage overage) {
    events::Event open =
        b_.Open("C", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 100);
    open.lines[0].overage = overage;
    p_.Apply(open, nullptr);
    p_.Apply(b_.Book("C", At("2026-03-01"), ServiceLine::kReactive, 720, 100, 50), nullptr);
  }
  BurnRow RowOn(const char* day) {
    const auto rows = BurnRows(p_, DayOf(day), false);
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? BurnRow{} : rows[0];
  }
  Builder b_;
  BurnProjection p_;
};

TEST_F(BurnTest, EvaluationDayIsTheAsOfDayElseTheCallersToday) {
  View v;
  EXPECT_EQ(BurnEvaluationDay(v, DayOf("2026-12-05")), DayOf("2026-12-05"));
  v.as_of_day = DayOf("2026-03-31");
  EXPECT_EQ(BurnEvaluationDay(v, DayOf("2026-12-05")), DayOf("2026-03-31"));
}

// 720 minutes in the window; 305 days left: 720 * 305 / 90 = 2440 more.
// Funding 6000: 3160 projected < 4800 (80%): underuse while the term runs.
TEST_F(BurnTest, ClosedContractIsNotFlagged) {
  OpenAndBook(events::Overage::kAllow);
  EXPECT_EQ(RowOn("2026-03-01").flag, BurnFlag::kUnderuse);
  events::Event close = b_.Base(events::EventType::kContractClosed, "C", At("2026-03-02"));
  close.reason = "ended early";
  p_.Apply(close, nullptr);
  const BurnRow r = RowOn("2026-03-02");
  EXPECT_EQ(r.remaining_days, 0);
  EXPECT_EQ(r.projected_minutes, 720);
  EXPECT_EQ(r.flag, BurnFlag::kOk);
}

TEST_F(BurnTest, ContractOutsideItsTermIsNotFlagged) {
  OpenAndBook(events::Overage::kAllow);
  EXPECT_EQ(RowOn("2027-01-15").flag, BurnFlag::kOk);  // term over: nothing to forecast
  BurnProjection later;
  events::Event open = b_.Open("L", "2027-01-01", "2027-12-31", ServiceLine::kReactive, 6000, 100);
  open.effective_at_ns = At("2026-11-01");  // signed ahead of its term
  later.Apply(open, nullptr);
  const auto rows = BurnRows(later, DayOf("2026-12-05"), false);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].flag, BurnFlag::kOk);  // not started yet
}

// 2160 minutes in the 90 days to 2026-03-31 and 275 days left: the demand is
// 2160 + 2160 * 275 / 90 = 8760 minutes of 6000 funded. An `allow` line
// projects that; a `reject` line cannot be booked past its funding, so its
// projection stops there (still flagged overrun: its hours run out before
// the term ends, on the exhaustion date).
TEST_F(BurnTest, RejectLineProjectionStopsAtFunding) {
  for (const auto overage : {events::Overage::kAllow, events::Overage::kReject}) {
    p_.Reset();
    OpenAndBook(overage);
    p_.Apply(b_.Book("C", At("2026-03-20"), ServiceLine::kReactive, 1440, 100, 50), nullptr);
    const BurnRow r = RowOn("2026-03-31");
    EXPECT_EQ(r.consumed_minutes, 2160);
    EXPECT_EQ(r.flag, BurnFlag::kOverrun);
    ASSERT_TRUE(r.exhaustion_day.has_value());
    if (overage == events::Overage::kReject) {
      EXPECT_EQ(r.projected_minutes, 6000);
    } else {
      EXPECT_EQ(r.projected_minutes, 2160 + 2160 * 275 / 90);
    }
  }
}

// An amendment can switch a line's overage policy; the state keeps it.
TEST_F(BurnTest, OveragePolicySurvivesTheStateRoundTrip) {
  OpenAndBook(events::Overage::kReject);
  std::string bytes;
  p_.SerializeState(&bytes);
  BurnProjection q;
  ASSERT_TRUE(q.DeserializeState(bytes).ok());
  EXPECT_EQ(q.contract(q.FindContract("C")).lines[LineIndex(ServiceLine::kReactive)].overage,
            events::Overage::kReject);
  events::Event amend = b_.Base(events::EventType::kContractAmended, "C", At("2026-03-05"));
  amend.reason = "allow overage";
  amend.lines.push_back(
      events::ContractLine{ServiceLine::kReactive, 0, 0, 0, events::Overage::kAllow});
  q.Apply(amend, nullptr);
  EXPECT_EQ(q.contract(q.FindContract("C")).lines[LineIndex(ServiceLine::kReactive)].overage,
            events::Overage::kAllow);
}

}  // namespace
}  // namespace ccl::projections

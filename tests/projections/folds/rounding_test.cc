// Half-to-even rounding at its boundaries, through the folds and reports:
// value of consumption, reversal exactness, margin basis points, mean time to
// resolve, burn rate.
#include <gtest/gtest.h>

#include "projections/folds/registry.h"
#include "projections/folds/report_rows.h"
#include "tests/projections/folds/builders.h"

namespace ccl::projections {
namespace {

using events::EventType;
using events::ServiceLine;
using testing::At;
using testing::Builder;

class ProjectionRoundingTest : public ::testing::Test {
 protected:
  MarginRow OneRow(const MarginsProjection& m) {
    MarginReport r;
    EXPECT_TRUE(BuildMarginReport(m, {MarginKey::kContract}, "", "", &r).ok());
    EXPECT_EQ(r.rows.size(), 1u);
    return r.rows.empty() ? MarginRow{} : r.rows[0];
  }
  Builder b_;
};

TEST_F(ProjectionRoundingTest, ValueOfOneBookingRoundsHalfToEven) {
  struct Case {
    int32_t minutes;
    int64_t rate;
    int64_t want;
  } cases[] = {
      {1, 30, 0},   // 0.5 -> 0
      {1, 90, 2},   // 1.5 -> 2
      {1, 150, 2},  // 2.5 -> 2
      {1, 210, 4},  // 3.5 -> 4
      {3, 10, 0},   // 0.5 -> 0
      {1, 31, 1},   // 0.516 -> 1
      {1, 29, 0},   // 0.483 -> 0
      {59, 1, 1},   // 0.983 -> 1
      {1440, 1'000'000'000, 24'000'000'000},
  };
  for (const Case& c : cases) {
    MarginsProjection m;
    m.Apply(b_.Open("C", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, c.rate),
            nullptr);
    m.Apply(b_.Book("C", At("2026-03-01"), ServiceLine::kReactive, c.minutes, c.rate, c.rate),
            nullptr);
    const MarginRow r = OneRow(m);
    EXPECT_EQ(r.revenue_minor, c.want) << c.minutes << " min at " << c.rate;
    EXPECT_EQ(r.cost_minor, c.want) << c.minutes << " min at " << c.rate;
  }
}

TEST_F(ProjectionRoundingTest, EachEventRoundsOnItsOwnAndReversalGivesBackExactly) {
  MarginsProjection m;
  m.Apply(b_.Open("C", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 6000, 150), nullptr);
  const events::Event a = b_.Book("C", At("2026-03-01"), ServiceLine::kReactive, 1, 150, 30);
  const events::Event b = b_.Book("C", At("2026-03-02"), ServiceLine::kReactive, 1, 150, 30);
  m.Apply(a, nullptr);
  m.Apply(b, nullptr);
  // 2.5 -> 2 twice is 4, not round(5.0) = 5; cost 0.5 -> 0 twice is 0, not 1.
  MarginRow r = OneRow(m);
  EXPECT_EQ(r.revenue_minor, 4);
  EXPECT_EQ(r.cost_minor, 0);
  m.Apply(b_.Reverse(a, At("2026-04-05")), &a);
  r = OneRow(m);
  EXPECT_EQ(r.revenue_minor, 2);
  m.Apply(b_.Reverse(b, At("2026-04-05")), &b);
  r = OneRow(m);
  EXPECT_EQ(r.revenue_minor, 0);
  EXPECT_EQ(r.cost_minor, 0);
  EXPECT_FALSE(r.margin_bp.has_value());  // no revenue: no percentage
}

TEST_F(ProjectionRoundingTest, MarginBasisPointsRoundHalfToEven) {
  EXPECT_EQ(MarginBasisPoints(1, 20000), 0);    // 0.5 bp
  EXPECT_EQ(MarginBasisPoints(3, 20000), 2);    // 1.5 bp
  EXPECT_EQ(MarginBasisPoints(5, 20000), 2);    // 2.5 bp
  EXPECT_EQ(MarginBasisPoints(-1, 20000), 0);   // -0.5 bp
  EXPECT_EQ(MarginBasisPoints(-3, 20000), -2);  // -1.5 bp
  EXPECT_EQ(MarginBasisPoints(1, 3), 3333);     // 3333.33 bp
  EXPECT_EQ(MarginBasisPoints(2, 3), 6667);     // 6666.67 bp
  EXPECT_EQ(MarginBasisPoints(7, 7), 10000);
  EXPECT_FALSE(MarginBasisPoints(5, 0).has_value());
}

TEST_F(ProjectionRoundingTest, MeanTimeToResolveRoundsHalfToEven) {
  auto mean_of = [&](int64_t s1, int64_t s2) {
    EscalationsProjection p;
    p.Apply(b_.Escalation(EventType::kEscalationOpened, "C", At("2026-03-01"), "E1",
                          events::Severity::kA),
            nullptr);
    p.Apply(b_.Escalation(EventType::kEscalationOpened, "C", At("2026-03-01"), "E2",
                          events::Severity::kA),
            nullptr);
    p.Apply(b_.Escalation(EventType::kEscalationResolved, "C", At("2026-03-01", s1), "E1"),
            nullptr);
    p.Apply(b_.Escalation(EventType::kEscalationResolved, "C", At("2026-03-01", s2), "E2"),
            nullptr);
    const auto rows = EscalationRows(p);
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? -1 : rows[0].resolve_seconds_mean.value_or(-1);
  };
  EXPECT_EQ(mean_of(1, 2), 2);  // 1.5
  EXPECT_EQ(mean_of(2, 3), 2);  // 2.5
  EXPECT_EQ(mean_of(3, 4), 4);  // 3.5
  EXPECT_EQ(mean_of(0, 1), 0);  // 0.5
}

TEST_F(ProjectionRoundingTest, BurnRateAndProjectionRoundHalfToEven) {
  auto burn = [&](int32_t minutes) {
    BurnProjection p;
    p.Apply(b_.Open("C", "2026-01-01", "2026-12-31", ServiceLine::kReactive, 100'000, 100),
            nullptr);
    p.Apply(b_.Book("C", At("2026-03-01"), ServiceLine::kReactive, minutes, 100, 100), nullptr);
    const auto rows = BurnRows(p, testing::DayOf("2026-03-01"), false);
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? BurnRow{} : rows[0];
  };
  EXPECT_EQ(burn(45).burn_minutes_per_day, 0);   // 0.5
  EXPECT_EQ(burn(135).burn_minutes_per_day, 2);  // 1.5
  EXPECT_EQ(burn(225).burn_minutes_per_day, 2);  // 2.5
  // 305 days left to 2026-12-31: 45 * 305 / 90 = 152.5 -> 152.
  const BurnRow r = burn(45);
  EXPECT_EQ(r.remaining_days, 305);
  EXPECT_EQ(r.projected_minutes, 45 + 152);
}

}  // namespace
}  // namespace ccl::projections

// Period close (schemas/EVENTS.md "Periods", "Sealed figures"): the figures a
// PeriodClosed seals, whichever way its events arrived, and the ledger stream
// its ledger-wide events form.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

using events::PeriodSeal;
using events::SealedTotal;

class LedgerPeriodTest : public AppendFixture {
 protected:
  // January and February of two contracts, USD and EUR, with reversals in
  // and after the month of their targets. The closes follow.
  std::vector<Event> Months() {
    Event eur = f_.Open("C2");
    eur.currency = "EUR";
    const Event eur_jan = f_.Book("C2", ServiceLine::kProactive, 30, "2026-01-05");
    const Event usd_late_jan = f_.Book("C1", ServiceLine::kReactive, 15, "2026-01-31T10:00:00Z");
    return {f_.Open("C1"), eur,
            f_.Book("C1", ServiceLine::kReactive, 90, "2026-01-10"),       // 45,000 / 18,000
            f_.Deliver("C1", ServiceLine::kProactive, 240, "2026-01-20"),  // 100,000 / 100,000
            eur_jan,                                                       // 12,500 / 6,000
            usd_late_jan, f_.Reverse("C1", usd_late_jan.event_id, "2026-01-31T12:00:00Z"),
            // February: counted by the February close only.
            f_.Book("C1", ServiceLine::kReactive, 60, "2026-02-03"),  // 30,000 / 12,000
            f_.Reverse("C2", eur_jan.event_id, "2026-02-02")};
  }

  PeriodSeal SealAt(uint64_t seq) {
    Event e;
    EXPECT_TRUE(ledger_->Get(seq, &e).ok());
    EXPECT_EQ(e.type, EventType::kPeriodClosed);
    EXPECT_TRUE(e.seal.has_value());
    return e.seal.value_or(PeriodSeal{});
  }

  void ExpectVerifies() {
    VerifyReport report;
    Status s = ledger_->Verify(VerifyProgress(), &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
};

TEST_F(LedgerPeriodTest, SealCountsWhatIsEffectiveInOrBeforeTheMonth) {
  std::vector<Event> batch = Months();
  batch.push_back(f_.ClosePeriod("2026-01", "2026-03-01"));
  MustAppend(batch);
  const PeriodSeal jan = SealAt(batch.size());
  const std::vector<SealedTotal> want_jan = {{"EUR", 12'500, 6'000, 6'500, 30},
                                             {"USD", 145'000, 118'000, 27'000, 330}};
  EXPECT_EQ(jan.totals, want_jan);

  MustAppend({f_.ClosePeriod("2026-02", "2026-03-01")});
  const PeriodSeal feb = SealAt(batch.size() + 1);
  // The February reversal takes the EUR booking back in its (January) margin month.
  const std::vector<SealedTotal> want_feb = {{"EUR", 0, 0, 0, 0},
                                             {"USD", 175'000, 130'000, 45'000, 390}};
  EXPECT_EQ(feb.totals, want_feb);
  EXPECT_NE(feb.balances_digest, jan.balances_digest);
  EXPECT_NE(feb.margins_digest, jan.margins_digest);
  ExpectVerifies();
}

TEST_F(LedgerPeriodTest, SealIsTheSameWhicheverWayTheEventsArrived) {
  // One batch: the seals fold the batch's own events, before they are written.
  std::vector<Event> batch = Months();
  batch.push_back(f_.ClosePeriod("2026-01", "2026-02-10"));
  batch.push_back(f_.ClosePeriod("2026-02", "2026-03-01"));
  MustAppend(batch);
  const PeriodSeal jan = SealAt(batch.size() - 1);
  const PeriodSeal feb = SealAt(batch.size());

  // One event per append, the ledger reopened in between: the seals fold
  // the committed log (read afresh after each reopen).
  ledger_.reset();
  std::filesystem::remove_all(path());  // the ledger this test created
  Reopen();
  for (const Event& e : batch) {
    MustAppend({e});
    if (e.type == EventType::kEntryReversed) Reopen();
  }
  EXPECT_EQ(SealAt(batch.size() - 1), jan);
  EXPECT_EQ(SealAt(batch.size()), feb);
  ExpectVerifies();
}

TEST_F(LedgerPeriodTest, ARejectedBatchLeavesNoTraceInTheNextSeal) {
  std::vector<Event> batch = Months();
  MustAppend(batch);
  // A batch whose close folded its booking, then failed on a later event.
  Event bad = f_.Book("C1", ServiceLine::kDesignatedEngineering, 10, "2026-02-05");
  AppendResult r;
  Status s = Append({f_.Book("C1", ServiceLine::kReactive, 600, "2026-01-25"),
                     f_.ClosePeriod("2026-01", "2026-02-10"), bad},
                    &r);
  EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(r.failed_index, 2u);
  MustAppend({f_.ClosePeriod("2026-01", "2026-02-10")});
  const std::vector<SealedTotal> want_jan = {{"EUR", 12'500, 6'000, 6'500, 30},
                                             {"USD", 145'000, 118'000, 27'000, 330}};
  EXPECT_EQ(SealAt(batch.size() + 1).totals, want_jan);
  ExpectVerifies();
}

TEST_F(LedgerPeriodTest, LedgerWideEventsFormTheLedgerStream) {
  MustAppend({f_.Open("C1"), f_.ClosePeriod("2026-01", "2026-02-01"),
              f_.ClosePeriod("2026-02", "2026-03-01")});
  EXPECT_EQ(Version(""), 2u);
  EXPECT_EQ(Version("C1"), 1u);
  std::vector<int32_t> months;
  for (auto it = ledger_->NewStreamIterator(""); it->Valid(); it->Next()) {
    months.push_back(it->event().period_month);
  }
  EXPECT_EQ(months, (std::vector<int32_t>{2026 * 12, 2026 * 12 + 1}));
  // A close survives a reopen: the next one must still follow it.
  Reopen();
  ExpectRule(f_.ClosePeriod("2026-02", "2026-04-01"), "period 2026-02 is closed");
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10, "2026-02-28T23:59:59.999999999Z"),
             "period 2026-02 is closed");
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 10, "2026-03-01")});
  ExpectVerifies();
}

}  // namespace
}  // namespace ccl::ledger::testing

// The cases of the ledger stream's rules (tests/ledger/store/rule_cases.h):
// periods, legal holds and approvals.
#include "events/base/limits.h"
#include "events/model/rules.h"
#include "tests/ledger/store/rule_cases.h"

namespace ccl::ledger::testing {

// Cases of the period rules.
CaseMap PeriodCases() {
  return {
      {rules::kPeriodInOrder,
       [](T& t) {
         CCL_RETURN_IF_ERROR(t.Given({t.f.ClosePeriod("2026-01", "2026-02-01")}));
         return t.Append({t.f.ClosePeriod("2026-03", "2026-04-01")});
       }},
      {rules::kPeriodCloseAfterMonth,
       [](T& t) { return t.Append({t.f.ClosePeriod("2026-01", "2026-01-31T23:59:59Z")}); }},
      {rules::kPeriodClosedRefuses,
       [](T& t) {
         CCL_RETURN_IF_ERROR(t.Given({t.f.Open("C1"), t.f.ClosePeriod("2026-01", "2026-02-01")}));
         return t.Append({t.f.Book("C1", kRe, 60, "2026-01-31T23:59:59Z")});
       }},
      {rules::kPeriodSealed,
       [](T& t) {
         // 90 min at 30,000/h: revenue 45,000, cost 18,000 at 12,000/h.
         CCL_RETURN_IF_ERROR(t.Given({t.f.Open("C1"), t.f.Book("C1", kRe, 90, "2026-01-10"),
                                      t.f.ClosePeriod("2026-01", "2026-02-01")}));
         Event e;
         CCL_RETURN_IF_ERROR(t.Get(3, &e));
         EXPECT_TRUE(e.seal.has_value());
         if (!e.seal.has_value()) return Status::OK();
         const std::vector<events::SealedTotal> want = {{"USD", 45000, 18000, 27000, 90}};
         EXPECT_EQ(e.seal->totals, want);
         return Status::OK();
       }},
  };
}

// Cases of the legal hold rules.
CaseMap HoldCases() {
  constexpr EventType kPlaced = EventType::kLegalHoldPlaced;
  constexpr EventType kReleased = EventType::kLegalHoldReleased;
  return {
      {rules::kHoldOnce,
       [](T& t) {
         return t.Append(
             {t.f.Open("C1"), t.f.Hold(kPlaced, "C1", "X"), t.f.Hold(kPlaced, "C1", "X")});
       }},
      {rules::kHoldReleasePlaced,
       [](T& t) {
         // A release names the case that was placed.
         return t.Append(
             {t.f.Open("C1"), t.f.Hold(kPlaced, "C1", "X"), t.f.Hold(kReleased, "C1", "Y")});
       }},
      {rules::kHoldsMax,
       [](T& t) {
         std::vector<Event> batch = {t.f.Open("C1")};
         for (size_t i = 0; i <= limits::kLegalHoldsPerContractMax; ++i) {
           batch.push_back(t.f.Hold(kPlaced, "C1", "case-" + std::to_string(i)));
         }
         return t.Append(batch);
       }},
      {rules::kHoldAfterClose,
       [](T& t) {
         // Placed and released after the contract's close.
         return t.Append({t.f.Open("C1"), t.f.Close("C1"),
                          t.f.Hold(kPlaced, "C1", "X", "2027-02-01"),
                          t.f.Hold(kReleased, "C1", "X", "2027-03-01")});
       }},
  };
}

namespace {

constexpr uint32_t kReversals = events::EventTypeBit(EventType::kEntryReversed);

// A contract with its proactive line (6,000 min, overage reject) used up,
// a policy listing EntryReversed, and a reversal of the booking (pending).
std::vector<Event> PendingReversal(T& t, Event* booking, Event* reversal) {
  *booking = t.f.Deliver("C1", kPro, 6000, "2026-03-02");
  *reversal = t.f.Reverse("C1", booking->event_id, "2026-03-03");
  return {t.f.Policy(kReversals), t.f.Open("C1"), *booking, *reversal};
}

}  // namespace

// Cases of reopening a closed period.
CaseMap ReopenCases() {
  return {
      {rules::kPeriodReopenClosed,
       [](T& t) {
         CCL_RETURN_IF_ERROR(t.Given({t.f.ClosePeriod("2026-01", "2026-02-01")}));
         return t.Append({t.f.ReopenPeriod("2026-02", "2026-03-02")});
       }},
      {rules::kPeriodReopened,
       [](T& t) {
         // January reopens with February, and takes a booking again.
         CCL_RETURN_IF_ERROR(t.Given({t.f.Open("C1"), t.f.ClosePeriod("2026-01", "2026-02-01"),
                                      t.f.ClosePeriod("2026-02", "2026-03-01"),
                                      t.f.ReopenPeriod("2026-01", "2026-03-02")}));
         return t.Append({t.f.Book("C1", kRe, 60, "2026-01-20")});
       }},
      {rules::kFieldPeriodReopened,
       [](T& t) {
         Event e = t.f.ReopenPeriod("2026-01", "2026-02-02");
         e.reason.clear();
         return t.Append({e});
       }},
  };
}

// Cases of the approval rules.
CaseMap ApprovalCases() {
  return {
      {rules::kApprovalPending,
       [](T& t) {
         Event booking, reversal;
         CCL_RETURN_IF_ERROR(t.Given(PendingReversal(t, &booking, &reversal)));
         Event stored;
         CCL_RETURN_IF_ERROR(t.Get(4, &stored));
         EXPECT_TRUE(stored.awaits_approval);
         // Without effect: the line is still used up.
         const Status more = t.Append({t.f.Book("C1", kPro, 60, "2026-03-04")});
         EXPECT_EQ(more.rule(), rules::kConsumptionOverageReject) << more.ToString();
         return Status::OK();
       }},
      {rules::kApprovalTarget,
       [](T& t) {
         const Event never_appended = t.f.Book("C1", kRe, 60);
         return t.Append({t.f.Open("C1"), t.f.Decide(never_appended, "approver")});
       }},
      {rules::kApprovalTargetPending,
       [](T& t) {
         // The booking needed no approval.
         Event booking, reversal;
         CCL_RETURN_IF_ERROR(t.Given(PendingReversal(t, &booking, &reversal)));
         return t.Append({t.f.Decide(booking, "approver")});
       }},
      {rules::kApprovalFourEyes,
       [](T& t) {
         Event booking, reversal;
         CCL_RETURN_IF_ERROR(t.Given(PendingReversal(t, &booking, &reversal)));
         return t.Append({t.f.Decide(reversal, reversal.actor)});
       }},
      {rules::kApprovalPendingMax,
       [](T& t) {
         Event booking, reversal;
         std::vector<Event> batch = PendingReversal(t, &booking, &reversal);
         // Pending reversals have no effect, so each of them passes R-REV-04.
         for (size_t i = 0; i < limits::kPendingApprovalsMax; ++i) {
           batch.push_back(t.f.Reverse("C1", booking.event_id, "2026-03-03"));
         }
         return t.Append(batch);
       }},
      {rules::kApprovalTakesEffect,
       [](T& t) {
         Event booking, reversal;
         CCL_RETURN_IF_ERROR(t.Given(PendingReversal(t, &booking, &reversal)));
         CCL_RETURN_IF_ERROR(t.Given({t.f.Decide(reversal, "approver")}));
         // The reversal gave the 6,000 minutes back.
         return t.Append({t.f.Book("C1", kPro, 60, "2026-03-04")});
       }},
      {rules::kFieldApprovalPolicy,
       [](T& t) {
         // Bookings are routine: no policy may hold them back.
         return t.Append({t.f.Policy(events::EventTypeBit(EventType::kHoursBooked))});
       }},
      {rules::kFieldDecision,
       [](T& t) {
         Event booking = t.f.Book("C1", kRe, 60);
         Event e = t.f.Decide(booking, "approver", "no");
         e.reason.clear();
         return t.Append({t.f.Open("C1"), booking, e});
       }},
  };
}

}  // namespace ccl::ledger::testing

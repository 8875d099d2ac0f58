// Four-eyes approvals (schemas/EVENTS.md "Approvals"): what a pending event
// does (nothing, until approved), what an approval does (the event's effect,
// its rules checked again), and that verify's replay agrees.
#include <gtest/gtest.h>

#include "events/model/rules.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

constexpr ServiceLine kPro = ServiceLine::kProactive;  // 6000 min, reject
constexpr uint32_t kReversals = events::EventTypeBit(EventType::kEntryReversed);

class LedgerApprovalTest : public AppendFixture {
 protected:
  // Policy, contract, its proactive line used up (seq 3).
  Event UsedUp(uint32_t types = kReversals) {
    const Event booking = f_.Deliver("C1", kPro, 6000, "2026-03-02");
    MustAppend({f_.Policy(types), f_.Open("C1"), booking});
    return booking;
  }
  Status BookMore() { return Append({f_.Book("C1", kPro, 60, "2026-03-10")}); }
  void ExpectVerifies() {
    VerifyReport report;
    Status s = ledger_->Verify(VerifyProgress(), &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void ExpectRefused(const Event& e, std::string_view rule, const std::string& text) {
    ExpectRule(e, std::string(rule));
    Status s = Append({e});
    EXPECT_EQ(s.rule(), rule) << s.ToString();
    EXPECT_NE(s.message().find(text), std::string::npos) << s.message();
  }
};

TEST_F(LedgerApprovalTest, PendingReversalTakesEffectOnlyWhenApprovedByAnother) {
  const Event booking = UsedUp();
  const Event reversal = f_.Reverse("C1", booking.event_id, "2026-03-03");
  MustAppend({reversal});
  EXPECT_EQ(BookMore().rule(), rules::kConsumptionOverageReject);
  EXPECT_EQ(Version("C1"), 3u);  // in the stream all the same
  ExpectRefused(f_.Decide(reversal, reversal.actor), rules::kApprovalFourEyes, "asked for event");
  MustAppend({f_.Decide(reversal, "approver")});
  EXPECT_TRUE(BookMore().ok());
  ExpectVerifies();
}

TEST_F(LedgerApprovalTest, ApprovalIsRefusedWithTheTargetsRuleWhenItNoLongerHolds) {
  const Event booking = UsedUp();
  const Event first = f_.Reverse("C1", booking.event_id, "2026-03-03");
  const Event second = f_.Reverse("C1", booking.event_id, "2026-03-04");
  MustAppend({first, second});  // both pending: neither has reversed anything yet
  MustAppend({f_.Decide(first, "approver")});
  ExpectRefused(f_.Decide(second, "approver"), rules::kReversalOnce, "approval of event");
  // Still pending, so it can be rejected.
  MustAppend({f_.Decide(second, "approver", "reversed already")});
  ExpectVerifies();
}

// A refused decision says which decision the target got, and from whom.
TEST_F(LedgerApprovalTest, OnlyAPendingEventIsDecided) {
  const Event booking = UsedUp();
  const Event a = f_.Reverse("C1", booking.event_id, "2026-03-03");
  const Event b = f_.Reverse("C1", booking.event_id, "2026-03-04");
  MustAppend({a, b});                                                          // seqs 4, 5
  MustAppend({f_.Decide(a, "approver"), f_.Decide(b, "carol", "duplicate")});  // seqs 6, 7
  const std::string a_at = "event " + events::FormatUuid(a.event_id) + " (seq 4)";
  const std::string b_at = "event " + events::FormatUuid(b.event_id) + " (seq 5)";
  ExpectRefused(f_.Decide(a, "approver"), rules::kApprovalTargetPending,
                a_at + " was already approved by seq 6 (actor 'approver')");
  ExpectRefused(f_.Decide(b, "approver"), rules::kApprovalTargetPending,
                b_at + " was already rejected by seq 7 (actor 'carol')");
  ExpectRefused(f_.Decide(a, "approver", "no"), rules::kApprovalTargetPending,
                a_at + " was already approved by seq 6 (actor 'approver')");
  ExpectRefused(f_.Decide(booking, "approver"), rules::kApprovalTargetPending,
                "did not need approval");
  ExpectVerifies();
}

// A decision on a ledger-wide event is found in the ledger stream.
TEST_F(LedgerApprovalTest, ARefusedDecisionOnALedgerWideEventNamesItsDecision) {
  const Event policy = f_.Policy(events::EventTypeBit(EventType::kApprovalPolicySet));
  MustAppend({policy});
  const Event change = f_.Policy(kReversals);
  MustAppend({change});  // pending, seq 2
  MustAppend({f_.Decide(change, "dave", "not now")});
  ExpectRefused(f_.Decide(change, "approver"), rules::kApprovalTargetPending,
                "(seq 2) was already rejected by seq 3 (actor 'dave')");
}

TEST_F(LedgerApprovalTest, AnAmendmentNeedsApprovalWhenItLowersFundingByTheThreshold) {
  MustAppend({f_.Policy(events::EventTypeBit(EventType::kContractAmended), 600), f_.Open("C1")});
  MustAppend({f_.Amend("C1", {AmendLine(kPro, -300)}), f_.Amend("C1", {AmendLine(kPro, 900)}),
              f_.Amend("C1", {AmendLine(kPro, -300), AmendLine(ServiceLine::kReactive, -300)})});
  for (uint64_t seq = 3; seq <= 5; ++seq) {
    Event e;
    ASSERT_TRUE(ledger_->Get(seq, &e).ok());
    EXPECT_EQ(e.awaits_approval, seq == 5) << seq;
  }
  ExpectVerifies();
}

TEST_F(LedgerApprovalTest, AReopeningListedByThePolicyWaitsForItsApproval) {
  const Event reopen = f_.ReopenPeriod("2026-01", "2026-03-02");
  MustAppend({f_.Policy(events::EventTypeBit(EventType::kPeriodReopened)), f_.Open("C1"),
              f_.Book("C1", kPro, 30, "2026-01-10"), f_.ClosePeriod("2026-01", "2026-02-01"),
              reopen});
  const Event late = f_.Book("C1", kPro, 60, "2026-01-20");
  ExpectRule(late, std::string(rules::kPeriodClosedRefuses));
  Event approval = f_.Decide(reopen, "controller");
  EXPECT_TRUE(approval.contract.empty());  // in the ledger stream, like its target
  MustAppend({approval, late, f_.ClosePeriod("2026-01", "2026-03-03")});
  Event first, second;
  ASSERT_TRUE(ledger_->Get(4, &first).ok());
  ASSERT_TRUE(ledger_->Get(8, &second).ok());
  ASSERT_EQ(second.type, EventType::kPeriodClosed);
  // Closed again: the new seal counts the late booking.
  ASSERT_TRUE(first.seal.has_value() && second.seal.has_value());
  EXPECT_EQ(first.seal->totals.at(0).minutes, 30);
  EXPECT_EQ(second.seal->totals.at(0).minutes, 90);
  ExpectVerifies();
}

// A policy that lists ApprovalPolicySet cannot be lifted by one writer: the
// lifting policy waits, the reversals it would free wait too, and only
// another actor's approval puts it in force.
TEST_F(LedgerApprovalTest, APolicyThatListsItselfIsChangedOnlyWithASecondPerson) {
  const uint32_t guarded = kReversals | events::EventTypeBit(EventType::kApprovalPolicySet);
  const Event booking = UsedUp(guarded);
  Event lift = f_.Policy(0, std::nullopt, "2026-03-03");
  lift.actor = "mallory";
  Event reversal = f_.Reverse("C1", booking.event_id, "2026-03-04");
  reversal.actor = "mallory";
  MustAppend({lift, reversal});
  Event stored;
  ASSERT_TRUE(ledger_->Get(4, &stored).ok());
  EXPECT_TRUE(stored.awaits_approval);
  ASSERT_TRUE(ledger_->Get(5, &stored).ok());
  EXPECT_TRUE(stored.awaits_approval);  // the old policy is still in force
  EXPECT_EQ(BookMore().rule(), rules::kConsumptionOverageReject);
  ExpectRefused(f_.Decide(lift, "mallory"), rules::kApprovalFourEyes, "asked for event");

  // Approved by another: from now on reversals need nobody's approval.
  Event approval = f_.Decide(lift, "controller", "", "2026-03-05");
  EXPECT_TRUE(approval.contract.empty());  // in the ledger stream, like its target
  MustAppend({approval});
  const Event booking2 = f_.Book("C1", ServiceLine::kReactive, 60, "2026-03-06T10:00:00Z");
  const Event reversal2 = f_.Reverse("C1", booking2.event_id, "2026-03-07");
  MustAppend({booking2, reversal2});
  ASSERT_TRUE(ledger_->Get(8, &stored).ok());
  EXPECT_FALSE(stored.awaits_approval);
  Reopen();
  ExpectVerifies();
}

TEST_F(LedgerApprovalTest, ASealCountsAnApprovedReversalNotAPendingOne) {
  const Event booking = UsedUp();
  const Event reversal = f_.Reverse("C1", booking.event_id, "2026-03-03");
  MustAppend({reversal, f_.ClosePeriod("2026-03", "2026-04-01")});
  // The reversal is effective in the closed March: its approval is refused
  // by the period rule, as the reversal itself would be now.
  ExpectRefused(f_.Decide(reversal, "approver", "", "2026-04-02"), rules::kPeriodClosedRefuses,
                "approval of event");
  Event close;
  ASSERT_TRUE(ledger_->Get(5, &close).ok());
  ASSERT_TRUE(close.seal.has_value());
  EXPECT_EQ(close.seal->totals.at(0).minutes, 6000);
  ExpectVerifies();
}

TEST_F(LedgerApprovalTest, PendingAndApprovalSurviveReopeningTheLedger) {
  const Event booking = UsedUp();
  const Event reversal = f_.Reverse("C1", booking.event_id, "2026-03-03");
  MustAppend({reversal});
  Reopen();
  MustAppend({f_.Decide(reversal, "approver")});
  Reopen();
  EXPECT_TRUE(BookMore().ok());
  ExpectVerifies();
}

}  // namespace
}  // namespace ccl::ledger::testing

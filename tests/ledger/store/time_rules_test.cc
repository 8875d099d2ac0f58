// The time-order rules of the write model (schemas/EVENTS.md "Time order",
// R-TIME-01..07): nothing of a contract before its opening, no term moved past a
// consumption, no closing before the contract's latest event or its term, no
// escalation changed before it was opened, no reversal before its target.
// Each rejection names the rule and writes nothing (AppendFixture::ExpectRule);
// the boundary itself (the same instant) is accepted.
#include <gtest/gtest.h>

#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

class LedgerTimeRulesTest : public AppendFixture {
 protected:
  static Event WithEffectiveAt(Event e, const char* effective_at) {
    e.effective_at_ns = At(effective_at);
    return e;
  }
};

TEST_F(LedgerTimeRulesTest, NothingBeforeTheContractWasOpened) {
  // Signed on 1 February for a term that started on 1 January.
  MustAppend({f_.Open("C1", "2026-02-01")});
  const std::string rule = "effective before the contract was opened";
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10, "2026-01-31T23:59:59Z"), rule);
  ExpectRule(f_.Deliver("C1", ServiceLine::kProactive, 10, "2026-01-15"), rule);
  ExpectRule(f_.Amend("C1", {AmendLine(ServiceLine::kReactive, 60)}, "2026-01-20"), rule);
  ExpectRule(WithEffectiveAt(f_.Escalation(EventType::kEscalationOpened, "C1", "E1"), "2026-01-31"),
             rule);
  ExpectRule(WithEffectiveAt(f_.Close("C1"), "2026-01-31"), rule);
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10, "2026-01-10"),
             "effective_at 2026-01-10T00:00:00Z is before the ContractOpened of 'C1', "
             "2026-02-01T00:00:00Z");
  MustAppend({f_.Book("C1", ServiceLine::kReactive, 10, "2026-02-01")});

  // Within one batch as well: the opening is pending, not stored.
  AppendResult r;
  Status s = Append(
      {f_.Open("C2", "2026-03-01"), f_.Book("C2", ServiceLine::kReactive, 5, "2026-02-28")}, &r);
  EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(r.failed_index, 1u);
  EXPECT_NE(s.message().find(rule), std::string::npos) << s.message();
  EXPECT_EQ(Version("C2"), 0u);
}

TEST_F(LedgerTimeRulesTest, AmendmentCannotMoveTermEndBeforeAConsumption) {
  Event late = f_.Deliver("C1", ServiceLine::kProactive, 60, "2026-09-30T12:00:00Z");
  MustAppend({f_.Open("C1"), f_.Book("C1", ServiceLine::kReactive, 60, "2026-03-15T10:00:00Z"),
              late, f_.Book("C1", ServiceLine::kReactive, 60, "2026-05-01T10:00:00Z")});
  Event shorten = f_.Amend("C1", {}, "2026-10-01");
  shorten.term_end_day = Day("2026-09-29");
  ExpectRule(shorten,
             "amendment moves term_end before a consumption: term_end 2026-09-29 is before the "
             "consumption effective 2026-09-30T12:00:00Z");
  // A reversed consumption still counts: its event stays in the log.
  MustAppend({f_.Reverse("C1", late.event_id, "2026-10-01")});
  shorten.event_id = f_.NextId();
  ExpectRule(shorten, "amendment moves term_end before a consumption");
  // The day of the latest consumption is still in the term (term_end is inclusive).
  shorten.event_id = f_.NextId();
  shorten.term_end_day = Day("2026-09-30");
  MustAppend({shorten});
}

TEST_F(LedgerTimeRulesTest, TermStartCannotBeAmended) {
  // term_start is set by ContractOpened alone (an amendment carrying it is
  // rejected as a field it does not have), and a consumption before it is
  // refused as outside the term: no amendment can move it after one.
  MustAppend({f_.Open("C1", "2025-12-01")});
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10, "2025-12-31T23:00:00Z"),
             "outside the contract term");
}

TEST_F(LedgerTimeRulesTest, ContractClosedBeforeItsLatestEvent) {
  MustAppend({f_.Open("C1"), f_.Book("C1", ServiceLine::kReactive, 60, "2026-03-15T10:00:00Z"),
              f_.Escalation(EventType::kEscalationOpened, "C1", "E1")});  // 2026-04-01T08:00
  ExpectRule(WithEffectiveAt(f_.Close("C1"), "2026-04-01T07:59:59Z"),
             "contract closed before its latest event: effective_at 2026-04-01T07:59:59Z is "
             "before the latest effective_at of 'C1', 2026-04-01T08:00:00Z");
  MustAppend({WithEffectiveAt(f_.Close("C1"), "2026-04-01T08:00:00Z")});
}

TEST_F(LedgerTimeRulesTest, ContractClosedBeforeItsTermStarts) {
  // Signed in November for a term that starts on 1 January.
  Event open = f_.Open("C1", "2025-11-01");
  MustAppend({open});
  ExpectRule(WithEffectiveAt(f_.Close("C1"), "2025-12-31T23:59:59Z"),
             "contract closed before its term starts: effective_at 2025-12-31T23:59:59Z is "
             "before term_start 2026-01-01");
  MustAppend({WithEffectiveAt(f_.Close("C1"), "2026-01-01")});
}

TEST_F(LedgerTimeRulesTest, EscalationChangedBeforeItWasOpened) {
  MustAppend({f_.Open("C1"), f_.Escalation(EventType::kEscalationOpened, "C1", "E1")});
  ExpectRule(WithEffectiveAt(f_.Escalation(EventType::kEscalationResolved, "C1", "E1"),
                             "2026-04-01T07:00:00Z"),
             "escalation resolved before it was opened: effective_at 2026-04-01T07:00:00Z is "
             "before the opening of escalation 'E1', 2026-04-01T08:00:00Z");
  ExpectRule(WithEffectiveAt(f_.Escalation(EventType::kEscalationSeverityChanged, "C1", "E1",
                                           events::Severity::kC),
                             "2026-03-31"),
             "escalation severity changed before it was opened");
  // The opening instant is kept across a reopen (the persisted state).
  Reopen();
  ExpectRule(WithEffectiveAt(f_.Escalation(EventType::kEscalationResolved, "C1", "E1"),
                             "2026-04-01T07:00:00Z"),
             "escalation resolved before it was opened");
  MustAppend(
      {f_.Escalation(EventType::kEscalationSeverityChanged, "C1", "E1", events::Severity::kC),
       f_.Escalation(EventType::kEscalationResolved, "C1", "E1")});
}

TEST_F(LedgerTimeRulesTest, ReversalBeforeItsTarget) {
  Event booking = f_.Book("C1", ServiceLine::kReactive, 60, "2026-03-15T10:00:00Z");
  MustAppend({f_.Open("C1"), booking});
  ExpectRule(WithEffectiveAt(f_.Reverse("C1", booking.event_id), "2026-03-15T09:59:59Z"),
             "reversal effective before its target: effective_at 2026-03-15T09:59:59Z is before "
             "that of event " +
                 events::FormatUuid(booking.event_id) + ", 2026-03-15T10:00:00Z");
  MustAppend({WithEffectiveAt(f_.Reverse("C1", booking.event_id), "2026-03-15T10:00:00Z")});
}

TEST_F(LedgerTimeRulesTest, RulesHoldAfterReopenWithTheStateFromDisk) {
  MustAppend({f_.Open("C1", "2026-02-01"),
              f_.Book("C1", ServiceLine::kReactive, 60, "2026-06-15T10:00:00Z")});
  Reopen();
  ExpectRule(f_.Book("C1", ServiceLine::kReactive, 10, "2026-01-31"),
             "effective before the contract was opened");
  ExpectRule(WithEffectiveAt(f_.Close("C1"), "2026-06-01"),
             "contract closed before its latest event");
  Event shorten = f_.Amend("C1", {}, "2026-07-01");
  shorten.term_end_day = Day("2026-06-14");
  ExpectRule(shorten, "amendment moves term_end before a consumption");
}

}  // namespace
}  // namespace ccl::ledger::testing

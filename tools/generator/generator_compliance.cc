// The generator's compliance events (tools/generator/generator_state.h): reversals and
// their approvals, legal holds, month closes and the approval policy.
#include <cassert>
#include <iterator>
#include <string>

#include "events/base/time_format.h"
#include "tools/generator/generator_state.h"
#include "tools/generator/generator_vocabulary.h"

namespace ccl::tools::generator_internal {

using namespace generator_vocabulary;  // NOLINT: the word lists read better unqualified

void Generator::EmitReversal(ContractState* c) {
  if (c->recent_count == 0) return;
  const size_t pick = rng_.Below(c->recent_count);
  const Consumption target = c->recent[pick];
  c->recent[pick] = c->recent[--c->recent_count];
  Event* e = NewEvent(*c, EventType::kEntryReversed);
  e->actor = c->tam;
  e->source = "psa-timesheets";
  e->target_event_id = target.id;
  e->reason = kReversalReasons[rng_.Below(std::size(kReversalReasons))];
  if (options_.approvals) {
    EmitDecision(c, *e, target);
  } else {
    c->lines[target.line].consumed -= target.minutes;
  }
}

// A reviewer (never the account manager who asked) decides the same day,
// right after the request, or, for a request of a month's last days, at the
// next month's start; near the end of the run some requests wait. A rejected
// or waiting reversal frees nothing, and its entry is not reversed again.
void Generator::EmitDecision(ContractState* c, const Event& reversal, const Consumption& target) {
  const uint64_t r = approval_rng_.Below(100);
  if (current_day_ > last_day_ - kPendingDays && pending_left_ < kPendingLeftMax && r < 20) {
    ++pending_left_;
    return;
  }
  Decision d;
  d.contract = static_cast<size_t>(c - contracts_.data());
  d.id = DerivedUuid(options_.seed, 0x4445'4349'0000'0000ull + next_decision_++);
  d.reversal_id = reversal.event_id;  // AppendDecision may move the pool
  d.target = target;
  d.reject = r < 4;
  if (DecidesNextMonth(*c)) {
    deferred_.push_back(d);
    return;
  }
  AppendDecision(d);
  pool_time_[used_ - 1] = kSameTimeAsPrevious;
}

bool Generator::DecidesNextMonth(const ContractState& c) const {
  const int32_t later = current_day_ + kDecisionDeferDays;
  return events::MonthIndexOf(later) != events::MonthIndexOf(current_day_) && later <= last_day_ &&
         later <= c.term_end;
}

void Generator::AppendDecision(const Decision& d) {
  ContractState* c = &contracts_[d.contract];
  Event* e = NewEvent(*c, d.reject ? EventType::kRejected : EventType::kApproved, &d.id);
  e->actor = "finance.reviewer";
  e->source = "psa-approvals";
  e->target_event_id = d.reversal_id;
  if (d.reject) {
    e->reason = "The entry is correct: timesheet confirmed";
    return;
  }
  e->note = "Checked against the timesheet";
  c->lines[d.target.line].consumed -= d.target.minutes;
}

Status Generator::FlushDeferredDecisions(int32_t day) {
  assert(used_ == 0);
  const int64_t midnight_ns = int64_t{day} * events::kNsPerDay;
  for (const Decision& d : deferred_) {
    AppendDecision(d);
    pool_time_[used_ - 1] = midnight_ns;
    pool_[used_ - 1].effective_at_ns = midnight_ns;
  }
  deferred_.clear();
  return FlushDay();
}

// The policy on the run's first day, before any event: reversals need a
// second person. Its id is derived, like a close's.
Status Generator::EmitApprovalPolicy(int32_t day) {
  Event e;
  e.type = EventType::kApprovalPolicySet;
  e.event_id = DerivedUuid(options_.seed, 0x504f'4c49'4359'0000ull);
  e.effective_at_ns = int64_t{day} * events::kNsPerDay;
  e.actor = "controller";
  e.source = "erp";
  e.approval_types = events::EventTypeBit(EventType::kEntryReversed);
  if (stats_ != nullptr) {
    ++stats_->events;
    ++stats_->events_by_type[static_cast<int>(e.type)];
  }
  return sink_(e);
}

// Counsel places a hold (an audit, a dispute) or releases the one in force;
// a hold placed near the end of a term outlives the contract.
void Generator::EmitLegalHold(ContractState* c) {
  const bool place = c->held_case == 0;
  Event* e = NewEvent(*c, place ? EventType::kLegalHoldPlaced : EventType::kLegalHoldReleased);
  e->actor = "counsel";
  e->source = "legal";
  if (place) c->held_case = next_hold_case_++;
  e->legal_case = Numbered("LIT", c->held_case);
  e->reason = place ? "Preserve records: inspector general inquiry" : "Inquiry closed";
  if (!place) c->held_case = 0;
}

// Finance closes the month that ended yesterday, at midnight, after the
// decisions deferred from its last days and before any other event of the
// day: everything of that month is in by then, and every later
// event is effective today or after. The id is derived from the seed and the
// month, not drawn, so that closes leave the rest of the stream as it was.
Status Generator::EmitPeriodClosed(int32_t day) {
  const int32_t month = events::MonthIndexOf(day - 1);
  Event e;
  e.type = EventType::kPeriodClosed;
  e.event_id = DerivedUuid(options_.seed, 0x5045'5249'4f44'0000ull + static_cast<uint64_t>(month));
  e.effective_at_ns = int64_t{day} * events::kNsPerDay;
  e.actor = "controller";
  e.source = "erp";
  e.note = "Books closed for " + events::FormatMonthIndex(month);
  e.period_month = month;
  if (stats_ != nullptr) {
    ++stats_->events;
    ++stats_->events_by_type[static_cast<int>(e.type)];
  }
  return sink_(e);
}

}  // namespace ccl::tools::generator_internal

// The rules of schemas/EVENTS.md "Rules checked on append" (ledger/store/write_model.h).
#include "ledger/store/write_model.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "events/base/limits.h"
#include "events/base/time_format.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "ledger/store/approval_rules.h"
#include "ledger/store/hold_rules.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "ledger/store/period_rules.h"

namespace ccl::ledger {

namespace {

using events::Event;
using events::EventType;

// "event <uuid>: <rule>: <detail> (rule <id>)"; `id` is a constant of events/model/rules.h.
Status Rule(const Event& e, std::string_view id, std::string_view rule, const std::string& detail) {
  std::string m = EventLabel(e.event_id);
  m += ": ";
  m += rule;
  m += ": ";
  m += detail;
  return Status::RuleViolation(std::move(m)).WithRule(id);
}

std::string Quoted(std::string_view s) {
  std::string q = "'";
  q += s;
  q += "'";
  return q;
}

std::string LineName(events::ServiceLine s) { return Quoted(events::ServiceLineName(s)); }

// "effective_at <e> is before <what> <at>": the detail of every time-order rule.
std::string EffectiveBefore(const Event& e, std::string_view what, int64_t at_ns) {
  std::string m = "effective_at " + events::FormatInstant(e.effective_at_ns) + " is before ";
  m += what;
  m += " ";
  m += events::FormatInstant(at_ns);
  return m;
}

// A line that a contract does not have yet needs a bill rate and an overage
// policy.
bool IsCompleteNewLine(const events::ContractLine& l) {
  return l.bill_rate_minor.has_value() && l.overage != events::Overage::kUnset;
}

// Adds contract line l to c, funded with `funded_minutes`.
// REQUIRES: IsCompleteNewLine(l), and c has no line l.service_line.
void AddNewLine(const events::ContractLine& l, int64_t funded_minutes, ContractState* c) {
  assert(IsCompleteNewLine(l));
  assert(c->FindLine(l.service_line) == nullptr);
  LineState s;
  s.service_line = l.service_line;
  s.overage = l.overage;
  s.funded_minutes = funded_minutes;
  s.base_rate_minor = *l.bill_rate_minor;
  c->AddLine(std::move(s));
}

Status ApplyOpened(const Event& e, ContractState* c) {
  // ValidateEvent guarantees these; the write model must not depend on
  // another module's checks for its own invariants, so check them again.
  if (!e.term_end_day.has_value() || *e.term_end_day < e.term_start_day) {
    return Rule(e, rules::kOpenTerm, "bad contract term", "term_end is before term_start");
  }
  c->closed = false;
  c->opened_at_ns = e.effective_at_ns;
  c->last_effective_at_ns = e.effective_at_ns;
  c->last_consumption_at_ns = ContractState::kNoConsumption;
  c->customer = e.customer;
  c->currency = e.currency;
  c->term_start_day = e.term_start_day;
  c->term_end_day = *e.term_end_day;
  c->lines.clear();
  for (const events::ContractLine& l : e.lines) {
    if (c->FindLine(l.service_line) != nullptr) {
      return Rule(e, rules::kOpenLineOnce, "duplicate service line",
                  "line " + LineName(l.service_line) + " twice");
    }
    if (!IsCompleteNewLine(l)) {
      return Rule(e, rules::kOpenLineComplete, "incomplete service line",
                  "line " + LineName(l.service_line) + " needs bill_rate_minor and overage");
    }
    AddNewLine(l, l.funded_minutes, c);
  }
  return Status::OK();
}

// A new term_end: not before term_start, nor before a consumption.
// REQUIRES: e.term_end_day
Status ApplyAmendedTermEnd(const Event& e, ContractState* c) {
  assert(e.term_end_day.has_value());
  if (*e.term_end_day < c->term_start_day) {
    return Rule(e, rules::kAmendTerm, "bad contract term",
                "term_end " + events::FormatDate(*e.term_end_day) + " is before term_start " +
                    events::FormatDate(c->term_start_day));
  }
  // A consumption outside the term would be one append refuses; moving the
  // term past it later must be refused as well. (term_start is set by
  // ContractOpened alone, which precedes every consumption.)
  if (c->last_consumption_at_ns != ContractState::kNoConsumption &&
      *e.term_end_day < events::DayOf(c->last_consumption_at_ns)) {
    return Rule(e, rules::kTimeTermEndNotBeforeConsumption,
                "amendment moves term_end before a consumption",
                "term_end " + events::FormatDate(*e.term_end_day) +
                    " is before the consumption effective " +
                    events::FormatInstant(c->last_consumption_at_ns));
  }
  c->term_end_day = *e.term_end_day;
  return Status::OK();
}

Status ApplyAmended(const Event& e, ContractState* c) {
  if (e.term_end_day.has_value()) CCL_RETURN_IF_ERROR(ApplyAmendedTermEnd(e, c));
  for (const events::ContractLine& l : e.lines) {
    LineState* line = c->FindLine(l.service_line);
    if (line == nullptr) {
      // A new line: it needs everything a ContractOpened line has.
      if (!IsCompleteNewLine(l)) {
        return Rule(
            e, rules::kAmendNewLineComplete, "new service line needs bill_rate_minor and overage",
            "line " + LineName(l.service_line) + " is not in contract " + Quoted(e.contract));
      }
      if (l.funded_minutes_delta < 0 || l.funded_minutes_delta > limits::kFundedMinutesMax) {
        return Rule(e, rules::kAmendNewLineFunded, "funded minutes out of range",
                    "new line " + LineName(l.service_line) + " funded " +
                        std::to_string(l.funded_minutes_delta));
      }
      AddNewLine(l, l.funded_minutes_delta, c);
      continue;
    }
    // |delta| and funded are both <= 1e9 (validated), so the sum cannot overflow.
    const int64_t funded = line->funded_minutes + l.funded_minutes_delta;
    // Only a reduction is held to consumption (schemas/EVENTS.md R-AMD-04): a
    // top-up or a rate/overage change on an overdrawn `allow` line is
    // legitimate and must not be refused.
    if (funded < 0 || (l.funded_minutes_delta < 0 && funded < line->consumed_minutes)) {
      return Rule(e, rules::kAmendNotBelowConsumed, "amendment takes funded minutes below consumed",
                  "line " + LineName(l.service_line) + ": funded " +
                      std::to_string(line->funded_minutes) + " + " +
                      std::to_string(l.funded_minutes_delta) + " < consumed " +
                      std::to_string(std::max<int64_t>(line->consumed_minutes, 0)));
    }
    if (funded > limits::kFundedMinutesMax) {
      return Rule(e, rules::kAmendFundedMax, "funded minutes out of range",
                  "line " + LineName(l.service_line) + ": funded " + std::to_string(funded) +
                      " > " + std::to_string(limits::kFundedMinutesMax));
    }
    line->funded_minutes = funded;
    if (l.overage != events::Overage::kUnset) line->overage = l.overage;
    if (l.bill_rate_minor.has_value()) {
      if (line->rate_changes.size() >= limits::kRateChangesPerLineMax) {
        return Rule(e, rules::kAmendRateChanges, "too many rate changes",
                    "line " + LineName(l.service_line) + " already has " +
                        std::to_string(limits::kRateChangesPerLineMax));
      }
      line->rate_changes.push_back({e.effective_at_ns, *l.bill_rate_minor});
    }
  }
  return Status::OK();
}

Status ApplyConsumption(const Event& e, ContractState* c, AppliedFields* out) {
  LineState* line = c->FindLine(e.service_line);
  if (line == nullptr) {
    return Rule(e, rules::kConsumptionLineFunded, "service line not funded",
                "contract " + Quoted(e.contract) + " has no line " + LineName(e.service_line));
  }
  const int32_t day = events::DayOf(e.effective_at_ns);
  if (day < c->term_start_day || day > c->term_end_day) {
    return Rule(e, rules::kConsumptionInTerm, "outside the contract term",
                "effective_at " + events::FormatDate(day) + " is outside " +
                    events::FormatDate(c->term_start_day) + ".." +
                    events::FormatDate(c->term_end_day));
  }
  if (line->overage == events::Overage::kReject &&
      line->consumed_minutes + e.minutes > line->funded_minutes) {
    return Rule(e, rules::kConsumptionOverageReject,
                "consumption exceeds funded minutes on line " + LineName(e.service_line) +
                    " with overage 'reject'",
                "consumed " + std::to_string(line->consumed_minutes) + " + " +
                    std::to_string(e.minutes) + " > funded " +
                    std::to_string(line->funded_minutes));
  }
  line->consumed_minutes += e.minutes;
  c->last_consumption_at_ns = std::max(c->last_consumption_at_ns, e.effective_at_ns);
  out->applied_bill_rate_minor = line->RateAt(e.effective_at_ns);
  return Status::OK();
}

Status ApplyReversal(ModelView* view, const Event& e, uint64_t seq, ContractState* c,
                     AppliedFields* out) {
  const std::string target_label = events::FormatUuid(e.target_event_id);
  EventLookup target;
  CCL_RETURN_IF_ERROR(view->FindEvent(e.target_event_id, &target));
  if (!target.found) return TargetNotFound(e);
  const Event& t = *target.event;
  if (t.contract != e.contract) {
    return Rule(e, rules::kReversalSameContract, "reversal target in another contract",
                "event " + target_label + " belongs to contract " + Quoted(t.contract));
  }
  if (!t.IsConsumption()) {
    return Rule(e, rules::kReversalTargetConsumption,
                "reversal target is not HoursBooked or DeliveryCompleted",
                "event " + target_label + " is " + std::string(events::EventTypeName(t.type)));
  }
  if (e.effective_at_ns < t.effective_at_ns) {
    return Rule(e, rules::kTimeReversalNotBeforeTarget, "reversal effective before its target",
                EffectiveBefore(e, "that of event " + target_label + ",", t.effective_at_ns));
  }
  bool reversed = false;
  uint64_t by = 0;
  CCL_RETURN_IF_ERROR(view->FindReversal(target.seq, &reversed, &by));
  if (reversed) {
    // Within the batch the pending seqs mean nothing to the caller (none is
    // written): name the input events instead.
    const size_t by_index = view->InputIndexOf(by);
    const std::string target_at =
        target.in_current_batch ? "" : " (seq " + std::to_string(target.seq) + ")";
    if (by_index == SIZE_MAX) {
      return Rule(
          e, rules::kReversalOnce, "reversal target already reversed",
          "event " + target_label + target_at + " was reversed by seq " + std::to_string(by));
    }
    out->first_use_index = by_index;
    return Rule(e, rules::kReversalOnce, "reversal target already reversed",
                "event " + target_label + target_at + " was reversed by input event " +
                    std::to_string(by_index + 1) + " of this batch");
  }
  LineState* line = c->FindLine(t.service_line);
  if (line == nullptr) {  // lines are never removed, so the target's line exists
    return Status::Corruption("seq " + std::to_string(target.seq) + ": line " +
                              LineName(t.service_line) + " missing from write model");
  }
  line->consumed_minutes -= t.minutes;
  view->PutReversal(target.seq, seq);
  return Status::OK();
}

Status ApplyEscalation(ModelView* view, const Event& e) {
  const std::string key = EscalationKey(e.contract, e.escalation);
  bool found = false;
  EscalationState state;
  CCL_RETURN_IF_ERROR(view->FindEscalation(key, &found, &state));
  if (e.type == EventType::kEscalationOpened) {
    if (found) {
      return Rule(
          e, rules::kEscalationIdUnused, "escalation id already used",
          "escalation " + Quoted(e.escalation) + " exists in contract " + Quoted(e.contract));
    }
    view->PutEscalation(key, {true, e.severity, e.effective_at_ns});
    return Status::OK();
  }
  if (!found) {
    return Rule(e, rules::kEscalationExists, "escalation not open",
                "no escalation " + Quoted(e.escalation) + " in contract " + Quoted(e.contract));
  }
  if (!state.open) {
    return Rule(e, rules::kEscalationOpen, "escalation not open",
                "escalation " + Quoted(e.escalation) + " is resolved");
  }
  const bool rerate = e.type == EventType::kEscalationSeverityChanged;
  if (e.effective_at_ns < state.opened_at_ns) {
    return Rule(e, rerate ? rules::kTimeRerateNotBeforeOpened : rules::kTimeResolveNotBeforeOpened,
                rerate ? "escalation severity changed before it was opened"
                       : "escalation resolved before it was opened",
                EffectiveBefore(e, "the opening of escalation " + Quoted(e.escalation) + ",",
                                state.opened_at_ns));
  }
  if (rerate) {
    state.severity = e.severity;
  } else {
    state.open = false;
  }
  view->PutEscalation(key, state);
  return Status::OK();
}

Status ApplyClosed(const Event& e, ContractState* c) {
  if (e.effective_at_ns < c->last_effective_at_ns) {
    return Rule(e, rules::kTimeCloseNotBeforeLatest, "contract closed before its latest event",
                EffectiveBefore(e, "the latest effective_at of " + Quoted(e.contract) + ",",
                                c->last_effective_at_ns));
  }
  if (events::DayOf(e.effective_at_ns) < c->term_start_day) {
    return Rule(e, rules::kTimeCloseNotBeforeTerm, "contract closed before its term starts",
                "effective_at " + events::FormatInstant(e.effective_at_ns) +
                    " is before term_start " + events::FormatDate(c->term_start_day));
  }
  c->closed = true;
  return Status::OK();
}

}  // namespace

Status CheckStatedCurrency(const Event& e, const ContractState& c) {
  // An amount labelled in another currency would be counted in the
  // contract's: 500000 JPY booked as 5,000.00 USD.
  if (e.stated_currency.empty() || e.stated_currency == c.currency) return Status::OK();
  return Rule(e, rules::kStatedCurrency, "currency is not the contract's",
              "currency " + Quoted(e.stated_currency) + " stated, contract " + Quoted(e.contract) +
                  " is in " + c.currency);
}

Status CheckDuplicateStatedCurrency(ModelView* view, const Event& e) {
  if (e.stated_currency.empty()) return Status::OK();
  ContractState* c = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract(e.contract, &c));
  if (c == nullptr || c->ledger_stream) return Status::OK();
  return CheckStatedCurrency(e, *c);
}

Status RuleError(const Event& e, std::string_view id, std::string_view rule,
                 const std::string& detail) {
  return Rule(e, id, rule, detail);
}

Status TargetNotFound(const Event& e) {
  assert(e.type == EventType::kEntryReversed || events::IsDecision(e.type));
  const std::string detail = "no event " + events::FormatUuid(e.target_event_id);
  if (e.type == EventType::kEntryReversed) {
    return Rule(e, rules::kReversalTargetExists, "reversal target not found", detail);
  }
  return Rule(e, rules::kApprovalTarget, "decision target not found", detail);
}

Status ApplyContractEvent(ModelView* view, const Event& e, uint64_t seq, ContractState* c,
                          AppliedFields* out) {
  assert(c != nullptr && !c->ledger_stream);
  // Records outlive their contract: a legal hold may come after the close,
  // and a decision on a pending event too (an approval then meets the
  // target's own R-LIFE-03).
  // The state keeps the contract's last stream version, not its close's
  // (a legal hold may have followed): the message names none.
  if (c->closed && !e.IsLegalHold() && !events::IsDecision(e.type)) {
    return Rule(e, rules::kNothingAfterClose, "contract closed",
                "contract " + Quoted(e.contract) + " was closed; nothing may follow");
  }
  CCL_RETURN_IF_ERROR(CheckStatedCurrency(e, *c));
  if (e.effective_at_ns < c->opened_at_ns) {
    return Rule(
        e, rules::kTimeNotBeforeOpened, "effective before the contract was opened",
        EffectiveBefore(e, "the ContractOpened of " + Quoted(e.contract) + ",", c->opened_at_ns));
  }
  switch (e.type) {
    case EventType::kContractAmended:
      CCL_RETURN_IF_ERROR(ApplyAmended(e, c));
      break;
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
      CCL_RETURN_IF_ERROR(ApplyConsumption(e, c, out));
      break;
    case EventType::kEscalationOpened:
    case EventType::kEscalationSeverityChanged:
    case EventType::kEscalationResolved:
      CCL_RETURN_IF_ERROR(ApplyEscalation(view, e));
      break;
    case EventType::kEntryReversed:
      CCL_RETURN_IF_ERROR(ApplyReversal(view, e, seq, c, out));
      break;
    case EventType::kContractClosed:
      CCL_RETURN_IF_ERROR(ApplyClosed(e, c));
      break;
    case EventType::kLegalHoldPlaced:
    case EventType::kLegalHoldReleased:
      CCL_RETURN_IF_ERROR(ApplyLegalHold(e, c));
      break;
    case EventType::kApproved:
    case EventType::kRejected:
      CCL_RETURN_IF_ERROR(ApplyDecision(view, e));
      break;
    case EventType::kContractOpened:  // handled by ApplyEventNow
    case EventType::kPeriodClosed:    // ledger-wide
    case EventType::kApprovalPolicySet:
    case EventType::kPeriodReopened:
      assert(false && "not a contract event");
      return Status::InvalidArgument("not a contract event");
  }
  // A decision's effective_at is not the contract's: the target's effect
  // (applied above) moved last_effective_at_ns as far as it goes.
  if (!events::IsDecision(e.type)) {
    c->last_effective_at_ns = std::max(c->last_effective_at_ns, e.effective_at_ns);
  }
  return Status::OK();
}

Status ApplyEventNow(ModelView* view, const Event& e, uint64_t seq, AppliedFields* out) {
  CCL_RETURN_IF_ERROR(CheckPeriodOpen(view, e));
  if (events::IsLedgerWide(e.type) || e.contract.empty()) {
    return ApplyLedgerWideEvent(view, e, seq, out);
  }
  ContractState* c = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract(e.contract, &c));
  if (c == nullptr) {
    if (e.type != EventType::kContractOpened) {
      return Rule(e, rules::kFirstEventOpens, "first event of a contract must be ContractOpened",
                  "contract " + Quoted(e.contract) + " has no events; got " +
                      std::string(events::EventTypeName(e.type)));
    }
    c = view->CreateContract(e.contract);
    CCL_RETURN_IF_ERROR(ApplyOpened(e, c));
  } else if (e.type == EventType::kContractOpened) {
    return Rule(
        e, rules::kOpenedOnce, "contract already opened",
        "contract " + Quoted(e.contract) + " has " + std::to_string(c->stream_version) + " events");
  } else {
    CCL_RETURN_IF_ERROR(ApplyContractEvent(view, e, seq, c, out));
  }
  c->stream_version += 1;
  c->last_seq = seq;
  out->stream_version = c->stream_version;
  return Status::OK();
}

Status ApplyEvent(ModelView* view, const Event& e, uint64_t seq, AppliedFields* out) {
  out->applied_bill_rate_minor.reset();
  out->first_use_index = SIZE_MAX;
  out->awaits_approval = false;
  bool pending = false;
  CCL_RETURN_IF_ERROR(NeedsApproval(view, e, &pending));
  if (pending) return ApplyPendingEvent(view, e, seq, out);
  return ApplyEventNow(view, e, seq, out);
}

}  // namespace ccl::ledger

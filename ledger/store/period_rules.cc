// The period rules of the write model (ledger/store/period_rules.h).
#include "ledger/store/period_rules.h"

#include <cassert>
#include <string>

#include "events/base/time_format.h"
#include "events/model/rules.h"
#include "ledger/store/approval_rules.h"

namespace ccl::ledger {

namespace {

using events::Event;
using events::EventType;

std::string Month(int32_t month) { return events::FormatMonthIndex(month); }

Status ApplyPeriodClosed(const Event& e, ContractState* ledger) {
  const int32_t closed = ledger->closed_through_month;
  if (closed != 0 && e.period_month <= closed) {
    return RuleError(e, rules::kPeriodInOrder, "period " + Month(e.period_month) + " is closed",
                     "the latest closed month is " + Month(closed));
  }
  if (closed != 0 && e.period_month != closed + 1) {
    return RuleError(e, rules::kPeriodInOrder, "periods close in order",
                     "period " + Month(e.period_month) + " follows " + Month(closed + 1) +
                         ", which is still open");
  }
  const int64_t month_end_ns = events::LastInstantOfMonthIndexNs(e.period_month);
  if (e.effective_at_ns <= month_end_ns) {
    return RuleError(e, rules::kPeriodCloseAfterMonth, "a period closes after it ends",
                     "effective_at " + events::FormatInstant(e.effective_at_ns) + " is not after " +
                         events::FormatInstant(month_end_ns));
  }
  ledger->closed_through_month = e.period_month;
  return Status::OK();
}

// R-PERIOD-05, R-PERIOD-06: `period` is closed; it and every later month reopen.
Status ApplyPeriodReopened(const Event& e, ContractState* ledger) {
  const int32_t closed = ledger->closed_through_month;
  if (closed == 0 || e.period_month > closed) {
    return RuleError(e, rules::kPeriodReopenClosed, "only a closed period is reopened",
                     "period " + Month(e.period_month) + " is open" +
                         (closed == 0 ? std::string(": no month is closed")
                                      : "; the latest closed month is " + Month(closed)));
  }
  ledger->closed_through_month = e.period_month - 1;
  return Status::OK();
}

}  // namespace

Status ApplyLedgerWideEffect(const Event& e, ContractState* ledger) {
  assert(ledger->ledger_stream);
  switch (e.type) {
    case EventType::kPeriodClosed:
      return ApplyPeriodClosed(e, ledger);
    case EventType::kPeriodReopened:
      return ApplyPeriodReopened(e, ledger);
    case EventType::kApprovalPolicySet:
      ApplyApprovalPolicy(e, ledger);
      return Status::OK();
    default:
      assert(false && "not a ledger-wide event");
      return Status::InvalidArgument("not a ledger-wide event");
  }
}

Status CheckPeriodOpen(ModelView* view, const Event& e) {
  // A close and a reopening have their own rules.
  if (e.type == EventType::kPeriodClosed || e.type == EventType::kPeriodReopened) {
    return Status::OK();
  }
  ContractState* ledger = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract("", &ledger));
  if (ledger == nullptr || ledger->closed_through_month == 0) return Status::OK();
  const int32_t closed = ledger->closed_through_month;
  if (e.effective_at_ns > events::LastInstantOfMonthIndexNs(closed)) return Status::OK();
  return RuleError(e, rules::kPeriodClosedRefuses, "period " + Month(closed) + " is closed",
                   "effective_at " + events::FormatInstant(e.effective_at_ns) +
                       " is in or before it; book it in an open month with a reference to the "
                       "original date");
}

Status ApplyLedgerWideEvent(ModelView* view, const Event& e, uint64_t seq, AppliedFields* out) {
  assert((events::IsLedgerWide(e.type) || events::IsDecision(e.type)) && e.contract.empty());
  ContractState* ledger = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract("", &ledger));
  if (ledger == nullptr) {
    ledger = view->CreateContract("");
    ledger->ledger_stream = true;
  }
  if (events::IsDecision(e.type)) {
    CCL_RETURN_IF_ERROR(ApplyDecision(view, e));
  } else {
    CCL_RETURN_IF_ERROR(ApplyLedgerWideEffect(e, ledger));
  }
  ledger->last_effective_at_ns = std::max(ledger->last_effective_at_ns, e.effective_at_ns);
  ledger->stream_version += 1;
  ledger->last_seq = seq;
  out->stream_version = ledger->stream_version;
  return Status::OK();
}

}  // namespace ccl::ledger

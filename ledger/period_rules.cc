// The period rules of the write model (ledger/period_rules.h).
#include "ledger/period_rules.h"

#include <cassert>
#include <string>

#include "events/rules.h"
#include "events/time_format.h"

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

}  // namespace

Status CheckPeriodOpen(ModelView* view, const Event& e) {
  if (e.type == EventType::kPeriodClosed) return Status::OK();  // its own rules
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
  assert(events::IsLedgerWide(e.type) && e.contract.empty());
  ContractState* ledger = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract("", &ledger));
  if (ledger == nullptr) {
    ledger = view->CreateContract("");
    ledger->ledger_stream = true;
  }
  switch (e.type) {
    case EventType::kPeriodClosed:
      CCL_RETURN_IF_ERROR(ApplyPeriodClosed(e, ledger));
      break;
    default:
      assert(false && "not a ledger-wide event");
      return Status::InvalidArgument("not a ledger-wide event");
  }
  ledger->last_effective_at_ns = std::max(ledger->last_effective_at_ns, e.effective_at_ns);
  ledger->stream_version += 1;
  ledger->last_seq = seq;
  out->stream_version = ledger->stream_version;
  return Status::OK();
}

}  // namespace ccl::ledger

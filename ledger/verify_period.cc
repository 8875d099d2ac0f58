// Verify's check of period seals (ledger/verify_internal.h): every
// PeriodClosed's sealed figures must be those of the events before it.
#include "events/json.h"
#include "events/time_format.h"
#include "events/uuid.h"
#include "ledger/verify_internal.h"

namespace ccl::ledger {

namespace {

// The first sealed field that differs, for the message.
std::string FirstDifference(const events::PeriodSeal& stored, const events::PeriodSeal& computed) {
  if (stored.balances_digest != computed.balances_digest) return "sealed_balances_digest";
  if (stored.margins_digest != computed.margins_digest) return "sealed_margins_digest";
  std::string s, c;
  events::AppendSealedTotalsJson(stored, &s);
  events::AppendSealedTotalsJson(computed, &c);
  return "sealed_totals " + s + ", the events give " + c;
}

}  // namespace

Status VerifyState::CheckPeriodSeal(uint64_t seq, const events::Event& e) {
  const events::Event* target = nullptr;
  if (e.type == events::EventType::kEntryReversed) {
    // The replay just accepted the reversal: its target exists (R-REV-01).
    EventLookup found;
    CCL_RETURN_IF_ERROR(model_.FindEvent(e.target_event_id, &found));
    if (!found.found) return Fail(seq, "period figures: reversal target not found");
    target = found.event;
  }
  if (e.type == events::EventType::kPeriodClosed) {
    const std::string label = "PeriodClosed " + events::FormatMonthIndex(e.period_month) +
                              " (event " + events::FormatUuid(e.event_id) + ")";
    if (!e.seal.has_value()) return Fail(seq, label + ": no sealed figures");
    events::PeriodSeal computed;
    Status s = period_fold_.Seal(e.period_month, &computed);
    if (!s.ok()) return Fail(seq, label + ": " + s.message());
    if (computed != *e.seal) {
      return Fail(seq, label + ": sealed figures differ from the events before it: " +
                           FirstDifference(*e.seal, computed));
    }
  }
  Status s = period_fold_.Add(e, target);
  if (!s.ok()) return Fail(seq, "period figures: " + s.message());
  return Status::OK();
}

}  // namespace ccl::ledger

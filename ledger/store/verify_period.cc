// Verify's check of period seals (ledger/store/verify_internal.h): every
// PeriodClosed's sealed figures must be those of the events before it.
#include "events/base/time_format.h"
#include "events/model/json.h"
#include "events/model/uuid.h"
#include "ledger/store/verify_internal.h"

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
  // The replay just accepted e: an approval's and a reversal's targets exist
  // (R-APPR-02, R-REV-01).
  events::Event approved;
  const events::Event* subject = &e;
  switch (events::FigureStepOf(e)) {
    case events::FigureStep::kNothing:
      return Status::OK();
    case events::FigureStep::kApprovedTarget: {
      EventLookup found;
      CCL_RETURN_IF_ERROR(model_.FindEvent(e.target_event_id, &found));
      if (!found.found) return Fail(seq, "period figures: approved event not found");
      approved = *found.event;
      approved.awaits_approval = false;
      subject = &approved;
      break;
    }
    case events::FigureStep::kSelf:
      break;
  }
  const events::Event* target = nullptr;
  if (subject->type == events::EventType::kEntryReversed) {
    EventLookup found;
    CCL_RETURN_IF_ERROR(model_.FindEvent(subject->target_event_id, &found));
    if (!found.found) return Fail(seq, "period figures: reversal target not found");
    target = found.event;
  }
  const std::string* contract = PeriodFold::ContractChanged(*subject, target);
  Status s = period_fold_.Add(
      *subject, target,
      contract != nullptr ? model_.PeriodSumsOf(*contract, &period_fold_) : nullptr);
  if (!s.ok()) return Fail(seq, "period figures: " + s.message());
  return Status::OK();
}

}  // namespace ccl::ledger

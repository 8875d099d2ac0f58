// Names of the event enums, SameContent and ClearEvent (events/model/event.h).
#include "events/model/event.h"

#include "events/base/enum_names.h"
#include "events/model/fields.h"

namespace ccl::events {

namespace {

// Indexed by the enum value; index 0 of the optional enums is "unset".
constexpr std::string_view kEventTypeNames[] = {
    "",
    "ContractOpened",
    "ContractAmended",
    "HoursBooked",
    "DeliveryCompleted",
    "EscalationOpened",
    "EscalationSeverityChanged",
    "EscalationResolved",
    "EntryReversed",
    "ContractClosed",
    "PeriodClosed",
    "LegalHoldPlaced",
    "LegalHoldReleased",
    "ApprovalPolicySet",
    "Approved",
    "Rejected",
    "PeriodReopened",
};
static_assert(std::size(kEventTypeNames) == kEventTypeCount + 1);

constexpr std::string_view kServiceLineNames[] = {
    "", "proactive", "reactive", "designated_engineering", "service_delivery",
};
static_assert(std::size(kServiceLineNames) == kServiceLineCount + 1);

constexpr std::string_view kOverageNames[] = {"", "reject", "allow"};
constexpr std::string_view kSeverityNames[] = {"", "A", "B", "C"};

}  // namespace

std::string_view EventTypeName(EventType t) { return EnumName(kEventTypeNames, t); }
bool EventTypeFromName(std::string_view name, EventType* out) {
  return EnumFromName(kEventTypeNames, name, out);
}
std::string_view ServiceLineName(ServiceLine s) { return EnumName(kServiceLineNames, s); }
bool ServiceLineFromName(std::string_view name, ServiceLine* out) {
  return EnumFromName(kServiceLineNames, name, out);
}
std::string_view OverageName(Overage o) { return EnumName(kOverageNames, o); }
bool OverageFromName(std::string_view name, Overage* out) {
  return EnumFromName(kOverageNames, name, out);
}
std::string_view SeverityName(Severity s) { return EnumName(kSeverityNames, s); }
bool SeverityFromName(std::string_view name, Severity* out) {
  return EnumFromName(kSeverityNames, name, out);
}

std::string FormatApprovalTypes(uint32_t types) {
  std::string out;
  for (int t = 1; t <= kEventTypeCount; ++t) {
    if ((types & EventTypeBit(static_cast<EventType>(t))) == 0) continue;
    if (!out.empty()) out += ',';
    out += EventTypeName(static_cast<EventType>(t));
  }
  return out.empty() ? std::string("none") : out;
}

bool ParseApprovalTypes(std::string_view text, uint32_t* types, std::string* bad) {
  *types = 0;
  if (text == "none") return true;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view name = text.substr(0, comma);
    EventType t{};
    if (!EventTypeFromName(name, &t) || (*types & EventTypeBit(t)) != 0) {
      bad->assign(name);
      return false;
    }
    *types |= EventTypeBit(t);
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

bool SameContent(const Event& a, const Event& b) {
  // Every writer-supplied field of Event; the assigned ones (seq,
  // stream_version, recorded_at_ns, applied_bill_rate_minor, seal,
  // awaits_approval) are left out on
  // purpose. A field added to Event must be added here too.
  return a.event_id == b.event_id && a.type == b.type && a.contract == b.contract &&
         a.effective_at_ns == b.effective_at_ns && a.actor == b.actor && a.source == b.source &&
         a.note == b.note && a.customer == b.customer && a.term_start_day == b.term_start_day &&
         a.term_end_day == b.term_end_day && a.currency == b.currency && a.lines == b.lines &&
         a.reason == b.reason && a.engineer == b.engineer && a.service_line == b.service_line &&
         a.minutes == b.minutes && a.cost_rate_minor == b.cost_rate_minor &&
         a.reference == b.reference && a.delivery == b.delivery && a.offering == b.offering &&
         a.cost_minor == b.cost_minor && a.escalation == b.escalation && a.severity == b.severity &&
         a.summary == b.summary && a.resolution == b.resolution &&
         a.target_event_id == b.target_event_id && a.period_month == b.period_month &&
         a.legal_case == b.legal_case && a.approval_types == b.approval_types &&
         a.threshold_minutes == b.threshold_minutes;
}

void ClearEvent(Event* e) {
  // clear() rather than assignment from a fresh Event: it keeps the capacity.
  ClearAssignedFields(e);
  e->event_id = Uuid{};
  e->type = EventType::kContractOpened;
  e->contract.clear();
  e->effective_at_ns = 0;
  e->actor.clear();
  e->source.clear();
  e->note.clear();
  e->customer.clear();
  e->term_start_day = 0;
  e->term_end_day.reset();
  e->currency.clear();
  e->lines.clear();
  e->reason.clear();
  e->engineer.clear();
  e->service_line = ServiceLine::kUnknown;
  e->minutes = 0;
  e->cost_rate_minor = 0;
  e->reference.clear();
  e->delivery.clear();
  e->offering.clear();
  e->cost_minor = 0;
  e->escalation.clear();
  e->severity = Severity::kUnset;
  e->summary.clear();
  e->resolution.clear();
  e->target_event_id = Uuid{};
  e->period_month = 0;
  e->legal_case.clear();
  e->approval_types = 0;
  e->threshold_minutes.reset();
  e->stated_currency.clear();
}

}  // namespace ccl::events

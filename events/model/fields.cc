// The field table (events/model/fields.h).
#include "events/model/fields.h"

#include <cassert>
#include <iterator>

namespace ccl::events {

namespace {

constexpr std::string_view kFieldNames[] = {
    "seq",
    "event_id",
    "type",
    "contract",
    "stream_version",
    "effective_at",
    "recorded_at",
    "actor",
    "source",
    "note",
    "customer",
    "term_start",
    "term_end",
    "currency",
    "lines",
    "reason",
    "engineer",
    "service_line",
    "minutes",
    "cost_rate_minor",
    "reference",
    "delivery",
    "offering",
    "cost_minor",
    "escalation",
    "severity",
    "summary",
    "resolution",
    "target_event_id",
    "period",
    "case",
    "types",
    "threshold_minutes",
    "applied_bill_rate_minor",
    "sealed_balances_digest",
    "sealed_margins_digest",
    "sealed_totals",
    "hash",
    "awaits_approval",
};
static_assert(std::size(kFieldNames) == kFieldCount);

constexpr std::string_view kLineFieldNames[] = {
    "service_line", "funded_minutes", "funded_minutes_delta", "bill_rate_minor", "overage",
};
static_assert(std::size(kLineFieldNames) == kLineFieldCount);

constexpr FieldMask Bits(std::initializer_list<FieldId> fields) {
  FieldMask m = 0;
  for (FieldId f : fields) m |= FieldBit(f);
  return m;
}

constexpr FieldMask kEnvelopeRequired =
    Bits({FieldId::kEventId, FieldId::kType, FieldId::kContract, FieldId::kEffectiveAt,
          FieldId::kActor, FieldId::kSource});
constexpr FieldMask kEnvelopeAllowed = kEnvelopeRequired | FieldBit(FieldId::kNote);

struct TypeFields {
  FieldMask required;  // payload only
  FieldMask optional;  // payload only
};

// Indexed by EventType value (index 0 unused). schemas/EVENTS.md lists the
// same required and optional fields per type.
constexpr TypeFields kTypeFields[] = {
    {0, 0},
    // ContractOpened
    {Bits({FieldId::kCustomer, FieldId::kTermStart, FieldId::kTermEnd, FieldId::kCurrency,
           FieldId::kLines}),
     0},
    // ContractAmended: lines or term_end (checked by ValidateEvent), both optional here.
    {Bits({FieldId::kReason}), Bits({FieldId::kTermEnd, FieldId::kLines})},
    // HoursBooked
    {Bits({FieldId::kEngineer, FieldId::kServiceLine, FieldId::kMinutes, FieldId::kCostRateMinor}),
     Bits({FieldId::kReference})},
    // DeliveryCompleted
    {Bits({FieldId::kDelivery, FieldId::kOffering, FieldId::kServiceLine, FieldId::kMinutes,
           FieldId::kCostMinor}),
     0},
    // EscalationOpened
    {Bits({FieldId::kEscalation, FieldId::kSeverity, FieldId::kSummary}), 0},
    // EscalationSeverityChanged
    {Bits({FieldId::kEscalation, FieldId::kSeverity}), 0},
    // EscalationResolved
    {Bits({FieldId::kEscalation, FieldId::kResolution}), 0},
    // EntryReversed
    {Bits({FieldId::kTargetEventId, FieldId::kReason}), 0},
    // ContractClosed
    {Bits({FieldId::kReason}), 0},
    // PeriodClosed (ledger-wide: no contract, see RequiredFields)
    {Bits({FieldId::kPeriod}), 0},
    // LegalHoldPlaced
    {Bits({FieldId::kCase, FieldId::kReason}), 0},
    // LegalHoldReleased
    {Bits({FieldId::kCase, FieldId::kReason}), 0},
    // ApprovalPolicySet (ledger-wide)
    {Bits({FieldId::kTypes}), Bits({FieldId::kThresholdMinutes})},
    // Approved (contract optional, see EnvelopeOf)
    {Bits({FieldId::kTargetEventId}), 0},
    // Rejected (contract optional)
    {Bits({FieldId::kTargetEventId, FieldId::kReason}), 0},
    // PeriodReopened (ledger-wide)
    {Bits({FieldId::kPeriod, FieldId::kReason}), 0},
};
static_assert(std::size(kTypeFields) == kEventTypeCount + 1);

const TypeFields& FieldsOf(EventType t) {
  const auto i = static_cast<size_t>(t);
  return i < std::size(kTypeFields) ? kTypeFields[i] : kTypeFields[0];
}

}  // namespace

std::string_view FieldName(FieldId f) { return kFieldNames[static_cast<size_t>(f)]; }

bool LookupField(std::string_view name, FieldId* out) {
  // Linear, length first: ~30 short names, called once per key of every
  // imported event, and most comparisons stop at the length.
  for (size_t i = 0; i < std::size(kFieldNames); ++i) {
    if (kFieldNames[i].size() == name.size() && kFieldNames[i] == name) {
      *out = static_cast<FieldId>(i);
      return true;
    }
  }
  return false;
}

std::string_view LineFieldName(LineFieldId f) { return kLineFieldNames[static_cast<size_t>(f)]; }

bool LookupLineField(std::string_view name, LineFieldId* out) {
  for (size_t i = 0; i < std::size(kLineFieldNames); ++i) {
    if (kLineFieldNames[i] == name) {
      *out = static_cast<LineFieldId>(i);
      return true;
    }
  }
  return false;
}

FieldKind FieldKindOf(FieldId f) {
  switch (f) {
    case FieldId::kSeq:
    case FieldId::kStreamVersion:
    case FieldId::kMinutes:
    case FieldId::kCostRateMinor:
    case FieldId::kCostMinor:
    case FieldId::kAppliedBillRateMinor:
    case FieldId::kThresholdMinutes:
      return FieldKind::kInteger;
    case FieldId::kAwaitsApproval:
      return FieldKind::kBoolean;
    case FieldId::kLines:
      return FieldKind::kLines;
    case FieldId::kSealedTotals:
      return FieldKind::kSealedTotals;
    default:
      return FieldKind::kText;
  }
}

void ClearAssignedFields(Event* e) {
  e->seq = 0;
  e->stream_version = 0;
  e->recorded_at_ns = 0;
  e->applied_bill_rate_minor.reset();
  e->seal.reset();
  e->awaits_approval = false;
}

std::optional<int64_t> IntegerFieldOf(const Event& e, FieldId f) {
  assert(FieldKindOf(f) == FieldKind::kInteger);
  switch (f) {
    case FieldId::kSeq:
      return static_cast<int64_t>(e.seq);
    case FieldId::kStreamVersion:
      return static_cast<int64_t>(e.stream_version);
    case FieldId::kMinutes:
      return e.minutes;
    case FieldId::kCostRateMinor:
      return e.cost_rate_minor;
    case FieldId::kCostMinor:
      return e.cost_minor;
    case FieldId::kAppliedBillRateMinor:
      return e.applied_bill_rate_minor;
    case FieldId::kThresholdMinutes:
      return e.threshold_minutes;
    default:
      return std::nullopt;
  }
}

std::string Event::*TextMemberOf(FieldId f) {
  switch (f) {
    case FieldId::kContract:
      return &Event::contract;
    case FieldId::kActor:
      return &Event::actor;
    case FieldId::kSource:
      return &Event::source;
    case FieldId::kNote:
      return &Event::note;
    case FieldId::kCustomer:
      return &Event::customer;
    case FieldId::kCurrency:
      return &Event::currency;
    case FieldId::kReason:
      return &Event::reason;
    case FieldId::kEngineer:
      return &Event::engineer;
    case FieldId::kReference:
      return &Event::reference;
    case FieldId::kDelivery:
      return &Event::delivery;
    case FieldId::kOffering:
      return &Event::offering;
    case FieldId::kEscalation:
      return &Event::escalation;
    case FieldId::kSummary:
      return &Event::summary;
    case FieldId::kResolution:
      return &Event::resolution;
    case FieldId::kCase:
      return &Event::legal_case;
    default:
      return nullptr;
  }
}

FieldKind LineFieldKindOf(LineFieldId f) {
  return f == LineFieldId::kServiceLine || f == LineFieldId::kOverage ? FieldKind::kText
                                                                      : FieldKind::kInteger;
}

// A ledger-wide event belongs to no contract: `contract` is neither required
// nor allowed. A decision's `contract` is allowed, not required.
FieldMask EnvelopeOf(EventType t, FieldMask envelope) {
  return IsLedgerWide(t) ? envelope & ~FieldBit(FieldId::kContract) : envelope;
}

FieldMask RequiredFields(EventType t) {
  const TypeFields& f = FieldsOf(t);
  if (f.required == 0) return 0;
  const FieldMask envelope = EnvelopeOf(t, kEnvelopeRequired) | f.required;
  return IsDecision(t) ? envelope & ~FieldBit(FieldId::kContract) : envelope;
}

FieldMask AllowedFields(EventType t) {
  const TypeFields& f = FieldsOf(t);
  return f.required == 0 ? 0 : EnvelopeOf(t, kEnvelopeAllowed) | f.required | f.optional;
}

bool CarriesMoney(const Event& e) {
  switch (e.type) {
    case EventType::kContractOpened:
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
      return true;
    case EventType::kContractAmended:
      for (const ContractLine& l : e.lines) {
        if (l.bill_rate_minor.has_value()) return true;
      }
      return false;
    default:
      return false;
  }
}

FieldMask PayloadFieldsSet(const Event& e) {
  FieldMask m = 0;
  const auto set_if = [&m](bool set, FieldId f) {
    if (set) m |= FieldBit(f);
  };
  set_if(!e.customer.empty(), FieldId::kCustomer);
  set_if(e.term_start_day != 0, FieldId::kTermStart);
  set_if(e.term_end_day.has_value(), FieldId::kTermEnd);
  set_if(!e.currency.empty(), FieldId::kCurrency);
  set_if(!e.lines.empty(), FieldId::kLines);
  set_if(!e.reason.empty(), FieldId::kReason);
  set_if(!e.engineer.empty(), FieldId::kEngineer);
  set_if(e.service_line != ServiceLine::kUnknown, FieldId::kServiceLine);
  set_if(e.minutes != 0, FieldId::kMinutes);
  set_if(e.cost_rate_minor != 0, FieldId::kCostRateMinor);
  set_if(!e.reference.empty(), FieldId::kReference);
  set_if(!e.delivery.empty(), FieldId::kDelivery);
  set_if(!e.offering.empty(), FieldId::kOffering);
  set_if(e.cost_minor != 0, FieldId::kCostMinor);
  set_if(!e.escalation.empty(), FieldId::kEscalation);
  set_if(e.severity != Severity::kUnset, FieldId::kSeverity);
  set_if(!e.summary.empty(), FieldId::kSummary);
  set_if(!e.resolution.empty(), FieldId::kResolution);
  set_if(e.target_event_id != Uuid{}, FieldId::kTargetEventId);
  set_if(e.period_month != 0, FieldId::kPeriod);
  set_if(!e.legal_case.empty(), FieldId::kCase);
  set_if(e.approval_types != 0, FieldId::kTypes);
  set_if(e.threshold_minutes.has_value(), FieldId::kThresholdMinutes);
  return m;
}

}  // namespace ccl::events

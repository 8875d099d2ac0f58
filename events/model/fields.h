// The named fields of the event form (schemas/EVENTS.md): their JSON/CSV
// names and which event types require or allow each. One table shared by the
// validator and the JSON and CSV readers, so the three cannot disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/model/event.h"

namespace ccl::events {

// Top-level keys of the flat event form: the envelope in canonical order
// (assigned fields included), the payload fields, then the other assigned ones.
enum class FieldId : uint8_t {
  kSeq,  // assigned
  kEventId,
  kType,
  kContract,
  kStreamVersion,  // assigned
  kEffectiveAt,
  kRecordedAt,  // assigned
  kActor,
  kSource,
  kNote,
  kCustomer,
  kTermStart,
  kTermEnd,
  kCurrency,
  kLines,
  kReason,
  kEngineer,
  kServiceLine,
  kMinutes,
  kCostRateMinor,
  kReference,
  kDelivery,
  kOffering,
  kCostMinor,
  kEscalation,
  kSeverity,
  kSummary,
  kResolution,
  kTargetEventId,
  kPeriod,
  kCase,
  kTypes,
  kThresholdMinutes,
  kAppliedBillRateMinor,  // assigned
  kSealedBalancesDigest,  // assigned
  kSealedMarginsDigest,   // assigned
  kSealedTotals,          // assigned
  kHash,                  // assigned (chain hash; not part of the event)
  kAwaitsApproval,        // assigned
};
inline constexpr int kFieldCount = 39;

// Keys of one entry of `lines`.
enum class LineFieldId : uint8_t {
  kServiceLine,
  kFundedMinutes,
  kFundedMinutesDelta,
  kBillRateMinor,
  kOverage,
};
inline constexpr int kLineFieldCount = 5;

// A set of fields as a bit mask (bit i = FieldId i).
using FieldMask = uint64_t;
static_assert(kFieldCount <= 64);
constexpr FieldMask FieldBit(FieldId f) { return FieldMask{1} << static_cast<int>(f); }

// Keys the ledger assigns: accepted and ignored on input.
inline constexpr FieldMask kAssignedFields =
    FieldBit(FieldId::kSeq) | FieldBit(FieldId::kStreamVersion) | FieldBit(FieldId::kRecordedAt) |
    FieldBit(FieldId::kAppliedBillRateMinor) | FieldBit(FieldId::kSealedBalancesDigest) |
    FieldBit(FieldId::kSealedMarginsDigest) | FieldBit(FieldId::kSealedTotals) |
    FieldBit(FieldId::kHash) | FieldBit(FieldId::kAwaitsApproval);

// How a field's value is written: text (a JSON string; a CSV cell as is), an
// integer (a JSON number; a CSV cell of digits), the `lines` list (a JSON
// array; in CSV a cell holding that JSON array), or `sealed_totals` (a JSON
// array of objects, assigned: on input only its form is checked), or a
// boolean (a JSON true/false; a CSV cell "true"/"false"; assigned only).
enum class FieldKind : uint8_t { kText, kInteger, kLines, kSealedTotals, kBoolean };
FieldKind FieldKindOf(FieldId f);
// service_line and overage are text, the others integers.
FieldKind LineFieldKindOf(LineFieldId f);

// The member of Event that holds field f when f is free text, kept as given
// (contract, actor, source, note, customer, currency, reason, engineer,
// reference, delivery, offering, escalation, summary, resolution, case);
// nullptr for every other field (parsed text such as type, dates, UUIDs,
// names of enums, and the integer, list and assigned fields). One table for
// the readers and writers of every form, so they name the same members.
std::string Event::*TextMemberOf(FieldId f);

// Resets only the fields the ledger assigns (kAssignedFields: seq,
// stream_version, recorded_at_ns, applied_bill_rate_minor, seal,
// awaits_approval), the ones SameContent ignores.
void ClearAssignedFields(Event* e);

// The value of integer field f (FieldKindOf(f) == kInteger) in e, as the
// writers of every form print it; nullopt when e leaves out an optional one
// (applied_bill_rate_minor, threshold_minutes). REQUIRES: f is an integer field.
std::optional<int64_t> IntegerFieldOf(const Event& e, FieldId f);

std::string_view FieldName(FieldId f);
// False for a name that is not a top-level key.
bool LookupField(std::string_view name, FieldId* out);

std::string_view LineFieldName(LineFieldId f);
bool LookupLineField(std::string_view name, LineFieldId* out);

// Envelope and payload fields an event of type t must carry / may carry.
// Assigned fields are in neither set.
FieldMask RequiredFields(EventType t);
FieldMask AllowedFields(EventType t);

// True when `e` holds an amount of money (minor units of its contract's
// currency): ContractOpened (its lines' bill rates), HoursBooked and
// DeliveryCompleted (costs, the applied bill rate), a ContractAmended with a
// line's bill_rate_minor. Only ContractOpened names the currency itself;
// outputs add the contract's to the others (JsonOutputOptions,
// CsvOutputOptions), so no amount leaves without its currency.
bool CarriesMoney(const Event& e);

// Payload fields of `e` that differ from their defaults (set by a reader or a
// decoder); the envelope and assigned fields are not included.
FieldMask PayloadFieldsSet(const Event& e);

}  // namespace ccl::events

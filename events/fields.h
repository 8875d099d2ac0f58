// The named fields of the event form (DESIGN.md "Events"): their JSON/CSV
// names and which event types require or allow each. One table shared by the
// validator and the JSON and CSV readers, so the three cannot disagree.
#pragma once

#include <cstdint>
#include <string_view>

#include "events/event.h"

namespace ccl::events {

// Top-level keys of the flat event form, in canonical output order: the
// envelope, the payload fields in DESIGN.md order, then the assigned fields.
enum class FieldId : uint8_t {
  kEventId,
  kType,
  kContract,
  kEffectiveAt,
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
  // Assigned by the ledger: accepted and ignored on input.
  kSeq,
  kStreamVersion,
  kRecordedAt,
  kHash,
  kAppliedBillRateMinor,
};
inline constexpr int kFieldCount = 31;
inline constexpr int kFirstPayloadField = static_cast<int>(FieldId::kCustomer);
inline constexpr int kFirstAssignedField = static_cast<int>(FieldId::kSeq);

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
using FieldMask = uint32_t;
static_assert(kFieldCount <= 32);
constexpr FieldMask FieldBit(FieldId f) { return FieldMask{1} << static_cast<int>(f); }

std::string_view FieldName(FieldId f);
// False for a name that is not a top-level key.
bool LookupField(std::string_view name, FieldId* out);

std::string_view LineFieldName(LineFieldId f);
bool LookupLineField(std::string_view name, LineFieldId* out);

// Envelope and payload fields an event of type t must carry / may carry.
// Assigned fields are in neither set.
FieldMask RequiredFields(EventType t);
FieldMask AllowedFields(EventType t);

// Payload fields of `e` that differ from their defaults (set by a reader or a
// decoder); the envelope and assigned fields are not included.
FieldMask PayloadFieldsSet(const Event& e);

}  // namespace ccl::events

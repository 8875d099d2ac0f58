// The C++ form of one ledger event: the envelope and the payload fields of every
// event type, flat, exactly as the JSON form is flat (schemas/EVENTS.md).
//
// Which payload fields an event uses depends on `type`; ValidateEvent()
// (events/model/validate.h) checks that the required ones are set and the others are
// at their defaults. Keeping one flat struct (rather than a variant) lets a
// reader decode millions of events into the same object and reuse its string
// capacity, and maps one-to-one onto the JSON and CSV columns.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccl::events {

// Values are the FlatBuffers union type numbers (schemas/events.fbs); append only.
enum class EventType : uint8_t {
  kContractOpened = 1,
  kContractAmended = 2,
  kHoursBooked = 3,
  kDeliveryCompleted = 4,
  kEscalationOpened = 5,
  kEscalationSeverityChanged = 6,
  kEscalationResolved = 7,
  kEntryReversed = 8,
  kContractClosed = 9,
  kPeriodClosed = 10,
  kLegalHoldPlaced = 11,
  kLegalHoldReleased = 12,
  kApprovalPolicySet = 13,
  kApproved = 14,
  kRejected = 15,
  kPeriodReopened = 16,
};
inline constexpr int kEventTypeCount = 16;

// Ledger-wide events belong to no contract: their `contract` is empty, and
// they form the ledger's own stream (schemas/FORMAT.md "Keys").
inline constexpr bool IsLedgerWide(EventType t) {
  return t == EventType::kPeriodClosed || t == EventType::kApprovalPolicySet ||
         t == EventType::kPeriodReopened;
}

// An approval decision (Approved, Rejected) belongs to the stream of the
// event it decides: a contract's, or the ledger's (contract empty) when that
// event is ledger-wide. Its `contract` is therefore optional.
inline constexpr bool IsDecision(EventType t) {
  return t == EventType::kApproved || t == EventType::kRejected;
}

// The bit of type t in an approval policy's set of types (Event::approval_types).
inline constexpr uint32_t EventTypeBit(EventType t) { return uint32_t{1} << static_cast<int>(t); }

// The types an approval policy may list (schemas/EVENTS.md "Approvals"): the
// changes of a contract or of the ledger a second person is asked to confirm,
// and the policy itself (listed, a change of the policy waits for a second
// person too, so that no single writer can lift four eyes). Consumption,
// openings, escalations and the decisions are not: their effect is either
// routine or the approval mechanism itself.
inline constexpr uint32_t kApprovableTypes =
    EventTypeBit(EventType::kContractAmended) | EventTypeBit(EventType::kEntryReversed) |
    EventTypeBit(EventType::kContractClosed) | EventTypeBit(EventType::kLegalHoldReleased) |
    EventTypeBit(EventType::kApprovalPolicySet) | EventTypeBit(EventType::kPeriodReopened);

enum class ServiceLine : uint8_t {
  kUnknown = 0,
  kProactive = 1,
  kReactive = 2,
  kDesignatedEngineering = 3,
  kServiceDelivery = 4,
};
inline constexpr int kServiceLineCount = 4;  // kProactive..kServiceDelivery

enum class Overage : uint8_t { kUnset = 0, kReject = 1, kAllow = 2 };
enum class Severity : uint8_t { kUnset = 0, kA = 1, kB = 2, kC = 3 };

// 16 bytes in RFC 4122 order; text form is lower-case 8-4-4-4-12 hex.
using Uuid = std::array<uint8_t, 16>;

// One entry of `lines` in ContractOpened (funded_minutes, bill_rate_minor and
// overage required) or ContractAmended (funded_minutes_delta required;
// bill_rate_minor and overage optional).
struct ContractLine {
  ServiceLine service_line = ServiceLine::kUnknown;
  int64_t funded_minutes = 0;        // ContractOpened
  int64_t funded_minutes_delta = 0;  // ContractAmended; may be negative
  std::optional<int64_t> bill_rate_minor;
  Overage overage = Overage::kUnset;

  bool operator==(const ContractLine&) const = default;
};

// The totals of one currency sealed by a PeriodClosed.
struct SealedTotal {
  std::string currency;  // ISO 4217
  int64_t revenue_minor = 0;
  int64_t cost_minor = 0;
  int64_t margin_minor = 0;  // revenue_minor - cost_minor
  int64_t minutes = 0;       // consumed, net of reversals

  bool operator==(const SealedTotal&) const = default;
};

// The figures the ledger seals into a PeriodClosed (schemas/EVENTS.md
// "Sealed figures"): as of the closed month's last instant.
struct PeriodSeal {
  std::array<uint8_t, 32> balances_digest{};
  std::array<uint8_t, 32> margins_digest{};
  std::vector<SealedTotal> totals;  // by currency code, ascending

  bool operator==(const PeriodSeal&) const = default;
};

struct Event {
  // --- Assigned by the ledger on append; ignored on import. ---
  uint64_t seq = 0;
  uint64_t stream_version = 0;
  int64_t recorded_at_ns = 0;
  // HoursBooked and DeliveryCompleted only: the line's bill rate in effect at
  // effective_at when the event was appended.
  std::optional<int64_t> applied_bill_rate_minor;
  // PeriodClosed only: the sealed figures.
  std::optional<PeriodSeal> seal;
  // True when the approval policy in force at append listed the event's type
  // (a ContractAmended: and it lowered funding by the policy's threshold):
  // the event takes effect only once Approved (schemas/EVENTS.md "Approvals").
  bool awaits_approval = false;

  // --- Envelope, supplied by the writer. ---
  Uuid event_id{};
  EventType type = EventType::kContractOpened;
  std::string contract;
  int64_t effective_at_ns = 0;  // ns since 1970-01-01T00:00:00Z
  std::string actor;
  std::string source;
  std::string note;  // optional: empty means absent

  // --- Payload fields, by type. ---
  // ContractOpened: customer, term_start_day, term_end_day, currency, lines.
  // ContractAmended: reason, term_end_day (optional), lines.
  std::string customer;
  int32_t term_start_day = 0;           // days since 1970-01-01
  std::optional<int32_t> term_end_day;  // inclusive
  std::string currency;                 // ISO 4217
  std::vector<ContractLine> lines;
  // Input only, never stored: the `currency` an input line of another type
  // states beside its amounts (the form `log --json` writes). The write
  // model refuses it when it is not the contract's (R-LIFE-05); SameContent
  // and the codec leave it out.
  std::string stated_currency;
  // ContractAmended, EntryReversed, ContractClosed.
  std::string reason;
  // HoursBooked: engineer, service_line, minutes, cost_rate_minor, reference (optional).
  // DeliveryCompleted: delivery, offering, service_line, minutes, cost_minor.
  std::string engineer;
  ServiceLine service_line = ServiceLine::kUnknown;
  int32_t minutes = 0;
  int64_t cost_rate_minor = 0;
  std::string reference;
  std::string delivery;
  std::string offering;
  int64_t cost_minor = 0;
  // EscalationOpened: escalation, severity, summary.
  // EscalationSeverityChanged: escalation, severity.
  // EscalationResolved: escalation, resolution.
  std::string escalation;
  Severity severity = Severity::kUnset;
  std::string summary;
  std::string resolution;
  // EntryReversed: target_event_id, reason. Approved: target_event_id.
  // Rejected: target_event_id, reason.
  Uuid target_event_id{};
  // PeriodClosed: period_month (months since 1970-01; the JSON form is "YYYY-MM").
  // PeriodReopened: period_month, reason.
  int32_t period_month = 0;
  // LegalHoldPlaced, LegalHoldReleased: legal_case (JSON "case"), reason.
  std::string legal_case;
  // ApprovalPolicySet: approval_types (EventTypeBit of each listed type; JSON
  // "types", a comma-separated list of type names or "none") and
  // threshold_minutes (optional: the least funding decrease of a
  // ContractAmended that needs approval; absent means any decrease).
  uint32_t approval_types = 0;
  std::optional<int64_t> threshold_minutes;

  bool operator==(const Event&) const = default;

  bool IsLegalHold() const {
    return type == EventType::kLegalHoldPlaced || type == EventType::kLegalHoldReleased;
  }
  bool IsConsumption() const {
    return type == EventType::kHoursBooked || type == EventType::kDeliveryCompleted;
  }
};

// What an event appended at its seq does to the figures a fold in seq order
// keeps (projections, sealed figures; schemas/EVENTS.md "Approvals"): one
// awaiting approval nothing yet; an Approved what the event it approves
// does, as of that event's own effective_at; any other event its own effect.
enum class FigureStep : uint8_t { kSelf, kNothing, kApprovedTarget };
inline FigureStep FigureStepOf(const Event& e) {
  if (e.awaits_approval) return FigureStep::kNothing;
  return e.type == EventType::kApproved ? FigureStep::kApprovedTarget : FigureStep::kSelf;
}

// True when a and b carry the same writer-supplied content: every field but the
// assigned ones (seq, stream_version, recorded_at_ns, applied_bill_rate_minor, seal,
// awaits_approval).
// This is the idempotency test: same event_id and SameContent -> duplicate.
bool SameContent(const Event& a, const Event& b);

// Resets every field to its default but keeps string and vector capacity, so a
// decode loop over many events allocates only when a field grows.
void ClearEvent(Event* e);

// Names as they appear in JSON/CSV ("HoursBooked", "designated_engineering",
// "reject", "A"). The *FromName functions return false for an unknown name.
std::string_view EventTypeName(EventType t);
bool EventTypeFromName(std::string_view name, EventType* out);
std::string_view ServiceLineName(ServiceLine s);
bool ServiceLineFromName(std::string_view name, ServiceLine* out);
std::string_view OverageName(Overage o);
bool OverageFromName(std::string_view name, Overage* out);
std::string_view SeverityName(Severity s);
bool SeverityFromName(std::string_view name, Severity* out);

// An approval policy's `types` as text: the names of the types whose
// EventTypeBit is set, in type number order, joined by ","; "none" for 0.
std::string FormatApprovalTypes(uint32_t types);
// Parses that text (names in any order, each once; "none" alone for the
// empty set) into *types. False, with *bad the offending name, otherwise.
bool ParseApprovalTypes(std::string_view text, uint32_t* types, std::string* bad);

}  // namespace ccl::events

// Valid sample events of every type, for the events tests (and any test that
// needs a well-formed event to start from).
#pragma once

#include <iterator>
#include <utility>
#include <vector>

#include "events/base/time_format.h"
#include "events/model/event.h"
#include "events/model/uuid.h"

namespace ccl::events::testing {

inline Uuid TestUuid(uint8_t n) {
  Uuid id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(n * 17 + i);
  id[6] = static_cast<uint8_t>(0x40 | (id[6] & 0x0f));  // version 4
  id[8] = static_cast<uint8_t>(0x80 | (id[8] & 0x3f));  // RFC 4122 variant
  return id;
}

// The fields of its own type a SampleEvent sets, one function per type.
inline void SampleContractOpenedFields(Event* e) {
  e->customer = "Department of Examples";
  e->term_start_day = 20'454;  // 2026-01-01
  e->term_end_day = 20'818;    // 2026-12-31
  e->currency = "USD";
  e->lines = {
      {ServiceLine::kProactive, 6'000, 0, 25'000, Overage::kReject},
      {ServiceLine::kReactive, 12'000, 0, 30'000, Overage::kAllow},
      {ServiceLine::kDesignatedEngineering, 0, 0, 0, Overage::kReject},
  };
}
inline void SampleContractAmendedFields(Event* e) {
  e->reason = "budget increase";
  e->term_end_day = 21'000;
  e->lines = {
      {ServiceLine::kReactive, 0, -600, std::nullopt, Overage::kUnset},
      {ServiceLine::kServiceDelivery, 0, 2'400, 40'000, Overage::kAllow},
  };
}
inline void SampleHoursBookedFields(Event* e) {
  e->engineer = "bob";
  e->service_line = ServiceLine::kReactive;
  e->minutes = 90;
  e->cost_rate_minor = 12'000;
  e->reference = "INC-42";
}
inline void SampleDeliveryCompletedFields(Event* e) {
  e->delivery = "D-7";
  e->offering = "Active Directory Security Assessment";
  e->service_line = ServiceLine::kProactive;
  e->minutes = 2'400;
  e->cost_minor = 150'000;
}
inline void SampleEscalationOpenedFields(Event* e) {
  e->escalation = "ESC-1";
  e->severity = Severity::kA;
  e->summary = "domain controllers down";
}
inline void SampleEscalationSeverityChangedFields(Event* e) {
  e->escalation = "ESC-1";
  e->severity = Severity::kB;
}
inline void SampleEscalationResolvedFields(Event* e) {
  e->escalation = "ESC-1";
  e->resolution = "restored from backup";
}
inline void SampleEntryReversedFields(Event* e) {
  e->target_event_id = TestUuid(200);
  e->reason = "booked twice";
}
inline void SampleContractClosedFields(Event* e) { e->reason = "term ended"; }
inline void SamplePeriodClosedFields(Event* e) {
  e->contract.clear();              // ledger-wide
  e->period_month = 2026 * 12 + 1;  // 2026-02
}
inline void SampleLegalHoldPlacedFields(Event* e) {
  e->legal_case = "DOJ-2026-17";
  e->reason = "litigation hold, counsel's letter of 2026-03-30";
}
inline void SampleLegalHoldReleasedFields(Event* e) {
  e->legal_case = "DOJ-2026-17";
  e->reason = "case settled";
}
inline void SampleApprovalPolicySetFields(Event* e) {
  e->contract.clear();  // ledger-wide
  e->approval_types =
      EventTypeBit(EventType::kEntryReversed) | EventTypeBit(EventType::kPeriodReopened);
  e->threshold_minutes = 600;
}
inline void SampleApprovedFields(Event* e) { e->target_event_id = TestUuid(201); }
inline void SampleRejectedFields(Event* e) {
  e->target_event_id = TestUuid(202);
  e->reason = "the entry is correct";
}
inline void SamplePeriodReopenedFields(Event* e) {
  e->contract.clear();              // ledger-wide
  e->period_month = 2026 * 12 + 1;  // 2026-02
  e->reason = "late vendor invoice";
}

// A valid event of type t with every optional field of that type set.
inline Event SampleEvent(EventType t) {
  static constexpr std::pair<EventType, void (*)(Event*)> kTypeFields[] = {
      {EventType::kContractOpened, SampleContractOpenedFields},
      {EventType::kContractAmended, SampleContractAmendedFields},
      {EventType::kHoursBooked, SampleHoursBookedFields},
      {EventType::kDeliveryCompleted, SampleDeliveryCompletedFields},
      {EventType::kEscalationOpened, SampleEscalationOpenedFields},
      {EventType::kEscalationSeverityChanged, SampleEscalationSeverityChangedFields},
      {EventType::kEscalationResolved, SampleEscalationResolvedFields},
      {EventType::kEntryReversed, SampleEntryReversedFields},
      {EventType::kContractClosed, SampleContractClosedFields},
      {EventType::kPeriodClosed, SamplePeriodClosedFields},
      {EventType::kLegalHoldPlaced, SampleLegalHoldPlacedFields},
      {EventType::kLegalHoldReleased, SampleLegalHoldReleasedFields},
      {EventType::kApprovalPolicySet, SampleApprovalPolicySetFields},
      {EventType::kApproved, SampleApprovedFields},
      {EventType::kRejected, SampleRejectedFields},
      {EventType::kPeriodReopened, SamplePeriodReopenedFields},
  };
  static_assert(std::size(kTypeFields) == kEventTypeCount);
  Event e;
  e.type = t;
  e.event_id = TestUuid(static_cast<uint8_t>(t));
  e.contract = "C-2026.001_x";
  e.effective_at_ns = 1'775'000'000'123'456'789;  // 2026-03-31T...
  e.actor = "alice@example.com";
  e.source = "timesheets/2026-03.jsonl";
  e.note = "note with \"quotes\", a tab\t and caf\xc3\xa9";
  for (const auto& [type, fill] : kTypeFields) {
    if (type == t) fill(&e);
  }
  return e;
}

// SampleEvent plus the fields the ledger assigns on append.
inline Event SampleStoredEvent(EventType t) {
  Event e = SampleEvent(t);
  e.seq = 42;
  e.stream_version = 7;
  e.recorded_at_ns = 1'775'000'100'000'000'001;
  if (e.IsConsumption()) e.applied_bill_rate_minor = 30'000;
  // Accepted pending under a policy listing it (the one sample of the field).
  if (t == EventType::kContractClosed) e.awaits_approval = true;
  if (t == EventType::kPeriodClosed) {
    PeriodSeal& seal = e.seal.emplace();
    for (size_t i = 0; i < seal.balances_digest.size(); ++i) {
      seal.balances_digest[i] = static_cast<uint8_t>(i);
      seal.margins_digest[i] = static_cast<uint8_t>(255 - i);
    }
    seal.totals = {{"EUR", 100, 250, -150, 3}, {"USD", 4'500'000, 1'200'000, 3'300'000, 9'000}};
  }
  return e;
}

inline std::vector<EventType> AllEventTypes() {
  std::vector<EventType> v;
  for (int i = 1; i <= kEventTypeCount; ++i) v.push_back(static_cast<EventType>(i));
  return v;
}

}  // namespace ccl::events::testing

// Valid sample events of every type, for the events tests (and any test that
// needs a well-formed event to start from).
#pragma once

#include <vector>

#include "events/event.h"
#include "events/time_format.h"
#include "events/uuid.h"

namespace ccl::events::testing {

inline Uuid TestUuid(uint8_t n) {
  Uuid id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(n * 17 + i);
  id[6] = static_cast<uint8_t>(0x40 | (id[6] & 0x0f));  // version 4
  id[8] = static_cast<uint8_t>(0x80 | (id[8] & 0x3f));  // RFC 4122 variant
  return id;
}

// A valid event of type t with every optional field of that type set.
inline Event SampleEvent(EventType t) {
  Event e;
  e.type = t;
  e.event_id = TestUuid(static_cast<uint8_t>(t));
  e.contract = "C-2026.001_x";
  e.effective_at_ns = 1'775'000'000'123'456'789;  // 2026-03-31T...
  e.actor = "alice@example.com";
  e.source = "timesheets/2026-03.jsonl";
  e.note = "note with \"quotes\", a tab\t and caf\xc3\xa9";
  switch (t) {
    case EventType::kContractOpened:
      e.customer = "Department of Examples";
      e.term_start_day = 20'454;  // 2026-01-01
      e.term_end_day = 20'818;    // 2026-12-31
      e.currency = "USD";
      e.lines = {
          {ServiceLine::kProactive, 6'000, 0, 25'000, Overage::kReject},
          {ServiceLine::kReactive, 12'000, 0, 30'000, Overage::kAllow},
          {ServiceLine::kDesignatedEngineering, 0, 0, 0, Overage::kReject},
      };
      break;
    case EventType::kContractAmended:
      e.reason = "budget increase";
      e.term_end_day = 21'000;
      e.lines = {
          {ServiceLine::kReactive, 0, -600, std::nullopt, Overage::kUnset},
          {ServiceLine::kServiceDelivery, 0, 2'400, 40'000, Overage::kAllow},
      };
      break;
    case EventType::kHoursBooked:
      e.engineer = "bob";
      e.service_line = ServiceLine::kReactive;
      e.minutes = 90;
      e.cost_rate_minor = 12'000;
      e.reference = "INC-42";
      break;
    case EventType::kDeliveryCompleted:
      e.delivery = "D-7";
      e.offering = "Active Directory Security Assessment";
      e.service_line = ServiceLine::kProactive;
      e.minutes = 2'400;
      e.cost_minor = 150'000;
      break;
    case EventType::kEscalationOpened:
      e.escalation = "ESC-1";
      e.severity = Severity::kA;
      e.summary = "domain controllers down";
      break;
    case EventType::kEscalationSeverityChanged:
      e.escalation = "ESC-1";
      e.severity = Severity::kB;
      break;
    case EventType::kEscalationResolved:
      e.escalation = "ESC-1";
      e.resolution = "restored from backup";
      break;
    case EventType::kEntryReversed:
      e.target_event_id = TestUuid(200);
      e.reason = "booked twice";
      break;
    case EventType::kContractClosed:
      e.reason = "term ended";
      break;
    case EventType::kPeriodClosed:
      e.contract.clear();              // ledger-wide
      e.period_month = 2026 * 12 + 1;  // 2026-02
      break;
    case EventType::kLegalHoldPlaced:
      e.legal_case = "DOJ-2026-17";
      e.reason = "litigation hold, counsel's letter of 2026-03-30";
      break;
    case EventType::kLegalHoldReleased:
      e.legal_case = "DOJ-2026-17";
      e.reason = "case settled";
      break;
    case EventType::kApprovalPolicySet:
      e.contract.clear();  // ledger-wide
      e.approval_types =
          EventTypeBit(EventType::kEntryReversed) | EventTypeBit(EventType::kPeriodReopened);
      e.threshold_minutes = 600;
      break;
    case EventType::kApproved:
      e.target_event_id = TestUuid(201);
      break;
    case EventType::kRejected:
      e.target_event_id = TestUuid(202);
      e.reason = "the entry is correct";
      break;
    case EventType::kPeriodReopened:
      e.contract.clear();              // ledger-wide
      e.period_month = 2026 * 12 + 1;  // 2026-02
      e.reason = "late vendor invoice";
      break;
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

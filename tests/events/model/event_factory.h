// The one builder of events for tests: valid events of every type with
// unique, reproducible ids (a counter), built in C++ rather than parsed from
// JSON. Ledger, feed, sink, tools and projection tests all build theirs here.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "events/base/time_format.h"
#include "events/model/event.h"
#include "events/model/uuid.h"

namespace ccl::events::testing {

inline int32_t Day(const char* date) {
  int32_t d = 0;
  if (!events::ParseDate(date, &d).ok()) std::abort();
  return d;
}

inline int64_t At(const char* instant) {
  int64_t ns = 0;
  if (!events::ParseInstant(instant, &ns).ok()) std::abort();
  return ns;
}

// Valid events with unique ids (a counter, so ids are reproducible).
class EventFactory {
 public:
  events::Uuid NextId() {
    events::Uuid id{};
    const uint64_t n = ++counter_;
    for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<uint8_t>(n >> (8 * i));
    id[0] = 0xcc;
    id[6] = 0x40;  // version 4
    id[8] = 0x80;  // RFC 4122 variant
    return id;
  }

  // The envelope every event of the factory carries.
  Event BaseAt(EventType t, const std::string& contract, int64_t effective_at_ns) {
    Event e;
    e.type = t;
    e.event_id = NextId();
    e.contract = contract;
    e.effective_at_ns = effective_at_ns;
    e.actor = "tester";
    e.source = "ledger-test";
    return e;
  }
  Event Base(EventType t, const std::string& contract, const char* effective_at) {
    return BaseAt(t, contract, At(effective_at));
  }

  // Term 2026-01-01..2026-12-31; proactive 6000 min, reject, 25000/h;
  // reactive 12000 min, allow, 30000/h.
  Event Open(const std::string& contract, const char* at = "2026-01-01") {
    Event e = Base(EventType::kContractOpened, contract, at);
    e.customer = "Department of Examples";
    e.term_start_day = Day("2026-01-01");
    e.term_end_day = Day("2026-12-31");
    e.currency = "USD";
    e.lines = {
        {ServiceLine::kProactive, 6000, 0, 25000, Overage::kReject},
        {ServiceLine::kReactive, 12000, 0, 30000, Overage::kAllow},
    };
    return e;
  }

  Event Book(const std::string& contract, ServiceLine line, int32_t minutes,
             const char* at = "2026-03-15T10:00:00Z") {
    Event e = Base(EventType::kHoursBooked, contract, at);
    e.engineer = "bob";
    e.service_line = line;
    e.minutes = minutes;
    e.cost_rate_minor = 12000;
    return e;
  }

  Event Deliver(const std::string& contract, ServiceLine line, int32_t minutes,
                const char* at = "2026-03-16") {
    Event e = Base(EventType::kDeliveryCompleted, contract, at);
    e.delivery = "D-1";
    e.offering = "Active Directory Security Assessment";
    e.service_line = line;
    e.minutes = minutes;
    e.cost_minor = 100000;
    return e;
  }

  Event Amend(const std::string& contract, std::vector<events::ContractLine> lines,
              const char* at = "2026-06-01") {
    Event e = Base(EventType::kContractAmended, contract, at);
    e.reason = "change";
    e.lines = std::move(lines);
    return e;
  }

  Event Escalation(EventType t, const std::string& contract, const std::string& id,
                   events::Severity severity = events::Severity::kA) {
    Event e = Base(t, contract, "2026-04-01T08:00:00Z");
    e.escalation = id;
    if (t == EventType::kEscalationOpened) {
      e.severity = severity;
      e.summary = "outage";
    } else if (t == EventType::kEscalationSeverityChanged) {
      e.severity = severity;
    } else {
      e.resolution = "fixed";
    }
    return e;
  }

  // Effective at or after its target (a time-order rule).
  Event Reverse(const std::string& contract, const events::Uuid& target,
                const char* at = "2026-03-20") {
    Event e = Base(EventType::kEntryReversed, contract, at);
    e.target_event_id = target;
    e.reason = "booked twice";
    return e;
  }

  Event Close(const std::string& contract) {
    Event e = Base(EventType::kContractClosed, contract, "2026-12-31");
    e.reason = "term ended";
    return e;
  }

  // A legal hold of `legal_case` placed (or released) on `contract`.
  Event Hold(EventType t, const std::string& contract, const std::string& legal_case,
             const char* at = "2026-06-01") {
    Event e = Base(t, contract, at);
    e.legal_case = legal_case;
    e.reason = t == EventType::kLegalHoldPlaced ? "litigation" : "settled";
    return e;
  }

  // A ledger-wide ApprovalPolicySet listing `types` (EventTypeBit each).
  Event Policy(uint32_t types, std::optional<int64_t> threshold_minutes = std::nullopt,
               const char* at = "2026-01-01") {
    Event e = Base(EventType::kApprovalPolicySet, "", at);
    e.approval_types = types;
    e.threshold_minutes = threshold_minutes;
    return e;
  }

  // An Approved (or, with a reason, a Rejected) of `target` by `actor`, in
  // the target's stream.
  Event Decide(const Event& target, const std::string& actor, const std::string& reason = "",
               const char* at = "2026-06-15") {
    Event e =
        Base(reason.empty() ? EventType::kApproved : EventType::kRejected, target.contract, at);
    e.target_event_id = target.event_id;
    e.actor = actor;
    e.reason = reason;
    return e;
  }

  // A ledger-wide PeriodReopened of `period`, effective at `at`.
  Event ReopenPeriod(const char* period, const char* at) {
    Event e = Base(EventType::kPeriodReopened, "", at);
    EXPECT_TRUE(events::ParseMonth(period, &e.period_month).ok()) << period;
    e.reason = "late invoice";
    return e;
  }

  // A ledger-wide PeriodClosed of `period` ("2026-03"), effective at `at`.
  Event ClosePeriod(const char* period, const char* at) {
    Event e = Base(EventType::kPeriodClosed, "", at);
    EXPECT_TRUE(events::ParseMonth(period, &e.period_month).ok()) << period;
    return e;
  }

 private:
  uint64_t counter_ = 0;
};

// An amendment line: delta on an existing line, optional new rate / overage.
inline events::ContractLine AmendLine(ServiceLine line, int64_t delta,
                                      std::optional<int64_t> rate = std::nullopt,
                                      Overage overage = Overage::kUnset) {
  events::ContractLine l;
  l.service_line = line;
  l.funded_minutes_delta = delta;
  l.bill_rate_minor = rate;
  l.overage = overage;
  return l;
}

}  // namespace ccl::events::testing

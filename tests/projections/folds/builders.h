// Small helpers of the projection tests: events written by hand, and the
// state digests two folds are compared by.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/base/time_format.h"
#include "events/model/event.h"
#include "projections/folds/registry.h"
#include "projections/folds/runner.h"
#include "projections/folds/snapshot.h"
#include "tests/events/model/event_factory.h"

namespace ccl::projections::testing {

// The state digest of each projection of `set`, in hex.
inline std::vector<std::string> Digests(ProjectionSet* set) {
  std::vector<std::string> out;
  for (Projection* p : set->All()) out.push_back(HexOf(StateDigest(*p)));
  return out;
}

// Folds `ledger`'s events 1..last_seq (capped at its head) into `set`,
// freshly made, from zero and saving nothing: the state a report, an export
// or a sink built from the same events must show.
inline Status FoldFromZero(ledger::Ledger* ledger, uint64_t last_seq, ProjectionSet* set) {
  Runner runner(ledger, RunnerOptions{.save_checkpoints = false});
  RunStats stats;
  return runner.Advance(1, last_seq, set->All(), &stats);
}

// ns of "YYYY-MM-DD" + seconds.
inline int64_t At(const char* date, int64_t seconds = 0) {
  int32_t day = 0;
  if (!events::ParseDate(date, &day).ok()) return -1;
  return static_cast<int64_t>(day) * events::kNsPerDay + seconds * events::kNsPerSecond;
}
inline int32_t DayOf(const char* date) {
  int32_t day = 0;
  if (!events::ParseDate(date, &day).ok()) return -1;
  return day;
}

// Events as the ledger hands them to the projections: the event factory's
// (tests/events/model/event_factory.h), with seq assigned in build order and
// recorded when effective.
class Builder {
 public:
  events::Event Base(events::EventType t, const std::string& contract, int64_t at) {
    events::Event e = factory_.BaseAt(t, contract, at);
    e.seq = ++seq_;
    e.recorded_at_ns = at;
    return e;
  }
  events::Event Open(const std::string& contract, const char* start, const char* end,
                     events::ServiceLine line, int64_t funded, int64_t rate,
                     const std::string& currency = "USD", const std::string& customer = "Acme") {
    events::Event e = Base(events::EventType::kContractOpened, contract, At(start));
    e.customer = customer;
    e.currency = currency;
    e.term_start_day = DayOf(start);
    e.term_end_day = DayOf(end);
    e.lines.push_back(events::ContractLine{line, funded, 0, rate, events::Overage::kAllow});
    return e;
  }
  events::Event Book(const std::string& contract, int64_t at, events::ServiceLine line,
                     int32_t minutes, int64_t bill_rate, int64_t cost_rate,
                     const std::string& reference = "") {
    events::Event e = Base(events::EventType::kHoursBooked, contract, at);
    e.engineer = "eng";
    e.service_line = line;
    e.minutes = minutes;
    e.cost_rate_minor = cost_rate;
    e.reference = reference;
    e.applied_bill_rate_minor = bill_rate;
    return e;
  }
  events::Event Reverse(const events::Event& target, int64_t at) {
    events::Event e = Base(events::EventType::kEntryReversed, target.contract, at);
    e.target_event_id = target.event_id;
    e.reason = "wrong";
    return e;
  }
  events::Event Escalation(events::EventType t, const std::string& contract, int64_t at,
                           const std::string& id, events::Severity s = events::Severity::kUnset) {
    events::Event e = Base(t, contract, at);
    e.escalation = id;
    e.severity = s;
    if (t == events::EventType::kEscalationOpened) e.summary = "down";
    if (t == events::EventType::kEscalationResolved) e.resolution = "fixed";
    return e;
  }

 private:
  events::testing::EventFactory factory_;
  uint64_t seq_ = 0;
};

}  // namespace ccl::projections::testing

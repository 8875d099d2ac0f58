// ValidateEvent: one case per rule, each with its exact message.
#include "events/model/validate.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "events/base/limits.h"
#include "tests/events/model/sample_events.h"

namespace ccl::events {
namespace {

using testing::AllEventTypes;
using testing::SampleEvent;
using testing::SampleStoredEvent;

struct Case {
  const char* name;
  EventType type;
  std::function<void(Event*)> mutate;
  std::string message;  // exact InvalidArgument message, without the rule id
  const char* rule;     // the id of the field table (events/model/rules.h) it must carry
};

class ValidateTest : public ::testing::Test {
 protected:
  static void Expect(const Case& c) {
    Event e = SampleEvent(c.type);
    c.mutate(&e);
    const Status s = ValidateEvent(e);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.name << ": " << s.ToString();
    EXPECT_EQ(s.rule(), c.rule) << c.name;
    EXPECT_EQ(s.message(), c.message + " (rule " + c.rule + ")") << c.name;
  }
};

TEST_F(ValidateTest, SamplesAreValid) {
  for (EventType t : AllEventTypes()) {
    EXPECT_TRUE(ValidateEvent(SampleEvent(t)).ok()) << ValidateEvent(SampleEvent(t)).ToString();
    EXPECT_TRUE(ValidateEvent(SampleStoredEvent(t)).ok());
  }
}

// The envelope (every type) and fields of another type.
std::vector<Case> EnvelopeCases() {
  using T = EventType;
  const std::string long_note(limits::kNoteBytesMax + 1, 'n');
  const std::string contract_rule = "field 'contract': must match [A-Za-z0-9._-]{1,64}, got '";
  const std::string contract_65 = contract_rule + std::string(65, 'c') + "'";
  // Echoed input is cut, and its size said.
  const std::string contract_cut = contract_rule + std::string(limits::kEchoedInputBytesMax, 'c') +
                                   "'... (" + std::to_string(limits::kEchoedInputBytesMax + 1) +
                                   " bytes)";
  return {
      {"type", T::kHoursBooked, [](Event* e) { e->type = static_cast<EventType>(17); },
       "field 'type': unknown event type 17", "F-TYPE"},
      {"event_id", T::kHoursBooked, [](Event* e) { e->event_id = Uuid{}; },
       "field 'event_id': required", "F-ENVELOPE"},
      {"contract empty", T::kHoursBooked, [](Event* e) { e->contract.clear(); },
       "field 'contract': required", "F-ENVELOPE"},
      {"contract charset", T::kHoursBooked, [](Event* e) { e->contract = "a b"; },
       "field 'contract': must match [A-Za-z0-9._-]{1,64}, got 'a b'", "F-ENVELOPE"},
      {"contract length", T::kHoursBooked, [](Event* e) { e->contract = std::string(65, 'c'); },
       contract_65, "F-ENVELOPE"},
      {"contract echoed cut", T::kHoursBooked,
       [](Event* e) { e->contract = std::string(limits::kEchoedInputBytesMax + 1, 'c'); },
       contract_cut, "F-ENVELOPE"},
      {"effective_at low", T::kHoursBooked, [](Event* e) { e->effective_at_ns = -1; },
       "field 'effective_at': must be 1970-01-01T00:00:00Z..2199-12-31T23:59:59.999999999Z, got "
       "1969-12-31T23:59:59.999999999Z",
       "F-ENVELOPE"},
      {"actor", T::kHoursBooked, [](Event* e) { e->actor.clear(); }, "field 'actor': required",
       "F-ENVELOPE"},
      {"actor length", T::kHoursBooked, [](Event* e) { e->actor = std::string(129, 'a'); },
       "field 'actor': must be at most 128 bytes, got 129", "F-ENVELOPE"},
      {"source", T::kHoursBooked, [](Event* e) { e->source.clear(); }, "field 'source': required",
       "F-ENVELOPE"},
      {"note utf8", T::kHoursBooked, [](Event* e) { e->note = "bad \xff"; },
       "field 'note': must be valid UTF-8", "F-ENVELOPE"},
      {"note length", T::kHoursBooked, [long_note](Event* e) { e->note = long_note; },
       "field 'note': must be at most 1024 bytes, got 1025", "F-ENVELOPE"},
      {"stray field", T::kHoursBooked, [](Event* e) { e->customer = "x"; },
       "field 'customer': not allowed in HoursBooked", "F-OTHER-TYPE"},
      {"stray lines", T::kHoursBooked, [](Event* e) { e->lines.resize(1); },
       "field 'lines': not allowed in HoursBooked", "F-OTHER-TYPE"},
      {"stray target", T::kContractClosed, [](Event* e) { e->target_event_id[3] = 1; },
       "field 'target_event_id': not allowed in ContractClosed", "F-OTHER-TYPE"},
      {"applied rate on escalation", T::kEscalationOpened,
       [](Event* e) { e->applied_bill_rate_minor = 1; },
       "field 'applied_bill_rate_minor': not allowed in EscalationOpened", "F-OTHER-TYPE"},
      {"applied rate range", T::kHoursBooked, [](Event* e) { e->applied_bill_rate_minor = -1; },
       "field 'applied_bill_rate_minor': must be 0..1000000000, got -1", "F-HOURS"},
  };
}
// ContractOpened and its lines.
std::vector<Case> ContractOpenedCases() {
  using T = EventType;
  return {
      {"customer", T::kContractOpened, [](Event* e) { e->customer.clear(); },
       "field 'customer': required", "F-OPENED"},
      {"term_start range", T::kContractOpened, [](Event* e) { e->term_start_day = -1; },
       "field 'term_start': must be 1970-01-01..2199-12-31, got 1969-12-31", "F-OPENED"},
      {"term_end missing", T::kContractOpened, [](Event* e) { e->term_end_day.reset(); },
       "field 'term_end': required", "F-OPENED"},
      {"term_end range", T::kContractOpened, [](Event* e) { e->term_end_day = 84'000 + 10; },
       "field 'term_end': must be 1970-01-01..2199-12-31, got 2200-01-05", "F-OPENED"},
      {"term order", T::kContractOpened, [](Event* e) { e->term_end_day = 20'453; },
       "field 'term_end': must not be before term_start 2026-01-01, got 2025-12-31", "F-OPENED"},
      {"currency", T::kContractOpened, [](Event* e) { e->currency.clear(); },
       "field 'currency': required", "F-OPENED"},
      {"currency unknown", T::kContractOpened, [](Event* e) { e->currency = "XYZ"; },
       "field 'currency': must be an active ISO 4217 code, got 'XYZ'", "F-OPENED"},
      {"currency lower", T::kContractOpened, [](Event* e) { e->currency = "usd"; },
       "field 'currency': must be an active ISO 4217 code, got 'usd'", "F-OPENED"},
      {"no lines", T::kContractOpened, [](Event* e) { e->lines.clear(); },
       "field 'lines': must have 1..4 entries, got 0", "F-OPENED"},
      {"too many lines", T::kContractOpened, [](Event* e) { e->lines.resize(5); },
       "field 'lines': must have 1..4 entries, got 5", "F-OPENED"},
      {"line service", T::kContractOpened,
       [](Event* e) { e->lines[1].service_line = ServiceLine::kUnknown; },
       "field 'lines[1].service_line': required", "F-OPENED-LINE"},
      {"line service value", T::kContractOpened,
       [](Event* e) { e->lines[1].service_line = static_cast<ServiceLine>(9); },
       "field 'lines[1].service_line': must be one of proactive, reactive, "
       "designated_engineering, service_delivery",
       "F-OPENED-LINE"},
      {"duplicate line", T::kContractOpened,
       [](Event* e) { e->lines[2].service_line = ServiceLine::kProactive; },
       "field 'lines[2].service_line': duplicate service line 'proactive'", "F-OPENED-LINE"},
      {"funded range", T::kContractOpened, [](Event* e) { e->lines[0].funded_minutes = -1; },
       "field 'lines[0].funded_minutes': must be 0..1000000000, got -1", "F-OPENED-LINE"},
      {"funded max", T::kContractOpened,
       [](Event* e) { e->lines[0].funded_minutes = 1'000'000'001; },
       "field 'lines[0].funded_minutes': must be 0..1000000000, got 1000000001", "F-OPENED-LINE"},
      {"delta in opened", T::kContractOpened,
       [](Event* e) { e->lines[0].funded_minutes_delta = 5; },
       "field 'lines[0].funded_minutes_delta': not allowed in ContractOpened", "F-OPENED-LINE"},
      {"rate missing", T::kContractOpened, [](Event* e) { e->lines[1].bill_rate_minor.reset(); },
       "field 'lines[1].bill_rate_minor': required", "F-OPENED-LINE"},
      {"rate range", T::kContractOpened, [](Event* e) { e->lines[1].bill_rate_minor = -5; },
       "field 'lines[1].bill_rate_minor': must be 0..1000000000, got -5", "F-OPENED-LINE"},
      {"overage missing", T::kContractOpened,
       [](Event* e) { e->lines[0].overage = Overage::kUnset; },
       "field 'lines[0].overage': required", "F-OPENED-LINE"},
      {"overage value", T::kContractOpened,
       [](Event* e) { e->lines[0].overage = static_cast<Overage>(3); },
       "field 'lines[0].overage': must be one of reject, allow", "F-OPENED-LINE"},
  };
}
// ContractAmended and its lines.
std::vector<Case> ContractAmendedCases() {
  using T = EventType;
  return {
      {"amend reason", T::kContractAmended, [](Event* e) { e->reason.clear(); },
       "field 'reason': required", "F-AMENDED"},
      {"amend nothing", T::kContractAmended,
       [](Event* e) {
         e->lines.clear();
         e->term_end_day.reset();
       },
       "field 'lines': required (an amendment changes lines, term_end or both)", "F-AMENDED"},
      {"amend funded", T::kContractAmended, [](Event* e) { e->lines[0].funded_minutes = 5; },
       "field 'lines[0].funded_minutes': not allowed in ContractAmended", "F-AMENDED-LINE"},
      {"amend delta range", T::kContractAmended,
       [](Event* e) { e->lines[0].funded_minutes_delta = -1'000'000'001; },
       "field 'lines[0].funded_minutes_delta': must be -1000000000..1000000000, got "
       "-1000000001",
       "F-AMENDED-LINE"},
      {"amend no change", T::kContractAmended,
       [](Event* e) { e->lines[0].funded_minutes_delta = 0; },
       "field 'lines[0]': must change something: a nonzero funded_minutes_delta, a "
       "bill_rate_minor or an overage",
       "F-AMENDED-LINE"},
      {"amend duplicate", T::kContractAmended,
       [](Event* e) { e->lines[1].service_line = ServiceLine::kReactive; },
       "field 'lines[1].service_line': duplicate service line 'reactive'", "F-AMENDED-LINE"},
      {"amend stray currency", T::kContractAmended, [](Event* e) { e->currency = "USD"; },
       "field 'currency': not allowed in ContractAmended", "F-OTHER-TYPE"},
      {"amend stray term_start", T::kContractAmended, [](Event* e) { e->term_start_day = 3; },
       "field 'term_start': not allowed in ContractAmended", "F-OTHER-TYPE"},
  };
}
// HoursBooked, DeliveryCompleted, the escalations, EntryReversed, ContractClosed.
std::vector<Case> ConsumptionAndEscalationCases() {
  using T = EventType;
  return {
      // HoursBooked
      {"engineer", T::kHoursBooked, [](Event* e) { e->engineer.clear(); },
       "field 'engineer': required", "F-HOURS"},
      {"service_line", T::kHoursBooked, [](Event* e) { e->service_line = ServiceLine::kUnknown; },
       "field 'service_line': required", "F-HOURS"},
      {"minutes high", T::kHoursBooked, [](Event* e) { e->minutes = 1441; },
       "field 'minutes': must be 1..1440, got 1441", "F-HOURS"},
      {"minutes zero", T::kHoursBooked, [](Event* e) { e->minutes = 0; },
       "field 'minutes': must be 1..1440, got 0", "F-HOURS"},
      {"cost rate", T::kHoursBooked, [](Event* e) { e->cost_rate_minor = -1; },
       "field 'cost_rate_minor': must be 0..1000000000, got -1", "F-HOURS"},
      {"reference length", T::kHoursBooked, [](Event* e) { e->reference = std::string(129, 'r'); },
       "field 'reference': must be at most 128 bytes, got 129", "F-HOURS"},
      // DeliveryCompleted
      {"delivery", T::kDeliveryCompleted, [](Event* e) { e->delivery.clear(); },
       "field 'delivery': required", "F-DELIVERY"},
      {"offering", T::kDeliveryCompleted, [](Event* e) { e->offering.clear(); },
       "field 'offering': required", "F-DELIVERY"},
      {"delivery minutes", T::kDeliveryCompleted, [](Event* e) { e->minutes = 100'001; },
       "field 'minutes': must be 1..100000, got 100001", "F-DELIVERY"},
      {"cost_minor", T::kDeliveryCompleted, [](Event* e) { e->cost_minor = -2; },
       "field 'cost_minor': must be 0..1000000000000, got -2", "F-DELIVERY"},
      {"delivery reference", T::kDeliveryCompleted, [](Event* e) { e->reference = "x"; },
       "field 'reference': not allowed in DeliveryCompleted", "F-OTHER-TYPE"},
      // Escalations
      {"escalation", T::kEscalationOpened, [](Event* e) { e->escalation.clear(); },
       "field 'escalation': required", "F-ESC-OPENED"},
      {"severity", T::kEscalationOpened, [](Event* e) { e->severity = Severity::kUnset; },
       "field 'severity': required", "F-ESC-OPENED"},
      {"severity value", T::kEscalationSeverityChanged,
       [](Event* e) { e->severity = static_cast<Severity>(4); },
       "field 'severity': must be one of A, B, C", "F-ESC-SEVERITY"},
      {"summary", T::kEscalationOpened, [](Event* e) { e->summary.clear(); },
       "field 'summary': required", "F-ESC-OPENED"},
      {"summary on change", T::kEscalationSeverityChanged, [](Event* e) { e->summary = "s"; },
       "field 'summary': not allowed in EscalationSeverityChanged", "F-OTHER-TYPE"},
      {"resolution", T::kEscalationResolved, [](Event* e) { e->resolution.clear(); },
       "field 'resolution': required", "F-ESC-RESOLVED"},
      // EntryReversed, ContractClosed
      {"target", T::kEntryReversed, [](Event* e) { e->target_event_id = Uuid{}; },
       "field 'target_event_id': required", "F-REVERSED"},
      {"target self", T::kEntryReversed, [](Event* e) { e->target_event_id = e->event_id; },
       "field 'target_event_id': must not be the event's own event_id", "F-REVERSED"},
      {"reverse reason", T::kEntryReversed, [](Event* e) { e->reason.clear(); },
       "field 'reason': required", "F-REVERSED"},
      {"close reason", T::kContractClosed, [](Event* e) { e->reason.clear(); },
       "field 'reason': required", "F-CLOSED"},
      {"close minutes", T::kContractClosed, [](Event* e) { e->minutes = 3; },
       "field 'minutes': not allowed in ContractClosed", "F-OTHER-TYPE"},
  };
}
TEST_F(ValidateTest, EachRuleHasItsMessage) {
  for (auto* cases :
       {EnvelopeCases, ContractOpenedCases, ContractAmendedCases, ConsumptionAndEscalationCases}) {
    for (const Case& c : cases()) Expect(c);
  }
}

TEST_F(ValidateTest, BoundariesAreAccepted) {
  Event e = SampleEvent(EventType::kHoursBooked);
  for (int m : {1, 1440}) {
    e.minutes = m;
    EXPECT_TRUE(ValidateEvent(e).ok());
  }
  e.contract = std::string(64, 'z');
  e.actor = std::string(128, 'a');
  e.effective_at_ns = 0;
  EXPECT_TRUE(ValidateEvent(e).ok()) << ValidateEvent(e).ToString();
  Event o = SampleEvent(EventType::kContractOpened);
  o.term_start_day = 0;
  o.term_end_day = 0;
  o.lines[0].funded_minutes = limits::kFundedMinutesMax;
  o.lines[0].bill_rate_minor = limits::kRateMinorMax;
  o.lines.push_back({ServiceLine::kServiceDelivery, 0, 0, 0, Overage::kAllow});
  EXPECT_TRUE(ValidateEvent(o).ok()) << ValidateEvent(o).ToString();
}

TEST_F(ValidateTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii text longer than eight"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));       // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));          // surrogate D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));      // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xc3"));               // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));                  // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(IsValidUtf8("12345678\xc3\x28"));      // bad continuation after fast path
}

TEST_F(ValidateTest, ContractId) {
  EXPECT_TRUE(IsValidContractId("A-z_0.9"));
  EXPECT_FALSE(IsValidContractId(""));
  EXPECT_FALSE(IsValidContractId("a/b"));
  EXPECT_FALSE(IsValidContractId("caf\xc3\xa9"));
  EXPECT_TRUE(IsValidContractId(std::string(64, 'x')));
  EXPECT_FALSE(IsValidContractId(std::string(65, 'x')));
}

}  // namespace
}  // namespace ccl::events

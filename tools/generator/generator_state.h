// The generator's internals (tools/generator/generator.h), shared by its source
// files: the per-contract model it keeps of every balance the write model
// checks, and the Generator. generator.cc runs the days and emits the
// contract activity; generator_compliance.cc emits the ledger's compliance
// events (reversals and their approvals, legal holds, month closes, the
// approval policy). Not a public interface.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "tools/generator/generator.h"

namespace ccl::tools::generator_internal {

using events::ContractLine;
using events::Event;
using events::EventType;
using events::Overage;
using events::ServiceLine;
using events::Severity;

constexpr int32_t kTermDays = 365;
constexpr int32_t kRenewalNoticeDays = 30;
constexpr size_t kRecentConsumptionMax = 32;
constexpr size_t kEngineersPerContractMax = 8;
constexpr int kWorkdayStartSeconds = 7 * 3600;
constexpr int kWorkdaySeconds = 14 * 3600;  // activity 07:00..21:00 UTC
// Reversals of the run's last kPendingDays days may be left pending (at most
// kPendingLeftMax of them, far below limits::kPendingApprovalsMax).
constexpr int32_t kPendingDays = 10;
// pool_time_ of an event effective at the same instant as the one before it
// in the pool (a decision, right after its request): it draws no time, so
// approvals change no other event's time.
constexpr int64_t kSameTimeAsPrevious = -2;
constexpr uint32_t kPendingLeftMax = 40;
// A reversal asked for in the last kDecisionDeferDays days of a month is
// decided at midnight of the next month's first day, before that month's
// close: a change asked in one month and approved in the next, as month-end
// requests are.
constexpr int32_t kDecisionDeferDays = 3;

struct LineState {
  bool present = false;
  int64_t funded = 0;
  int64_t consumed = 0;
  int64_t bill_rate = 0;
  Overage overage = Overage::kUnset;
  int64_t annual_minutes = 0;  // what a renewal funds
};

struct Consumption {
  events::Uuid id;
  uint8_t line;
  int32_t minutes;
};

// A reviewer's decision on a pending reversal (EmitDecision).
struct Decision {
  size_t contract = 0;  // index into the generator's contracts
  events::Uuid id{};    // the decision's own id
  events::Uuid reversal_id{};
  Consumption target{};
  bool reject = false;
};

struct OpenEscalation {
  uint64_t number;
  Severity severity;
  int32_t resolve_day;
};

struct ContractState {
  std::string id;
  std::string customer;
  std::string currency;
  std::string tam;  // actor for contract-level events
  int32_t term_start = 0;
  int32_t term_end = 0;
  bool renews = false;
  bool closed = false;
  int64_t percent = 100;  // currency scale
  LineState lines[events::kServiceLineCount + 1];
  uint16_t engineers[kEngineersPerContractMax] = {};
  uint8_t engineer_line[kEngineersPerContractMax] = {};
  int64_t engineer_cost[kEngineersPerContractMax] = {};
  size_t engineer_count = 0;
  std::vector<OpenEscalation> open;
  uint64_t held_case = 0;  // the legal hold in force, 0: none
  std::array<Consumption, kRecentConsumptionMax> recent{};
  size_t recent_count = 0;
};

class Generator {
 public:
  Generator(const GeneratorOptions& options, const EventSink& sink, GeneratorStats* stats)
      : options_(options), sink_(sink), stats_(stats), rng_(options.seed) {}

  Status Run();

 private:
  void BuildNames();
  void OpenContractState(size_t index, ContractState* c);
  void ContractDay(ContractState* c, int32_t day, bool last_day);
  // The steps of a contract's day, in causal order. Morning: a renewal, a
  // rate change or a top-up of a nearly spent `reject` line.
  void EmitContractChanges(ContractState* c, int32_t day, bool weekday);
  void EmitEscalationOpened(ContractState* c, int32_t day);
  // Bookings (on weekends only for a severity A escalation), deliveries,
  // reversals and their re-bookings.
  void EmitWork(ContractState* c, int32_t day, bool weekday);
  // Returns part of the unused hours of the first `allow` line with some.
  void EmitDescope(ContractState* c);
  // Resolves the escalations due by `day`, re-rates others now and then.
  void UpdateEscalations(ContractState* c, int32_t day);
  // Effective times of the contract's events of `day`: the opening at 00:00,
  // the rest at sorted random seconds of the working day in causal order,
  // the closing last.
  void AssignDayTimes(int32_t day);

  // Pool management: events of the current day, reused across days.
  // `id`: the event's id, else a drawn one.
  Event* NewEvent(const ContractState& c, EventType type, const events::Uuid* id = nullptr);
  void NewUuid(events::Uuid* id);
  std::string Numbered(const char* prefix, uint64_t n);

  void EmitOpened(ContractState* c);
  void EmitBooking(ContractState* c, size_t engineer, int32_t day);
  void EmitDelivery(ContractState* c);
  void EmitReversal(ContractState* c);
  void EmitRateChange(ContractState* c);
  void EmitTopUp(ContractState* c, ServiceLine line);
  void EmitRenewal(ContractState* c);
  void EmitClosed(ContractState* c, const char* reason);
  void EmitLegalHold(ContractState* c);
  // Consumption on `line` of at most `minutes`; returns the minutes the
  // line can take (0: none) without overdrawing a `reject` line.
  int32_t Capacity(const ContractState& c, ServiceLine line, int32_t minutes) const;
  void RecordConsumption(ContractState* c, const Event& e);

  // The reviewer's decision on reversal `reversal` of `target`: approved
  // (the model frees its minutes), rejected, or left pending near the end;
  // now, or at the next month's start (DecidesNextMonth).
  void EmitDecision(ContractState* c, const Event& reversal, const Consumption& target);
  // True when a request of today on `c` waits for the next month: today is
  // in the month's last kDecisionDeferDays days, and both the run and the
  // contract's term last until the next month's first day.
  bool DecidesNextMonth(const ContractState& c) const;
  // Adds decision `d` to the pool (the pool's last event).
  void AppendDecision(const Decision& d);
  // The decisions deferred from the month before, at midnight of `day`, its
  // first day, ahead of any other event of the day (the close included).
  Status FlushDeferredDecisions(int32_t day);

  Status FlushDay();
  Status EmitPeriodClosed(int32_t day);
  Status EmitApprovalPolicy(int32_t day);

  const GeneratorOptions& options_;
  const EventSink& sink_;
  GeneratorStats* stats_;
  Xoshiro256 rng_;
  // Draws for approvals only, so that turning them on or off leaves every
  // other event of the stream as it was.
  Xoshiro256 approval_rng_{options_.seed ^ 0x4150'5052'4f56'414cull};
  uint64_t next_decision_ = 1;
  uint32_t pending_left_ = 0;       // reversals left pending, at most kPendingLeftMax
  std::vector<Decision> deferred_;  // asked at a month's end, decided at the next one's start

  std::vector<std::string> engineer_names_;
  std::vector<std::string> engineer_logins_;
  std::vector<ContractState> contracts_;
  int32_t last_day_ = 0;
  int32_t current_day_ = 0;
  uint64_t next_escalation_ = 1;
  uint64_t next_delivery_ = 1;
  uint64_t next_ticket_ = 1;
  uint64_t next_hold_case_ = 1;

  std::vector<Event> pool_;
  std::vector<int64_t> pool_time_;
  std::vector<uint32_t> order_;
  std::vector<int64_t> times_;  // scratch: seconds of day of one contract-day
  size_t used_ = 0;
  size_t contract_first_ = 0;  // pool index of the current contract-day's first event
};

// A UUID (version 4 layout) derived from the seed and a tag rather than
// drawn, so that an event added on a fixed schedule (a close, the policy)
// leaves every other event of the stream as it was.
events::Uuid DerivedUuid(uint64_t seed, uint64_t tag);

}  // namespace ccl::tools::generator_internal

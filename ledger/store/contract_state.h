// The write model's per-contract state and its persisted form (the
// `contracts` and `escalations` column families, schemas/FORMAT.md "Write
// model"). This is derived data: a fold of the contract's events that the
// append rules (schemas/EVENTS.md) are checked against, stored so that opening a ledger
// costs O(1) rather than a replay of the whole log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"

namespace ccl::ledger {

// A bill rate taking effect at effective_at_ns (one ContractAmended line).
struct RateChange {
  int64_t effective_at_ns = 0;
  int64_t rate_minor = 0;
  bool operator==(const RateChange&) const = default;
};

struct LineState {
  events::ServiceLine service_line = events::ServiceLine::kUnknown;
  events::Overage overage = events::Overage::kUnset;
  int64_t funded_minutes = 0;
  int64_t consumed_minutes = 0;  // bookings + deliveries - reversed ones
  // The rate the line was created with (ContractOpened, or the amendment that
  // added it): in effect before any rate change.
  int64_t base_rate_minor = 0;
  // Rate changes in append (seq) order; at most limits::kRateChangesPerLineMax.
  std::vector<RateChange> rate_changes;

  // The bill rate in effect at `effective_at_ns`: the rate change with the
  // latest effective_at <= effective_at_ns (of equal ones, the later appended),
  // else base_rate_minor.
  int64_t RateAt(int64_t effective_at_ns) const;

  bool operator==(const LineState&) const = default;
};

struct ContractState {
  static constexpr int64_t kNoConsumption = INT64_MIN;

  bool closed = false;
  std::string customer;
  std::string currency;
  int32_t term_start_day = 0;   // days since 1970-01-01, inclusive
  int32_t term_end_day = 0;     // inclusive; an amendment may move it
  uint64_t stream_version = 0;  // of the last event of the contract
  uint64_t last_seq = 0;        // seq of that event
  // The time-order rules (schemas/EVENTS.md "Time order") are checked
  // against these three effective_at values, kept so that no rule needs the
  // contract's events again.
  int64_t opened_at_ns = 0;          // effective_at of the ContractOpened
  int64_t last_effective_at_ns = 0;  // the latest effective_at of any event
  // The latest effective_at of a HoursBooked or DeliveryCompleted (reversed
  // ones included: the event stays in the log), kNoConsumption when none.
  int64_t last_consumption_at_ns = kNoConsumption;
  std::vector<LineState> lines;  // in ServiceLine order, one per line

  // The cases of the legal holds in force (LegalHoldPlaced, not yet
  // released), sorted; at most limits::kLegalHoldsPerContractMax.
  std::vector<std::string> legal_holds;

  // The ledger's own stream (contract "", its ledger-wide events): only
  // stream_version, last_seq, last_effective_at_ns and these are used.
  bool ledger_stream = false;
  // The latest closed month (events::MonthIndexOf), 0 when none is closed.
  int32_t closed_through_month = 0;
  // The approval policy in force (ApprovalPolicySet): EventTypeBit of each
  // listed type, and the least funding decrease of a ContractAmended that
  // needs approval (0: any decrease).
  uint32_t approval_types = 0;
  int64_t approval_threshold_minutes = 0;
  // The seqs of the events awaiting approval, ascending; at most
  // limits::kPendingApprovalsMax.
  std::vector<uint64_t> pending_seqs;

  const LineState* FindLine(events::ServiceLine s) const;
  LineState* FindLine(events::ServiceLine s);
  // Inserts a line keeping ServiceLine order. REQUIRES: !FindLine(line.service_line)
  LineState* AddLine(LineState line);

  bool operator==(const ContractState&) const = default;
};

// Persisted form; see FORMAT.md. Deterministic.
void EncodeContractState(const ContractState& s, std::string* out);
// Corruption naming what is wrong when `bytes` is not a well-formed state.
Status DecodeContractState(std::string_view bytes, ContractState* out);

struct EscalationState {
  bool open = true;
  events::Severity severity = events::Severity::kUnset;
  int64_t opened_at_ns = 0;  // effective_at of the EscalationOpened
  bool operator==(const EscalationState&) const = default;
};
// Ten bytes: status (1 open, 2 resolved), severity (1 A, 2 B, 3 C),
// BE64 opened_at_ns.
std::string EncodeEscalationState(const EscalationState& s);
Status DecodeEscalationState(std::string_view bytes, EscalationState* out);

}  // namespace ccl::ledger

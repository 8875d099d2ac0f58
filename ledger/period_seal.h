// Sealed figures of a period close (schemas/EVENTS.md "Sealed figures"): what
// the ledger assigns into a PeriodClosed when it appends one, and what verify
// recomputes from the events before it.
//
// The figures are as of the closed month's last instant: every event appended
// before the close whose effective_at is in or before that month counts. The
// fold below keeps each event's contribution under the month of its own
// effective_at (its "as-of month") so that one pass serves a seal of any
// month: a reversal counts from its own month, in the target's margin month,
// as the margins report counts it (projections/FORMAT.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace ccl::ledger {

// One margin row of a seal: (contract, month) with its revenue and cost.
struct SealMarginRow {
  std::string contract;
  int32_t month = 0;  // events::MonthIndexOf
  int64_t revenue_minor = 0;
  int64_t cost_minor = 0;
};

// SHA-256 over "ccl-seal-margins" 0x00 and, per row in (contract, month)
// order, contract 0x00 BE32(month) BE64(revenue) BE64(cost). Shared with the
// reports, which recompute the rows from the margins projection and compare.
// REQUIRES: rows sorted by (contract, month), each pair once
std::array<uint8_t, 32> MarginRowsDigest(const std::vector<SealMarginRow>& rows);

class PeriodFold {
 public:
  // Adds one event in seq order. `reversal_target` is the target of an
  // EntryReversed (with its assigned applied_bill_rate_minor), else ignored.
  // InvalidArgument when a sum leaves int64 (no accepted ledger gets there).
  [[nodiscard]] Status Add(const events::Event& e, const events::Event* reversal_target);

  // The figures as of the last instant of `month` (events::MonthIndexOf).
  [[nodiscard]] Status Seal(int32_t month, events::PeriodSeal* out) const;

  // Margin rows as of `month`, sorted by (contract, month).
  std::vector<SealMarginRow> MarginRows(int32_t month) const;

 private:
  struct Sums {
    int64_t funded_minutes = 0;
    int64_t consumed_minutes = 0;
    int64_t revenue_minor = 0;
    int64_t cost_minor = 0;
  };
  // (contract, service line, as-of month) -> funded and consumed minutes.
  using LineKey = std::tuple<std::string, uint8_t, int32_t>;
  // (contract, margin month, as-of month) -> revenue, cost, consumed minutes.
  using MonthKey = std::tuple<std::string, int32_t, int32_t>;
  Status AddTo(Sums* s, int64_t funded, int64_t consumed, int64_t revenue, int64_t cost);
  Status AddConsumption(const events::Event& c, int32_t as_of_month, int sign);

  std::map<std::string, std::string, std::less<>> currency_;  // contract -> currency
  std::map<LineKey, Sums> lines_;
  std::map<MonthKey, Sums> months_;
};

}  // namespace ccl::ledger

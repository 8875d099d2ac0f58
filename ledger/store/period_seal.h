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
#include <unordered_map>
#include <utility>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/write_model.h"  // StringHash

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

  // One contract's sums; its address stays valid for the fold's life.
  struct ContractSums;
  // The contract whose sums `e` changes: e's own, a reversal's target's;
  // nullptr when e changes none.
  static const std::string* ContractChanged(const events::Event& e,
                                            const events::Event* reversal_target);
  // That contract's sums (empty ones for a new contract).
  ContractSums& ContractOf(std::string_view contract);
  // Add, for a caller that found the sums already (one lookup per event for
  // the rules and the figures). REQUIRES: `sums` is
  // ContractOf(*ContractChanged(e, reversal_target)), or nullptr when that
  // is nullptr.
  [[nodiscard]] Status Add(const events::Event& e, const events::Event* reversal_target,
                           ContractSums* sums);

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
  // (as-of month, second key) -> sums, sorted, in one allocation: an event
  // almost always falls in the latest as-of month, at the vector's end (see
  // SumsAt). The second key is the service line (`lines`) or the margin month
  // (`months`).
  using MonthSums = std::vector<std::pair<std::pair<int32_t, int32_t>, Sums>>;

 public:
  // Found once per event by hash (verify folds every event: ordered maps
  // keyed by contract strings were a quarter of its CPU).
  struct ContractSums {
    std::string currency;
    MonthSums lines;   // funded and consumed minutes
    MonthSums months;  // revenue, cost, consumed minutes
  };

 private:
  static Sums& SumsAt(MonthSums* v, int32_t as_of_month, int32_t key);
  Status AddTo(Sums* s, int64_t funded, int64_t consumed, int64_t revenue, int64_t cost);
  Status AddConsumption(const events::Event& c, int32_t as_of_month, int sign, ContractSums* sums);
  // The contracts, in byte order of their names.
  std::vector<const std::pair<const std::string, ContractSums>*> SortedContracts() const;

  std::unordered_map<std::string, ContractSums, StringHash, std::equal_to<>> contracts_;
};

}  // namespace ccl::ledger

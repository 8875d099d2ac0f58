// `margins`: revenue, cost and contribution margin per contract and month
// (month = YYYY-MM of effective_at, UTC), from which reports roll up per
// contract, customer, month and in total (projections/folds/report_rows.h).
//
// - revenue of a consumption = ValueMinor(minutes, applied_bill_rate_minor):
//   the rate the ledger fixed at append, half-even to the minor unit.
// - cost: HoursBooked ValueMinor(minutes, cost_rate_minor); DeliveryCompleted
//   its cost_minor.
// - EntryReversed subtracts exactly its target's revenue and cost, in the
//   target's month (not the reversal's).
// Each contract keeps its currency (from ContractOpened); roll-ups never add
// amounts of different currencies together.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "projections/folds/contract_projection.h"
#include "projections/folds/intern.h"

namespace ccl::projections {

struct MonthMargin {
  int32_t month = 0;  // events::MonthIndexOf: year * 12 + month - 1
  int64_t revenue_minor = 0;
  int64_t cost_minor = 0;
  bool operator==(const MonthMargin&) const = default;
};

struct ContractMargin {
  std::string customer;             // empty until the view has its ContractOpened
  std::string currency;             // likewise
  std::vector<MonthMargin> months;  // strictly increasing month
  bool operator==(const ContractMargin&) const = default;
};

class MarginsProjection final : public PerContractProjection<MarginsProjection, ContractMargin> {
 public:
  static constexpr std::string_view kName = "margins";
  static constexpr uint32_t kVersion = 1;

  void ApplyKeyed(const events::Event& e, const events::Event* reversal_target,
                  const ContractKey& key) override;
  void SerializeState(std::string* out) const override;
  Status DeserializeState(std::string_view bytes) override;

  // True once a sum left the int64 range (only adversarial input can do
  // that); reports then refuse to print figures rather than print wrong ones.
  bool overflowed() const { return overflowed_; }

  // What one consumption event contributes (exposed for tests and reports).
  static int64_t RevenueOf(const events::Event& e);
  static int64_t CostOf(const events::Event& e);

 private:
  // Adds (sign * revenue, sign * cost) of consumption `c` to its month.
  void Add(ContractMargin* m, const events::Event& c, int sign);

  bool overflowed_ = false;
};

}  // namespace ccl::projections

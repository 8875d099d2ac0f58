// `balances`: per contract and service line, minutes funded, consumed,
// remaining and over the funded amount.
//
// - ContractOpened funds its lines; ContractAmended adds funded_minutes_delta
//   (negative deltas reduce funding; a new line appears with its delta).
// - HoursBooked and DeliveryCompleted consume minutes of their line.
// - EntryReversed gives its target's minutes back to the target's line.
// - remaining = max(0, funded - consumed); overage = max(0, consumed - funded).
// A consumption on a line the view has not funded (possible only under an
// as-of filter) creates the line with 0 funded, so every consumed minute is
// shown somewhere.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "projections/folds/contract_projection.h"
#include "projections/folds/intern.h"

namespace ccl::projections {

struct LineBalance {
  bool present = false;  // funded or consumed in the view
  int64_t funded_minutes = 0;
  int64_t consumed_minutes = 0;

  int64_t remaining_minutes() const {
    return funded_minutes > consumed_minutes ? funded_minutes - consumed_minutes : 0;
  }
  int64_t overage_minutes() const {
    return consumed_minutes > funded_minutes ? consumed_minutes - funded_minutes : 0;
  }
  bool operator==(const LineBalance&) const = default;
};

struct ContractBalance {
  std::array<LineBalance, events::kServiceLineCount> lines;  // by LineIndex()
  bool operator==(const ContractBalance&) const = default;
};

class BalancesProjection final : public PerContractProjection<BalancesProjection, ContractBalance> {
 public:
  static constexpr std::string_view kName = "balances";
  static constexpr uint32_t kVersion = 1;

  void ApplyKeyed(const events::Event& e, const events::Event* reversal_target,
                  const ContractKey& key) override;
  void SerializeState(std::string* out) const override;
  Status DeserializeState(std::string_view bytes) override;
};

}  // namespace ccl::projections

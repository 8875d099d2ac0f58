// Bases for the projections: the name/version/Apply plumbing every projection
// repeats, and the per-contract table (dense contract ids, one state each)
// with the read access the reports use.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/model/event.h"
#include "projections/folds/intern.h"
#include "projections/folds/projection.h"

namespace ccl::projections {

// A projection named by `Derived::kName` and versioned by `Derived::kVersion`,
// whose Apply is ApplyKeyed without a key.
template <typename Derived>
class NamedProjection : public Projection {
 public:
  std::string_view name() const override { return Derived::kName; }
  uint32_t version() const override { return Derived::kVersion; }
  void Apply(const events::Event& e, const events::Event* reversal_target) override {
    this->ApplyKeyed(e, reversal_target, ContractKey{});
  }
};

// A named projection whose state is one `State` per contract. Contract ids
// are dense, 0..contract_count()-1, in first-seen order.
template <typename Derived, typename State>
class PerContractProjection : public NamedProjection<Derived> {
 public:
  size_t contract_count() const { return contracts_.size(); }
  const std::string& contract_name(uint32_t id) const { return names_.name(id); }
  const State& contract(uint32_t id) const {
    assert(id < contracts_.size());
    return contracts_[id];
  }
  // The contract's id or StringInterner::kNone.
  uint32_t FindContract(std::string_view name) const { return names_.Find(name); }
  // Ids in contract-name order.
  std::vector<uint32_t> SortedContracts() const { return SortedIds(names_.names()); }

 protected:
  // The state of contract `name`, added empty when new.
  State& ContractFor(std::string_view name, const ContractKey& key) {
    const uint32_t id = names_.Intern(name, key);
    if (id == contracts_.size()) contracts_.emplace_back();
    assert(id < contracts_.size());
    return contracts_[id];
  }
  void ClearContracts() {
    names_.Clear();
    contracts_.clear();
  }

  KeyedNames names_;
  std::vector<State> contracts_;  // by contract id
};

}  // namespace ccl::projections

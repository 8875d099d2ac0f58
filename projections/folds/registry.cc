#include "projections/folds/registry.h"

namespace ccl::projections {

const std::vector<std::string_view>& ProjectionNames() {
  static const std::vector<std::string_view> kNames = {
      BalancesProjection::kName, MarginsProjection::kName, EscalationsProjection::kName,
      BurnProjection::kName};
  return kNames;
}

std::unique_ptr<Projection> NewProjection(std::string_view name) {
  if (name == BalancesProjection::kName) return std::make_unique<BalancesProjection>();
  if (name == MarginsProjection::kName) return std::make_unique<MarginsProjection>();
  if (name == EscalationsProjection::kName) return std::make_unique<EscalationsProjection>();
  if (name == BurnProjection::kName) return std::make_unique<BurnProjection>();
  return nullptr;
}

Projection* ProjectionSet::Find(std::string_view name) {
  for (Projection* p : All()) {
    if (p->name() == name) return p;
  }
  return nullptr;
}

}  // namespace ccl::projections

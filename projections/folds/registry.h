// The four projections by name, and a set holding one of each for reports
// that fold them in one pass over the log.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "projections/folds/balances.h"
#include "projections/folds/burn.h"
#include "projections/folds/escalations.h"
#include "projections/folds/margins.h"
#include "projections/folds/projection.h"

namespace ccl::projections {

// "balances", "margins", "escalations", "burn", in that order.
const std::vector<std::string_view>& ProjectionNames();

// A new empty projection, or nullptr for an unknown name.
std::unique_ptr<Projection> NewProjection(std::string_view name);

struct ProjectionSet {
  BalancesProjection balances;
  MarginsProjection margins;
  EscalationsProjection escalations;
  BurnProjection burn;

  std::vector<Projection*> All() { return {&balances, &margins, &escalations, &burn}; }
  // The member named `name`, or nullptr.
  Projection* Find(std::string_view name);
};

}  // namespace ccl::projections

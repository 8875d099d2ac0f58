// Closed periods for reports: the PeriodClosed events of the ledger stream
// with the figures the ledger sealed into them (schemas/EVENTS.md "Sealed
// figures"), and the check of a margins report against a seal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "ledger/ledger.h"
#include "projections/format.h"
#include "projections/margins.h"

namespace ccl::projections {

struct ClosedPeriod {
  int32_t month = 0;  // events::MonthIndexOf
  uint64_t seq = 0;
  int64_t effective_at_ns = 0;
  int64_t recorded_at_ns = 0;
  std::string actor;
  std::string note;
  events::PeriodSeal seal;
};

// The closes of the ledger in stream (= month) order, as known at
// `known_at_ns` (recorded at or before it; INT64_MAX: all). Corruption when a
// stored close has no seal.
[[nodiscard]] Status ReadClosedPeriods(ledger::Ledger* ledger, int64_t known_at_ns,
                                       std::vector<ClosedPeriod>* out);

// One row per close and currency of its seal (a close of a month without
// contracts: one row without currency or amounts).
RowSet PeriodRowSet(const std::vector<ClosedPeriod>& periods);

// `p` folded as of the period's last day and as known now: OK when its
// (contract, month) rows give the sealed margins digest and totals;
// Corruption naming the close otherwise.
[[nodiscard]] Status CheckMarginsAgainstSeal(const MarginsProjection& p,
                                             const ClosedPeriod& period);

}  // namespace ccl::projections

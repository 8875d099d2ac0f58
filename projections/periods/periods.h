// Closed periods for reports: the PeriodClosed events of the ledger stream
// with the figures the ledger sealed into them (schemas/EVENTS.md "Sealed
// figures"), and the check of a margins report against a seal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "projections/folds/format.h"
#include "projections/folds/margins.h"

namespace ccl::projections {

struct ClosedPeriod {
  int32_t month = 0;  // events::MonthIndexOf
  // The PeriodClosed's seq; 0 for a month closed with the first close of a
  // later month (R-PERIOD-01) and then reopened: such an entry has no close
  // fields and no seal, only its reopening.
  uint64_t seq = 0;
  int64_t effective_at_ns = 0;
  int64_t recorded_at_ns = 0;
  std::string actor;
  std::string note;
  events::PeriodSeal seal;
  // Set once a PeriodReopened of this month or an earlier one took effect
  // after this close: when (its approval's recorded_at, or its own when it
  // needed none), who asked, and who approved ("" when none was needed).
  int64_t reopened_at_ns = 0;
  std::string reopened_by;
  std::string reopen_approved_by;
};

// The closes of the ledger (a month reopened and closed again has two), as
// known at `known_at_ns` (recorded at or before it; INT64_MAX: all), each
// with its reopening if any, and an entry of seq 0 for the reopening of a
// month that had no close of its own. In month order; within a month in
// the order of the log: the entry of seq 0 (the month's first reopening)
// before the month's own closes, in seq order. Corruption when a stored
// close has no seal.
[[nodiscard]] Status ReadClosedPeriods(ledger::Ledger* ledger, int64_t known_at_ns,
                                       std::vector<ClosedPeriod>* out);

// The close whose seal holds for `month` now: its last close, when that was
// not reopened since. NotFound saying so otherwise.
[[nodiscard]] Status FindSealedClose(const std::vector<ClosedPeriod>& periods, int32_t month,
                                     const ClosedPeriod** out);

// Who reopened `p`: "alice", or "alice, approved by bob".
// REQUIRES: p.reopened_at_ns != 0 (it was reopened).
std::string ReopenedBy(const ClosedPeriod& p);

// One row per close and currency of its seal (a close of a month without
// contracts: one row without currency or amounts; an entry of seq 0: one row
// with only the month and its reopening).
RowSet PeriodRowSet(const std::vector<ClosedPeriod>& periods);

// `p` folded as of the period's last day and as known now: OK when its
// (contract, month) rows give the sealed margins digest and totals;
// Corruption naming the close otherwise.
[[nodiscard]] Status CheckMarginsAgainstSeal(const MarginsProjection& p,
                                             const ClosedPeriod& period);

}  // namespace ccl::projections

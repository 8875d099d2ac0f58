// The records retention report (schemas/EVENTS.md "Legal holds"): which
// contracts' records are past their retention period and on no legal hold,
// and which are held, with the cases. Nothing is deleted: a records officer
// acts on the report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/base/status.h"
#include "ledger/store/ledger.h"
#include "projections/folds/format.h"

namespace ccl::projections {

struct RetentionRow {
  std::string contract;
  std::string customer;
  std::optional<int32_t> closed_day;        // the ContractClosed's effective day
  std::optional<int32_t> retain_until_day;  // closed_day + the retention years
  bool past_retention = false;              // retain_until_day <= the as-of day
  std::vector<std::string> holds;           // cases in force, sorted
};

// The contracts, as of the end of `as_of_day`, that are closed with
// retain_until_day <= as_of_day and hold nothing, and those on legal hold;
// sorted by contract. Reads the whole log once.
// REQUIRES: years <= limits::kRetentionYearsMax
[[nodiscard]] Status BuildRetentionRows(ledger::Ledger* ledger, int32_t as_of_day, uint32_t years,
                                        std::vector<RetentionRow>* out);

// Columns: contract, customer, closed_on, retain_until, status (on_hold |
// past_retention), cases (the holds, "; "-separated).
RowSet RetentionRowSet(const std::vector<RetentionRow>& rows);

}  // namespace ccl::projections

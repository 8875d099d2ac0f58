// The period rules of the write model (schemas/EVENTS.md "Periods"): months
// close in order, a close comes after its month, and nothing is accepted in
// or before a closed month. Ledger-wide events live in the ledger's own
// stream, whose state is the ContractState of contract "" (ledger_stream).
#pragma once

#include <cstdint>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/write_model.h"

namespace ccl::ledger {

// R-PERIOD-03: RuleViolation when `e` (not a PeriodClosed or PeriodReopened)
// is effective in or before the latest closed month.
[[nodiscard]] Status CheckPeriodOpen(ModelView* view, const events::Event& e);

// Checks and applies a ledger-wide event (R-PERIOD-01, R-PERIOD-02,
// R-PERIOD-05, a policy, a decision on a ledger-wide event) to the ledger
// stream, and assigns its stream version.
// REQUIRES: events::IsLedgerWide(e.type), or a decision without contract
[[nodiscard]] Status ApplyLedgerWideEvent(ModelView* view, const events::Event& e, uint64_t seq,
                                          AppliedFields* out);

// The effect of a ledger-wide event on the ledger stream's state, its rules
// checked, without advancing the stream: what ApplyLedgerWideEvent does for
// it, and what an approval of a PeriodReopened does.
// REQUIRES: events::IsLedgerWide(e.type), ledger->ledger_stream
[[nodiscard]] Status ApplyLedgerWideEffect(const events::Event& e, ContractState* ledger);

}  // namespace ccl::ledger

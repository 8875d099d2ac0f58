// The legal hold rules of the write model (schemas/EVENTS.md "Legal holds"):
// a case is held once at a time per contract, only a held case is released,
// and holds are recorded on closed contracts too (records are kept past the
// contract's end).
#pragma once

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/contract_state.h"

namespace ccl::ledger {

// Checks and applies a LegalHoldPlaced or LegalHoldReleased to its contract.
// REQUIRES: e.IsLegalHold()
[[nodiscard]] Status ApplyLegalHold(const events::Event& e, ContractState* c);

}  // namespace ccl::ledger

// The events awaiting approval (schemas/EVENTS.md "Approvals"), for
// `ledgerctl pending` and the HTML report: what waits, who asked, and when.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "projections/folds/format.h"

namespace ccl::projections {

// The pending events, oldest (lowest seq) first, as the write model lists
// them now, each read from the log (with its assigned fields).
[[nodiscard]] Status ReadPendingApprovals(ledger::Ledger* ledger, std::vector<events::Event>* out);

// What a pending event asks for, in a few words: "period 2026-03: <reason>",
// "reverse <event id>: <reason>", "case K: <reason>", or its reason.
std::string PendingRequest(const events::Event& e);

// Columns: seq, event_id, type, contract (empty for a ledger-wide event),
// effective_at, asked_by (the actor), asked_at (recorded_at), request.
RowSet PendingRowSet(const std::vector<events::Event>& pending);

}  // namespace ccl::projections

// A report from a ledger: the one function from a report query to its rows
// that every front end calls (`ledgerctl balance|margin|escalations|burn`,
// the network service's GET /v1/reports/...), so they answer the same rows
// and keep projection checkpoints by the same rule. Only how a checkpoint is
// stored differs between front ends (a CheckpointSaver).
#pragma once

#include <cstdint>
#include <functional>

#include "events/status.h"
#include "ledger/ledger.h"
#include "projections/registry.h"
#include "projections/report_query.h"
#include "projections/runner.h"

namespace ccl::app {

// Stores `p`'s state as its checkpoint at `seq` (Runner::SaveSnapshot) where
// the front end can: the CLI reads a ledger read-only and saves only when the
// writer lock is free at that moment, the service through the ledger it
// holds. A failed save changes no answer, so the saver only notes it.
using CheckpointSaver = std::function<void(const projections::Projection& p, uint64_t seq)>;

// The rows of `query` from `ledger`. A contract filter naming a contract
// without events is NotFound (ledger::CheckContractExists): an error, not an
// empty report. The projection of query.kind is folded for query.view
// (Runner::Query, which itself saves nothing); when the view is unfiltered
// and the fold read at least limits::kReportCheckpointEventsMin events, the
// caught-up state is passed to `save` (when given) before burn refolds it for
// its evaluation day; then projections::RowsOfState. `state`, when not null,
// receives the folded projections (a sealed period is checked against them).
// Errors: NotFound, the runner's (Corruption, IOError), RowsOfState's.
// REQUIRES: ledger, rows and stats not null.
Status QueryReport(ledger::Ledger* ledger, const projections::ReportQuery& query,
                   const CheckpointSaver& save, projections::ReportRows* rows,
                   projections::RunStats* stats, projections::ProjectionSet* state = nullptr);

}  // namespace ccl::app

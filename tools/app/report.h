// A report from a ledger: the one function from a report query to its rows
// that every front end calls (`ledgerctl balance|margin|escalations|burn`,
// the network service's GET /v1/reports/...), so they answer the same rows
// and keep projection checkpoints by the same rule. Only how a checkpoint is
// stored differs between front ends (a CheckpointSaver).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "ledger/store/ledger.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_query.h"
#include "projections/folds/runner.h"
#include "projections/periods/periods.h"

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

// Sets query->view to a closed month's figures as known now: as of the
// month's last day (`margin --period`, `period=` of GET /v1/reports/margin).
// REQUIRES: query not null; month a events::MonthIndexOf.
void ViewOfPeriod(int32_t month, projections::ReportQuery* query);

// The margins rows of `month` as QueryReport gives them for `query` (its
// view set by ViewOfPeriod, maybe narrowed to a contract, a caller's scope
// or a currency), and the close whose seal they were checked against.
// The seal covers every contract, so a narrowed view is checked on the fold
// of the whole ledger (nothing of which is returned). Errors: QueryReport's;
// NotFound when the month has no close standing now
// (projections::FindSealedClose); Corruption naming the close when the
// recomputed figures differ from its seal. REQUIRES: query.kind is
// kMargins; rows, stats and sealed not null.
Status QuerySealedMargins(ledger::Ledger* ledger, const projections::ReportQuery& query,
                          int32_t month, const CheckpointSaver& save, projections::ReportRows* rows,
                          projections::RunStats* stats, projections::ClosedPeriod* sealed);

// The line that says the rows of `close` are sealed, "\n" included: under the
// table, on standard error with CSV and JSON.
std::string SealedNote(const projections::ClosedPeriod& close);

// The response header of a sealed margins report over the network service:
// what SealedNote needs of the close besides its month (the request's),
// as {"seq":N,"actor":"...","recorded_at":"RFC 3339"}.
inline constexpr std::string_view kSealedCloseHeader = "ledger-sealed-close";
std::string SealedCloseJson(const projections::ClosedPeriod& close);
// Reads SealedCloseJson's text into *close (its month set to `month`);
// InvalidArgument naming what is missing or malformed.
Status ParseSealedCloseJson(std::string_view json, int32_t month, projections::ClosedPeriod* close);

}  // namespace ccl::app

// One report from projection state to rows, for every front end: the CLI
// tables (`ledgerctl balance|margin|escalations|burn|replay`), the CSV/JSON
// export (tools/feed/projection_export.h), the HTML audit report
// (tools/report/report_data.h) and the network service all call these, so
// they can never disagree. The rows themselves are report_rows.h's; their
// columns and formats are format.h's (RowSetOf).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "projections/folds/format.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/runner.h"
#include "projections/folds/view.h"

namespace ccl::projections {

enum class ReportKind { kBalances, kMargins, kEscalations, kBurn };
// "balances" | "margins" | "escalations" | "burn"; false otherwise.
bool ParseReportKind(std::string_view text, ReportKind* kind);

// What a report shows. Options that do not apply to `kind` are ignored.
struct ReportQuery {
  ReportKind kind = ReportKind::kBalances;
  View view;  // contract, as of, known at
  // margins: the grouping keys, in column order (default: the finest grain).
  std::vector<MarginKey> margin_keys = {MarginKey::kContract, MarginKey::kMonth};
  // margins: only contracts in this currency ("": all); a code no contract
  // has is NotFound.
  std::string currency;
  // burn: only lines flagged overrun or underuse.
  bool at_risk_only = false;
  // burn: the evaluation day when the view has no as-of day (the caller's
  // "today": nothing here reads a clock).
  int32_t today_day = 0;
};

// The rows of one report; only the member of `kind` is filled.
struct ReportRows {
  ReportKind kind = ReportKind::kBalances;
  std::vector<BalanceRow> balances;
  MarginReport margins;  // rows and per-currency totals, every amount with its currency
  std::vector<EscalationRow> escalations;
  int32_t burn_day = 0;  // burn: the evaluation day
  std::vector<BurnRow> burn;
};

// The member of *set that a report of `kind` folds.
Projection* ProjectionFor(ProjectionSet* set, ReportKind kind);

// The rows of query.kind from *set, whose projection of that kind already
// holds the state of query.view (Runner::Query or Runner::Replay). Burn is
// first folded through its evaluation day with `runner`
// (FoldBurnThroughDay). Errors: NotFound for a currency no contract has,
// InvalidArgument when a margin sum left the 64-bit range, the runner's.
// REQUIRES: runner, set and rows not null.
Status RowsOfState(Runner* runner, const ReportQuery& query, ProjectionSet* set, ReportRows* rows,
                   RunStats* stats);

// Folds the projection of query.kind for query.view (Runner::Query: from its
// checkpoint, saved when the runner's options say so) and returns its rows
// (RowsOfState). REQUIRES: runner and rows not null.
Status QueryReportRows(Runner* runner, const ReportQuery& query, ReportRows* rows, RunStats* stats);

// The rows as generic columns and cells for WriteRowSet (format.h).
RowSet RowSetOf(const ReportRows& rows);

}  // namespace ccl::projections

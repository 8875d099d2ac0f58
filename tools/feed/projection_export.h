// `ledgerctl export balances|margins|escalations|burn`: projection rows for
// BI tools, as CSV or JSON Lines, for any view (--as-of, --known-at,
// --contract). The rows and their columns are the projections' own
// (projections/folds/report_query.h, projections/folds/format.h), so the export and
// `ledgerctl balance --format csv` can never disagree; tools/feed/FEED.md
// lists the columns.
#pragma once

#include <string>

#include "events/base/status.h"
#include "ledger/store/ledger.h"
#include "projections/folds/format.h"
#include "projections/folds/report_query.h"
#include "projections/folds/runner.h"
#include "projections/folds/view.h"

namespace ccl::feed {

// A projection export is a report (projections/folds/report_query.h: which one,
// its view, margin keys, at-risk filter, burn's "today") in a format.
struct ProjectionExportOptions : projections::ReportQuery {
  projections::OutputFormat format = projections::OutputFormat::kCsv;  // kCsv or kJson
};

// Folds the projection for the view (projections::QueryReportRows; nothing
// is saved, so a read-only ledger works) and appends its rows to *out in the
// format: CSV with its header row, or one JSON object per line. Errors from
// the runner (Corruption, IOError) and the margins' checks (InvalidArgument).
Status ExportProjection(ledger::Ledger* ledger, const ProjectionExportOptions& options,
                        std::string* out, projections::RunStats* stats);

}  // namespace ccl::feed

// `ledgerctl export balances|margins|escalations|burn`: projection rows for
// BI tools, as CSV or JSON Lines, for any view (--as-of, --known-at,
// --contract). The rows and their columns are the projections' own
// (projections/report_rows.h, projections/format.h), so the export and
// `ledgerctl balance --format csv` can never disagree; tools/feed/FEED.md
// lists the columns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "ledger/ledger.h"
#include "projections/format.h"
#include "projections/report_rows.h"
#include "projections/runner.h"
#include "projections/view.h"

namespace ccl::feed {

enum class ProjectionKind { kBalances, kMargins, kEscalations, kBurn };
// "balances" | "margins" | "escalations" | "burn"; false otherwise.
bool ParseProjectionKind(std::string_view text, ProjectionKind* kind);

struct ProjectionExportOptions {
  ProjectionKind kind = ProjectionKind::kBalances;
  projections::OutputFormat format = projections::OutputFormat::kCsv;  // kCsv or kJson
  projections::View view;
  // margins: the grouping keys; default contract then month, the finest grain.
  std::vector<projections::MarginKey> margin_keys = {projections::MarginKey::kContract,
                                                     projections::MarginKey::kMonth};
  // burn: only rows flagged overrun or underuse.
  bool at_risk_only = false;
  // burn: the evaluation day when the view has no as-of day (the caller's
  // "today"; the export reads no clock).
  int32_t today_day = 0;
};

// Folds the projection for the view (projections::Runner; nothing is saved,
// so a read-only ledger works) and appends its rows to *out in the format:
// CSV with its header row, or one JSON object per line. Errors from the
// runner (Corruption, IOError) and the margins' checks (InvalidArgument).
Status ExportProjection(ledger::Ledger* ledger, const ProjectionExportOptions& options,
                        std::string* out, projections::RunStats* stats);

}  // namespace ccl::feed

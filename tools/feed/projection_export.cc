// Projection rows export (tools/feed/projection_export.h).
#include "tools/feed/projection_export.h"

namespace ccl::feed {

Status ExportProjection(ledger::Ledger* ledger, const ProjectionExportOptions& options,
                        std::string* out, projections::RunStats* stats) {
  projections::RunnerOptions runner_options;
  runner_options.save_checkpoints = false;  // an export only reads
  projections::Runner runner(ledger, runner_options);
  projections::ReportRows rows;
  CCL_RETURN_IF_ERROR(projections::QueryReportRows(&runner, options, &rows, stats));
  projections::WriteRowSet(projections::RowSetOf(rows), options.format, out);
  return Status::OK();
}

}  // namespace ccl::feed

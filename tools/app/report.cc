// A report from a ledger (tools/app/report.h).
#include "tools/app/report.h"

#include <cassert>

#include "events/limits.h"

namespace ccl::app {

Status QueryReport(ledger::Ledger* ledger, const projections::ReportQuery& query,
                   const CheckpointSaver& save, projections::ReportRows* rows,
                   projections::RunStats* stats, projections::ProjectionSet* state) {
  assert(ledger != nullptr && rows != nullptr && stats != nullptr);
  CCL_RETURN_IF_ERROR(ledger::CheckContractExists(ledger, query.view.contract));
  projections::Runner runner(ledger, projections::RunnerOptions{.save_checkpoints = false});
  projections::ProjectionSet local;
  projections::ProjectionSet& set = state != nullptr ? *state : local;
  projections::Projection* const one[] = {projections::ProjectionFor(&set, query.kind)};
  CCL_RETURN_IF_ERROR(runner.Query(query.view, one, stats));
  if (save && !query.view.filtered() && stats->events_read >= limits::kReportCheckpointEventsMin) {
    save(*one[0], stats->to_seq);
  }
  return projections::RowsOfState(&runner, query, &set, rows, stats);
}

}  // namespace ccl::app

// A report from a ledger (tools/app/report.h).
#include "tools/app/report.h"

#include <simdjson.h>

#include <cassert>

#include "events/base/csv_cell.h"
#include "events/base/limits.h"
#include "events/base/time_format.h"

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

void ViewOfPeriod(int32_t month, projections::ReportQuery* query) {
  assert(query != nullptr);
  query->view.as_of_day = events::DayOf(events::LastInstantOfMonthIndexNs(month));
}

Status QuerySealedMargins(ledger::Ledger* ledger, const projections::ReportQuery& query,
                          int32_t month, const CheckpointSaver& save, projections::ReportRows* rows,
                          projections::RunStats* stats, projections::ClosedPeriod* sealed) {
  assert(query.kind == projections::ReportKind::kMargins && sealed != nullptr);
  projections::ProjectionSet state;
  CCL_RETURN_IF_ERROR(QueryReport(ledger, query, save, rows, stats, &state));
  projections::ProjectionSet whole_state;
  const projections::ProjectionSet* checked = &state;
  if (!query.view.contract.empty() || query.view.contracts_in) {
    projections::ReportQuery whole = query;
    whole.view.contract.clear();
    whole.view.contracts_in = nullptr;
    whole.currency.clear();
    projections::ReportRows unused;
    projections::RunStats whole_stats;
    CCL_RETURN_IF_ERROR(QueryReport(ledger, whole, save, &unused, &whole_stats, &whole_state));
    checked = &whole_state;
  }
  std::vector<projections::ClosedPeriod> periods;
  CCL_RETURN_IF_ERROR(projections::ReadClosedPeriods(ledger, INT64_MAX, &periods));
  const projections::ClosedPeriod* close = nullptr;
  CCL_RETURN_IF_ERROR(projections::FindSealedClose(periods, month, &close));
  CCL_RETURN_IF_ERROR(projections::CheckMarginsAgainstSeal(checked->margins, *close));
  *sealed = *close;
  return Status::OK();
}

std::string SealedNote(const projections::ClosedPeriod& c) {
  return "sealed: period " + events::FormatMonthIndex(c.month) + " closed by " + c.actor +
         " (seq " + std::to_string(c.seq) + ", recorded " +
         events::FormatInstantNs(c.recorded_at_ns) + "); rows recomputed as of " +
         events::FormatDate(events::DayOf(events::LastInstantOfMonthIndexNs(c.month))) +
         " match its sealed_margins_digest and sealed_totals\n";
}

std::string SealedCloseJson(const projections::ClosedPeriod& c) {
  std::string json = "{\"seq\":" + std::to_string(c.seq) + ",\"actor\":";
  events::AppendJsonString(c.actor, &json);
  json += ",\"recorded_at\":\"" + events::FormatInstantNs(c.recorded_at_ns) + "\"}";
  return json;
}

Status ParseSealedCloseJson(std::string_view json, int32_t month, projections::ClosedPeriod* c) {
  assert(c != nullptr);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view actor, recorded_at;
  if (parser.parse(json).get(root) || root["seq"].get(c->seq) || root["actor"].get(actor) ||
      root["recorded_at"].get(recorded_at)) {
    return Status::InvalidArgument(std::string(kSealedCloseHeader) +
                                   ": needs seq, actor and recorded_at");
  }
  CCL_RETURN_IF_ERROR(events::ParseInstant(recorded_at, &c->recorded_at_ns)
                          .WithContext(std::string(kSealedCloseHeader) + ": recorded_at"));
  c->actor = std::string(actor);
  c->month = month;
  return Status::OK();
}

}  // namespace ccl::app

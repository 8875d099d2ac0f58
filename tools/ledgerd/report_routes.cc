// The report routes: adapters to the projections' runner and report rows
// (projections/runner.h, report_rows.h, format.h), answering with exactly the
// rows `ledgerctl balance|margin|escalations|burn --format json|csv` prints.
#include <chrono>
#include <mutex>

#include "events/quote.h"
#include "events/time_format.h"
#include "projections/format.h"
#include "projections/report_rows.h"
#include "projections/runner.h"
#include "tools/ledgerd/routes.h"
#include "tools/ledgerd/scope.h"

namespace ccl::ledgerd {
namespace {

using projections::OutputFormat;
using projections::View;

// Unfiltered reports catch up from the stored snapshot and save the new one;
// one at a time, so two never fold the same events twice over.
std::mutex& CatchUpMutex() {
  static std::mutex mu;
  return mu;
}

struct ReportQuery {
  View view;
  OutputFormat format = OutputFormat::kJson;
};

std::optional<ApiError> ParseReportQuery(const Query& q, ReportQuery* out) {
  if (q.Has("as_of")) {
    int32_t day = 0;
    Status s = events::ParseDate(q.Get("as_of"), &day);
    if (!s.ok()) return BadParameter("as_of", s.message());
    out->view.as_of_day = day;
  }
  if (q.Has("known_at")) {
    int64_t ns = 0;
    Status s = events::ParseInstant(q.Get("known_at"), &ns);
    if (!s.ok()) return BadParameter("known_at", s.message());
    out->view.known_at_ns = ns;
  }
  out->view.contract = std::string(q.Get("contract"));
  const std::string_view format = q.Has("format") ? q.Get("format") : "json";
  if (format == "json") {
    out->format = OutputFormat::kJson;
  } else if (format == "csv") {
    out->format = OutputFormat::kCsv;
  } else {
    return BadParameter("format", "json or csv, got " + events::QuoteForMessage(format));
  }
  return std::nullopt;
}

// Fills `p` with the state of the view, as `ledgerctl` does; `then` runs
// next with the same runner (burn's refold up to its evaluation day).
// Only the contracts of the caller's scope are folded, so rows and totals
// come from them alone.
Status Fill(Service& svc, const Request& r, View view, projections::Projection* p,
            const std::function<Status(projections::Runner*, projections::RunStats*, const View&)>&
                then = {}) {
  ScopeCheck scope(r.context.scope(), svc.ledger);
  CCL_RETURN_IF_ERROR(scope.ContractShownOrNotFound(view.contract));
  CCL_RETURN_IF_ERROR(ledger::CheckContractExists(svc.ledger, view.contract));
  scope.NarrowView(&view);
  projections::RunnerOptions options;
  options.save_checkpoints = !view.filtered();
  std::unique_lock<std::mutex> lock(CatchUpMutex(), std::defer_lock);
  if (options.save_checkpoints) lock.lock();
  projections::Runner runner(svc.ledger, options);
  projections::RunStats stats;
  projections::Projection* ps[] = {p};
  CCL_RETURN_IF_ERROR(runner.Query(view, ps, &stats));
  if (then) CCL_RETURN_IF_ERROR(then(&runner, &stats, view));
  return scope.status();
}

Reply Rows(const projections::RowSet& set, OutputFormat format) {
  Reply r{200, format == OutputFormat::kCsv ? "text/csv" : "application/x-ndjson", ""};
  projections::WriteRowSet(set, format, &r.body);
  return r;
}

int32_t TodayDay() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return events::DayOf(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

}  // namespace

Reply GetBalanceReport(const Request& r, Service& svc) {
  ReportQuery q;
  if (auto e = ParseReportQuery(r.query, &q)) return Reply::Error(*e);
  projections::BalancesProjection p;
  Status s = Fill(svc, r, q.view, &p);
  if (!s.ok()) return Reply::Of(s);
  return Rows(projections::BalanceRowSet(projections::BalanceRows(p, q.view.contract)), q.format);
}

Reply GetMarginReport(const Request& r, Service& svc) {
  ReportQuery q;
  if (auto e = ParseReportQuery(r.query, &q)) return Reply::Error(*e);
  std::vector<projections::MarginKey> keys;
  Status s =
      projections::ParseMarginKeys(r.query.Has("by") ? r.query.Get("by") : "contract", &keys);
  if (!s.ok()) return Reply::Error(BadParameter("by", s.message()));
  projections::MarginsProjection p;
  s = Fill(svc, r, q.view, &p);
  projections::MarginReport report;
  if (s.ok()) s = projections::BuildMarginReport(p, keys, q.view.contract, "", &report);
  if (!s.ok()) return Reply::Of(s);
  return Rows(projections::MarginRowSet(report), q.format);
}

Reply GetEscalationsReport(const Request& r, Service& svc) {
  ReportQuery q;
  if (auto e = ParseReportQuery(r.query, &q)) return Reply::Error(*e);
  projections::EscalationsProjection p;
  Status s = Fill(svc, r, q.view, &p);
  if (!s.ok()) return Reply::Of(s);
  return Rows(projections::EscalationRowSet(projections::EscalationRows(p, q.view.contract)),
              q.format);
}

Reply GetBurnReport(const Request& r, Service& svc) {
  ReportQuery q;
  if (auto e = ParseReportQuery(r.query, &q)) return Reply::Error(*e);
  bool at_risk = false;
  if (r.query.Has("at_risk")) {
    const std::string_view v = r.query.Get("at_risk");
    if (v != "true" && v != "false") {
      return Reply::Error(
          BadParameter("at_risk", "true or false, got " + events::QuoteForMessage(v)));
    }
    at_risk = v == "true";
  }
  projections::BurnProjection p;
  const int32_t day = projections::BurnEvaluationDay(q.view, TodayDay());
  Status s = Fill(svc, r, q.view, &p,
                  [&](projections::Runner* runner, projections::RunStats* stats, const View& v) {
                    return projections::FoldBurnThroughDay(runner, v, day, &p, stats);
                  });
  if (!s.ok()) return Reply::Of(s);
  return Rows(projections::BurnRowSet(projections::BurnRows(p, day, at_risk, q.view.contract)),
              q.format);
}

}  // namespace ccl::ledgerd

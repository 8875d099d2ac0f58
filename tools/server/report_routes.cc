// The report routes: the query string into the report query of
// tools/app/report_options.h, the rows from app::QueryReport (what `ledgerctl
// balance|margin|escalations|burn --format json|csv` prints, by the same
// code), written as JSON Lines or CSV.
#include <spdlog/spdlog.h>

#include <cassert>
#include <mutex>
#include <string>

#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "projections/folds/format.h"
#include "projections/folds/report_query.h"
#include "tools/access/scope.h"
#include "tools/app/report.h"
#include "tools/app/report_options.h"
#include "tools/server/routes.h"

namespace ccl::ledgerd {
namespace {

using projections::OutputFormat;
using projections::ReportKind;

// The query parameter of an option of report_options.h: the same name with
// '_' for '-' ("as-of" is `as_of`).
std::string ParameterOf(std::string_view option) {
  std::string name(option);
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

// The value of `name`, or absent.
std::optional<std::string> Optional(const Query& q, std::string_view name) {
  if (!q.Has(name)) return std::nullopt;
  return std::string(q.Get(name));
}

// The report's query from the request's parameters, as the CLI reads the
// same options; the response format is JSON Lines (default) or CSV.
std::optional<ApiError> ParseReportQuery(const Query& q, ReportKind kind,
                                         projections::ReportQuery* query, OutputFormat* format) {
  query->kind = kind;
  const app::ViewText text{.as_of = Optional(q, "as_of"),
                           .known_at = Optional(q, "known_at"),
                           .contract = Optional(q, "contract")};
  if (Status s = app::ParseView(text, &query->view); !s.ok()) {
    return BadParameter(ParameterOf(s.field()), std::string(s.field_detail()));
  }
  const std::string_view f = q.Has("format") ? q.Get("format") : "json";
  if (f == "json") {
    *format = OutputFormat::kJson;
  } else if (f == "csv") {
    *format = OutputFormat::kCsv;
  } else {
    return BadParameter("format", "json or csv, got " + events::QuoteForMessage(f));
  }
  Status s =
      projections::ParseMarginKeys(q.Has("by") ? q.Get("by") : "contract", &query->margin_keys);
  if (!s.ok()) return BadParameter("by", s.message());
  if (q.Has("currency")) query->currency = std::string(q.Get("currency"));
  if (q.Has("at_risk")) {
    const std::string_view v = q.Get("at_risk");
    if (v != "true" && v != "false") {
      return BadParameter("at_risk", "true or false, got " + events::QuoteForMessage(v));
    }
    query->at_risk_only = v == "true";
  }
  query->today_day = app::TodayDay();
  return std::nullopt;
}

// The month of `period=YYYY-MM` (the margin route's), which fixes the view to the
// month's last day as known now (app::ViewOfPeriod); absent without one.
std::optional<ApiError> ParsePeriod(const Query& q, projections::ReportQuery* query,
                                    std::optional<int32_t>* month) {
  if (!q.Has("period")) return std::nullopt;
  assert(query->kind == ReportKind::kMargins);  // the only route that takes it
  if (q.Has("as_of") || q.Has("known_at")) {
    return BadParameter("period",
                        "fixes the view (the month's end, as known now): leave out as_of and "
                        "known_at");
  }
  int32_t m = 0;
  if (Status s = events::ParseMonth(q.Get("period"), &m); !s.ok()) {
    return BadParameter("period", s.message());
  }
  app::ViewOfPeriod(m, query);
  *month = m;
  return std::nullopt;
}

// Stores a caught-up state through the ledger the server holds, one save at a
// time; a failure is logged, the answer does not depend on it.
void SaveCheckpoint(Service& svc, const projections::Projection& p, uint64_t seq) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  projections::Runner runner(svc.ledger, projections::RunnerOptions{.save_checkpoints = true});
  if (Status s = runner.SaveSnapshot(p, seq); !s.ok()) {
    spdlog::warn("checkpoint of {} not saved: {}", p.name(), s.message());
  }
}

Reply Report(const Request& r, Service& svc, ReportKind kind) {
  projections::ReportQuery query;
  OutputFormat format = OutputFormat::kJson;
  if (auto e = ParseReportQuery(r.query, kind, &query, &format)) return Reply::Error(*e);
  std::optional<int32_t> period;
  if (auto e = ParsePeriod(r.query, &query, &period)) return Reply::Error(*e);
  // Only the contracts of the caller's scope are folded, so rows and totals
  // come from them alone; one outside it is not found, like a missing one.
  ScopeCheck scope(r.context.scope(), svc.ledger);
  if (Status s = scope.ContractShownOrNotFound(query.view.contract); !s.ok()) return Reply::Of(s);
  scope.NarrowView(&query.view);
  projections::ReportRows rows;
  projections::RunStats stats;
  const app::CheckpointSaver save = [&svc](const projections::Projection& p, uint64_t seq) {
    SaveCheckpoint(svc, p, seq);
  };
  // A closed month's rows are those of the caller's scope, checked by the
  // server against the seal of the whole ledger; its sealed totals are
  // ledger-wide and never sent.
  projections::ClosedPeriod sealed;
  Status s = period
                 ? app::QuerySealedMargins(svc.ledger, query, *period, save, &rows, &stats, &sealed)
                 : app::QueryReport(svc.ledger, query, save, &rows, &stats);
  if (s.ok()) s = scope.status();
  if (!s.ok()) return Reply::Of(s);
  Reply reply{200, format == OutputFormat::kCsv ? "text/csv" : "application/x-ndjson", ""};
  if (period) reply.headers.emplace_back(app::kSealedCloseHeader, app::SealedCloseJson(sealed));
  const projections::RowSet set = projections::RowSetOf(rows);
  projections::WriteRowSet(set, format, &reply.body);
  reply.rows = set.rows.size();
  return reply;
}

}  // namespace

Reply GetBalanceReport(const Request& r, Service& svc) {
  return Report(r, svc, ReportKind::kBalances);
}

Reply GetMarginReport(const Request& r, Service& svc) {
  return Report(r, svc, ReportKind::kMargins);
}

Reply GetEscalationsReport(const Request& r, Service& svc) {
  return Report(r, svc, ReportKind::kEscalations);
}

Reply GetBurnReport(const Request& r, Service& svc) { return Report(r, svc, ReportKind::kBurn); }

}  // namespace ccl::ledgerd

// One report from projection state to rows (projections/folds/report_query.h).
#include "projections/folds/report_query.h"

#include <array>
#include <cassert>
#include <utility>

#include "events/base/quote.h"

namespace ccl::projections {

namespace {

// --currency names a specific thing: a code no contract has is "not found".
Status CheckCurrencyKnown(const MarginsProjection& p, std::string_view currency) {
  if (currency.empty()) return Status::OK();
  for (uint32_t id = 0; id < p.contract_count(); ++id) {
    if (p.contract(id).currency == currency) return Status::OK();
  }
  return Status::NotFound("no contract in currency " + events::QuoteForMessage(currency) +
                          " (codes are ISO 4217, upper case: USD, EUR)");
}

}  // namespace

bool ParseReportKind(std::string_view text, ReportKind* kind) {
  static constexpr std::array<std::pair<std::string_view, ReportKind>, 4> kNames = {{
      {"balances", ReportKind::kBalances},
      {"margins", ReportKind::kMargins},
      {"escalations", ReportKind::kEscalations},
      {"burn", ReportKind::kBurn},
  }};
  for (const auto& [name, k] : kNames) {
    if (text == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

Projection* ProjectionFor(ProjectionSet* set, ReportKind kind) {
  switch (kind) {
    case ReportKind::kBalances:
      return &set->balances;
    case ReportKind::kMargins:
      return &set->margins;
    case ReportKind::kEscalations:
      return &set->escalations;
    case ReportKind::kBurn:
      return &set->burn;
  }
  return nullptr;
}

Status RowsOfState(Runner* runner, const ReportQuery& q, ProjectionSet* set, ReportRows* rows,
                   RunStats* stats) {
  assert(runner != nullptr && set != nullptr && rows != nullptr);
  *rows = ReportRows();
  rows->kind = q.kind;
  const std::string& contract = q.view.contract;
  switch (q.kind) {
    case ReportKind::kBalances:
      rows->balances = BalanceRows(set->balances, contract);
      return Status::OK();
    case ReportKind::kMargins:
      CCL_RETURN_IF_ERROR(CheckCurrencyKnown(set->margins, q.currency));
      return BuildMarginReport(set->margins, q.margin_keys, contract, q.currency, &rows->margins);
    case ReportKind::kEscalations:
      rows->escalations = EscalationRows(set->escalations, contract);
      return Status::OK();
    case ReportKind::kBurn:
      rows->burn_day = BurnEvaluationDay(q.view, q.today_day);
      CCL_RETURN_IF_ERROR(FoldBurnThroughDay(runner, q.view, rows->burn_day, &set->burn, stats));
      rows->burn = BurnRows(set->burn, rows->burn_day, q.at_risk_only, contract);
      return Status::OK();
  }
  return Status::InvalidArgument("unknown report kind");
}

Status QueryReportRows(Runner* runner, const ReportQuery& q, ReportRows* rows, RunStats* stats) {
  assert(runner != nullptr && rows != nullptr);
  ProjectionSet set;
  Projection* const one[] = {ProjectionFor(&set, q.kind)};
  CCL_RETURN_IF_ERROR(runner->Query(q.view, one, stats));
  return RowsOfState(runner, q, &set, rows, stats);
}

RowSet RowSetOf(const ReportRows& rows) {
  switch (rows.kind) {
    case ReportKind::kBalances:
      return BalanceRowSet(rows.balances);
    case ReportKind::kMargins:
      return MarginRowSet(rows.margins);
    case ReportKind::kEscalations:
      return EscalationRowSet(rows.escalations);
    case ReportKind::kBurn:
      return BurnRowSet(rows.burn);
  }
  return RowSet();
}

}  // namespace ccl::projections

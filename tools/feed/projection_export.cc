// Projection rows export (tools/feed/projection_export.h).
#include "tools/feed/projection_export.h"

#include <array>

#include "projections/registry.h"

namespace ccl::feed {

bool ParseProjectionKind(std::string_view text, ProjectionKind* kind) {
  static constexpr std::array<std::pair<std::string_view, ProjectionKind>, 4> kNames = {{
      {"balances", ProjectionKind::kBalances},
      {"margins", ProjectionKind::kMargins},
      {"escalations", ProjectionKind::kEscalations},
      {"burn", ProjectionKind::kBurn},
  }};
  for (const auto& [name, k] : kNames) {
    if (text == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

Status ExportProjection(ledger::Ledger* ledger, const ProjectionExportOptions& options,
                        std::string* out, projections::RunStats* stats) {
  projections::RunnerOptions runner_options;
  runner_options.save_checkpoints = false;  // an export only reads
  projections::Runner runner(ledger, runner_options);
  projections::ProjectionSet set;
  projections::Projection* p = nullptr;
  switch (options.kind) {
    case ProjectionKind::kBalances:
      p = &set.balances;
      break;
    case ProjectionKind::kMargins:
      p = &set.margins;
      break;
    case ProjectionKind::kEscalations:
      p = &set.escalations;
      break;
    case ProjectionKind::kBurn:
      p = &set.burn;
      break;
  }
  projections::Projection* const one[] = {p};
  CCL_RETURN_IF_ERROR(runner.Query(options.view, one, stats));

  const std::string& contract = options.view.contract;
  projections::RowSet rows;
  switch (options.kind) {
    case ProjectionKind::kBalances:
      rows = projections::BalanceRowSet(projections::BalanceRows(set.balances, contract));
      break;
    case ProjectionKind::kMargins: {
      if (set.margins.overflowed()) {
        return Status::InvalidArgument("margins: a sum left the 64-bit range; no figures exported");
      }
      projections::MarginReport report;
      CCL_RETURN_IF_ERROR(
          projections::BuildMarginReport(set.margins, options.margin_keys, contract, {}, &report));
      rows = projections::MarginRowSet(report);
      break;
    }
    case ProjectionKind::kEscalations:
      rows = projections::EscalationRowSet(projections::EscalationRows(set.escalations, contract));
      break;
    case ProjectionKind::kBurn: {
      const int32_t day = projections::BurnEvaluationDay(options.view, options.today_day);
      CCL_RETURN_IF_ERROR(
          projections::FoldBurnThroughDay(&runner, options.view, day, &set.burn, stats));
      rows = projections::BurnRowSet(
          projections::BurnRows(set.burn, day, options.at_risk_only, contract));
      break;
    }
  }
  projections::WriteRowSet(rows, options.format, out);
  return Status::OK();
}

}  // namespace ccl::feed

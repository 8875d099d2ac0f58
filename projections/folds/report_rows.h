// Report rows: what `ledgerctl balance|margin|escalations|burn` and the feed
// exporter print, built from a projection's state. Rows come sorted by their
// key columns (text byte order), so equal states give equal output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "projections/folds/balances.h"
#include "projections/folds/burn.h"
#include "projections/folds/escalations.h"
#include "projections/folds/margins.h"
#include "projections/folds/runner.h"
#include "projections/folds/view.h"

namespace ccl::projections {

// ---- balances: one row per contract and service line in the view.
struct BalanceRow {
  std::string contract;
  events::ServiceLine service_line = events::ServiceLine::kUnknown;
  int64_t funded_minutes = 0;
  int64_t consumed_minutes = 0;
  int64_t remaining_minutes = 0;
  int64_t overage_minutes = 0;
  bool operator==(const BalanceRow&) const = default;
};
// Rows of every contract, or only of `contract` when non-empty.
std::vector<BalanceRow> BalanceRows(const BalancesProjection& p, std::string_view contract = {});

// ---- margins: rows grouped by a choice of keys, in the order given.
enum class MarginKey { kCustomer, kContract, kMonth };
// "contract,month" -> {kContract, kMonth}. InvalidArgument for an unknown,
// repeated or empty key.
Status ParseMarginKeys(std::string_view text, std::vector<MarginKey>* keys);
std::string_view MarginKeyName(MarginKey k);

struct MarginRow {
  std::vector<std::string> keys;  // values of the keys, in the order asked
  std::string currency;           // groups never mix currencies
  int64_t revenue_minor = 0;
  int64_t cost_minor = 0;
  int64_t margin_minor = 0;  // revenue - cost
  // margin / revenue in basis points, half-even; absent when revenue is 0.
  std::optional<int64_t> margin_bp;
  bool operator==(const MarginRow&) const = default;
};
struct MarginReport {
  std::vector<MarginKey> keys;
  std::vector<MarginRow> rows;    // sorted by keys, then currency
  std::vector<MarginRow> totals;  // one per currency (keys empty), sorted by currency
};
// Groups the (contract, month) cells by (keys..., currency): a group exists
// when at least one of its cells exists (a contract without any consumption
// in the view has no row). `contract` non-empty keeps only that contract.
// `currency` non-empty keeps only contracts in that currency. Fails
// (InvalidArgument) when a sum leaves the int64 range.
Status BuildMarginReport(const MarginsProjection& p, const std::vector<MarginKey>& keys,
                         std::string_view contract, std::string_view currency,
                         MarginReport* report);
// The report's totals, one per currency sorted by currency, of `rows` (of
// BuildMarginReport, or read back from its output). InvalidArgument when a
// sum leaves the int64 range.
Status MarginTotalsOf(const std::vector<MarginRow>& rows, std::vector<MarginRow>* totals);
// margin * 10000 / revenue, half to even; nullopt when revenue is 0.
std::optional<int64_t> MarginBasisPoints(int64_t margin_minor, int64_t revenue_minor);

// ---- escalations: one row per contract and severity with any escalation.
struct EscalationRow {
  std::string contract;
  events::Severity severity = events::Severity::kUnset;
  int64_t opened = 0;                           // escalations now at this severity
  int64_t resolved = 0;                         // of which resolved
  int64_t open = 0;                             // opened - resolved
  std::optional<int64_t> resolve_seconds_mean;  // absent when none resolved
  std::optional<int64_t> resolve_seconds_max;
  int64_t minutes_booked = 0;
  bool operator==(const EscalationRow&) const = default;
};
std::vector<EscalationRow> EscalationRows(const EscalationsProjection& p,
                                          std::string_view contract = {});

// ---- burn: one row per contract line, evaluated on day `as_of_day`.
enum class BurnFlag { kOk, kOverrun, kUnderuse };
std::string_view BurnFlagName(BurnFlag f);  // "ok", "overrun", "underuse"

struct BurnRow {
  std::string contract;
  events::ServiceLine service_line = events::ServiceLine::kUnknown;
  int32_t as_of_day = 0;  // the evaluation day ("now")
  int64_t funded_minutes = 0;
  int64_t consumed_minutes = 0;
  int64_t window_minutes = 0;           // consumed on days as_of-89 .. as_of
  int64_t burn_minutes_per_day = 0;     // window / 90, half-even
  std::optional<int32_t> term_end_day;  // absent when the view has no ContractOpened
  int64_t remaining_days = 0;           // days after as_of up to term end; 0 if closed
  int64_t projected_minutes = 0;        // consumed + window * remaining_days / 90
  std::optional<int32_t> exhaustion_day;
  BurnFlag flag = BurnFlag::kOk;
  bool operator==(const BurnRow&) const = default;
};
// The arithmetic, all integer (D = as_of_day; projections/FORMAT.md "burn"):
//   window     = minutes consumed on days [D-89, D]
//   rate       = window / 90 minutes per day, half-even (display only)
//   remaining_days = term_end - max(D, term_start - 1), at least 0; 0 when
//                the contract is closed or the view has no term
//   demand     = consumed + window * remaining_days / 90, half-even
//   projected  = demand; for a `reject` line at most max(funded, consumed),
//                since bookings past the funding are refused
//   exhaustion = D when consumed >= funded (and something was consumed);
//                else D + ceil((funded - consumed) * 90 / window) when
//                window > 0 and that day is within the term; else absent
//   flag       = ok unless the contract runs on D (a term in view,
//                term_start <= D <= term_end, not closed); then overrun when
//                demand > funded, underuse when demand < 80% of funded
//                (5 * demand < 4 * funded), else ok
// `at_risk_only` keeps rows whose flag is not ok.
// REQUIRES: as_of_day >= p.max_day() (else windows may have lost days).
std::vector<BurnRow> BurnRows(const BurnProjection& p, int32_t as_of_day, bool at_risk_only,
                              std::string_view contract = {});
// The evaluation day of a burn report: the view's as-of day when given, else
// `today_day`, the front end's clock (the folds never read one).
int32_t BurnEvaluationDay(const View& view, int32_t today_day);
// Makes *p, already folded for `view`, hold the state of `view` as of
// `day`: when the view has no as-of day and *p saw events effective after
// `day`, folds it again with as_of_day = day. Otherwise *p is already that
// state (nothing in it is later than `day`), and it stays as it is, so an
// unfiltered report keeps using the stored checkpoint.
Status FoldBurnThroughDay(Runner* runner, const View& view, int32_t day, BurnProjection* p,
                          RunStats* stats);

}  // namespace ccl::projections

// What the HTML audit report shows (`ledgerctl report`), gathered from a
// ledger for one view (--as-of, --known-at, --contract): the verification
// result and the digest of the events the figures come from, the
// projections' rows (balances, margins, escalations, burn; built by
// projections/folds/report_query.h, never recomputed here), and what only the
// report needs: per contract line the day-by-day series of funded and
// consumed minutes for the burn-down chart, and the reversals with their
// reasons and what they reversed.
//
// The series follow the projections' rules exactly (projections/folds/burn.h):
// consumption counts on its effective day, a reversal takes its target's
// minutes back on the target's day, and under an as-of view a reversal
// counts only when its target is in the view. So a chart's last consumed
// point equals the balance's consumed minutes (tested).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/view.h"
#include "projections/periods/periods.h"
#include "projections/periods/retention.h"

namespace ccl::report {

// A report is read by people: past these, it lists the first ones (by
// contract name, then service line; by seq) and says how many it left out.
inline constexpr size_t kChartsMax = 200;
inline constexpr size_t kReversalsMax = 1000;
// The retention years the hold list is computed with (only the holds are
// shown, which do not depend on it).
inline constexpr uint32_t kRetentionYearsShown = 3;

struct ReportOptions {
  projections::View view;
  // Re-read and check the whole ledger (Ledger::Verify) and show the result.
  bool verify = true;
  // When the report was made (shown in its header); 0: not shown, which
  // makes the output depend on the ledger and the options only.
  int64_t generated_at_ns = 0;
  // The burn forecast's evaluation day when the view has no as-of day (the
  // caller's "today"; the report reads no clock).
  int32_t today_day = 0;
  // (events checked, head seq) during verification; may be empty.
  std::function<void(uint64_t, uint64_t)> on_verify_progress;
};

struct ContractInfo {
  std::string contract;
  std::string customer;  // empty when the view has no ContractOpened
  std::string currency;
  bool has_term = false;
  int32_t term_start_day = 0;
  int32_t term_end_day = 0;  // inclusive
  bool closed = false;
};

struct SeriesPoint {
  int32_t day = 0;
  int64_t minutes = 0;
  bool operator==(const SeriesPoint&) const = default;
};

// One burn-down chart: a contract line over its term.
struct BurnChartData {
  std::string contract;
  events::ServiceLine service_line = events::ServiceLine::kUnknown;
  bool has_term = false;
  int32_t term_start_day = 0;
  int32_t term_end_day = 0;
  // Funded minutes from `day` on (one point per day funding changed).
  std::vector<SeriesPoint> funded;
  // Cumulative consumed minutes at the end of `day` (one point per day the
  // total changed).
  std::vector<SeriesPoint> consumed;
  // The burn projection's row for this line: evaluation day, rate,
  // projected minutes at term end, exhaustion day, flag.
  projections::BurnRow burn;
};

struct ReversalEntry {
  uint64_t seq = 0;
  std::string contract;
  int64_t effective_at_ns = 0;
  std::string actor;
  std::string reason;
  // The reversed consumption event.
  uint64_t target_seq = 0;
  events::EventType target_type = events::EventType::kHoursBooked;
  int64_t target_effective_at_ns = 0;
  events::ServiceLine service_line = events::ServiceLine::kUnknown;
  int32_t minutes = 0;
  std::string booked_by;  // engineer (HoursBooked) or offering (DeliveryCompleted)
};

struct ReportData {
  projections::View view;
  int64_t generated_at_ns = 0;
  events::Uuid ledger_id{};
  ledger::Head head;

  bool verify_ran = false;
  Status verify_status;  // OK when verification passed or did not run
  uint64_t verified_events = 0;

  // The figures come from events 1..view_seq (head, or the known-at prefix),
  // whose chain hash is view_hash: quoting both pins the exact input.
  uint64_t view_seq = 0;
  ledger::Hash view_hash{};
  uint64_t events_in_view = 0;  // after the contract and as-of filters

  // Not OK when the figures could not be computed (the log failed its checks
  // while being read): the report then shows this instead of tables.
  Status figures_status;

  int32_t burn_day = 0;                 // the burn forecast's evaluation day
  std::vector<ContractInfo> contracts;  // by name
  std::vector<projections::BalanceRow> balances;
  projections::MarginReport margins;           // by contract, totals per currency
  projections::MarginReport margins_by_month;  // one contract only: by month
  bool margins_overflowed = false;
  std::vector<projections::EscalationRow> escalations;
  std::vector<projections::BurnRow> burn;
  std::vector<BurnChartData> charts;
  size_t charts_omitted = 0;
  std::vector<ReversalEntry> reversals;
  uint64_t reversals_total = 0;

  // Compliance: the closed months with their sealed totals (as known in the
  // view), the events awaiting approval and the contracts on legal hold
  // (now), of the view's contract when it has one.
  std::vector<projections::ClosedPeriod> periods;
  std::vector<events::Event> pending;
  std::vector<projections::RetentionRow> holds;

  // The contract's info, or nullptr.
  const ContractInfo* FindContract(const std::string& name) const;
};

// Gathers the report. A verification failure, or a failure reading the
// events for the figures, is not an error here: it is recorded
// (verify_status, figures_status) because the report must show it. Errors:
// only what prevents any report: NotFound for a --contract without events,
// and failures of the view's known-at lookup or of the digest read.
Status BuildReportData(ledger::Ledger* ledger, const ReportOptions& options, ReportData* data);

}  // namespace ccl::report

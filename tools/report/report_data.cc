// Gathering the audit report's data (tools/report/report_data.h).
#include "tools/report/report_data.h"

#include <map>
#include <memory>
#include <utility>

#include "events/base/quote.h"
#include "ledger/store/range_iterator.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_query.h"
#include "projections/folds/runner.h"
#include "projections/periods/pending.h"

namespace ccl::report {

namespace {

using events::Event;
using events::EventType;

// Day-indexed changes of one chart, turned into sorted series at the end.
struct SeriesBuilder {
  std::map<int32_t, int64_t> funded_delta;
  std::map<int32_t, int64_t> consumed_delta;
};

std::vector<SeriesPoint> Cumulative(const std::map<int32_t, int64_t>& deltas) {
  std::vector<SeriesPoint> out;
  int64_t total = 0;
  for (const auto& [day, delta] : deltas) {
    if (delta == 0) continue;
    total += delta;
    out.push_back({day, total});
  }
  return out;
}

// Folds the events of the view into the chart series and the reversal list.
class SeriesFold {
 public:
  SeriesFold(ledger::Ledger* ledger, const projections::View& view, ReportData* data)
      : ledger_(ledger), view_(view), data_(data) {
    for (size_t i = 0; i < data->charts.size(); ++i) {
      const BurnChartData& c = data->charts[i];
      index_[{c.contract, static_cast<int>(c.service_line)}] = i;
    }
    builders_.resize(data->charts.size());
  }

  Status Run() {
    std::unique_ptr<ledger::EventIterator> it =
        view_.contract.empty() ? ledger::NewRangeIterator(ledger_, 1, data_->view_seq)
                               : ledger_->NewStreamIterator(view_.contract, 1);
    for (; it->Valid(); it->Next()) {
      // Both orders are increasing seq: nothing later is in the known-at prefix.
      if (it->seq() > data_->view_seq) break;
      // Approvals as the projections fold them (projections/folds/runner.h).
      const Event* e = &it->event();
      switch (events::FigureStepOf(*e)) {
        case events::FigureStep::kNothing:
          continue;
        case events::FigureStep::kApprovedTarget:
          CCL_RETURN_IF_ERROR(ledger_->GetByEventId(e->target_event_id, &approved_)
                                  .WithContext("seq " + std::to_string(it->seq()) + ": approved"));
          approved_.awaits_approval = false;
          e = &approved_;
          break;
        case events::FigureStep::kSelf:
          break;
      }
      if (!projections::EffectiveInView(view_, *e)) continue;
      ++data_->events_in_view;
      CCL_RETURN_IF_ERROR(Apply(*e));
    }
    CCL_RETURN_IF_ERROR(it->status());
    for (size_t i = 0; i < builders_.size(); ++i) {
      data_->charts[i].funded = Cumulative(builders_[i].funded_delta);
      data_->charts[i].consumed = Cumulative(builders_[i].consumed_delta);
    }
    return Status::OK();
  }

 private:
  SeriesBuilder* Builder(const std::string& contract, events::ServiceLine line) {
    auto found = index_.find({contract, static_cast<int>(line)});
    return found == index_.end() ? nullptr : &builders_[found->second];
  }

  Status Apply(const Event& e) {
    const int32_t day = events::DayOf(e.effective_at_ns);
    switch (e.type) {
      case EventType::kContractOpened:
      case EventType::kContractAmended:
        for (const events::ContractLine& l : e.lines) {
          SeriesBuilder* b = Builder(e.contract, l.service_line);
          if (b == nullptr) continue;
          b->funded_delta[day] +=
              e.type == EventType::kContractOpened ? l.funded_minutes : l.funded_minutes_delta;
        }
        return Status::OK();
      case EventType::kHoursBooked:
      case EventType::kDeliveryCompleted:
        if (SeriesBuilder* b = Builder(e.contract, e.service_line)) {
          b->consumed_delta[day] += e.minutes;
        }
        return Status::OK();
      case EventType::kEntryReversed:
        return ApplyReversal(e);
      default:
        return Status::OK();
    }
  }

  Status ApplyReversal(const Event& e) {
    CCL_RETURN_IF_ERROR(ledger_->GetByEventId(e.target_event_id, &target_)
                            .WithContext("seq " + std::to_string(e.seq) + ": reversal target"));
    // The projections' as-of rule (projections/folds/view.h): a reversal is in the
    // view only when its target is.
    if (!projections::EffectiveInView(view_, target_) || !target_.IsConsumption()) {
      return Status::OK();
    }
    if (SeriesBuilder* b = Builder(target_.contract, target_.service_line)) {
      b->consumed_delta[events::DayOf(target_.effective_at_ns)] -= target_.minutes;
    }
    ++data_->reversals_total;
    if (data_->reversals.size() >= kReversalsMax) return Status::OK();
    ReversalEntry r;
    r.seq = e.seq;
    r.contract = e.contract;
    r.effective_at_ns = e.effective_at_ns;
    r.actor = e.actor;
    r.reason = e.reason;
    r.target_seq = target_.seq;
    r.target_type = target_.type;
    r.target_effective_at_ns = target_.effective_at_ns;
    r.service_line = target_.service_line;
    r.minutes = target_.minutes;
    r.booked_by = target_.type == EventType::kHoursBooked ? target_.engineer : target_.offering;
    data_->reversals.push_back(std::move(r));
    return Status::OK();
  }

  ledger::Ledger* ledger_;
  const projections::View& view_;
  ReportData* data_;
  std::map<std::pair<std::string, int>, size_t> index_;
  std::vector<SeriesBuilder> builders_;
  Event target_;
  Event approved_;
};

// The rows of each report, as `ledgerctl balance|margin|escalations|burn`
// computes them (projections/folds/report_query.h), from the one fold in *set.
Status GatherRows(projections::Runner* runner, const ReportOptions& options,
                  projections::ProjectionSet* set, ReportData* data, projections::RunStats* stats) {
  const std::string& only = options.view.contract;
  projections::ReportQuery query;
  query.view = options.view;
  query.today_day = options.today_day;
  projections::ReportRows rows;
  auto rows_of = [&](projections::ReportKind kind, std::vector<projections::MarginKey> keys) {
    query.kind = kind;
    query.margin_keys = std::move(keys);
    return projections::RowsOfState(runner, query, set, &rows, stats);
  };
  CCL_RETURN_IF_ERROR(rows_of(projections::ReportKind::kBalances, {}));
  data->balances = std::move(rows.balances);
  data->margins_overflowed = set->margins.overflowed();
  if (!data->margins_overflowed) {
    CCL_RETURN_IF_ERROR(
        rows_of(projections::ReportKind::kMargins, {projections::MarginKey::kContract}));
    data->margins = std::move(rows.margins);
    if (!only.empty()) {
      CCL_RETURN_IF_ERROR(
          rows_of(projections::ReportKind::kMargins, {projections::MarginKey::kMonth}));
      data->margins_by_month = std::move(rows.margins);
    }
  }
  CCL_RETURN_IF_ERROR(rows_of(projections::ReportKind::kEscalations, {}));
  data->escalations = std::move(rows.escalations);
  CCL_RETURN_IF_ERROR(rows_of(projections::ReportKind::kBurn, {}));
  data->burn_day = rows.burn_day;
  data->burn = std::move(rows.burn);
  return Status::OK();
}

// Everything that comes from the projections.
Status GatherFigures(ledger::Ledger* ledger, const ReportOptions& options, ReportData* data) {
  projections::RunnerOptions runner_options;
  runner_options.save_checkpoints = false;  // a report only reads
  projections::Runner runner(ledger, runner_options);
  projections::ProjectionSet set;
  const std::vector<projections::Projection*> all = set.All();
  projections::RunStats stats;
  CCL_RETURN_IF_ERROR(runner.Query(options.view, all, &stats));

  CCL_RETURN_IF_ERROR(GatherRows(&runner, options, &set, data, &stats));

  const std::string& only = options.view.contract;
  // Contracts: customer and currency from margins, term and state from burn;
  // every contract any projection knows, by name.
  std::map<std::string, ContractInfo> infos;
  for (uint32_t id : set.margins.SortedContracts()) {
    const std::string& name = set.margins.contract_name(id);
    if (!only.empty() && name != only) continue;
    ContractInfo& c = infos[name];
    c.contract = name;
    c.customer = set.margins.contract(id).customer;
    c.currency = set.margins.contract(id).currency;
  }
  for (uint32_t id : set.burn.SortedContracts()) {
    const std::string& name = set.burn.contract_name(id);
    if (!only.empty() && name != only) continue;
    ContractInfo& c = infos[name];
    c.contract = name;
    const projections::ContractBurn& b = set.burn.contract(id);
    c.has_term = b.has_term;
    c.term_start_day = b.term_start_day;
    c.term_end_day = b.term_end_day;
    c.closed = b.closed;
  }
  for (auto& [name, info] : infos) data->contracts.push_back(std::move(info));

  // One chart per burn row (contract line), the first kChartsMax.
  for (const projections::BurnRow& row : data->burn) {
    if (data->charts.size() >= kChartsMax) {
      ++data->charts_omitted;
      continue;
    }
    BurnChartData chart;
    chart.contract = row.contract;
    chart.service_line = row.service_line;
    chart.burn = row;
    if (const ContractInfo* c = data->FindContract(row.contract); c != nullptr && c->has_term) {
      chart.has_term = true;
      chart.term_start_day = c->term_start_day;
      chart.term_end_day = c->term_end_day;
    }
    data->charts.push_back(std::move(chart));
  }
  SeriesFold fold(ledger, options.view, data);
  return fold.Run();
}

}  // namespace

const ContractInfo* ReportData::FindContract(const std::string& name) const {
  for (const ContractInfo& c : contracts) {
    if (c.contract == name) return &c;
  }
  return nullptr;
}

// Closed months (as known in the view), what awaits approval and the legal
// holds (now: neither depends on the view's dates), for every contract or
// the view's one.
Status GatherCompliance(ledger::Ledger* ledger, const ReportOptions& options, ReportData* data) {
  CCL_RETURN_IF_ERROR(projections::ReadClosedPeriods(
      ledger, options.view.known_at_ns.value_or(INT64_MAX), &data->periods));
  CCL_RETURN_IF_ERROR(projections::ReadPendingApprovals(ledger, &data->pending));
  std::vector<projections::RetentionRow> retention;
  CCL_RETURN_IF_ERROR(
      projections::BuildRetentionRows(ledger, options.today_day, kRetentionYearsShown, &retention));
  const std::string& only = options.view.contract;
  std::erase_if(data->pending, [&](const Event& e) { return !only.empty() && e.contract != only; });
  for (projections::RetentionRow& r : retention) {
    if (r.holds.empty() || (!only.empty() && r.contract != only)) continue;
    data->holds.push_back(std::move(r));
  }
  return Status::OK();
}

Status BuildReportData(ledger::Ledger* ledger, const ReportOptions& options, ReportData* data) {
  *data = ReportData();
  data->view = options.view;
  data->generated_at_ns = options.generated_at_ns;
  data->ledger_id = ledger->ledger_id();
  data->head = ledger->head();
  if (!options.view.contract.empty()) {
    uint64_t version = 0;
    CCL_RETURN_IF_ERROR(ledger->StreamVersion(options.view.contract, &version));
    if (version == 0) {
      return Status::NotFound("contract " + events::QuoteForMessage(options.view.contract) +
                              " has no events in this ledger");
    }
  }

  if (options.verify) {
    ledger::VerifyProgress progress;
    progress.on_progress = options.on_verify_progress;
    ledger::VerifyReport verify;
    data->verify_ran = true;
    data->verify_status = ledger->Verify(progress, &verify);
    data->verified_events = verify.events;
  }

  data->view_seq = data->head.seq;
  if (options.view.known_at_ns.has_value()) {
    CCL_RETURN_IF_ERROR(
        ledger->LastSeqRecordedAtOrBefore(*options.view.known_at_ns, &data->view_seq));
  }
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(data->view_seq, &data->view_hash));

  data->figures_status = GatherFigures(ledger, options, data);
  return GatherCompliance(ledger, options, data);
}

}  // namespace ccl::report

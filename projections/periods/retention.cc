// The records retention report (projections/periods/retention.h).
#include "projections/periods/retention.h"

#include <cassert>
#include <map>
#include <set>

#include "events/base/limits.h"
#include "events/base/time_format.h"

namespace ccl::projections {

namespace {

struct ContractRecord {
  std::string customer;
  std::optional<int32_t> closed_day;
  std::set<std::string> holds;
};

void Apply(const events::Event& e, std::map<std::string, ContractRecord>* contracts) {
  switch (e.type) {
    case events::EventType::kContractOpened:
      (*contracts)[e.contract].customer = e.customer;
      return;
    case events::EventType::kContractClosed:
      (*contracts)[e.contract].closed_day = events::DayOf(e.effective_at_ns);
      return;
    case events::EventType::kLegalHoldPlaced:
      (*contracts)[e.contract].holds.insert(e.legal_case);
      return;
    case events::EventType::kLegalHoldReleased:
      (*contracts)[e.contract].holds.erase(e.legal_case);
      return;
    default:
      return;
  }
}

}  // namespace

Status BuildRetentionRows(ledger::Ledger* ledger, int32_t as_of_day, uint32_t years,
                          std::vector<RetentionRow>* out) {
  assert(years <= limits::kRetentionYearsMax);
  out->clear();
  const int64_t end_ns = (static_cast<int64_t>(as_of_day) + 1) * events::kNsPerDay;
  std::map<std::string, ContractRecord> contracts;
  std::unique_ptr<ledger::EventIterator> it = ledger->NewIterator(1);
  events::Event approved;
  for (; it->Valid(); it->Next()) {
    const events::Event* e = &it->event();
    // A pending close or release counts once approved, as of its own date.
    switch (events::FigureStepOf(*e)) {
      case events::FigureStep::kNothing:
        continue;
      case events::FigureStep::kApprovedTarget:
        CCL_RETURN_IF_ERROR(ledger->GetByEventId(e->target_event_id, &approved));
        e = &approved;
        break;
      case events::FigureStep::kSelf:
        break;
    }
    if (e->effective_at_ns < end_ns) Apply(*e, &contracts);
  }
  CCL_RETURN_IF_ERROR(it->status());
  for (const auto& [contract, c] : contracts) {
    RetentionRow row;
    row.contract = contract;
    row.customer = c.customer;
    row.closed_day = c.closed_day;
    if (c.closed_day.has_value()) {
      row.retain_until_day = events::AddYearsToDay(*c.closed_day, static_cast<int>(years));
      row.past_retention = *row.retain_until_day <= as_of_day;
    }
    row.holds.assign(c.holds.begin(), c.holds.end());
    if (row.holds.empty() && !row.past_retention) continue;
    out->push_back(std::move(row));
  }
  return Status::OK();
}

RowSet RetentionRowSet(const std::vector<RetentionRow>& rows) {
  RowSet set;
  set.columns = {{"contract"},     {"customer"}, {"closed_on"},
                 {"retain_until"}, {"status"},   {"cases"}};
  const auto text = [](std::string s) { return Cell{false, 0, std::move(s)}; };
  const auto date = [](const std::optional<int32_t>& d) {
    return d.has_value() ? Cell{false, 0, events::FormatDate(*d)} : Cell{true, 0, {}};
  };
  for (const RetentionRow& r : rows) {
    std::string cases;
    for (const std::string& h : r.holds) cases += (cases.empty() ? "" : "; ") + h;
    set.rows.push_back({text(r.contract), text(r.customer), date(r.closed_day),
                        date(r.retain_until_day),
                        text(r.holds.empty() ? "past_retention" : "on_hold"), text(cases)});
  }
  return set;
}

}  // namespace ccl::projections

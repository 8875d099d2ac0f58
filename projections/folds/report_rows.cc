#include "projections/folds/report_rows.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <tuple>

#include "events/base/enum_names.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "events/model/money.h"

namespace ccl::projections {

using events::ServiceLine;
using events::Severity;

namespace {

// Service lines of a contract in the order of their names, so rows sort by
// their text columns: designated_engineering, proactive, reactive,
// service_delivery.
std::vector<int> LineIndexesByName() {
  std::vector<int> idx;
  for (int i = 0; i < events::kServiceLineCount; ++i) idx.push_back(i);
  std::sort(idx.begin(), idx.end(), [](int a, int b) {
    return events::ServiceLineName(LineAt(a)) < events::ServiceLineName(LineAt(b));
  });
  return idx;
}

const std::vector<int>& LinesByName() {
  static const std::vector<int> kOrder = LineIndexesByName();
  return kOrder;
}

bool Keep(std::string_view filter, const std::string& contract) {
  return filter.empty() || filter == contract;
}

// Calls fn(contract_id, contract_state, line_index) for each present line of
// each contract `filter` keeps: contracts in name order, lines in name order.
template <typename P, typename Fn>
void ForEachPresentLine(const P& p, std::string_view filter, Fn&& fn) {
  for (uint32_t id : p.SortedContracts()) {
    if (!Keep(filter, p.contract_name(id))) continue;
    const auto& c = p.contract(id);
    for (int i : LinesByName()) {
      if (c.lines[i].present) fn(id, c, i);
    }
  }
}

bool FitsInt64(__int128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

// Indexed by the enum value.
constexpr std::string_view kMarginKeyNames[] = {"customer", "contract", "month"};
constexpr std::string_view kBurnFlagNames[] = {"ok", "overrun", "underuse"};

}  // namespace

std::vector<BalanceRow> BalanceRows(const BalancesProjection& p, std::string_view contract) {
  std::vector<BalanceRow> rows;
  ForEachPresentLine(p, contract, [&](uint32_t id, const ContractBalance& c, int i) {
    const LineBalance& b = c.lines[i];
    rows.push_back(BalanceRow{p.contract_name(id), LineAt(i), b.funded_minutes, b.consumed_minutes,
                              b.remaining_minutes(), b.overage_minutes()});
  });
  return rows;
}

std::string_view MarginKeyName(MarginKey k) { return events::EnumName(kMarginKeyNames, k, "?"); }

Status ParseMarginKeys(std::string_view text, std::vector<MarginKey>* keys) {
  keys->clear();
  size_t pos = 0;
  while (true) {
    const size_t comma = text.find(',', pos);
    const std::string_view part =
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    MarginKey k;
    if (!events::EnumFromName(kMarginKeyNames, part, &k)) {
      return Status::InvalidArgument("unknown key " + events::QuoteForMessage(part) +
                                     " (choose from customer, contract, month)");
    }
    if (std::find(keys->begin(), keys->end(), k) != keys->end()) {
      return Status::InvalidArgument("key " + events::QuoteForMessage(part) + " given twice");
    }
    keys->push_back(k);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return Status::OK();
}

std::optional<int64_t> MarginBasisPoints(int64_t margin_minor, int64_t revenue_minor) {
  if (revenue_minor == 0) return std::nullopt;
  return static_cast<int64_t>(
      events::DivRoundHalfEven(static_cast<__int128>(margin_minor) * 10000, revenue_minor));
}

namespace {

// A row of `keys` and `currency` with these sums; false when a figure leaves
// the int64 range.
bool MakeMarginRow(std::vector<std::string> keys, const std::string& currency, __int128 revenue,
                   __int128 cost, MarginRow* row) {
  const __int128 margin = revenue - cost;
  if (!FitsInt64(revenue) || !FitsInt64(cost) || !FitsInt64(margin)) return false;
  row->keys = std::move(keys);
  row->currency = currency;
  row->revenue_minor = static_cast<int64_t>(revenue);
  row->cost_minor = static_cast<int64_t>(cost);
  row->margin_minor = static_cast<int64_t>(margin);
  row->margin_bp = MarginBasisPoints(row->margin_minor, row->revenue_minor);
  return true;
}

}  // namespace

Status BuildMarginReport(const MarginsProjection& p, const std::vector<MarginKey>& keys,
                         std::string_view contract, std::string_view currency,
                         MarginReport* report) {
  report->keys = keys;
  report->rows.clear();
  report->totals.clear();
  if (p.overflowed()) {
    return Status::InvalidArgument("margins: a monthly sum left the 64-bit range; no figures");
  }
  struct Sum {
    __int128 revenue = 0;
    __int128 cost = 0;
  };
  // (key values..., currency) -> sums; std::map gives the sorted row order.
  std::map<std::pair<std::vector<std::string>, std::string>, Sum> groups;
  std::vector<std::string> key_values(keys.size());
  for (uint32_t id : p.SortedContracts()) {
    const std::string& name = p.contract_name(id);
    const ContractMargin& m = p.contract(id);
    if (!Keep(contract, name) || (!currency.empty() && m.currency != currency)) continue;
    for (const MonthMargin& cell : m.months) {
      for (size_t k = 0; k < keys.size(); ++k) {
        switch (keys[k]) {
          case MarginKey::kCustomer:
            key_values[k] = m.customer;
            break;
          case MarginKey::kContract:
            key_values[k] = name;
            break;
          case MarginKey::kMonth: {
            const int32_t year = cell.month / 12;
            const int32_t month = cell.month % 12 + 1;
            char buf[16];
            snprintf(buf, sizeof buf, "%04d-%02d", year, month);
            key_values[k] = buf;
            break;
          }
        }
      }
      Sum& g = groups[{key_values, m.currency}];
      g.revenue += cell.revenue_minor;
      g.cost += cell.cost_minor;
    }
  }
  for (const auto& [key, sum] : groups) {
    MarginRow row;
    if (!MakeMarginRow(key.first, key.second, sum.revenue, sum.cost, &row)) {
      return Status::InvalidArgument("margins: a sum leaves the 64-bit range");
    }
    report->rows.push_back(std::move(row));
  }
  return MarginTotalsOf(report->rows, &report->totals);
}

Status MarginTotalsOf(const std::vector<MarginRow>& rows, std::vector<MarginRow>* totals) {
  totals->clear();
  // Every cell is in exactly one row, so the rows' sums are the cells' sums.
  std::map<std::string, std::pair<__int128, __int128>> sums;  // currency -> revenue, cost
  for (const MarginRow& r : rows) {
    auto& [revenue, cost] = sums[r.currency];
    revenue += r.revenue_minor;
    cost += r.cost_minor;
  }
  for (const auto& [currency, sum] : sums) {
    MarginRow row;
    if (!MakeMarginRow({}, currency, sum.first, sum.second, &row)) {
      return Status::InvalidArgument("margins: the total leaves the 64-bit range");
    }
    totals->push_back(std::move(row));
  }
  return Status::OK();
}

std::vector<EscalationRow> EscalationRows(const EscalationsProjection& p,
                                          std::string_view contract) {
  struct Acc {
    int64_t opened = 0, resolved = 0, seconds_total = 0, seconds_max = 0, minutes = 0;
  };
  // (contract name, severity) -> figures; std::map sorts the rows.
  std::map<std::pair<std::string, int>, Acc> acc;
  for (uint32_t id = 0; id < p.escalation_count(); ++id) {
    const EscalationRecord& r = p.escalation(id);
    const std::string& name = p.contract_name(r.contract);
    if (!Keep(contract, name)) continue;
    Acc& a = acc[{name, static_cast<int>(r.severity)}];
    ++a.opened;
    a.minutes += r.minutes_booked;
    if (r.resolved) {
      ++a.resolved;
      const __int128 diff = static_cast<__int128>(r.resolved_at_ns) - r.opened_at_ns;
      // Floor to whole seconds; a resolution dated before its opening counts 0.
      const int64_t seconds = diff <= 0 ? 0 : static_cast<int64_t>(diff / events::kNsPerSecond);
      a.seconds_total += seconds;
      a.seconds_max = std::max(a.seconds_max, seconds);
    }
  }
  std::vector<EscalationRow> rows;
  for (const auto& [key, a] : acc) {
    EscalationRow row;
    row.contract = key.first;
    row.severity = static_cast<Severity>(key.second);
    row.opened = a.opened;
    row.resolved = a.resolved;
    row.open = a.opened - a.resolved;
    if (a.resolved > 0) {
      row.resolve_seconds_mean =
          static_cast<int64_t>(events::DivRoundHalfEven(a.seconds_total, a.resolved));
      row.resolve_seconds_max = a.seconds_max;
    }
    row.minutes_booked = a.minutes;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string_view BurnFlagName(BurnFlag f) { return events::EnumName(kBurnFlagNames, f, "?"); }

int32_t BurnEvaluationDay(const View& view, int32_t today_day) {
  return view.as_of_day.value_or(today_day);
}

Status FoldBurnThroughDay(Runner* runner, const View& view, int32_t day, BurnProjection* p,
                          RunStats* stats) {
  assert(!view.as_of_day.has_value() || *view.as_of_day == day);
  if (view.as_of_day.has_value() || p->max_day() == BurnProjection::kNoDay || p->max_day() <= day) {
    return Status::OK();
  }
  View through = view;
  through.as_of_day = day;
  Projection* const one[] = {p};
  return runner->Query(through, one, stats);
}

namespace {

// The figures of one line on day d (see BurnRows in the header).
BurnRow LineRow(const ContractBurn& c, const LineBurn& b, int32_t d) {
  BurnRow row;
  row.as_of_day = d;
  row.funded_minutes = b.funded_minutes;
  row.consumed_minutes = b.consumed_minutes;
  row.window_minutes = b.WindowMinutes(d - (kBurnWindowDays - 1), d);
  row.burn_minutes_per_day =
      static_cast<int64_t>(events::DivRoundHalfEven(row.window_minutes, kBurnWindowDays));
  if (c.has_term) {
    row.term_end_day = c.term_end_day;
    if (!c.closed) {
      const int64_t from = std::max<int64_t>(d, static_cast<int64_t>(c.term_start_day) - 1);
      row.remaining_days = std::max<int64_t>(0, c.term_end_day - from);
    }
  }
  const __int128 demand =
      row.consumed_minutes +
      events::DivRoundHalfEven(static_cast<__int128>(row.window_minutes) * row.remaining_days,
                               kBurnWindowDays);
  __int128 projected = demand;
  if (b.overage == events::Overage::kReject) {
    projected = std::min<__int128>(projected, std::max(row.funded_minutes, row.consumed_minutes));
  }
  row.projected_minutes = static_cast<int64_t>(projected);
  const int64_t left = row.funded_minutes - row.consumed_minutes;
  if (left <= 0) {
    if (row.consumed_minutes > 0) row.exhaustion_day = d;
  } else if (row.window_minutes > 0 && c.has_term && !c.closed) {
    const __int128 days = (static_cast<__int128>(left) * kBurnWindowDays + row.window_minutes - 1) /
                          row.window_minutes;
    if (d + days <= c.term_end_day) row.exhaustion_day = static_cast<int32_t>(d + days);
  }
  const bool running = c.has_term && !c.closed && c.term_start_day <= d && d <= c.term_end_day;
  if (!running) return row;
  if (demand > row.funded_minutes) {
    row.flag = BurnFlag::kOverrun;
  } else if (demand * 5 < static_cast<__int128>(row.funded_minutes) * 4) {
    row.flag = BurnFlag::kUnderuse;
  }
  return row;
}

}  // namespace

std::vector<BurnRow> BurnRows(const BurnProjection& p, int32_t as_of_day, bool at_risk_only,
                              std::string_view contract) {
  assert(p.max_day() == BurnProjection::kNoDay || as_of_day >= p.max_day());
  std::vector<BurnRow> rows;
  ForEachPresentLine(p, contract, [&](uint32_t id, const ContractBurn& c, int i) {
    BurnRow row = LineRow(c, c.lines[i], as_of_day);
    row.contract = p.contract_name(id);
    row.service_line = LineAt(i);
    if (at_risk_only && row.flag == BurnFlag::kOk) return;
    rows.push_back(std::move(row));
  });
  return rows;
}

}  // namespace ccl::projections

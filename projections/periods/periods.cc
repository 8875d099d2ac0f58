// Closed periods for reports (projections/periods/periods.h).
#include "projections/periods/periods.h"

#include <algorithm>
#include <cassert>
#include <map>

#include "events/base/time_format.h"
#include "ledger/store/period_seal.h"

namespace ccl::projections {

namespace {

// A reopening of `e.period_month` took effect: it and every later close
// not reopened yet are marked. `approval` is its Approved, or null. A month
// with no close of its own to mark was closed with the first close of a later
// month (R-PERIOD-01): its reopening gets an entry of its own (seq 0), so that
// no reopening goes unlisted.
void MarkReopened(const events::Event& e, const events::Event* approval,
                  std::vector<ClosedPeriod>* periods) {
  const auto mark = [&](ClosedPeriod& p) {
    p.reopened_at_ns = approval != nullptr ? approval->recorded_at_ns : e.recorded_at_ns;
    p.reopened_by = e.actor;
    p.reopen_approved_by = approval != nullptr ? approval->actor : "";
  };
  bool own_close = false;
  for (ClosedPeriod& p : *periods) {
    if (p.month < e.period_month || p.reopened_at_ns != 0) continue;
    own_close = own_close || p.month == e.period_month;
    mark(p);
  }
  if (own_close) return;
  ClosedPeriod& p = periods->emplace_back();
  p.month = e.period_month;
  mark(p);
}

}  // namespace

Status ReadClosedPeriods(ledger::Ledger* ledger, int64_t known_at_ns,
                         std::vector<ClosedPeriod>* out) {
  out->clear();
  // Reopenings awaiting approval; decisions on them are in this stream too.
  std::vector<events::Event> pending;
  // Ledger-wide events are the stream of the empty contract name.
  std::unique_ptr<ledger::EventIterator> it = ledger->NewStreamIterator("");
  for (; it->Valid(); it->Next()) {
    const events::Event& e = it->event();
    if (e.recorded_at_ns > known_at_ns) break;  // recorded_at never decreases along seq
    if (e.type == events::EventType::kPeriodReopened) {
      if (e.awaits_approval) {
        pending.push_back(e);
      } else {
        MarkReopened(e, nullptr, out);
      }
      continue;
    }
    if (events::IsDecision(e.type)) {
      for (auto p = pending.begin(); p != pending.end(); ++p) {
        if (p->event_id != e.target_event_id) continue;
        if (e.type == events::EventType::kApproved) MarkReopened(*p, &e, out);
        pending.erase(p);
        break;
      }
      continue;
    }
    if (e.type != events::EventType::kPeriodClosed) continue;
    if (!e.seal.has_value()) {
      return Status::Corruption("seq " + std::to_string(e.seq) + ": PeriodClosed " +
                                events::FormatMonthIndex(e.period_month) + " has no seal");
    }
    ClosedPeriod& p = out->emplace_back();
    p.month = e.period_month;
    p.seq = e.seq;
    p.effective_at_ns = e.effective_at_ns;
    p.recorded_at_ns = e.recorded_at_ns;
    p.actor = e.actor;
    p.note = e.note;
    p.seal = *e.seal;
  }
  // Entries were made in log order, a month's reopening without a close of
  // its own after the later months' closes: stable, so each month keeps its
  // own in log order.
  std::stable_sort(out->begin(), out->end(),
                   [](const ClosedPeriod& a, const ClosedPeriod& b) { return a.month < b.month; });
  return it->status();
}

Status FindSealedClose(const std::vector<ClosedPeriod>& periods, int32_t month,
                       const ClosedPeriod** out) {
  *out = nullptr;
  for (const ClosedPeriod& p : periods) {
    if (p.month == month) *out = &p;  // the last close of the month counts
  }
  const std::string name = "period " + events::FormatMonthIndex(month);
  if (*out == nullptr) {
    const bool later_close =
        std::any_of(periods.begin(), periods.end(),
                    [&](const ClosedPeriod& p) { return p.seq != 0 && p.month > month; });
    if (later_close) {
      // Before the first close: closed with it (R-PERIOD-01), never sealed.
      return Status::NotFound(name +
                              " has no close of its own: the months before the first close are "
                              "closed with it, without sealed figures (ledgerctl periods lists "
                              "the closes)");
    }
    return Status::NotFound(name + " is not closed (ledgerctl periods lists the closed months)");
  }
  if ((*out)->reopened_at_ns != 0) {
    const ClosedPeriod& p = **out;
    *out = nullptr;
    return Status::NotFound(name + " was reopened at " + events::FormatInstantNs(p.reopened_at_ns) +
                            " by " + p.reopened_by + " and is not closed again: no sealed figures");
  }
  return Status::OK();
}

std::string ReopenedBy(const ClosedPeriod& p) {
  assert(p.reopened_at_ns != 0);
  if (p.reopen_approved_by.empty()) return p.reopened_by;
  return p.reopened_by + ", approved by " + p.reopen_approved_by;
}

RowSet PeriodRowSet(const std::vector<ClosedPeriod>& periods) {
  RowSet set;
  set.columns = {
      {"period"},
      {"closed_at", ColumnKind::kText, true, true, true, "effective"},
      {"recorded_at"},
      {"actor"},
      {"seq", ColumnKind::kInt},
      {"reopened_at"},
      {"reopened_by"},
      {"currency", ColumnKind::kText, true, false, true},
      // The sealed totals are cumulative: every event effective up
      // to the month's end, not the month's alone. CSV and JSON keep
      // the names of the close's sealed_totals (schemas/EVENTS.md).
      {"revenue_minor", ColumnKind::kMoney, true, true, true, "revenue through month"},
      {"cost_minor", ColumnKind::kMoney, true, true, true, "cost through month"},
      {"margin_minor", ColumnKind::kMoney, true, true, true, "margin through month"},
      {"minutes", ColumnKind::kMinutes, true, true, true, "consumed h:mm through month"}};
  set.currency_column = 7;
  const auto text = [](std::string s) { return Cell{false, 0, std::move(s)}; };
  const auto num = [](int64_t v) { return Cell{false, v, {}}; };
  const Cell null{true, 0, {}};
  for (const ClosedPeriod& p : periods) {
    const bool own_close = p.seq != 0;
    std::vector<Cell> head = {
        text(events::FormatMonthIndex(p.month)),
        own_close ? text(events::FormatInstant(p.effective_at_ns)) : null,
        own_close ? text(events::FormatInstantNs(p.recorded_at_ns)) : null,
        own_close ? text(p.actor) : null,
        own_close ? num(static_cast<int64_t>(p.seq)) : null,
        p.reopened_at_ns == 0 ? null : text(events::FormatInstantNs(p.reopened_at_ns)),
        p.reopened_at_ns == 0 ? null : text(ReopenedBy(p))};
    if (p.seal.totals.empty()) {
      std::vector<Cell> row = head;
      row.insert(row.end(), {null, null, null, null, null});
      set.rows.push_back(std::move(row));
    }
    for (const events::SealedTotal& t : p.seal.totals) {
      std::vector<Cell> row = head;
      row.insert(row.end(), {text(t.currency), num(t.revenue_minor), num(t.cost_minor),
                             num(t.margin_minor), num(t.minutes)});
      set.rows.push_back(std::move(row));
    }
  }
  return set;
}

Status CheckMarginsAgainstSeal(const MarginsProjection& p, const ClosedPeriod& period) {
  const std::string label = "period " + events::FormatMonthIndex(period.month) +
                            " (PeriodClosed seq " + std::to_string(period.seq) + ")";
  if (p.overflowed()) return Status::Corruption(label + ": the margins overflow");
  std::vector<ledger::SealMarginRow> rows;
  std::map<std::string, std::pair<int64_t, int64_t>> by_currency;  // revenue, cost
  for (uint32_t id : p.SortedContracts()) {
    const ContractMargin& c = p.contract(id);
    for (const MonthMargin& m : c.months) {
      if (m.month > period.month) continue;  // none: the view ends with the month
      rows.push_back({p.contract_name(id), m.month, m.revenue_minor, m.cost_minor});
      auto& sums = by_currency[c.currency];
      if (__builtin_add_overflow(sums.first, m.revenue_minor, &sums.first) ||
          __builtin_add_overflow(sums.second, m.cost_minor, &sums.second)) {
        return Status::Corruption(label + ": the margins overflow");
      }
    }
  }
  if (ledger::MarginRowsDigest(rows) != period.seal.margins_digest) {
    return Status::Corruption(label +
                              ": the margins recomputed as of the month's end differ from "
                              "sealed_margins_digest");
  }
  for (const events::SealedTotal& t : period.seal.totals) {
    auto it = by_currency.find(t.currency);
    const std::pair<int64_t, int64_t> sums =
        it == by_currency.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
    if (sums.first != t.revenue_minor || sums.second != t.cost_minor) {
      return Status::Corruption(label + ": the " + t.currency +
                                " margins recomputed as of the month's end differ from "
                                "sealed_totals");
    }
  }
  return Status::OK();
}

}  // namespace ccl::projections

#include "projections/folds/margins.h"

#include <algorithm>

#include "events/base/limits.h"
#include "events/base/time_format.h"
#include "events/model/money.h"
#include "projections/folds/serial.h"

namespace ccl::projections {

using events::Event;
using events::EventType;

int64_t MarginsProjection::RevenueOf(const Event& e) {
  return events::ValueMinor(e.minutes, e.applied_bill_rate_minor.value_or(0));
}

int64_t MarginsProjection::CostOf(const Event& e) {
  return e.type == EventType::kHoursBooked ? events::ValueMinor(e.minutes, e.cost_rate_minor)
                                           : e.cost_minor;
}

void MarginsProjection::Add(ContractMargin* m, const Event& c, int sign) {
  const int32_t month = events::MonthIndexOf(events::DayOf(c.effective_at_ns));
  std::vector<MonthMargin>& months = m->months;
  // Bookings arrive mostly in the latest month: check the back first.
  MonthMargin* cell;
  if (!months.empty() && months.back().month == month) {
    cell = &months.back();
  } else {
    auto it = std::lower_bound(months.begin(), months.end(), month,
                               [](const MonthMargin& x, int32_t v) { return x.month < v; });
    if (it == months.end() || it->month != month) it = months.insert(it, MonthMargin{month, 0, 0});
    cell = &*it;
  }
  int64_t revenue = RevenueOf(c);
  int64_t cost = CostOf(c);
  if (sign < 0) {
    revenue = -revenue;
    cost = -cost;
  }
  overflowed_ |= __builtin_add_overflow(cell->revenue_minor, revenue, &cell->revenue_minor);
  overflowed_ |= __builtin_add_overflow(cell->cost_minor, cost, &cell->cost_minor);
}

void MarginsProjection::ApplyKeyed(const Event& e, const Event* reversal_target,
                                   const ContractKey& key) {
  switch (e.type) {
    case EventType::kContractOpened: {
      ContractMargin& m = ContractFor(e.contract, key);
      m.customer = e.customer;
      m.currency = e.currency;
      return;
    }
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
      Add(&ContractFor(e.contract, key), e, +1);
      return;
    case EventType::kEntryReversed: {
      const Event* t = ReversedConsumption(e, reversal_target);
      if (t == nullptr) return;
      Add(&ContractFor(e.contract, key), *t, -1);
      return;
    }
    default:
      return;
  }
}

// Layout: u8 overflowed; u32 contract count; per contract in name order:
// string name, string customer, string currency, u32 month count, per month
// (increasing) i32 month, i64 revenue_minor, i64 cost_minor.
void MarginsProjection::SerializeState(std::string* out) const {
  StateWriter w(out);
  w.U8(overflowed_ ? 1 : 0);
  WriteContracts(w, [&w](const ContractMargin& m) {
    w.String(m.customer);
    w.String(m.currency);
    w.U32(static_cast<uint32_t>(m.months.size()));
    for (const MonthMargin& x : m.months) {
      w.I32(x.month);
      w.I64(x.revenue_minor);
      w.I64(x.cost_minor);
    }
  });
}

Status MarginsProjection::DeserializeState(std::string_view bytes) {
  return DecodeState(this, bytes, "margins state", [this](StateReader& r) {
    uint8_t overflowed = 0;
    r.U8(&overflowed);
    if (overflowed > 1) r.Fail("overflow flag not 0 or 1");
    overflowed_ = overflowed == 1;
    ReadContracts(r, 4 * 4, [&](const std::string& name) {
      ContractMargin& m = ContractFor(name, ContractKey{});
      r.String(limits::kCustomerBytesMax, &m.customer);
      r.String(3, &m.currency);
      uint32_t months = 0;
      r.Count(kStateMonthsPerContractMax, 4 + 8 + 8, &months);
      for (uint32_t k = 0; k < months && !r.failed(); ++k) {
        MonthMargin x;
        r.I32(&x.month);
        r.I64(&x.revenue_minor);
        r.I64(&x.cost_minor);
        if (!m.months.empty() && m.months.back().month >= x.month) {
          r.Fail("months not in strictly increasing order");
        }
        m.months.push_back(x);
      }
    });
  });
}

}  // namespace ccl::projections

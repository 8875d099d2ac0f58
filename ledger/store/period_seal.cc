// Sealed figures of a period close (ledger/store/period_seal.h).
#include "ledger/store/period_seal.h"

#include <algorithm>
#include <array>
#include <cassert>

#include "events/base/time_format.h"
#include "events/model/money.h"
#include "ledger/merkle/merkle.h"
#include "ledger/store/keys.h"

namespace ccl::ledger {

namespace {

using events::Event;
using events::EventType;

int32_t MonthOfInstant(int64_t ns) { return events::MonthIndexOf(events::DayOf(ns)); }

Status Overflow() {
  return Status::InvalidArgument("period figures: a sum leaves the 64-bit range");
}

bool Add64(int64_t* acc, int64_t v) { return !__builtin_add_overflow(*acc, v, acc); }

}  // namespace

std::array<uint8_t, 32> MarginRowsDigest(const std::vector<SealMarginRow>& rows) {
  std::string bytes("ccl-seal-margins");
  bytes.push_back('\0');
  for (size_t i = 0; i < rows.size(); ++i) {
    const SealMarginRow& r = rows[i];
    assert(i == 0 ||
           std::tie(rows[i - 1].contract, rows[i - 1].month) < std::tie(r.contract, r.month));
    bytes.append(r.contract);
    bytes.push_back('\0');
    AppendBE32(static_cast<uint32_t>(r.month), &bytes);
    AppendBE64(static_cast<uint64_t>(r.revenue_minor), &bytes);
    AppendBE64(static_cast<uint64_t>(r.cost_minor), &bytes);
  }
  return Sha256(bytes);
}

Status PeriodFold::AddTo(Sums* s, int64_t funded, int64_t consumed, int64_t revenue, int64_t cost) {
  if (!Add64(&s->funded_minutes, funded) || !Add64(&s->consumed_minutes, consumed) ||
      !Add64(&s->revenue_minor, revenue) || !Add64(&s->cost_minor, cost)) {
    return Overflow();
  }
  return Status::OK();
}

PeriodFold::ContractSums& PeriodFold::ContractOf(std::string_view contract) {
  auto it = contracts_.find(contract);
  if (it == contracts_.end()) it = contracts_.emplace(std::string(contract), ContractSums{}).first;
  return it->second;
}

std::vector<const std::pair<const std::string, PeriodFold::ContractSums>*>
PeriodFold::SortedContracts() const {
  std::vector<const std::pair<const std::string, ContractSums>*> out;
  out.reserve(contracts_.size());
  for (const auto& entry : contracts_) out.push_back(&entry);
  std::sort(out.begin(), out.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  return out;
}

PeriodFold::Sums& PeriodFold::SumsAt(MonthSums* v, int32_t as_of_month, int32_t key) {
  const std::pair<int32_t, int32_t> k{as_of_month, key};
  auto at = v->end();
  while (at != v->begin() && k < std::prev(at)->first) --at;
  if (at != v->begin() && std::prev(at)->first == k) return std::prev(at)->second;
  return v->insert(at, {k, Sums{}})->second;
}

// A consumption event's contribution, counted from `as_of_month`; sign -1
// takes it back (a reversal), in the consumption's own margin month.
Status PeriodFold::AddConsumption(const Event& c, int32_t as_of_month, int sign,
                                  ContractSums* sums) {
  assert(c.IsConsumption() && (sign == 1 || sign == -1));
  const int64_t minutes = sign * int64_t{c.minutes};
  const int64_t rate = c.applied_bill_rate_minor.value_or(0);
  const int64_t revenue = events::ValueMinor(minutes, rate);
  const int64_t cost = c.type == EventType::kHoursBooked
                           ? events::ValueMinor(minutes, c.cost_rate_minor)
                           : sign * c.cost_minor;
  const int32_t line = static_cast<uint8_t>(c.service_line);
  CCL_RETURN_IF_ERROR(AddTo(&SumsAt(&sums->lines, as_of_month, line), 0, minutes, 0, 0));
  return AddTo(&SumsAt(&sums->months, as_of_month, MonthOfInstant(c.effective_at_ns)), 0, minutes,
               revenue, cost);
}

const std::string* PeriodFold::ContractChanged(const Event& e, const Event* reversal_target) {
  switch (e.type) {
    case EventType::kContractOpened:
    case EventType::kContractAmended:
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
      return &e.contract;
    case EventType::kEntryReversed:
      return reversal_target != nullptr ? &reversal_target->contract : nullptr;
    default:
      return nullptr;
  }
}

Status PeriodFold::Add(const Event& e, const Event* reversal_target) {
  const std::string* contract = ContractChanged(e, reversal_target);
  return Add(e, reversal_target, contract != nullptr ? &ContractOf(*contract) : nullptr);
}

Status PeriodFold::Add(const Event& e, const Event* reversal_target, ContractSums* sums) {
  assert((sums == nullptr) == (ContractChanged(e, reversal_target) == nullptr));
  const int32_t as_of = MonthOfInstant(e.effective_at_ns);
  switch (e.type) {
    case EventType::kContractOpened:
      if (sums->currency.empty()) sums->currency = e.currency;
      [[fallthrough]];
    case EventType::kContractAmended: {
      for (const events::ContractLine& l : e.lines) {
        const int64_t funded =
            e.type == EventType::kContractOpened ? l.funded_minutes : l.funded_minutes_delta;
        const int32_t line = static_cast<uint8_t>(l.service_line);
        CCL_RETURN_IF_ERROR(AddTo(&SumsAt(&sums->lines, as_of, line), funded, 0, 0, 0));
      }
      return Status::OK();
    }
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
      return AddConsumption(e, as_of, 1, sums);
    case EventType::kEntryReversed:
      assert(reversal_target != nullptr && reversal_target->IsConsumption());
      if (reversal_target == nullptr || !reversal_target->IsConsumption()) {
        return Status::InvalidArgument("period figures: a reversal without its target");
      }
      return AddConsumption(*reversal_target, as_of, -1, sums);
    default:
      return Status::OK();
  }
}

std::vector<SealMarginRow> PeriodFold::MarginRows(int32_t month) const {
  std::vector<SealMarginRow> rows;
  for (const auto* entry : SortedContracts()) {
    const auto& [contract, sums] = *entry;
    // margin month -> revenue, cost; each summed in as-of order.
    std::map<int32_t, std::pair<int64_t, int64_t>> by_month;
    for (const auto& [key, s] : sums.months) {
      const auto [as_of, margin_month] = key;
      if (as_of > month) break;  // sorted by as-of month
      auto& [revenue, cost] = by_month[margin_month];
      revenue += s.revenue_minor;
      cost += s.cost_minor;
    }
    for (const auto& [margin_month, figures] : by_month) {
      rows.push_back(SealMarginRow{contract, margin_month, figures.first, figures.second});
    }
  }
  return rows;
}

Status PeriodFold::Seal(int32_t month, events::PeriodSeal* out) const {
  *out = events::PeriodSeal{};
  // Balances: (contract, line) -> funded, consumed, in key order.
  std::string bytes("ccl-seal-balances");
  bytes.push_back('\0');
  std::map<std::string, events::SealedTotal> totals;
  for (const auto* entry : SortedContracts()) {
    const auto& [contract, sums] = *entry;
    // service line -> funded, consumed; each summed in as-of order.
    std::map<int32_t, Sums> by_line;
    for (const auto& [key, s] : sums.lines) {
      const auto [as_of, line] = key;
      if (as_of > month) break;  // sorted by as-of month
      Sums& r = by_line[line];
      if (!Add64(&r.funded_minutes, s.funded_minutes) ||
          !Add64(&r.consumed_minutes, s.consumed_minutes)) {
        return Overflow();
      }
    }
    if (!by_line.empty() && sums.currency.empty()) {
      return Status::InvalidArgument("period figures: no currency");
    }
    for (const auto& [line, row] : by_line) {
      bytes.append(contract);
      bytes.push_back('\0');
      bytes.push_back(static_cast<char>(line));
      AppendBE64(static_cast<uint64_t>(row.funded_minutes), &bytes);
      AppendBE64(static_cast<uint64_t>(row.consumed_minutes), &bytes);
      if (!Add64(&totals[sums.currency].minutes, row.consumed_minutes)) return Overflow();
    }
  }
  out->balances_digest = Sha256(bytes);

  const std::vector<SealMarginRow> rows = MarginRows(month);
  out->margins_digest = MarginRowsDigest(rows);
  for (const SealMarginRow& r : rows) {
    auto c = contracts_.find(r.contract);
    if (c == contracts_.end() || c->second.currency.empty()) {
      return Status::InvalidArgument("period figures: no currency");
    }
    events::SealedTotal& t = totals[c->second.currency];
    if (!Add64(&t.revenue_minor, r.revenue_minor) || !Add64(&t.cost_minor, r.cost_minor)) {
      return Overflow();
    }
  }
  for (auto& [currency, t] : totals) {
    t.currency = currency;
    if (__builtin_sub_overflow(t.revenue_minor, t.cost_minor, &t.margin_minor)) return Overflow();
    out->totals.push_back(t);
  }
  return Status::OK();
}

}  // namespace ccl::ledger

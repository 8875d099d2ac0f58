#include "projections/folds/balances.h"

#include "events/base/limits.h"
#include "events/model/validate.h"
#include "projections/folds/serial.h"

namespace ccl::projections {

using events::Event;
using events::EventType;

void BalancesProjection::ApplyKeyed(const Event& e, const Event* reversal_target,
                                    const ContractKey& key) {
  switch (e.type) {
    case EventType::kContractOpened:
    case EventType::kContractAmended: {
      ContractBalance& c = ContractFor(e.contract, key);
      const bool opened = e.type == EventType::kContractOpened;
      for (const events::ContractLine& l : e.lines) {
        if (!IsKnownLine(l.service_line)) continue;
        LineBalance& b = c.lines[LineIndex(l.service_line)];
        b.present = true;
        b.funded_minutes += opened ? l.funded_minutes : l.funded_minutes_delta;
      }
      return;
    }
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted: {
      if (!IsKnownLine(e.service_line)) return;
      LineBalance& b = ContractFor(e.contract, key).lines[LineIndex(e.service_line)];
      b.present = true;
      b.consumed_minutes += e.minutes;
      return;
    }
    case EventType::kEntryReversed: {
      const Event* t = reversal_target;
      // The write model guarantees a consumption target of the same contract;
      // anything else cannot be valued and is left out.
      if (t == nullptr || !t->IsConsumption() || t->contract != e.contract ||
          !IsKnownLine(t->service_line)) {
        return;
      }
      LineBalance& b = ContractFor(e.contract, key).lines[LineIndex(t->service_line)];
      b.present = true;
      b.consumed_minutes -= t->minutes;
      return;
    }
    default:
      return;
  }
}

void BalancesProjection::Reset() { ClearContracts(); }

// Layout: u32 contract count; per contract in name order: string name,
// u8 line mask (bit i = line index i present), then per present line
// i64 funded_minutes, i64 consumed_minutes.
void BalancesProjection::SerializeState(std::string* out) const {
  StateWriter w(out);
  w.U32(static_cast<uint32_t>(contracts_.size()));
  for (uint32_t id : SortedIds(names_.names())) {
    const ContractBalance& c = contracts_[id];
    w.String(names_.name(id));
    uint8_t mask = 0;
    for (int i = 0; i < events::kServiceLineCount; ++i) {
      if (c.lines[i].present) mask |= static_cast<uint8_t>(1u << i);
    }
    w.U8(mask);
    for (const LineBalance& b : c.lines) {
      if (!b.present) continue;
      w.I64(b.funded_minutes);
      w.I64(b.consumed_minutes);
    }
  }
}

Status BalancesProjection::DeserializeState(std::string_view bytes) {
  Reset();
  StateReader r(bytes);
  uint32_t count = 0;
  r.Count(kStateContractsMax, 4 + 1 + 1, &count);
  std::string name, previous;
  for (uint32_t n = 0; n < count && !r.failed(); ++n) {
    if (!r.String(limits::kContractBytesMax, &name)) break;
    if (!events::IsValidContractId(name)) r.Fail("invalid contract id");
    if (n > 0 && !(previous < name)) r.Fail("contracts not in strictly increasing order");
    uint8_t mask = 0;
    r.U8(&mask);
    if (mask >= (1u << events::kServiceLineCount)) r.Fail("line mask has unknown bits");
    if (r.failed()) break;
    ContractBalance& c = ContractFor(name, ContractKey{});
    for (int i = 0; i < events::kServiceLineCount; ++i) {
      if ((mask & (1u << i)) == 0) continue;
      c.lines[i].present = true;
      r.I64(&c.lines[i].funded_minutes);
      r.I64(&c.lines[i].consumed_minutes);
    }
    previous.swap(name);
  }
  Status s = r.Finish("balances state");
  if (!s.ok()) Reset();
  return s;
}

}  // namespace ccl::projections

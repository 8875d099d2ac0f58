#include "projections/folds/balances.h"

#include "projections/folds/serial.h"

namespace ccl::projections {

using events::Event;
using events::EventType;

void BalancesProjection::ApplyKeyed(const Event& e, const Event* reversal_target,
                                    const ContractKey& key) {
  switch (e.type) {
    case EventType::kContractOpened:
    case EventType::kContractAmended: {
      AddFundedLines(e, &ContractFor(e.contract, key).lines,
                     [](const events::ContractLine&, LineBalance&) {});
      return;
    }
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
    case EventType::kEntryReversed:
      AddConsumedMinutes(e, reversal_target, key, nullptr);
      return;
    default:
      return;
  }
}

// Layout: u32 contract count; per contract in name order: string name,
// u8 line mask (bit i = line index i present), then per present line
// i64 funded_minutes, i64 consumed_minutes.
void BalancesProjection::SerializeState(std::string* out) const {
  StateWriter w(out);
  WriteContracts(w, [&w](const ContractBalance& c) {
    w.U8(PresentLineMask(c.lines));
    for (const LineBalance& b : c.lines) {
      if (!b.present) continue;
      w.I64(b.funded_minutes);
      w.I64(b.consumed_minutes);
    }
  });
}

Status BalancesProjection::DeserializeState(std::string_view bytes) {
  return DecodeState(this, bytes, "balances state", [this](StateReader& r) {
    ReadContracts(r, 4 + 1 + 1, [&](const std::string& name) {
      uint8_t mask = 0;
      if (!r.U8(&mask) || !CheckLineMask(r, mask, events::kServiceLineCount)) return;
      ContractBalance& c = ContractFor(name, ContractKey{});
      for (int i = 0; i < events::kServiceLineCount; ++i) {
        if ((mask & (1u << i)) == 0) continue;
        c.lines[i].present = true;
        r.I64(&c.lines[i].funded_minutes);
        r.I64(&c.lines[i].consumed_minutes);
      }
    });
  });
}

}  // namespace ccl::projections

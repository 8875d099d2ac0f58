#include "projections/folds/burn.h"

#include <algorithm>

#include "events/base/limits.h"
#include "events/base/time_format.h"
#include "projections/folds/serial.h"

namespace ccl::projections {

using events::Event;
using events::EventType;

namespace {

int Slot(int32_t day) {
  const int m = day % kBurnWindowDays;
  return m < 0 ? m + kBurnWindowDays : m;
}

}  // namespace

int64_t LineBurn::WindowMinutes(int32_t first_day, int32_t last_day) const {
  if (!has_ring) return 0;
  const int32_t lo = std::max(first_day, ring_end_day - (kBurnWindowDays - 1));
  const int32_t hi = std::min(last_day, ring_end_day);
  int64_t sum = 0;
  for (int32_t d = lo; d <= hi; ++d) sum += ring[Slot(d)];
  return sum;
}

void BurnProjection::AddDay(LineBurn* line, int32_t day, int64_t minutes) {
  if (!line->has_ring) {
    line->has_ring = true;
    line->ring_end_day = day;
  } else if (day > line->ring_end_day) {
    // Slide the window forward: the days it passes over start at zero.
    const int32_t clear_to = std::min(day, line->ring_end_day + kBurnWindowDays);
    for (int32_t d = line->ring_end_day + 1; d <= clear_to; ++d) line->ring[Slot(d)] = 0;
    line->ring_end_day = day;
  } else if (day <= line->ring_end_day - kBurnWindowDays) {
    return;  // before every window still to come
  }
  line->ring[Slot(day)] += minutes;
}

void BurnProjection::ApplyKeyed(const Event& e, const Event* reversal_target,
                                const ContractKey& key) {
  const int32_t day = events::DayOf(e.effective_at_ns);
  if (day > max_day_) max_day_ = day;
  switch (e.type) {
    case EventType::kContractOpened:
    case EventType::kContractAmended: {
      ContractBurn& c = ContractFor(e.contract, key);
      const bool opened = e.type == EventType::kContractOpened;
      if (opened) {
        c.has_term = true;
        c.term_start_day = e.term_start_day;
        c.term_end_day = e.term_end_day.value_or(e.term_start_day);
      } else if (e.term_end_day.has_value() && c.has_term) {
        c.term_end_day = *e.term_end_day;
      }
      AddFundedLines(e, &c.lines, [](const events::ContractLine& l, LineBurn& b) {
        if (l.overage != events::Overage::kUnset) b.overage = l.overage;
      });
      return;
    }
    case EventType::kContractClosed:
      ContractFor(e.contract, key).closed = true;
      return;
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
    case EventType::kEntryReversed: {
      ConsumedMinutes m;
      if (LineBurn* b = AddConsumedMinutes(e, reversal_target, key, &m)) {
        AddDay(b, m.day, m.minutes);
      }
      return;
    }
    default:
      return;
  }
}

// Layout: i32 max_day (INT32_MIN: none); u32 contract count; per contract in
// name order: string name, u8 flags (bit 0 has_term, bit 1 closed),
// i32 term_start_day, i32 term_end_day, u8 line mask; per present line:
// u8 overage (0 unset, 1 reject, 2 allow), i64 funded_minutes,
// i64 consumed_minutes, u8 has_ring, and when set
// i32 ring_end_day and 90 x i64 minutes for days ring_end_day-89..ring_end_day.
void BurnProjection::SerializeState(std::string* out) const {
  StateWriter w(out);
  w.I32(max_day_);
  WriteContracts(w, [&w](const ContractBurn& c) {
    w.U8(static_cast<uint8_t>((c.has_term ? 1 : 0) | (c.closed ? 2 : 0)));
    w.I32(c.term_start_day);
    w.I32(c.term_end_day);
    w.U8(PresentLineMask(c.lines));
    for (const LineBurn& b : c.lines) {
      if (!b.present) continue;
      w.U8(static_cast<uint8_t>(b.overage));
      w.I64(b.funded_minutes);
      w.I64(b.consumed_minutes);
      w.U8(b.has_ring ? 1 : 0);
      if (!b.has_ring) continue;
      w.I32(b.ring_end_day);
      for (int32_t d = b.ring_end_day - (kBurnWindowDays - 1); d <= b.ring_end_day; ++d) {
        w.I64(b.ring[Slot(d)]);
      }
    }
  });
}

namespace {

// One present line of a contract in a burn state (the layout above).
void ReadLineBurn(StateReader& r, LineBurn* b) {
  b->present = true;
  uint8_t has_ring = 0, overage = 0;
  r.U8(&overage);
  if (overage > static_cast<uint8_t>(events::Overage::kAllow)) r.Fail("unknown overage policy");
  b->overage = static_cast<events::Overage>(overage);
  r.I64(&b->funded_minutes);
  r.I64(&b->consumed_minutes);
  r.U8(&has_ring);
  if (has_ring > 1) r.Fail("ring flag not 0 or 1");
  if (has_ring != 1 || r.failed()) return;
  r.I32(&b->ring_end_day);
  if (b->ring_end_day < kStateDayMin || b->ring_end_day > kStateDayMax) {
    r.Fail("ring_end_day out of range");
  }
  // The window below is computed from ring_end_day: only a day in range
  // may reach it (found by fuzz_snapshot: INT32_MIN overflowed).
  if (r.failed()) return;
  b->has_ring = true;
  for (int32_t d = b->ring_end_day - (kBurnWindowDays - 1); d <= b->ring_end_day; ++d) {
    r.I64(&b->ring[Slot(d)]);
  }
}

}  // namespace

Status BurnProjection::DeserializeState(std::string_view bytes) {
  return DecodeState(this, bytes, "burn state", [this](StateReader& r) {
    int32_t max_day = kNoDay;
    r.I32(&max_day);
    if (max_day != kNoDay && (max_day < kStateDayMin || max_day > kStateDayMax)) {
      r.Fail("max_day out of range");
    }
    ReadContracts(r, 4 + 1 + 1 + 8 + 1, [&](const std::string& name) {
      ContractBurn& c = ContractFor(name, ContractKey{});
      uint8_t flags = 0, mask = 0;
      r.U8(&flags);
      r.I32(&c.term_start_day);
      r.I32(&c.term_end_day);
      r.U8(&mask);
      if (flags > 3) r.Fail("contract flags have unknown bits");
      // Burn figures subtract these days from others: keep them in the range
      // any event's day can take (0 when the contract has no term yet).
      for (const int32_t day : {c.term_start_day, c.term_end_day}) {
        if (day < kStateDayMin || day > kStateDayMax) r.Fail("term day out of range");
      }
      CheckLineMask(r, mask, events::kServiceLineCount);
      c.has_term = (flags & 1) != 0;
      c.closed = (flags & 2) != 0;
      for (int i = 0; i < events::kServiceLineCount && !r.failed(); ++i) {
        if ((mask & (1u << i)) != 0) ReadLineBurn(r, &c.lines[i]);
      }
    });
    max_day_ = max_day;
  });
}

}  // namespace ccl::projections

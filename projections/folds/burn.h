// `burn`: per contract line, the trailing 90-day burn rate and the forecast
// to the end of the term (projections/folds/report_rows.h turns the state into rows
// for an evaluation day; see BurnRows for the arithmetic and the flags).
//
// The fold keeps, per line, funded and consumed minutes, the overage policy
// and a ring of the last 90 days of consumption (by effective day), plus the
// contract's term and the latest effective day of any event folded (max_day).
// The fold reads no clock: the evaluation day is an input of BurnRows, so the
// state (and its digest) is a function of the events alone. Memory is
// bounded by contracts x lines x 90 days.
//
// - Consumption adds its minutes on its effective day; an EntryReversed takes
//   its target's minutes back on the TARGET's day (like margins' month rule).
// - A day older than the ring's window is still counted in consumed but falls
//   out of every later window. Windows are exact for an evaluation day on or
//   after max_day (report_rows.h FoldBurnThroughDay makes sure of that).
// - ContractOpened sets the term, funding and overage policy; ContractAmended
//   moves funding and, when given, term_end and the overage policy;
//   ContractClosed stops the forecast (no days left).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "events/model/event.h"
#include "projections/folds/contract_projection.h"
#include "projections/folds/intern.h"

namespace ccl::projections {

inline constexpr int32_t kBurnWindowDays = 90;

struct LineBurn {
  bool present = false;
  // kReject: consumption past the funding is refused on append, so the
  // forecast stops at the funding. kUnset for a line only consumed in view.
  events::Overage overage = events::Overage::kUnset;
  int64_t funded_minutes = 0;
  int64_t consumed_minutes = 0;
  // Consumption of days (ring_end_day - 89 .. ring_end_day), slot day % 90;
  // has_ring from the line's first consumption. Held inline rather than on
  // the heap: every consumption event touches it, and one memory access per
  // event is cheaper than a pointer and then the slot.
  bool has_ring = false;
  int32_t ring_end_day = 0;
  std::array<int64_t, kBurnWindowDays> ring{};

  // Minutes consumed on days [first_day, last_day] that the ring still holds.
  int64_t WindowMinutes(int32_t first_day, int32_t last_day) const;
  bool operator==(const LineBurn&) const = default;
};

struct ContractBurn {
  bool has_term = false;  // a ContractOpened is in the view
  bool closed = false;
  int32_t term_start_day = 0;
  int32_t term_end_day = 0;  // inclusive
  std::array<LineBurn, events::kServiceLineCount> lines;
  bool operator==(const ContractBurn&) const = default;
};

class BurnProjection final : public PerContractProjection<BurnProjection, ContractBurn> {
 public:
  static constexpr std::string_view kName = "burn";
  static constexpr uint32_t kVersion = 2;
  static constexpr int32_t kNoDay = std::numeric_limits<int32_t>::min();

  void ApplyKeyed(const events::Event& e, const events::Event* reversal_target,
                  const ContractKey& key) override;
  void SerializeState(std::string* out) const override;
  Status DeserializeState(std::string_view bytes) override;

  // Latest effective day of any event folded; kNoDay when none.
  int32_t max_day() const { return max_day_; }

 private:
  static void AddDay(LineBurn* line, int32_t day, int64_t minutes);

  int32_t max_day_ = kNoDay;
};

}  // namespace ccl::projections

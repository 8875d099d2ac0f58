// What a query looks at: the two time axes (effective_at, recorded_at;
// projections/FORMAT.md "Which events a query sees") and an optional single
// contract.
//
// - known_at_ns ("as known at T"): the log prefix up to the last seq recorded
//   at or before T (Ledger::LastSeqRecordedAtOrBefore, a binary search).
// - as_of_day ("as of D"): only events with effective_at < (D + 1) 00:00:00Z,
//   i.e. everything effective on or before day D, UTC. An EntryReversed is in
//   the view only when its target is too (a reversal of a booking effective
//   after D would otherwise take back minutes the view never counted).
// - contract: only that contract's stream (the `streams` index), so the cost
//   does not grow with the rest of the ledger.
// - contracts_in: only events of the contracts it admits (a caller's scope);
//   a fresh replay, never a snapshot (which holds every contract).
// The filters are applied outside the folds, which stay pure.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "events/base/time_format.h"
#include "events/model/event.h"

namespace ccl::projections {

struct View {
  std::optional<int32_t> as_of_day;    // days since 1970-01-01
  std::optional<int64_t> known_at_ns;  // ns since 1970-01-01T00:00:00Z
  std::string contract;                // empty: every contract
  // True for a contract ("" for ledger-wide events) whose events are in the
  // view; empty function: every contract. Called on the folding thread only.
  std::function<bool(std::string_view contract)> contracts_in;

  bool filtered() const {
    return as_of_day.has_value() || known_at_ns.has_value() || !contract.empty() ||
           contracts_in != nullptr;
  }
  // First instant NOT in the as-of view: (as_of_day + 1) days, 00:00:00Z.
  int64_t as_of_end_ns() const {
    return as_of_day.has_value() ? (static_cast<int64_t>(*as_of_day) + 1) * events::kNsPerDay
                                 : INT64_MAX;
  }
};

// True when `e` is effective inside the view's as-of bound.
inline bool EffectiveInView(const View& v, const events::Event& e) {
  return e.effective_at_ns < v.as_of_end_ns();
}

}  // namespace ccl::projections

// A projection: a pure, deterministic fold over the event log
// (projections/FORMAT.md). No clock, no I/O: the same events in the same
// order always give the same state, byte for byte, whatever machine or day it
// runs on.
//
// Who feeds it: the runner (projections/folds/runner.h) reads the log in seq order
// (or one contract's stream), applies the time filters of a query, resolves
// each EntryReversed's target through the ledger's event-id index and calls
// Apply. A projection never reads the ledger itself, so its memory is bounded
// by what it aggregates (contracts, lines, months, escalations), never by the
// number of events.
//
// Robustness: a fold never assumes the write model's rules hold in what it is
// fed. An as-of filter can drop a ContractOpened but keep a booking (when the
// opening is effective later), or drop an escalation's opening but keep its
// resolution. Every Apply is total: such events are either counted against a
// lazily created entry or ignored, as each projection documents; none crashes.
#pragma once

#include <cassert>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/base/limits.h"
#include "events/base/status.h"
#include "events/model/event.h"
#include "projections/folds/intern.h"

namespace ccl::projections {

// Bounds checked when a state is decoded, so a corrupted snapshot cannot make
// the decoder allocate without limit. Far above any real ledger.
inline constexpr uint32_t kStateContractsMax = 10'000'000;
inline constexpr uint32_t kStateMonthsPerContractMax = 12 * 230;  // kYearMin..kYearMax
inline constexpr uint32_t kStateEscalationsMax = 100'000'000;
// Days since 1970-01-01 of the first and last day the ledger accepts.
inline constexpr int32_t kStateDayMin = static_cast<int32_t>(
    std::chrono::sys_days{std::chrono::year{limits::kYearMin} / 1 / 1}.time_since_epoch().count());
inline constexpr int32_t kStateDayMax =
    static_cast<int32_t>(std::chrono::sys_days{std::chrono::year{limits::kYearMax} / 12 / 31}
                             .time_since_epoch()
                             .count());

// Service lines as array indexes 0..3 (kProactive..kServiceDelivery).
inline int LineIndex(events::ServiceLine s) { return static_cast<int>(s) - 1; }
inline events::ServiceLine LineAt(int index) { return static_cast<events::ServiceLine>(index + 1); }
inline bool IsKnownLine(events::ServiceLine s) {
  return static_cast<int>(s) >= 1 && static_cast<int>(s) <= events::kServiceLineCount;
}

// The consumption reversal `e` takes back: its target, when the view holds it
// and it is a consumption of e's own contract (the write model guarantees
// that; anything else cannot be valued, and a projection leaves it out);
// nullptr otherwise.
inline const events::Event* ReversedConsumption(const events::Event& e,
                                                const events::Event* reversal_target) {
  assert(e.type == events::EventType::kEntryReversed);
  const events::Event* t = reversal_target;
  if (t == nullptr || !t->IsConsumption() || t->contract != e.contract) return nullptr;
  return t;
}

class Projection {
 public:
  virtual ~Projection() = default;

  // Stable name ("balances"): the key of its snapshot and its CLI name.
  virtual std::string_view name() const = 0;
  // Bumped whenever the fold's meaning or its state encoding changes; a stored
  // snapshot of another version is rebuilt, never decoded.
  virtual uint32_t version() const = 0;

  // Folds one event in. `e` carries the ledger-assigned fields (seq,
  // recorded_at_ns, applied_bill_rate_minor). For an EntryReversed,
  // `reversal_target` is the stored target event (fully valued, with its
  // applied_bill_rate_minor); the reversal negates exactly what that target
  // contributed. The runner may pass a copy of the target holding only its
  // valuation fields (projections/folds/target_cache.h lists them): a fold must
  // not read other fields of a reversal target. REQUIRES: events arrive in
  // increasing seq order;
  // reversal_target != nullptr for an EntryReversed (a reversal without its
  // target is ignored) and is ignored for other types.
  virtual void Apply(const events::Event& e, const events::Event* reversal_target) = 0;

  // Apply with the caller's ContractKey for e.contract (projections/folds/intern.h):
  // the same result, without each projection hashing the contract name again.
  // The default ignores the key.
  virtual void ApplyKeyed(const events::Event& e, const events::Event* reversal_target,
                          const ContractKey& key) {
    (void)key;
    Apply(e, reversal_target);
  }

  // Empty state, as if nothing had been applied.
  virtual void Reset() = 0;

  // Canonical encoding of the state, appended to *out: entries sorted by their
  // keys (contract name bytes, then service line, month, severity...), fixed
  // width little-endian integers, so equal states give equal bytes whatever
  // order contracts were first seen in. Digests and snapshots use these bytes.
  virtual void SerializeState(std::string* out) const = 0;

  // Replaces the state with the one encoded in `bytes`, checking everything:
  // lengths, counts against limits, strictly increasing keys, valid names and
  // enum values, no trailing bytes. Corruption naming the first problem; the
  // state is then Reset().
  virtual Status DeserializeState(std::string_view bytes) = 0;

 protected:
  Projection() = default;
};

}  // namespace ccl::projections

// TargetCache: the valuation fields of recent consumption events, so that a
// reversal (corrections target recent entries) rarely costs the two point
// reads of Ledger::GetByEventId. Direct-mapped by event id: bounded memory,
// O(1), and a miss only means a read, never a different answer (events are
// immutable and their ids unique).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"

namespace ccl::projections {

class TargetCache {
 public:
  // 2^slots_log2 entries (default 65,536: about 8 MB).
  explicit TargetCache(int slots_log2 = 16);

  // Remembers consumption event `e` (others are ignored).
  void Remember(const events::Event& e);

  // When `id` is cached, fills *out with the fields the projections value a
  // reversal by (ClearEvent first, then event_id, type, contract, seq,
  // stream_version, recorded_at_ns, effective_at_ns, service_line, minutes,
  // applied_bill_rate_minor, cost_rate_minor, cost_minor, reference) and
  // returns true.
  bool Lookup(const events::Uuid& id, events::Event* out) const;

  void Clear();

 private:
  struct Entry {
    bool used = false;
    events::Uuid id{};
    events::EventType type = events::EventType::kHoursBooked;
    events::ServiceLine service_line = events::ServiceLine::kUnknown;
    int32_t minutes = 0;
    uint64_t seq = 0;
    uint64_t stream_version = 0;
    int64_t recorded_at_ns = 0;
    int64_t effective_at_ns = 0;
    std::optional<int64_t> applied_bill_rate_minor;
    int64_t cost_rate_minor = 0;
    int64_t cost_minor = 0;
    std::string contract;
    std::string reference;
  };
  size_t SlotOf(const events::Uuid& id) const;

  std::vector<Entry> entries_;
};

}  // namespace ccl::projections

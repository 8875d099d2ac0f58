#include "projections/target_cache.h"

#include <cstring>

namespace ccl::projections {

TargetCache::TargetCache(int slots_log2) : entries_(size_t{1} << slots_log2) {}

size_t TargetCache::SlotOf(const events::Uuid& id) const {
  uint64_t a, b;
  std::memcpy(&a, id.data(), 8);
  std::memcpy(&b, id.data() + 8, 8);
  // splitmix64's finalizer over both words: every input bit reaches the low
  // bits used for the slot (ids may vary only in their first or last bytes).
  uint64_t h = a ^ ((b << 32) | (b >> 32)) ^ 0x9E3779B97F4A7C15ull;
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 31;
  return h & (entries_.size() - 1);
}

void TargetCache::Remember(const events::Event& e) {
  if (!e.IsConsumption()) return;
  Entry& x = entries_[SlotOf(e.event_id)];
  x.used = true;
  x.id = e.event_id;
  x.type = e.type;
  x.service_line = e.service_line;
  x.minutes = e.minutes;
  x.seq = e.seq;
  x.stream_version = e.stream_version;
  x.recorded_at_ns = e.recorded_at_ns;
  x.effective_at_ns = e.effective_at_ns;
  x.applied_bill_rate_minor = e.applied_bill_rate_minor;
  x.cost_rate_minor = e.cost_rate_minor;
  x.cost_minor = e.cost_minor;
  x.contract = e.contract;
  x.reference = e.reference;
}

bool TargetCache::Lookup(const events::Uuid& id, events::Event* out) const {
  const Entry& x = entries_[SlotOf(id)];
  if (!x.used || x.id != id) return false;
  events::ClearEvent(out);
  out->event_id = x.id;
  out->type = x.type;
  out->service_line = x.service_line;
  out->minutes = x.minutes;
  out->seq = x.seq;
  out->stream_version = x.stream_version;
  out->recorded_at_ns = x.recorded_at_ns;
  out->effective_at_ns = x.effective_at_ns;
  out->applied_bill_rate_minor = x.applied_bill_rate_minor;
  out->cost_rate_minor = x.cost_rate_minor;
  out->cost_minor = x.cost_minor;
  out->contract = x.contract;
  out->reference = x.reference;
  return true;
}

void TargetCache::Clear() {
  for (Entry& x : entries_) x.used = false;
}

}  // namespace ccl::projections

#include "projections/folds/target_cache.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace ccl::projections {

namespace {

// Calls visit(cached, event_member) for each field TargetFields keeps, with
// the Event member it mirrors: the one list From and To both walk.
template <typename Fields, typename Ev, typename Visit>
void ForEachKeptField(Fields& t, Ev& e, Visit&& visit) {
  visit(t.id, e.event_id);
  visit(t.type, e.type);
  visit(t.service_line, e.service_line);
  visit(t.minutes, e.minutes);
  visit(t.seq, e.seq);
  visit(t.stream_version, e.stream_version);
  visit(t.recorded_at_ns, e.recorded_at_ns);
  visit(t.effective_at_ns, e.effective_at_ns);
  visit(t.applied_bill_rate_minor, e.applied_bill_rate_minor);
  visit(t.cost_rate_minor, e.cost_rate_minor);
  visit(t.cost_minor, e.cost_minor);
  visit(t.contract, e.contract);
  visit(t.reference, e.reference);
}

}  // namespace

void TargetFields::From(const events::Event& e) {
  assert(e.IsConsumption());
  used = true;
  ForEachKeptField(*this, e, [](auto& kept, const auto& field) { kept = field; });
}

void TargetFields::To(events::Event* out) const {
  events::ClearEvent(out);
  ForEachKeptField(*this, *out, [](const auto& kept, auto& field) { field = kept; });
}

TargetCache::TargetCache(int slots_log2) : slots_log2_(slots_log2) {}

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
  if (entries_.empty()) entries_.resize(size_t{1} << slots_log2_);
  entries_[SlotOf(e.event_id)].From(e);
}

bool TargetCache::Lookup(const events::Uuid& id, events::Event* out) const {
  if (entries_.empty()) return false;
  const TargetFields& x = entries_[SlotOf(id)];
  if (!x.used || x.id != id) return false;
  x.To(out);
  return true;
}

void TargetCache::Clear() {
  for (TargetFields& x : entries_) x.used = false;
}

void KeptTargets::Reset(std::vector<Link> links) {
  links_ = std::move(links);
  std::stable_sort(links_.begin(), links_.end(),
                   [](const Link& a, const Link& b) { return a.reversing_seq < b.reversing_seq; });
  by_target_.resize(links_.size());
  for (size_t i = 0; i < links_.size(); ++i) by_target_[i] = static_cast<uint32_t>(i);
  std::stable_sort(by_target_.begin(), by_target_.end(), [&](uint32_t a, uint32_t b) {
    return links_[a].target_seq < links_[b].target_seq;
  });
  fields_.assign(links_.size(), TargetFields{});
  target_pos_ = 0;
  reversal_pos_ = 0;
  kept_ = 0;
  next_target_seq_ = by_target_.empty() ? UINT64_MAX : links_[by_target_[0]].target_seq;
}

void KeptTargets::OfferSlow(uint64_t seq, const events::Event& e) {
  // Targets below seq were not offered (before the replay's range): their
  // reversals read them by id.
  while (target_pos_ < by_target_.size() && links_[by_target_[target_pos_]].target_seq <= seq) {
    const uint32_t i = by_target_[target_pos_++];
    if (links_[i].target_seq == seq && e.IsConsumption()) {
      fields_[i].From(e);
      ++kept_;
    }
  }
  next_target_seq_ =
      target_pos_ < by_target_.size() ? links_[by_target_[target_pos_]].target_seq : UINT64_MAX;
}

bool KeptTargets::Take(uint64_t seq, const events::Event& e, events::Event* out) {
  while (reversal_pos_ < links_.size() && links_[reversal_pos_].reversing_seq < seq) {
    ++reversal_pos_;
  }
  bool found = false;
  // Several links may name this seq only in a damaged index; any that kept
  // the right event gives the right answer.
  for (size_t i = reversal_pos_; i < links_.size() && links_[i].reversing_seq == seq; ++i) {
    TargetFields& f = fields_[i];
    if (!found && f.used && f.id == e.target_event_id) {
      f.To(out);
      found = true;
    }
    if (f.used) {
      f = TargetFields{};  // one reversal per target: the copy is done with
      --kept_;
    }
  }
  return found;
}

}  // namespace ccl::projections

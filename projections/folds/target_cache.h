// Reversal targets without a read per reversal.
//
// TargetFields: the valuation fields of one consumption event, what the
// projections read from a reversal's target (ClearEvent'd Event with event_id,
// type, contract, seq, stream_version, recorded_at_ns, effective_at_ns,
// service_line, minutes, applied_bill_rate_minor, cost_rate_minor, cost_minor,
// reference).
//
// TargetCache: recent consumption events, direct-mapped by event id, for
// stream-order replays (one contract), where corrections target recent
// entries. Bounded memory, O(1), and a miss only means a read.
//
// KeptTargets: for seq-order replays. The runner learns up front, from the
// ledger's `reversals` index, which seqs of its range will be reversed and
// by which seq; the fold keeps exactly those events as it passes them (a
// cursor over a sorted list, no hashing) and hands one back when its reversal
// comes. The index only decides what is kept: a kept event is handed back
// only when its event id is the reversal's target_event_id, so a damaged
// index costs a read by event id, never a different answer.
//
// Both: events are immutable and their ids unique, so a kept copy is the
// stored event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/model/event.h"

namespace ccl::projections {

struct TargetFields {
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

  // REQUIRES: e.IsConsumption()
  void From(const events::Event& e);
  // ClearEvent(out), then the fields above.
  void To(events::Event* out) const;
};

class TargetCache {
 public:
  // 2^slots_log2 entries, allocated on the first Remember so that a runner
  // that never needs it pays nothing. The default, 4,096 (about 0.5 MB), is
  // ample for one contract's stream (hundreds of consumption events; its
  // corrections target recent ones) and costs a single-contract query little
  // to set up, where a table sized for a whole ledger (8 MB) would dominate it.
  explicit TargetCache(int slots_log2 = 12);

  // Remembers consumption event `e` (others are ignored).
  void Remember(const events::Event& e);

  // When `id` is cached, fills *out (TargetFields::To) and returns true.
  bool Lookup(const events::Uuid& id, events::Event* out) const;

  void Clear();

 private:
  size_t SlotOf(const events::Uuid& id) const;

  int slots_log2_;
  std::vector<TargetFields> entries_;
};

class KeptTargets {
 public:
  struct Link {
    uint64_t reversing_seq = 0;
    uint64_t target_seq = 0;
  };

  // Starts over with `links` (any order; duplicates allowed): the events at
  // their target seqs will be kept when offered.
  void Reset(std::vector<Link> links);
  void Clear() { Reset({}); }

  // Call for every event of the replay in seq order (seq = e.seq). Keeps e
  // when a link targets seq and it is a consumption event (others are read
  // by id when reversed: no projection values them).
  void Offer(uint64_t seq, const events::Event& e) {
    if (seq >= next_target_seq_) OfferSlow(seq, e);
  }

  // For the reversal `e` at `seq` (calls in seq order): when the event its
  // link kept has id e.target_event_id, fills *out (TargetFields::To), frees
  // the copy and returns true.
  bool Take(uint64_t seq, const events::Event& e, events::Event* out);

  size_t kept() const { return kept_; }

 private:
  void OfferSlow(uint64_t seq, const events::Event& e);

  // Link indexes ordered by target seq, and a cursor into them.
  std::vector<Link> links_;  // ordered by reversing seq
  std::vector<uint32_t> by_target_;
  size_t target_pos_ = 0;
  uint64_t next_target_seq_ = UINT64_MAX;
  size_t reversal_pos_ = 0;
  std::vector<TargetFields> fields_;  // parallel to links_
  size_t kept_ = 0;
};

}  // namespace ccl::projections

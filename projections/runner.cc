#include "projections/runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "events/uuid.h"

namespace ccl::projections {

using events::Event;
using events::EventType;

Sha256 StateDigest(const Projection& p) {
  std::string state;
  p.SerializeState(&state);
  return Sha256Of(state);
}

namespace {
// Each Runner numbers contracts in its own key space (ContractKey::space), so
// a projection fed by two runners in turn never mixes their numberings.
std::atomic<uint64_t> next_key_space{1};
}  // namespace

Runner::Runner(ledger::Ledger* ledger, const RunnerOptions& options)
    : ledger_(ledger), options_(options), key_space_(next_key_space.fetch_add(1)) {}

Status Runner::LoadSnapshot(Projection* p, uint64_t* checkpoint_seq) {
  *checkpoint_seq = 0;
  p->Reset();
  std::string value;
  Status s = ledger_->GetProjectionState(p->name(), &value);
  if (!s.ok()) return s;
  SnapshotHeader h;
  std::string_view state;
  s = DecodeSnapshot(value, &h, &state);
  if (!s.ok()) return s;
  if (h.projection != p->name()) {
    return Status::Corruption("snapshot is of projection '" + h.projection + "'");
  }
  if (h.projection_version != p->version()) {
    return Status::InvalidArgument("snapshot has projection version " +
                                   std::to_string(h.projection_version) + ", current is " +
                                   std::to_string(p->version()));
  }
  if (h.ledger_id != ledger_->ledger_id()) {
    return Status::Corruption("snapshot belongs to ledger " + events::FormatUuid(h.ledger_id));
  }
  if (h.checkpoint_seq > ledger_->head().seq) {
    return Status::Corruption("snapshot checkpoint seq " + std::to_string(h.checkpoint_seq) +
                              " is past the ledger head " + std::to_string(ledger_->head().seq));
  }
  ledger::Hash chain{};
  s = ledger_->GetChainHash(h.checkpoint_seq, &chain);
  if (!s.ok()) return s.WithContext("snapshot checkpoint");
  if (chain != h.checkpoint_chain_hash) {
    return Status::Corruption("snapshot checkpoint at seq " + std::to_string(h.checkpoint_seq) +
                              ": the ledger's chain hash there differs (history changed)");
  }
  s = p->DeserializeState(state);
  if (!s.ok()) return s;
  *checkpoint_seq = h.checkpoint_seq;
  return Status::OK();
}

Status Runner::SaveSnapshot(const Projection& p, uint64_t seq) {
  SnapshotHeader h;
  h.projection = std::string(p.name());
  h.projection_version = p.version();
  h.ledger_id = ledger_->ledger_id();
  h.checkpoint_seq = seq;
  if (seq > 0) {
    CCL_RETURN_IF_ERROR(ledger_->Get(seq, &target_, nullptr));
    h.checkpoint_recorded_at_ns = target_.recorded_at_ns;
  }
  CCL_RETURN_IF_ERROR(ledger_->GetChainHash(seq, &h.checkpoint_chain_hash));
  std::string state;
  p.SerializeState(&state);
  std::string value;
  EncodeSnapshot(h, state, &value);
  return ledger_->PutProjectionState(p.name(), value);
}

namespace {

// One batch handed from the reading thread to the folding thread. Event
// objects are reused from batch to batch, so copying an event into a slot
// allocates only when one of its strings outgrows what the slot held.
struct FoldBatch {
  std::vector<Event> events;
  std::vector<uint64_t> seqs;
  std::vector<Event> targets;
  std::vector<int32_t> target_of;  // index into targets, -1 for none
  std::vector<ContractKey> keys;
  size_t size = 0;
  size_t targets_used = 0;
};

constexpr size_t kBatchEvents = 512;
constexpr size_t kBatchCount = 4;

}  // namespace

Status Runner::ResolveTarget(const Event& e, uint64_t seq, Event* target, RunStats* stats) {
  ++stats->reversals_resolved;
  if (options_.target_cache && target_cache_.Lookup(e.target_event_id, target)) {
    return Status::OK();
  }
  ++stats->reversal_targets_read;
  Status s = ledger_->GetByEventId(e.target_event_id, target);
  if (!s.ok()) {
    // The write model admits a reversal only of a stored event: a missing
    // target means the log or its index is damaged.
    return Status::Corruption("seq " + std::to_string(seq) + ": reversal target " +
                              events::FormatUuid(e.target_event_id) +
                              " unreadable: " + s.ToString());
  }
  return Status::OK();
}

Status Runner::Fold(ledger::EventIterator* it, uint64_t last_seq, const View* view,
                    std::span<Projection* const> projections, std::span<const uint64_t> start_after,
                    uint64_t expected_events, RunStats* stats) {
  if (options_.pipeline && expected_events >= options_.pipeline_events_min) {
    return FoldPipelined(it, last_seq, view, projections, start_after, stats);
  }
  const bool as_of = view != nullptr && view->as_of_day.has_value();
  for (; it->Valid(); it->Next()) {
    const uint64_t seq = it->seq();
    if (seq > last_seq) break;
    const Event& e = it->event();
    if (stats->from_seq == 0) stats->from_seq = seq;
    stats->to_seq = seq;
    ++stats->events_read;
    const Event* target = nullptr;
    if (options_.target_cache) target_cache_.Remember(e);
    if (e.type == EventType::kEntryReversed) {
      CCL_RETURN_IF_ERROR(ResolveTarget(e, seq, &target_, stats));
      target = &target_;
    }
    if (as_of &&
        (!EffectiveInView(*view, e) || (target != nullptr && !EffectiveInView(*view, *target)))) {
      continue;
    }
    ++stats->events_applied;
    const ContractKey key{key_space_, contract_keys_.Intern(0, e.contract)};
    for (size_t i = 0; i < projections.size(); ++i) {
      if (seq > start_after[i]) projections[i]->ApplyKeyed(e, target, key);
    }
  }
  return it->status();
}

// Two stages on the two cores of a small machine: this thread reads, decodes
// (inside the ledger's iterator), resolves reversal targets and filters;
// a worker folds the previous batch into every projection. The fold order is
// still seq order on one thread, so the state is exactly the sequential one.
Status Runner::FoldPipelined(ledger::EventIterator* it, uint64_t last_seq, const View* view,
                             std::span<Projection* const> projections,
                             std::span<const uint64_t> start_after, RunStats* stats) {
  const bool as_of = view != nullptr && view->as_of_day.has_value();
  std::vector<FoldBatch> batches(kBatchCount);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<FoldBatch*> free_batches, full_batches;
  bool reading_done = false;
  for (FoldBatch& b : batches) {
    b.events.resize(kBatchEvents);
    b.seqs.resize(kBatchEvents);
    b.target_of.resize(kBatchEvents);
    b.keys.resize(kBatchEvents);
    free_batches.push_back(&b);
  }

  std::thread folder([&] {
    while (true) {
      FoldBatch* b;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return !full_batches.empty() || reading_done; });
        if (full_batches.empty()) return;
        b = full_batches.front();
        full_batches.pop_front();
      }
      for (size_t k = 0; k < b->size; ++k) {
        const Event* target = b->target_of[k] < 0 ? nullptr : &b->targets[b->target_of[k]];
        for (size_t i = 0; i < projections.size(); ++i) {
          if (b->seqs[k] > start_after[i]) {
            projections[i]->ApplyKeyed(b->events[k], target, b->keys[k]);
          }
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        free_batches.push_back(b);
      }
      cv.notify_all();
    }
  });

  Status status;
  bool end = false;
  while (!end && status.ok()) {
    FoldBatch* b;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !free_batches.empty(); });
      b = free_batches.front();
      free_batches.pop_front();
    }
    b->size = 0;
    b->targets_used = 0;
    for (; b->size < kBatchEvents; it->Next()) {
      if (!it->Valid()) {
        end = true;
        break;
      }
      const uint64_t seq = it->seq();
      if (seq > last_seq) {
        end = true;
        break;
      }
      const Event& e = it->event();
      if (stats->from_seq == 0) stats->from_seq = seq;
      stats->to_seq = seq;
      ++stats->events_read;
      int32_t target_index = -1;
      if (options_.target_cache) target_cache_.Remember(e);
      if (e.type == EventType::kEntryReversed) {
        if (b->targets_used == b->targets.size()) b->targets.emplace_back();
        status = ResolveTarget(e, seq, &b->targets[b->targets_used], stats);
        if (!status.ok()) break;
        target_index = static_cast<int32_t>(b->targets_used);
      }
      if (as_of && (!EffectiveInView(*view, e) ||
                    (target_index >= 0 && !EffectiveInView(*view, b->targets[target_index])))) {
        continue;
      }
      if (target_index >= 0) ++b->targets_used;
      ++stats->events_applied;
      b->events[b->size] = e;
      b->seqs[b->size] = seq;
      b->target_of[b->size] = target_index;
      b->keys[b->size] = ContractKey{key_space_, contract_keys_.Intern(0, e.contract)};
      ++b->size;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      full_batches.push_back(b);
    }
    cv.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    reading_done = true;
  }
  cv.notify_all();
  folder.join();
  CCL_RETURN_IF_ERROR(status);
  return it->status();
}

Status Runner::CatchUp(std::span<Projection* const> projections, RunStats* stats) {
  if (projections.empty()) return Status::OK();
  std::vector<uint64_t> checkpoints(projections.size(), 0);
  std::vector<bool> changed(projections.size(), false);
  for (size_t i = 0; i < projections.size(); ++i) {
    Status s = LoadSnapshot(projections[i], &checkpoints[i]);
    if (s.ok()) {
      stats->from_snapshot = true;
    } else {
      changed[i] = true;
      std::string why = s.IsNotFound() ? "no snapshot" : "snapshot rejected (" + s.ToString() + ")";
      stats->notes.push_back(std::string(projections[i]->name()) + ": " + why +
                             ": rebuilding from seq 1");
    }
  }
  const uint64_t start = *std::min_element(checkpoints.begin(), checkpoints.end());
  stats->to_seq = start;
  std::unique_ptr<ledger::EventIterator> it = ledger_->NewIterator(start + 1);
  const uint64_t head = ledger_->head().seq;
  CCL_RETURN_IF_ERROR(Fold(it.get(), UINT64_MAX, nullptr, projections, checkpoints,
                           head > start ? head - start : 0, stats));
  if (!options_.save_checkpoints) return Status::OK();
  for (size_t i = 0; i < projections.size(); ++i) {
    if (changed[i] || checkpoints[i] != stats->to_seq) {
      CCL_RETURN_IF_ERROR(SaveSnapshot(*projections[i], stats->to_seq));
    }
  }
  return Status::OK();
}

Status Runner::Rebuild(std::span<Projection* const> projections, RunStats* stats) {
  for (Projection* p : projections) p->Reset();
  std::vector<uint64_t> checkpoints(projections.size(), 0);
  std::unique_ptr<ledger::EventIterator> it = ledger_->NewIterator(1);
  CCL_RETURN_IF_ERROR(
      Fold(it.get(), UINT64_MAX, nullptr, projections, checkpoints, ledger_->head().seq, stats));
  if (!options_.save_checkpoints) return Status::OK();
  for (Projection* p : projections) CCL_RETURN_IF_ERROR(SaveSnapshot(*p, stats->to_seq));
  return Status::OK();
}

Status Runner::Replay(const View& view, std::span<Projection* const> projections, RunStats* stats) {
  for (Projection* p : projections) p->Reset();
  uint64_t last_seq = UINT64_MAX;
  if (view.known_at_ns.has_value()) {
    CCL_RETURN_IF_ERROR(ledger_->LastSeqRecordedAtOrBefore(*view.known_at_ns, &last_seq));
  }
  std::vector<uint64_t> start_after(projections.size(), 0);
  std::unique_ptr<ledger::EventIterator> it =
      view.contract.empty() ? ledger_->NewIterator(1) : ledger_->NewStreamIterator(view.contract);
  if (last_seq == 0) return Status::OK();
  const uint64_t expected = view.contract.empty() ? std::min(last_seq, ledger_->head().seq) : 0;
  return Fold(it.get(), last_seq, &view, projections, start_after, expected, stats);
}

Status Runner::Query(const View& view, std::span<Projection* const> projections, RunStats* stats) {
  if (projections.empty()) return Status::OK();
  if (!view.filtered()) return CatchUp(projections, stats);
  uint64_t last_seq = UINT64_MAX;
  if (view.known_at_ns.has_value()) {
    CCL_RETURN_IF_ERROR(ledger_->LastSeqRecordedAtOrBefore(*view.known_at_ns, &last_seq));
  }
  std::vector<uint64_t> start_after(projections.size(), 0);
  if (!view.contract.empty()) {
    for (Projection* p : projections) p->Reset();
    std::unique_ptr<ledger::EventIterator> it = ledger_->NewStreamIterator(view.contract);
    return Fold(it.get(), last_seq, &view, projections, start_after, 0, stats);
  }
  if (!view.as_of_day.has_value()) {
    // Known-at only: a snapshot whose checkpoint lies inside the prefix is a
    // valid starting point, since the prefix is the log up to last_seq.
    for (size_t i = 0; i < projections.size(); ++i) {
      Status s = LoadSnapshot(projections[i], &start_after[i]);
      if (s.ok() && start_after[i] <= last_seq) {
        stats->from_snapshot = true;
      } else {
        projections[i]->Reset();
        start_after[i] = 0;
      }
    }
  } else {
    for (Projection* p : projections) p->Reset();
  }
  const uint64_t start = *std::min_element(start_after.begin(), start_after.end());
  stats->to_seq = std::min(start, last_seq);
  if (start >= last_seq) return Status::OK();
  std::unique_ptr<ledger::EventIterator> it = ledger_->NewIterator(start + 1);
  const uint64_t end = std::min(last_seq, ledger_->head().seq);
  return Fold(it.get(), last_seq, &view, projections, start_after, end > start ? end - start : 0,
              stats);
}

}  // namespace ccl::projections

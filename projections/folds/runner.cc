#include "projections/folds/runner.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <memory>
#include <thread>

#include "events/model/uuid.h"

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
  // SaveSnapshots only reads the projection (SerializeState is const).
  Projection* const one[] = {const_cast<Projection*>(&p)};
  return SaveSnapshots(one, seq);
}

Status Runner::SaveSnapshots(std::span<Projection* const> projections, uint64_t seq) {
  if (projections.empty()) return Status::OK();
  SnapshotHeader base;
  base.ledger_id = ledger_->ledger_id();
  base.checkpoint_seq = seq;
  if (seq > 0) {
    CCL_RETURN_IF_ERROR(ledger_->Get(seq, &target_, nullptr));
    base.checkpoint_recorded_at_ns = target_.recorded_at_ns;
  }
  CCL_RETURN_IF_ERROR(ledger_->GetChainHash(seq, &base.checkpoint_chain_hash));
  // Serializing and checksumming a state is pure work on one projection, so
  // with a second core (options.pipeline) two of them are encoded at once:
  // after a rebuild it is the only thing left to do, and the burn state
  // alone is megabytes. The ledger writes stay on this thread.
  std::vector<std::string> values(projections.size());
  std::atomic<size_t> next{0};
  auto encode = [&] {
    std::string state;
    for (size_t i; (i = next.fetch_add(1)) < projections.size();) {
      const Projection& p = *projections[i];
      SnapshotHeader h = base;
      h.projection = std::string(p.name());
      h.projection_version = p.version();
      state.clear();
      p.SerializeState(&state);
      EncodeSnapshot(h, state, &values[i]);
    }
  };
  if (options_.pipeline && projections.size() > 1) {
    std::thread helper(encode);
    encode();
    helper.join();
  } else {
    encode();
  }
  for (size_t i = 0; i < projections.size(); ++i) {
    CCL_RETURN_IF_ERROR(ledger_->PutProjectionState(projections[i]->name(), values[i]));
  }
  return Status::OK();
}

Status Runner::ResolveTarget(const Event& e, uint64_t seq, Targets targets, Event* target,
                             RunStats* stats) {
  ++stats->reversals_resolved;
  if (targets == Targets::kKept && kept_targets_.Take(seq, e, target)) return Status::OK();
  if (targets == Targets::kCache && target_cache_.Lookup(e.target_event_id, target)) {
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

Status Runner::ApplyOne(const Event& e, uint64_t seq, uint64_t contract_hash, const View* view,
                        std::span<Projection* const> projections,
                        std::span<const uint64_t> start_after, Targets targets, RunStats* stats) {
  if (stats->from_seq == 0) stats->from_seq = seq;
  stats->to_seq = seq;
  ++stats->events_read;
  if (targets == Targets::kKept) {
    kept_targets_.Offer(seq, e);
  } else if (targets == Targets::kCache) {
    target_cache_.Remember(e);
  }
  // Approvals (schemas/EVENTS.md "Approvals"): a pending event waits; an
  // Approved applies the event it approves here, as of that event's own
  // effective_at, so a view known before the approval never has it.
  const Event* subject = &e;
  switch (events::FigureStepOf(e)) {
    case events::FigureStep::kNothing:
      return Status::OK();
    case events::FigureStep::kApprovedTarget:
      CCL_RETURN_IF_ERROR(ReadApproved(e, seq, &approved_));
      subject = &approved_;
      // Its reversal target (if any) is read by id: the caches serve
      // reversals in seq order, and this one is out of it.
      targets = Targets::kRead;
      break;
    case events::FigureStep::kSelf:
      break;
  }
  const Event* target = nullptr;
  if (subject->type == EventType::kEntryReversed) {
    CCL_RETURN_IF_ERROR(ResolveTarget(*subject, seq, targets, &target_, stats));
    target = &target_;
  }
  if (view != nullptr && view->as_of_day.has_value() &&
      (!EffectiveInView(*view, *subject) ||
       (target != nullptr && !EffectiveInView(*view, *target)))) {
    return Status::OK();
  }
  if (view != nullptr && view->contracts_in && !view->contracts_in(e.contract)) {
    return Status::OK();
  }
  ++stats->events_applied;
  const ContractKey key{key_space_, contract_keys_.Intern(0, e.contract, contract_hash)};
  for (size_t i = 0; i < projections.size(); ++i) {
    if (seq > start_after[i]) projections[i]->ApplyKeyed(*subject, target, key);
  }
  return Status::OK();
}

Status Runner::ReadApproved(const Event& e, uint64_t seq, Event* out) {
  Status s = ledger_->GetByEventId(e.target_event_id, out);
  if (!s.ok()) {
    // The write model admits an approval only of a stored pending event.
    return Status::Corruption("seq " + std::to_string(seq) + ": approved event " +
                              events::FormatUuid(e.target_event_id) +
                              " unreadable: " + s.ToString());
  }
  out->awaits_approval = false;  // it takes effect now
  return Status::OK();
}

Status Runner::Fold(ledger::EventIterator* it, uint64_t last_seq, const View* view,
                    std::span<Projection* const> projections, std::span<const uint64_t> start_after,
                    Targets targets, RunStats* stats) {
  for (; it->Valid(); it->Next()) {
    const uint64_t seq = it->seq();
    if (seq > last_seq) break;
    const Event& e = it->event();
    CCL_RETURN_IF_ERROR(ApplyOne(e, seq, StringInterner::Hash(0, e.contract), view, projections,
                                 start_after, targets, stats));
  }
  return it->status();
}

Status Runner::FoldLog(uint64_t first_seq, uint64_t last_seq, const View* view,
                       std::span<Projection* const> projections,
                       std::span<const uint64_t> start_after, RunStats* stats) {
  const uint64_t end = std::min(last_seq, ledger_->head().seq);
  Targets targets = options_.target_cache ? Targets::kKept : Targets::kRead;
  if (targets == Targets::kKept) {
    std::vector<ledger::Ledger::ReversalLink> links;
    Status s = ledger_->ReversalLinks(first_seq, end, &links);
    if (s.ok()) {
      std::vector<KeptTargets::Link> kept(links.size());
      for (size_t i = 0; i < links.size(); ++i) {
        kept[i] = KeptTargets::Link{links[i].reversing_seq, links[i].target_seq};
      }
      kept_targets_.Reset(std::move(kept));
    } else {
      // No index (or a damaged one: verify reports it; the answer does not
      // depend on it): remember recent events instead.
      targets = Targets::kCache;
    }
  }
  // A long replay reads and decodes ahead on a second thread (the ledger's
  // read-ahead iterator) while this one folds, in seq order as ever.
  std::unique_ptr<ledger::EventIterator> it =
      options_.pipeline && end >= first_seq && end - first_seq + 1 >= options_.pipeline_events_min
          ? ledger_->NewReadAheadIterator(first_seq, end)
          : ledger_->NewIterator(first_seq);
  Status s = Fold(it.get(), last_seq, view, projections, start_after, targets, stats);
  kept_targets_.Clear();
  return s;
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
  CCL_RETURN_IF_ERROR(FoldLog(start + 1, UINT64_MAX, nullptr, projections, checkpoints, stats));
  if (!options_.save_checkpoints) return Status::OK();
  std::vector<Projection*> to_save;
  for (size_t i = 0; i < projections.size(); ++i) {
    if (changed[i] || checkpoints[i] != stats->to_seq) to_save.push_back(projections[i]);
  }
  return SaveSnapshots(to_save, stats->to_seq);
}

Status Runner::Rebuild(std::span<Projection* const> projections, RunStats* stats) {
  for (Projection* p : projections) p->Reset();
  std::vector<uint64_t> checkpoints(projections.size(), 0);
  CCL_RETURN_IF_ERROR(FoldLog(1, UINT64_MAX, nullptr, projections, checkpoints, stats));
  if (!options_.save_checkpoints) return Status::OK();
  return SaveSnapshots(projections, stats->to_seq);
}

Status Runner::Advance(uint64_t first_seq, uint64_t last_seq,
                       std::span<Projection* const> projections, RunStats* stats) {
  assert(first_seq >= 1);
  if (projections.empty() || first_seq > last_seq) return Status::OK();
  std::vector<uint64_t> start_after(projections.size(), 0);
  stats->to_seq = first_seq - 1;
  return FoldLog(first_seq, last_seq, nullptr, projections, start_after, stats);
}

Status Runner::Replay(const View& view, std::span<Projection* const> projections, RunStats* stats) {
  for (Projection* p : projections) p->Reset();
  uint64_t last_seq = UINT64_MAX;
  if (view.known_at_ns.has_value()) {
    CCL_RETURN_IF_ERROR(ledger_->LastSeqRecordedAtOrBefore(*view.known_at_ns, &last_seq));
  }
  std::vector<uint64_t> start_after(projections.size(), 0);
  if (last_seq == 0) return Status::OK();
  if (view.contract.empty()) return FoldLog(1, last_seq, &view, projections, start_after, stats);
  std::unique_ptr<ledger::EventIterator> it = ledger_->NewStreamIterator(view.contract);
  return Fold(it.get(), last_seq, &view, projections, start_after, StreamTargets(), stats);
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
    return Fold(it.get(), last_seq, &view, projections, start_after, StreamTargets(), stats);
  }
  if (!view.as_of_day.has_value() && !view.contracts_in) {
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
  return FoldLog(start + 1, last_seq, &view, projections, start_after, stats);
}

}  // namespace ccl::projections

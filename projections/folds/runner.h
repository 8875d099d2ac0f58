// The runner: feeds projections from the ledger. It keeps each projection's
// checkpoint (last seq folded) and snapshot (its canonical state) in the
// ledger's `projections` column family, catches up incrementally before
// answering, rebuilds from zero on demand, and answers the time-travel
// queries of projections/folds/view.h.
//
// Trust: a stored snapshot is used only when it decodes (projections/
// snapshot.h: magic, format, checksum), names this projection at its current
// version, belongs to this ledger (ledger id), its checkpoint is not past the
// head, the ledger's chain hash at the checkpoint seq is the recorded one (so
// the history it folded is still the ledger's), and its state decodes
// strictly. Anything else is noted in RunStats::notes and the projection is
// rebuilt from zero; a snapshot is never half-trusted.
//
// Approvals: an event that awaits approval is not applied when it is
// appended; the Approved of it applies it (read by event id), as of its own
// effective_at (ApplyOne). So every projection sees approvals alike.
//
// Reversals: for each EntryReversed the runner finds the target once and
// passes it to every projection's Apply, so no fold needs to remember events.
// A seq-order replay learns from the ledger's `reversals` index which events
// of its range will be reversed and keeps just those as it passes them
// (projections/folds/target_cache.h, KeptTargets); a stream-order replay remembers
// recent consumption events (TargetCache). Either way a target not found
// there (or not matching the reversal's target_event_id) is read through the
// event-id index (Ledger::GetByEventId): the same answer, one read more.
//
// Thread safety: one Runner per thread; projections passed in are owned by
// the caller and must not be used elsewhere during a call.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "events/base/status.h"
#include "ledger/store/ledger.h"
#include "projections/folds/intern.h"
#include "projections/folds/projection.h"
#include "projections/folds/snapshot.h"
#include "projections/folds/target_cache.h"
#include "projections/folds/view.h"

namespace ccl::projections {

struct RunnerOptions {
  // Store snapshots after catching up or rebuilding. Off when the ledger is
  // open read-only (another process holds the writer lock): the answer is the
  // same, only the next run has to catch up from the older checkpoint again.
  bool save_checkpoints = true;
  // Long seq-order replays on two threads: the ledger's read-ahead iterator
  // (Ledger::NewReadAheadIterator) reads the stored bytes on a second one,
  // both decode them, and this one folds, in seq order, so the state is
  // exactly the sequential one. Off: everything on the calling thread
  // (projections_bench prints both).
  bool pipeline = true;
  // Replays shorter than this fold on the calling thread: below it the thread
  // hand-off costs more than it saves. Tests lower it to exercise the pipeline.
  uint64_t pipeline_events_min = 20'000;
  // Resolve reversal targets from the events kept for them (seq order) or a
  // cache of recent consumption events (stream order) before reading them by
  // event id (projections/folds/target_cache.h). Same answers; off: every target is
  // read by event id.
  bool target_cache = true;
};

struct RunStats {
  uint64_t events_read = 0;     // events read from the ledger
  uint64_t events_applied = 0;  // events in the view (after the as-of filter)
  uint64_t reversals_resolved = 0;
  uint64_t reversal_targets_read = 0;  // of which read from the ledger (not kept or cached)
  uint64_t from_seq = 0;               // first seq read (0: nothing read)
  uint64_t to_seq = 0;                 // last seq of the state returned (0: empty log or prefix)
  bool from_snapshot = false;          // at least one projection started from its snapshot
  // Human-readable remarks: snapshots rejected and why, rebuilds.
  std::vector<std::string> notes;
};

class Runner {
 public:
  // `ledger` is not owned and must outlive the Runner.
  Runner(ledger::Ledger* ledger, const RunnerOptions& options);

  // Brings each projection to the ledger head: starts from its stored
  // snapshot when that is valid (else from zero), folds the events after the
  // checkpoint, and saves the new snapshot (when save_checkpoints and anything
  // changed). On OK the projections hold the state at stats->to_seq.
  // Errors: Corruption when the log fails its checks (a snapshot failing its
  // checks is not an error: it is rebuilt), IOError from the ledger.
  Status CatchUp(std::span<Projection* const> projections, RunStats* stats);

  // Folds every event from seq 1 into freshly Reset projections, ignoring
  // stored snapshots, then saves (when save_checkpoints).
  Status Rebuild(std::span<Projection* const> projections, RunStats* stats);

  // Fills the projections with the state of `view`:
  // - no filter: CatchUp (incremental, saved);
  // - known_at only: the prefix up to LastSeqRecordedAtOrBefore(known_at),
  //   starting from a valid snapshot whose checkpoint lies within the prefix,
  //   else from zero; nothing is saved;
  // - as_of (with or without known_at): a fresh replay from seq 1 with the
  //   effective-time filter (a snapshot holds events of every effective date,
  //   so it cannot be filtered afterwards);
  // - contract: a fresh replay of that contract's stream only, both time
  //   filters applied.
  Status Query(const View& view, std::span<Projection* const> projections, RunStats* stats);

  // Folds the events first_seq..last_seq (capped at the head), in seq order,
  // into projections that hold the state at first_seq - 1 (freshly Reset
  // ones for first_seq 1), without snapshots and without saving: for a
  // consumer that keeps the state itself and advances it batch by batch.
  // On OK they hold the state at stats->to_seq. REQUIRES: first_seq >= 1.
  Status Advance(uint64_t first_seq, uint64_t last_seq, std::span<Projection* const> projections,
                 RunStats* stats);

  // Like Query, but always from zero (never a snapshot) and never saving:
  // what an auditor runs to check that the figures come from the log alone.
  Status Replay(const View& view, std::span<Projection* const> projections, RunStats* stats);

  // The stored snapshot of `p`, checked as described above and loaded into p.
  // OK with *checkpoint_seq set when usable; otherwise p is Reset and the
  // returned Status says why (NotFound when there is none).
  Status LoadSnapshot(Projection* p, uint64_t* checkpoint_seq);

  // Stores p's state with checkpoint `seq` (0 for an empty log).
  Status SaveSnapshot(const Projection& p, uint64_t seq);
  // The same for several projections, encoded on two threads when
  // options.pipeline (the ledger writes stay on the calling thread).
  Status SaveSnapshots(std::span<Projection* const> projections, uint64_t seq);

 private:
  // How reversal targets are found during one fold.
  enum class Targets { kRead, kCache, kKept };

  // Folds the log from first_seq to min(last_seq, head) in seq order into
  // projection i when seq > start_after[i], with the as-of filter of `view`
  // when it has one; on two threads when long enough (options.pipeline).
  Status FoldLog(uint64_t first_seq, uint64_t last_seq, const View* view,
                 std::span<Projection* const> projections, std::span<const uint64_t> start_after,
                 RunStats* stats);
  // Folds events from `it` (in its order, on this thread) with seq <=
  // last_seq, as FoldLog.
  Status Fold(ledger::EventIterator* it, uint64_t last_seq, const View* view,
              std::span<Projection* const> projections, std::span<const uint64_t> start_after,
              Targets targets, RunStats* stats);
  Targets StreamTargets() const { return options_.target_cache ? Targets::kCache : Targets::kRead; }
  // Applies event e (at seq) to the projections: the fold step shared by
  // both folds. contract_hash = StringInterner::Hash(0, e.contract).
  Status ApplyOne(const events::Event& e, uint64_t seq, uint64_t contract_hash, const View* view,
                  std::span<Projection* const> projections, std::span<const uint64_t> start_after,
                  Targets targets, RunStats* stats);
  // Finds the target of reversal `e` (at `seq`) into *target.
  Status ResolveTarget(const events::Event& e, uint64_t seq, Targets targets, events::Event* target,
                       RunStats* stats);

  // The event an Approved (at `seq`) approves, read by id, into *out.
  Status ReadApproved(const events::Event& e, uint64_t seq, events::Event* out);

  ledger::Ledger* ledger_;
  RunnerOptions options_;
  events::Event target_;    // reused for reversal targets
  events::Event approved_;  // reused for approved events
  TargetCache target_cache_;
  KeptTargets kept_targets_;
  // Contract names numbered once for all projections (ContractKey).
  StringInterner contract_keys_;
  uint64_t key_space_;
};

// SHA-256 of the projection's canonical state (Projection::SerializeState):
// two replays agree exactly when their digests do.
Sha256 StateDigest(const Projection& p);

}  // namespace ccl::projections

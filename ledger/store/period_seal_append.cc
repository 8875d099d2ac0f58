// The sealed figures of a PeriodClosed at append (ledger/store/ledger_impl.h,
// ledger/store/period_seal.h). A close reads the log once per ledger opening: the
// fold of the committed events is kept and caught up, and within a group the
// events before the close are folded from their encoded copies, which carry
// their assigned fields (applied_bill_rate_minor).
#include <cassert>

#include "events/model/codec.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

// An event the fold needs (a reversal's or an approval's target): one of
// the group not yet written (from its encoded copy) or a committed one.
Status LedgerImpl::ReadForFold(const events::Uuid& id, GroupScratch* g, events::Event* out) {
  EventLookup found;
  CCL_RETURN_IF_ERROR(view_.FindEvent(id, &found));
  if (!found.found) return Status::Corruption("period seal: target event not found");
  if (g != nullptr && found.seq >= g->first_seq) {
    const size_t i = found.seq - g->first_seq;
    assert(i < g->streams.size() && g->streams[i].seq == found.seq);
    const auto& entry = g->streams[i];
    std::string_view copy;
    CCL_RETURN_IF_ERROR(GroupCopy(*g, entry.copy_at, entry.copy_bytes, false, &copy));
    // The copy is BE64(seq) then the event's bytes.
    return events::DecodeEvent(copy.substr(8), out);
  }
  return Get(found.seq, out, nullptr);
}

Status LedgerImpl::AddToFold(const events::Event& e, GroupScratch* g, PeriodFold* fold) {
  switch (events::FigureStepOf(e)) {
    case events::FigureStep::kNothing:
      return Status::OK();
    case events::FigureStep::kApprovedTarget: {
      events::Event approved;
      CCL_RETURN_IF_ERROR(ReadForFold(e.target_event_id, g, &approved));
      approved.awaits_approval = false;  // it takes effect now
      return AddToFold(approved, g, fold);
    }
    case events::FigureStep::kSelf:
      break;
  }
  if (e.type != events::EventType::kEntryReversed) return fold->Add(e, nullptr);
  events::Event target;
  CCL_RETURN_IF_ERROR(ReadForFold(e.target_event_id, g, &target));
  return fold->Add(e, &target);
}

Status LedgerImpl::CatchUpCommittedFold(uint64_t seq) {
  if (!committed_fold_) {
    committed_fold_ = std::make_unique<PeriodFold>();
    committed_fold_seq_ = 0;
  }
  if (committed_fold_seq_ >= seq) return Status::OK();
  std::unique_ptr<EventIterator> it = NewIterator(committed_fold_seq_ + 1);
  Status s;
  for (; it->Valid() && it->seq() <= seq; it->Next()) {
    s = AddToFold(it->event(), nullptr, committed_fold_.get());
    if (!s.ok()) break;
    committed_fold_seq_ = it->seq();
  }
  if (s.ok()) s = it->status();
  if (s.ok() && committed_fold_seq_ != seq) {
    s = Status::Corruption("period seal: the log ends at seq " +
                           std::to_string(committed_fold_seq_) + ", expected " +
                           std::to_string(seq));
  }
  // A fold that stopped half way is dropped: the next close starts afresh.
  if (!s.ok()) committed_fold_.reset();
  return s;
}

Status LedgerImpl::FoldStaged(GroupScratch* g) {
  // Each event after the group's fold was made is folded as it is staged,
  // instead of being read back and decoded at the next close (SealPeriod
  // folds whatever this did not: the events before the group's first close,
  // or all of them again after a rejected writer reset the fold).
  const uint64_t seq = g->event.seq;
  if (!g->fold || g->fold_seq + 1 != seq || g->fold_streams + 1 != g->streams.size()) {
    return Status::OK();
  }
  CCL_RETURN_IF_ERROR(AddToFold(g->event, g, g->fold.get()));
  g->fold_seq = seq;
  g->fold_streams += 1;
  return Status::OK();
}

Status LedgerImpl::SealPeriod(GroupScratch* g, uint64_t seq, int32_t month,
                              events::PeriodSeal* out) {
  assert(seq >= g->first_seq);
  if (!g->fold) {
    // The fold reads the committed log, which must then hold every event
    // before the group's: the groups prepared before it are written first.
    CCL_RETURN_IF_ERROR(DrainStagedGroups());
    assert(head().seq == g->first_seq - 1);
    CCL_RETURN_IF_ERROR(CatchUpCommittedFold(g->first_seq - 1));
    g->fold = std::make_unique<PeriodFold>(*committed_fold_);
    g->fold_seq = g->first_seq - 1;
    g->fold_streams = 0;
  }
  events::Event e;
  // The group's events before this one, in seq order (streams is, until
  // StageIndexes sorts it after the last writer).
  while (g->fold_streams < g->streams.size() && g->streams[g->fold_streams].seq < seq) {
    const auto& entry = g->streams[g->fold_streams];
    assert(entry.seq == g->fold_seq + 1);
    std::string_view copy;  // read in order: ahead
    CCL_RETURN_IF_ERROR(GroupCopy(*g, entry.copy_at, entry.copy_bytes, true, &copy));
    CCL_RETURN_IF_ERROR(events::DecodeEvent(copy.substr(8), &e));
    CCL_RETURN_IF_ERROR(AddToFold(e, g, g->fold.get()));
    g->fold_seq = entry.seq;
    g->fold_streams += 1;
  }
  return g->fold->Seal(month, out);
}

}  // namespace ccl::ledger

// An append taken in parts (Ledger::AppendFrom; ledger/ledger_impl.h): one
// atomic append whose input events are not all held at once. Its group has
// one writer and files of its own (IngestFiles): each accepted event's
// bytes, chain hash and `streams` value are written there as it is checked,
// so that what stays in memory per event is its seq, id, stream key and
// spill offset, not the parsed event or its bytes. Lookups of the input's
// earlier events (duplicates, reversal and approval targets, a period
// seal's fold) read them back from the spill.
#include <cassert>

#include "events/base/limits.h"
#include "events/model/codec.h"
#include "events/model/rules.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

Status LedgerImpl::AppendFrom(EventSource* source, const AppendOptions& options,
                              AppendResult* result) {
  assert(source != nullptr && result != nullptr);
  CCL_RETURN_IF_ERROR(BeginAppend(options, result));
  if (!options.expected_versions.empty()) {
    return Status::InvalidArgument("an append taken in parts takes no expected versions");
  }
  // An input too small for a bulk append goes through Append like any batch:
  // the parts are gathered until they are large enough for one.
  std::vector<events::Event> first;
  while (!BulkGroup(first.size())) {
    std::span<const events::Event> part;
    CCL_RETURN_IF_ERROR(source->Next(&part));
    if (part.empty()) return Append(first, options, result);
    first.insert(first.end(), part.begin(), part.end());
  }
  Writer w;
  w.batch = first;
  w.source = source;
  w.options = &options;
  w.result = result;
  return QueueWriter(&w);
}

Status LedgerImpl::StartFiles(GroupScratch* g) {
  assert(g->bulk && g->files == nullptr);
  CCL_RETURN_IF_ERROR(DrainStagedGroups());
  const rocksdb::Options events_options(db_options_, cf_options_[kCfEvents]);
  const rocksdb::Options chain_options(db_options_, cf_options_[kCfChain]);
  CCL_RETURN_IF_ERROR(IngestFiles::Create(path_ + "/" + kIngestFolder, events_options,
                                          cf(kCfEvents), chain_options, cf(kCfChain), &g->files));
  view_.SetPendingLoader(
      [this, g](uint64_t seq, events::Event* out) { return LoadPendingEvent(*g, seq, out); });
  return Status::OK();
}

Status LedgerImpl::NextPart(Writer* w, size_t taken, [[maybe_unused]] GroupScratch* g,
                            std::span<const events::Event>* part) {
  assert(w->source != nullptr && g->files != nullptr);
  w->result->failed_index = SIZE_MAX;  // the source's error is about no event
  CCL_RETURN_IF_ERROR(w->source->Next(part));
  if (taken + part->size() > limits::kEventsPerBatchMax) {
    return Status::InvalidArgument("more than " + std::to_string(limits::kEventsPerBatchMax) +
                                   " events in one append")
        .WithRule(rules::kBatchEventsMax);
  }
  w->result->outcomes.resize(taken + part->size());
  return Status::OK();
}

Status LedgerImpl::GroupCopy(const GroupScratch& g, size_t copy_at, size_t copy_bytes, bool ahead,
                             std::string_view* copy) {
  assert(copy_bytes >= 8);  // BE64(seq) || bytes
  if (g.files == nullptr) {
    assert(copy_at + copy_bytes <= g.copies.size());
    *copy = std::string_view(g.copies).substr(copy_at, copy_bytes);
    return Status::OK();
  }
  return g.files->Read(copy_at, copy_bytes, ahead, copy);
}

Status LedgerImpl::LoadPendingEvent(const GroupScratch& g, uint64_t seq, events::Event* out) {
  // One writer: the group's streams are its events in seq order until
  // StageIndexes sorts them, after every lookup.
  assert(seq >= g.first_seq && seq - g.first_seq < g.streams.size());
  const GroupScratch::StreamEntry& e = g.streams[seq - g.first_seq];
  assert(e.seq == seq);
  std::string_view copy;
  CCL_RETURN_IF_ERROR(GroupCopy(g, e.copy_at, e.copy_bytes, false, &copy));
  Status s = events::DecodeEvent(copy.substr(8), out);
  if (!s.ok()) return Status::Corruption("seq " + std::to_string(seq) + ": " + s.message());
  return Status::OK();
}

}  // namespace ccl::ledger

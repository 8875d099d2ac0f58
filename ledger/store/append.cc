// Append: group commit, rules, assignment, encoding, chain and the one
// WriteBatch per group (ledger/store/ledger_impl.h).
//
// Callers queue; the caller at the front leads (append_pipeline.cc): it
// takes the queued batches, checks each against the write model in queue
// order (a rejected batch is rolled back alone: WriteBatch save points and a
// per-writer model delta) and builds one WriteBatch of the accepted ones;
// then it hands the lead over and, the group before it being written by
// then, writes its batch synced, publishes the new head and wakes its
// writers. So many threads appending single events cost one fsync per group
// rather than per event, and the checking and encoding of a group overlap
// the write and fsync of the one before.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cassert>
#include <cstring>

#include "events/base/limits.h"
#include "events/model/codec.h"
#include "events/model/fields.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "events/model/validate.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

namespace {

// Appended bytes after which a background flush of the memtables starts
// (RocksDB would otherwise wait for the next write; see PublishGroup).
constexpr uint64_t kFlushAfterBytes = 256ull << 20;
// Scratch vectors grown past this by a bulk append are released afterwards.
constexpr size_t kScratchKeepMax = 1 << 16;

Status FromBatch(const rocksdb::Status& s) { return FromRocks(s, "build write batch"); }

// The rows of the event just encoded into g->bytes at `seq` (chain hash
// g->prev_hash): to the group's files (GroupScratch::files), or its `events`
// (unless bulk) and `chain` entries to the batch and its `streams` copy to
// g->copies, written in key order by StageIndexes. `Scratch` is
// LedgerImpl::GroupScratch.
template <typename Scratch>
Status StageEventRows(std::string_view contract, uint64_t version, uint64_t seq,
                      rocksdb::ColumnFamilyHandle* events, rocksdb::ColumnFamilyHandle* chain,
                      Scratch* g) {
  if (g->files != nullptr) {
    size_t copy_at = 0;
    CCL_RETURN_IF_ERROR(g->files->Add(seq, g->bytes, g->prev_hash, &copy_at));
    g->streams.push_back({g->files->Intern(contract), version, seq, copy_at, 8 + g->bytes.size()});
    return Status::OK();
  }
  SeqKey k(seq);
  if (!g->bulk) CCL_RETURN_IF_ERROR(FromBatch(g->batch->Put(events, k.view(), g->bytes)));
  CCL_RETURN_IF_ERROR(FromBatch(g->batch->Put(
      chain, k.view(), rocksdb::Slice(reinterpret_cast<const char*>(g->prev_hash.data()), 32))));
  // The stream's copy (keys.h StreamValueInto); its bytes wait here meanwhile.
  const size_t copy_at = g->copies.size();
  AppendBE64(seq, &g->copies);
  g->copies.append(g->bytes);
  g->streams.push_back({contract, version, seq, copy_at, g->copies.size() - copy_at});
  return Status::OK();
}

}  // namespace

Status LedgerImpl::BeginAppend(const AppendOptions& options, AppendResult* result) {
  result->appended = 0;
  result->duplicates = 0;
  result->outcomes.clear();
  result->failed_index = SIZE_MAX;
  result->first_use_index = SIZE_MAX;
  result->group_events = 0;
  result->first_of_group = false;
  result->writes_refused = false;
  if (options_.read_only) {
    return Status::InvalidArgument("ledger opened read-only: cannot append");
  }
  if (needs_reopen_.load()) {
    result->writes_refused = true;
    return Status::IOError(std::string(kWritesRefusedText));
  }
  for (const AccessRecord& r : options.access_records) CCL_RETURN_IF_ERROR(CheckAccessRecord(r));
  return Status::OK();
}

Status LedgerImpl::Append(std::span<const events::Event> batch, const AppendOptions& options,
                          AppendResult* result) {
  CCL_RETURN_IF_ERROR(BeginAppend(options, result));
  CCL_RETURN_IF_ERROR(CheckBatchSize(batch.size()));
  if (NothingToAppend(batch, options)) return Status::OK();

  Writer w;
  w.batch = batch;
  w.options = &options;
  w.result = result;
  return QueueWriter(&w);
}

// The leader's steps: validate every writer against the rules (staging its
// events), then, once the group before it is written (taking in the writers
// that queue meanwhile), stage the indexes, the write model and the heads.
// A failure after validation fails every accepted writer of the group and
// stages nothing; when the group before failed, every writer fails with its
// error. Returns whether the group is to be written (WriteGroup), which a
// group of rejected writers and duplicates is too, empty: its outcome waits
// for the groups before it, whose events its duplicates may be.
bool LedgerImpl::PrepareGroup(std::vector<Writer*>* group, size_t events,
                              rocksdb::WriteBatch* batch, GroupWrite* out) {
  assert(!group->empty());
  if (needs_reopen_.load()) {
    for (Writer* w : *group) {
      w->status = Status::IOError(std::string(kWritesRefusedText));
      w->result->writes_refused = true;
    }
    return false;
  }
  RetireWrittenGroups();
  Head before;
  AccessHead access_before;
  StagedBase(&before, &access_before);
  GroupScratch& g = StartGroup(before, access_before, batch);
  g.bulk = BulkGroup(events) || group->front()->source != nullptr;
  Status s = ValidateGroup(*group, 0, &g);
  Status earlier = s.ok() ? AwaitWriteInFlight(group, events, &g, &s) : Status::OK();
  if (!earlier.ok()) {
    for (Writer* w : *group) FailWriter(w, earlier);
    s = earlier;
  } else if (s.ok()) {
    s = StageHeads(before, access_before, &g, out);
  }
  if (!s.ok()) {
    if (earlier.ok()) FinishWriters(*group, s);
    tree_->AbortAppend();
  } else if (out->writes) {
    tree_->MarkStaged();
    if (g.bulk) {  // written from these by IngestBatch, after the scratch is reused
      out->bulk = std::make_unique<GroupScratch>();
      out->bulk->bulk = true;
      out->bulk->first_seq = g.first_seq;
      std::swap(out->bulk->ids, g.ids);
      std::swap(out->bulk->streams, g.streams);
      std::swap(out->bulk->copies, g.copies);
      out->bulk->files = std::move(g.files);
    }
    StagedGroup& staged = staged_groups_.emplace_back();
    std::swap(staged.delta, *view_.group());
    {
      std::lock_guard<std::mutex> l(writers_mu_);
      staged.ticket = ++tickets_issued_;
    }
    last_writing_ticket_ = staged.ticket;
    last_writing_head_ = out->after;
    last_writing_access_ = out->access;
  }
  EndPrepare();
  return s.ok();
}

// The indexes, the write model and the heads of a group with something to
// write (out->writes), after its writers were validated.
Status LedgerImpl::StageHeads(const Head& before, const AccessHead& access_before, GroupScratch* g,
                              GroupWrite* out) {
  const bool new_events = g->next_seq - 1 != before.seq;
  const bool new_access = g->access.n != access_before.n;
  out->writes = new_events || new_access;
  out->after = before;  // a group of access records only leaves the head as it was
  out->access = g->access;
  if (!out->writes) return Status::OK();
  CCL_RETURN_IF_ERROR(StageIndexes(g));
  CCL_RETURN_IF_ERROR(StageWriteModel(g));
  if (new_events) {
    out->after.seq = g->next_seq - 1;
    out->after.hash = g->prev_hash;
    out->after.recorded_at_ns = g->recorded_at_ns;
    CCL_RETURN_IF_ERROR(FromBatch(g->batch->Put(cf(kCfMeta), kMetaHead, EncodeHead(out->after))));
  }
  if (new_access) {
    CCL_RETURN_IF_ERROR(
        FromBatch(g->batch->Put(cf(kCfMeta), kMetaAccessHead, EncodeAccessHead(g->access))));
  }
  return Status::OK();
}

// Writes the group (unless it is empty: nothing to write) and gives its
// writers the outcome. The group before it was written already.
void LedgerImpl::WriteGroup(const std::vector<Writer*>& group, const GroupWrite& gw,
                            rocksdb::WriteBatch* batch) {
  Status s;
  if (gw.writes) {
    bool ingested = false;
    s = WriteOrIngest(batch, gw.bulk.get(), &ingested);
    if (s.ok()) PublishGroup(gw, ingested ? 0 : batch->GetDataSize());
  }
  FinishWriters(group, s);
  if (gw.writes) EndWrite(s);
}

LedgerImpl::GroupScratch& LedgerImpl::StartGroup(const Head& before, const AccessHead& access,
                                                 rocksdb::WriteBatch* batch) {
  if (!scratch_) scratch_ = std::make_unique<GroupScratch>();
  GroupScratch& g = *scratch_;
  assert(g.batch == nullptr);  // one group at a time: EndPrepare released the last one
  g.recorded_at_ns = std::max(clock_->NowNs(), before.recorded_at_ns);
  g.next_seq = before.seq + 1;
  g.first_seq = g.next_seq;
  g.fold.reset();
  g.prev_hash = before.hash;
  g.streams.clear();
  g.copies.clear();
  g.ids.clear();
  g.access = access;
  g.batch = batch;
  return g;
}

// Each writer's batch stands or falls alone: its events are staged after a
// save point and its model changes in a per-writer delta, both undone when a
// rule rejects it. Returns an error only when the whole group cannot be
// written (the tree store failed): then the writers not yet processed are
// marked accepted so that FinishWriters fails them with it.
Status LedgerImpl::ValidateGroup(const std::vector<Writer*>& group, size_t from, GroupScratch* g) {
  assert(g->batch != nullptr);
  for (size_t i = from; i < group.size(); ++i) {
    Writer* w = group[i];
    const uint64_t seq0 = g->next_seq;
    const Hash hash0 = g->prev_hash;
    const size_t streams0 = g->streams.size();
    const size_t copies0 = g->copies.size();
    const size_t ids0 = g->ids.size();
    view_.BeginWriter(w->batch.size());
    g->batch->SetSavePoint();
    g->leaf_hashes.clear();
    Status s = ProcessWriter(w, g);
    if (s.ok()) {
      view_.AcceptWriter();
      s = FromBatch(g->batch->PopSavePoint());
      w->accepted = s.ok();
    } else {
      view_.RejectWriter();
      g->batch->RollbackToSavePoint().PermitUncheckedError();
      g->next_seq = seq0;
      g->prev_hash = hash0;
      g->streams.resize(streams0);
      g->copies.resize(copies0);
      g->ids.resize(ids0);
      if (g->fold && g->fold_seq >= seq0) g->fold.reset();  // it folded rejected events
    }
    if (!s.ok()) {
      FailWriter(w, s);
      continue;
    }
    // Its access records follow the save point too: they stand with it.
    if (Status a = StageAccess(*w, g); !a.ok()) {
      for (size_t j = i; j < group.size(); ++j) group[j]->accepted = true;
      return a;
    }
    // The writer is in: its leaves join the tree's staged tiles (after the
    // save point, so a later writer's rollback cannot take them out).
    if (g->leaf_hashes.empty()) continue;
    Status t = tree_->AppendLeafHashes(seq0, g->leaf_hashes, g->batch, cf(kCfMerkle));
    if (!t.ok()) {
      // The store dropped what it had staged: the group cannot be
      // written. This writer and the ones not yet processed fail with it.
      for (size_t j = i; j < group.size(); ++j) group[j]->accepted = true;
      return t;
    }
  }
  return Status::OK();
}

// The `ids` and `streams` entries of the group, each index in key order:
// `streams` skiplist inserts that follow the previous one are several times
// cheaper than random ones (measured: a 1,000,000 event batch writes in ~2 s
// sorted against ~10 s in event order). `ids` has a hash memtable, which gains
// nothing from the order, but a bulk ingestion writes its SST file sorted.
Status LedgerImpl::StageIndexes(GroupScratch* g) {
  assert(g->batch != nullptr);
  std::sort(g->ids.begin(), g->ids.end(),
            [](const auto& a, const auto& b) { return Key16Less(a.id.data(), b.id.data()); });
  if (g->bulk) {  // IngestBatch writes them from the scratch
    SortStreamEntries(g);
    return Status::OK();
  }
  for (const auto& e : g->ids) {
    SeqKey v(e.seq);
    CCL_RETURN_IF_ERROR(FromBatch(
        g->batch->Put(cf(kCfIds), rocksdb::Slice(reinterpret_cast<const char*>(e.id.data()), 16),
                      rocksdb::Slice(v.bytes, 8))));
  }
  SortStreamEntries(g);
  for (const auto& e : g->streams) {
    StreamKeyInto(e.contract, e.version, &g->key);
    CCL_RETURN_IF_ERROR(FromBatch(g->batch->Put(
        cf(kCfStreams), g->key, rocksdb::Slice(g->copies.data() + e.copy_at, e.copy_bytes))));
  }
  return Status::OK();
}

// The write model, once per contract per group (not per event).
Status LedgerImpl::StageWriteModel(GroupScratch* g) {
  assert(g->batch != nullptr);
  const ModelDelta* delta = view_.group();
  for (const auto& [contract, state] : delta->contracts) {
    EncodeContractState(state, &g->value);
    CCL_RETURN_IF_ERROR(FromBatch(g->batch->Put(cf(kCfContracts), contract, g->value)));
  }
  for (const auto& [key, state] : delta->escalations) {
    CCL_RETURN_IF_ERROR(
        FromBatch(g->batch->Put(cf(kCfEscalations), key, EncodeEscalationState(state))));
  }
  for (const auto& [target, by] : delta->reversals) {
    SeqKey k(target), v(by);
    CCL_RETURN_IF_ERROR(FromBatch(
        g->batch->Put(cf(kCfReversals), rocksdb::Slice(k.bytes, 8), rocksdb::Slice(v.bytes, 8))));
  }
  return Status::OK();
}

// The group is durable: its tree tiles and heads become what readers see
// (its contract states reach the cache when the next leader retires it).
// `wal_bytes` is what went through the WAL and memtables (0 for an ingestion).
void LedgerImpl::PublishGroup(const GroupWrite& gw, uint64_t wal_bytes) {
  assert(gw.after.seq >= head().seq);  // equal: a group of access records only
  tree_->CommitMarked();
  {
    std::lock_guard<std::mutex> l(head_mu_);
    head_ = gw.after;
    access_head_ = gw.access;
  }
  appended_bytes_ += wal_bytes;
  // A bulk append leaves memtables far past their size and RocksDB flushes
  // only on the next write: start the flush now, in the background, so that
  // the next open (often the very next command: verify) need not replay the
  // WAL and build those tables itself.
  unflushed_bytes_ += wal_bytes;
  if (unflushed_bytes_ >= kFlushAfterBytes) {
    unflushed_bytes_ = 0;
    rocksdb::FlushOptions fo;
    fo.wait = false;
    fo.allow_write_stall = true;
    db_->Flush(fo, handles_).PermitUncheckedError();  // an optimization only
  }
}

void LedgerImpl::FailWriter(Writer* w, const Status& s) {
  assert(!s.ok());
  w->status = s;
  w->result->appended = 0;
  w->result->duplicates = 0;
  w->result->outcomes.clear();
}

void LedgerImpl::FinishWriters(const std::vector<Writer*>& group, const Status& s) {
  size_t events = 0;
  const Writer* first = nullptr;
  for (const Writer* w : group) {
    if (!w->accepted) continue;
    events += w->result->outcomes.size();
    if (first == nullptr) first = w;
  }
  for (Writer* w : group) {
    if (!w->accepted) continue;
    if (s.ok()) {
      w->status = s;
      w->result->group_events = events;
      w->result->first_of_group = w == first;
    } else {
      FailWriter(w, s);
    }
  }
}

// Releases the group's scratch state: the model changes (staged or dropped
// by now) and the memory a bulk append grew.
void LedgerImpl::EndPrepare() {
  view_.ClearGroup();
  view_.SetPendingLoader(nullptr);
  GroupScratch& g = *scratch_;
  g.files.reset();  // a rejected AppendFrom's: removes what it wrote
  if (g.streams.capacity() > kScratchKeepMax) g.streams = {};
  if (g.copies.capacity() > kScratchKeepMax * 512) g.copies = {};
  if (g.leaf_hashes.capacity() > kScratchKeepMax) g.leaf_hashes = {};
  if (g.ids.capacity() > kScratchKeepMax) g.ids = {};
  g.batch = nullptr;
}

// Puts g->streams in key order (contract, version) by a counting sort on the
// contract: entries of one contract were added in version order, so keeping
// their relative order is enough, and ranking the few distinct contracts
// costs far less than comparing contract strings n log n times.
void LedgerImpl::SortStreamEntries(GroupScratch* g) {
  std::vector<std::string_view> names;
  names.reserve(view_.group()->contracts.size());
  for (const auto& entry : view_.group()->contracts) names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  std::unordered_map<std::string_view, uint32_t> rank;
  rank.reserve(names.size());
  for (uint32_t i = 0; i < names.size(); ++i) rank.emplace(names[i], i);
  std::vector<uint32_t> start(names.size() + 1, 0);
  std::vector<uint32_t> ranks(g->streams.size());
  for (size_t i = 0; i < g->streams.size(); ++i) {
    auto it = rank.find(g->streams[i].contract);
    if (it == rank.end()) {
      // Every appended event's contract is in the group's model delta; were
      // one not, a comparison sort still gives the right order.
      std::sort(g->streams.begin(), g->streams.end(), [](const auto& a, const auto& b) {
        const int c = a.contract.compare(b.contract);
        return c != 0 ? c < 0 : a.version < b.version;
      });
      return;
    }
    ranks[i] = it->second;
    ++start[ranks[i] + 1];
  }
  for (size_t r = 1; r < start.size(); ++r) start[r] += start[r - 1];
  std::vector<GroupScratch::StreamEntry> sorted(g->streams.size());
  for (size_t i = 0; i < g->streams.size(); ++i) sorted[start[ranks[i]]++] = g->streams[i];
  g->streams.swap(sorted);
}

// Whether the event_id of `in`, input event i, is taken: by the same content (*duplicate, with
// the seq it has or will have; R-LIFE-05 refuses it as a new event), or by other content
// (Conflict; the result names the event and, within the batch, the first use).
Status LedgerImpl::FindDuplicate(const Writer& w, const events::Event& in, size_t i,
                                 bool* duplicate, uint64_t* seq) {
  assert(i < w.result->outcomes.size());
  *duplicate = false;
  EventLookup existing;
  CCL_RETURN_IF_ERROR(view_.FindEvent(in.event_id, &existing));
  if (!existing.found) return Status::OK();
  // SameContent compares the writer-supplied fields only.
  if (events::SameContent(*existing.event, in)) {
    // The stated currency is not stored, so not compared: checked as a new event's.
    Status s = CheckDuplicateStatedCurrency(&view_, in);
    if (!s.ok()) w.result->failed_index = i;
    CCL_RETURN_IF_ERROR(s);
    *duplicate = true;
    *seq = existing.seq;
    return Status::OK();
  }
  AppendResult* r = w.result;
  r->failed_index = i;
  if (!existing.in_current_batch) {
    return EventIdConflict(in, existing.seq);
  }
  // Within the batch the pending seq means nothing to the caller (none is
  // written): name the input event instead.
  for (size_t j = 0; j < i; ++j) {
    if (!r->outcomes[j].duplicate && r->outcomes[j].seq == existing.seq) {
      r->first_use_index = j;
      break;
    }
  }
  assert(r->first_use_index < i);
  return Status::Conflict(
             EventLabel(in.event_id) + ": event_id conflict: already used by input event " +
             std::to_string(r->first_use_index + 1) + " of this batch with different content")
      .WithRule(rules::kEventIdConflict);
}

Status LedgerImpl::CheckExpectedVersions(const Writer& w) {
  for (const auto& [contract, expected] : w.options->expected_versions) {
    ContractState* c = nullptr;
    CCL_RETURN_IF_ERROR(view_.FindContract(contract, &c));
    const uint64_t actual = c != nullptr ? c->stream_version : 0;
    if (actual == expected) continue;
    // A retry of a batch already appended: its events of this contract are
    // all duplicates, and the version it expected is the one they followed.
    // The first event of the contract that is not a duplicate is the one the
    // version check rejects.
    bool any = false;
    size_t first_new = SIZE_MAX;
    for (size_t i = 0; i < w.batch.size() && first_new == SIZE_MAX; ++i) {
      if (w.batch[i].contract != contract) continue;
      any = true;
      bool duplicate = false;
      uint64_t seq = 0;
      CCL_RETURN_IF_ERROR(FindDuplicate(w, w.batch[i], i, &duplicate, &seq));
      if (!duplicate) first_new = i;
    }
    if (any && first_new == SIZE_MAX) continue;
    w.result->failed_index = first_new;
    return Status::Conflict("contract '" + contract + "': expected stream version " +
                            std::to_string(expected) + ", found " + std::to_string(actual))
        .WithRule(rules::kExpectedVersion);
  }
  return Status::OK();
}

Status LedgerImpl::StageStoredEvent(const events::Event& in, GroupScratch* g) {
  const events::Event& e = g->event;
  assert(e.seq == g->next_seq && e.event_id == in.event_id && e.contract == in.contract);
  const uint64_t seq = e.seq;
  events::EncodeEvent(e, &g->bytes);
  if (g->bytes.size() > limits::kEventBytesMax) {
    return Status::InvalidArgument(EventLabel(e.event_id) + ": stored event would be " +
                                   std::to_string(g->bytes.size()) + " bytes, at most " +
                                   std::to_string(limits::kEventBytesMax));
  }
  g->prev_hash = ChainHash(g->prev_hash, seq, g->bytes);
  g->leaf_hashes.push_back(EventLeafHash(seq, g->bytes));
  // The stream entry's contract is a view of the caller's event, which
  // outlives the group, not of g->event, which the next event overwrites.
  CCL_RETURN_IF_ERROR(
      StageEventRows(in.contract, e.stream_version, seq, cf(kCfEvents), cf(kCfChain), g));
  g->ids.push_back({e.event_id, seq});
  return FoldStaged(g);
}

Status LedgerImpl::ProcessWriter(Writer* w, GroupScratch* g) {
  AppendResult* r = w->result;
  r->outcomes.assign(w->batch.size(), EventOutcome{});
  r->first_use_index = SIZE_MAX;
  CCL_RETURN_IF_ERROR(CheckExpectedVersions(*w));
  if (w->source != nullptr) CCL_RETURN_IF_ERROR(StartFiles(g));
  events::Event& e = g->event;
  // An AppendFrom's input comes in parts: `part` holds input events
  // [taken, taken + part.size()).
  std::span<const events::Event> part = w->batch;
  for (size_t taken = 0, i = 0;; ++i) {
    if (i == taken + part.size()) {
      if (w->source == nullptr) break;
      taken = i;
      CCL_RETURN_IF_ERROR(NextPart(w, taken, g, &part));
      if (part.empty()) break;
    }
    const events::Event& in = part[i - taken];
    r->failed_index = i;  // reset below on success
    // The caller's assigned fields are ignored: validate and encode a copy
    // carrying ours.
    e = in;
    events::ClearAssignedFields(&e);
    Status s = events::ValidateEvent(e);
    if (!s.ok()) return s.WithContext(EventLabel(in.event_id));

    bool duplicate = false;
    uint64_t existing_seq = 0;
    CCL_RETURN_IF_ERROR(FindDuplicate(*w, in, i, &duplicate, &existing_seq));
    if (duplicate) {
      r->outcomes[i] = EventOutcome{existing_seq, true, 0};
      r->duplicates += 1;
      continue;
    }

    const uint64_t seq = g->next_seq;
    AppliedFields applied;
    s = ApplyEvent(&view_, in, seq, &applied);
    if (!s.ok()) {
      r->first_use_index = applied.first_use_index;
      return s;
    }
    view_.AddPendingEvent(in, seq, i, g->files == nullptr);
    e.seq = seq;
    e.stream_version = applied.stream_version;
    e.recorded_at_ns = g->recorded_at_ns;
    e.applied_bill_rate_minor = applied.applied_bill_rate_minor;
    e.awaits_approval = applied.awaits_approval;
    if (e.type == events::EventType::kPeriodClosed) {
      s = SealPeriod(g, seq, e.period_month, &e.seal.emplace());
      if (!s.ok()) return s.WithContext(EventLabel(in.event_id) + ": seal");
    }
    CCL_RETURN_IF_ERROR(StageStoredEvent(in, g));
    r->outcomes[i] = EventOutcome{seq, false, applied.stream_version, applied.awaits_approval};
    r->appended += 1;
    g->next_seq += 1;
  }
  r->failed_index = SIZE_MAX;
  return Status::OK();
}

}  // namespace ccl::ledger

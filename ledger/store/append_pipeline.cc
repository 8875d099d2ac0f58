// The group commit's queue and pipeline (ledger/store/ledger_impl.h; the steps of
// preparing and writing a group are in append.cc): who leads, which writers
// a group takes, and the state a group is checked against while the group
// before it is still being written.
//
// At most one group is being written while the next leader prepares the
// next group over the committed state and the written group's changes (its
// model delta, kept in staged_groups_ until a later leader retires it into
// the contract cache). The heads, the tree and the cache change only after
// a group's sync: readers never see a group that is not durable. After a
// failed write the group prepared behind it fails with its error
// (needs_reopen_ refuses later ones). Guarded by writers_mu_: the tickets,
// group_in_flight_ and pipeline_failure_.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cassert>
#include <chrono>

#include "events/model/codec.h"
#include "events/model/uuid.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

namespace {

// A group stops growing at this many events (the first batch always joins,
// whatever its size): bounds the latency a small append waits behind others.
constexpr size_t kGroupEventsMax = 1 << 16;
// A leader waits at most this long for the writers of the last group to
// queue again before it commits (GatherWriters).
constexpr auto kGatherWaitMax = std::chrono::microseconds(100);

}  // namespace

Status LedgerImpl::QueueWriter(Writer* w) {
  std::unique_lock<std::mutex> lock(writers_mu_);
  writers_.push_back(w);
  if (leader_gathering_ && writers_.size() >= last_group_writers_) leader_cv_.notify_all();
  // A writer whose group was taken off the queue waits there for `done`;
  // the front one leads, unless an AppendFrom's group still holds the lead.
  while (!w->done && (writers_.empty() || w != writers_.front() || lead_held_)) w->cv.wait(lock);
  if (w->done) return w->status;
  lock.unlock();
  LeadGroup(w);
  return w->status;
}

// The front of the queue leads: it stays at the front, so that the
// leader-only state has one user at a time, until its group is prepared and
// the group before it written; then it takes its group off the queue (the
// next front leads the next group meanwhile) and writes it.
void LedgerImpl::LeadGroup(Writer* leader) {
  std::vector<Writer*> group;
  size_t events = 0;
  std::unique_lock<std::mutex> lock(writers_mu_);
  assert(writers_.front() == leader);
  if (!group_in_flight_) GatherWriters(&lock);
  TakeQueued(&group, &events);
  lock.unlock();
  // Reserving avoids re-copying a large batch as it grows. A bulk group's
  // batch holds no event bytes (GroupScratch::bulk): chain hashes, tree
  // tiles and the write model, about a tenth.
  rocksdb::WriteBatch batch(std::min<size_t>(events, 1 << 22) * kGroupBytesPerEvent /
                            (BulkGroup(events) ? 8 : 1));
  GroupWrite gw;
  const bool staged = PrepareGroup(&group, events, &batch, &gw);
  lock.lock();
  for (size_t i = 0; i < group.size(); ++i) writers_.pop_front();
  if (staged && gw.writes) {
    group_in_flight_ = true;
    in_flight_writers_ = group.size();
  }
  // Only this leader sets and clears its own hold: the leader of the group
  // before may still be finishing its write.
  const bool hold = staged && gw.bulk != nullptr && gw.bulk->files != nullptr;
  if (hold) lead_held_ = true;
  if (!hold) WakeFront();
  lock.unlock();
  if (staged) WriteGroup(group, gw, &batch);
  if (gw.bulk != nullptr) gw.bulk->files.reset();  // before the next group may use the folder
  lock.lock();
  if (hold) {
    lead_held_ = false;
    WakeFront();
  }
  std::vector<Writer*> async;
  for (Writer* x : group) {
    x->done = true;
    if (x->async != nullptr) {
      async.push_back(x);
    } else if (x != leader) {
      x->cv.notify_one();
    }
  }
  lock.unlock();
  if (!async.empty()) CompleteAsync(async);
}

void LedgerImpl::WakeFront() {
  if (writers_.empty()) return;
  if (writers_.front()->async != nullptr) {
    commit_cv_.notify_one();
  } else {
    writers_.front()->cv.notify_one();
  }
}

// The writers of the last group were all woken together when it ended; the
// first of them back (often the old leader) finds only part of them queued
// and would commit a smaller group, one more fsync, while the rest queue
// behind it. When the last group had several writers, the new leader waits
// (bounded) for as many to queue, so that concurrent writers share every
// fsync, as long as such waits see them come (gather_pacing_: writers that
// come back slower than the wait are not waited for). A single writer never
// waits: its groups have one writer. (A leader that starts while a group is
// being written gathers once that write ended: AwaitWriteInFlight.)
void LedgerImpl::GatherWriters(std::unique_lock<std::mutex>* lock) {
  if (last_group_writers_ <= 1 || writers_.size() >= last_group_writers_) return;
  if (!gather_pacing_.ShouldWait()) return gather_pacing_.Skipped();
  leader_gathering_ = true;
  const bool came = leader_cv_.wait_for(*lock, kGatherWaitMax,
                                        [&] { return writers_.size() >= last_group_writers_; });
  leader_gathering_ = false;
  gather_pacing_.Waited(came);
}

bool LedgerImpl::TakeQueued(std::vector<Writer*>* group, size_t* events) {
  const size_t taken = group->size();
  for (size_t i = taken; i < writers_.size(); ++i) {
    Writer* x = writers_[i];
    // An AppendFrom is a group of its own (its size is known only at its end).
    if (!group->empty() && (x->source != nullptr || group->front()->source != nullptr)) break;
    if (!group->empty() && *events + x->batch.size() > kGroupEventsMax) break;
    group->push_back(x);
    *events += x->batch.size();
  }
  last_group_writers_ = group->size();
  return group->size() > taken;
}

// When a group was being written as this one was started: waits for that
// write to end, then for its writers to come back (closed-loop callers
// append again once answered; bounded, like GatherWriters), and takes in
// every writer queued by then, so that concurrent writers keep sharing one
// fsync rather than splitting into two groups that alternate. Returns the
// write's error, if it failed; *s is the validation's.
Status LedgerImpl::AwaitWriteInFlight(std::vector<Writer*>* group, size_t events, GroupScratch* g,
                                      Status* s) {
  std::unique_lock<std::mutex> lock(writers_mu_);
  if (!group_in_flight_) return Status::OK();
  leader_cv_.wait(lock, [&] { return !group_in_flight_; });  // EndWrite notifies
  if (!pipeline_failure_.ok()) return pipeline_failure_;
  last_group_writers_ = group->size() + in_flight_writers_;
  GatherWriters(&lock);
  const size_t from = group->size();
  if (TakeQueued(group, &events)) {
    lock.unlock();
    *s = ValidateGroup(*group, from, g);
  }
  return Status::OK();
}

void LedgerImpl::StagedBase(Head* head, AccessHead* access) {
  bool written = true;
  if (last_writing_ticket_ != 0) {
    std::lock_guard<std::mutex> l(writers_mu_);
    written = tickets_written_ >= last_writing_ticket_;
  }
  if (written) {
    // Published before its write counted as ended (PublishGroup, EndWrite).
    std::lock_guard<std::mutex> l(head_mu_);
    *head = head_;
    *access = access_head_;
    return;
  }
  *head = last_writing_head_;
  *access = last_writing_access_;
}

void LedgerImpl::EndWrite(const Status& s) {
  std::lock_guard<std::mutex> l(writers_mu_);
  assert(group_in_flight_ && tickets_written_ + 1 == tickets_issued_);
  group_in_flight_ = false;
  tickets_written_ = tickets_issued_;
  if (!s.ok() && pipeline_failure_.ok()) pipeline_failure_ = s;
  leader_cv_.notify_all();  // a leader may wait for it (PrepareGroup)
}

void LedgerImpl::RetireWrittenGroups() {
  uint64_t written = 0;
  Status failure;
  {
    std::lock_guard<std::mutex> l(writers_mu_);
    written = tickets_written_;
    failure = pipeline_failure_;
  }
  while (!staged_groups_.empty() && staged_groups_.front().ticket <= written) {
    // A failed write leaves the ledger refusing writes (needs_reopen_): the
    // states of its group must not reach the cache.
    if (failure.ok()) {
      for (auto& [contract, state] : staged_groups_.front().delta.contracts) {
        if (contract.empty()) ledger_stream_absent_ = false;
        contract_cache_.Put(contract, std::move(state));
      }
    }
    staged_groups_.pop_front();
  }
}

Status LedgerImpl::DrainStagedGroups() {
  Status failure;
  {
    std::unique_lock<std::mutex> l(writers_mu_);
    leader_cv_.wait(l, [&] { return !group_in_flight_; });
    failure = pipeline_failure_;
  }
  RetireWrittenGroups();
  return failure;
}

bool LedgerImpl::FindStagedEvent(const events::Uuid& id, uint64_t* seq, events::Event* event) {
  if (staged_groups_.empty()) return false;
  // Under the lock, a group whose write has not ended still has its writers
  // waiting, so the input events its ids point to are alive; a written
  // group's events are found in RocksDB (its head published before).
  std::lock_guard<std::mutex> l(writers_mu_);
  for (auto it = staged_groups_.rbegin(); it != staged_groups_.rend(); ++it) {
    if (it->ticket <= tickets_written_) break;
    if (const PendingIds::Entry* p = it->delta.ids.Find(id)) {
      // An AppendFrom's group keeps none (lead_held_: nobody prepares
      // a group while it is written).
      assert(p->event != nullptr);
      if (p->event == nullptr) return false;
      *seq = p->seq;
      *event = *p->event;  // the writer-supplied fields, as for a pending event
      return true;
    }
  }
  return false;
}

// ---- CommittedReader: the committed state, under the staged groups' ----

Status LedgerImpl::ReadContract(std::string_view contract, bool* found, ContractState* out) {
  for (auto it = staged_groups_.rbegin(); it != staged_groups_.rend(); ++it) {
    if (auto c = it->delta.contracts.find(contract); c != it->delta.contracts.end()) {
      *found = true;
      *out = c->second;
      return Status::OK();
    }
  }
  if (const ContractState* c = contract_cache_.Find(contract)) {
    *found = true;
    *out = *c;
    return Status::OK();
  }
  if (contract.empty() && ledger_stream_absent_) {
    *found = false;
    return Status::OK();
  }
  CCL_RETURN_IF_ERROR(ReadStoredContract(contract, found, out));
  if (*found) {
    contract_cache_.Put(std::string(contract), *out);
  } else if (contract.empty()) {
    ledger_stream_absent_ = true;
  }
  return Status::OK();
}

Status LedgerImpl::ReadEscalation(const std::string& key, bool* found, EscalationState* out) {
  for (auto it = staged_groups_.rbegin(); it != staged_groups_.rend(); ++it) {
    if (auto e = it->delta.escalations.find(key); e != it->delta.escalations.end()) {
      *found = true;
      *out = e->second;
      return Status::OK();
    }
  }
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfEscalations), key, &v);
  *found = false;
  if (s.IsNotFound()) return Status::OK();
  CCL_RETURN_IF_ERROR(FromRocks(s, "read escalation state"));
  CCL_RETURN_IF_ERROR(DecodeEscalationState(v, out));
  *found = true;
  return Status::OK();
}

Status LedgerImpl::ReadReversal(uint64_t target_seq, bool* found, uint64_t* reversing_seq) {
  for (auto it = staged_groups_.rbegin(); it != staged_groups_.rend(); ++it) {
    if (auto r = it->delta.reversals.find(target_seq); r != it->delta.reversals.end()) {
      *found = true;
      *reversing_seq = r->second;
      return Status::OK();
    }
  }
  std::string v;
  SeqKey k(target_seq);
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kCfReversals), rocksdb::Slice(k.bytes, 8), &v);
  *found = false;
  if (s.IsNotFound()) return Status::OK();
  CCL_RETURN_IF_ERROR(FromRocks(s, "read reversal"));
  if (!DecodeSeq(v, reversing_seq)) {
    return Status::Corruption("reversals: value of seq " + std::to_string(target_seq) +
                              " is not 8 bytes");
  }
  *found = true;
  return Status::OK();
}

Status LedgerImpl::ReadEventById(const events::Uuid& id, bool* found, uint64_t* seq,
                                 events::Event* event) {
  *found = FindStagedEvent(id, seq, event);
  if (*found) return Status::OK();
  // Nothing is stored yet (the first appends to a new ledger, a bulk import
  // into one): there is no ids entry to read. A written group publishes its
  // head before it leaves the staged groups searched above.
  if (head().seq == 0) return Status::OK();
  CCL_RETURN_IF_ERROR(SeqById(id, found, seq));
  if (!*found) return Status::OK();
  std::string bytes;
  CCL_RETURN_IF_ERROR(GetStored(*seq, &bytes));
  Status s = events::DecodeEvent(bytes, event);
  if (!s.ok()) return Status::Corruption("seq " + std::to_string(*seq) + ": " + s.message());
  if (event->event_id != id || event->seq != *seq) {
    return Status::Corruption("seq " + std::to_string(*seq) + ": ids index entry for " +
                              events::FormatUuid(id) + " points to another event");
  }
  return Status::OK();
}

Status LedgerImpl::ReadDecision(const events::Event& target, DecisionLookup* out) {
  *out = DecisionLookup{};
  // A decision is in its target's stream (R-APPR-02), after it; only one is
  // ever accepted. The search runs on the writer that checks a group's rules,
  // for a refusal's words only: a writer repeating a refused decision must not
  // make it read a long stream each time, so it looks this far and no further.
  constexpr size_t kEventsLookedAtMax = 4096;
  std::unique_ptr<EventIterator> it = NewStreamIterator(target.contract, target.stream_version + 1);
  for (size_t looked = 0; it->Valid() && looked < kEventsLookedAtMax; it->Next(), ++looked) {
    const events::Event& e = it->event();
    if (!events::IsDecision(e.type) || e.target_event_id != target.event_id) continue;
    out->found = true;
    out->seq = it->seq();
    out->approved = e.type == events::EventType::kApproved;
    out->actor = e.actor;
    return Status::OK();
  }
  return it->status();
}

}  // namespace ccl::ledger

// The append's view of the write model (ledger/store/write_model.h): the ids
// pending in the groups being appended, the model delta a group stages, and
// the lookups that read the stored model through them.
#include <algorithm>
#include <cassert>
#include <cstring>

#include "events/base/limits.h"
#include "events/model/uuid.h"
#include "ledger/store/keys.h"
#include "ledger/store/write_model.h"

namespace ccl::ledger {

size_t UuidHash::operator()(const events::Uuid& id) const noexcept {
  // Writer-chosen ids need not be random (tests and generators use counters,
  // possibly spread by a multiply), so both halves go through a full avalanche
  // before they meet: a cheap xor of correlated halves collides en masse.
  uint64_t a = 0, b = 0;
  std::memcpy(&a, id.data(), 8);
  std::memcpy(&b, id.data() + 8, 8);
  auto mix = [](uint64_t x) {  // splitmix64 finalizer
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  };
  return static_cast<size_t>(mix(a ^ mix(b + 0x9e3779b97f4a7c15ull)));
}

void PendingIds::Reserve(size_t n) {
  size_t want = 16;
  while (want < 2 * n) want *= 2;  // at most half full
  if (want <= slots_.size()) return;
  std::vector<Entry> old;
  old.swap(slots_);
  slots_.assign(want, Entry{{}, 0, nullptr});
  size_ = 0;
  for (const Entry& e : old) {
    if (e.seq != 0) Put(e.id, e.seq, e.event);
  }
}

const PendingIds::Entry* PendingIds::Find(const events::Uuid& id) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = UuidHash{}(id)&mask;; i = (i + 1) & mask) {
    const Entry& e = slots_[i];
    if (e.seq == 0) return nullptr;
    if (e.id == id) return &e;
  }
}

void PendingIds::Put(const events::Uuid& id, uint64_t seq, const events::Event* event) {
  assert(seq != 0);
  // Doubles the slots (room for as many entries as there are slots now).
  if (2 * (size_ + 1) > slots_.size()) Reserve(std::max<size_t>(slots_.size(), 8));
  const size_t mask = slots_.size() - 1;
  for (size_t i = UuidHash{}(id)&mask;; i = (i + 1) & mask) {
    Entry& e = slots_[i];
    if (e.seq == 0) {
      e = Entry{id, seq, event};
      ++size_;
      return;
    }
    if (e.id == id) {
      e.seq = seq;
      e.event = event;
      return;
    }
  }
}

void PendingIds::Clear() {
  if (size_ == 0) return;
  // A bulk append's table is released rather than kept (and wiped) for the
  // single-event appends that usually follow.
  if (slots_.size() > (1u << 16)) {
    slots_ = {};
  } else {
    std::fill(slots_.begin(), slots_.end(), Entry{{}, 0, nullptr});
  }
  size_ = 0;
}

void ModelDelta::Clear() {
  contracts.clear();
  escalations.clear();
  reversals.clear();
  ids.Clear();
}

void ModelDelta::Absorb(ModelDelta* newer) {
  if (empty()) {
    std::swap(*this, *newer);
    newer->Clear();
    return;
  }
  for (auto& [k, v] : newer->contracts) contracts.insert_or_assign(k, std::move(v));
  for (auto& [k, v] : newer->escalations) escalations.insert_or_assign(k, v);
  for (auto& [k, v] : newer->reversals) reversals.insert_or_assign(k, v);
  newer->ids.ForEach([&](const PendingIds::Entry& e) { ids.Put(e.id, e.seq, e.event); });
  newer->Clear();
}

void AppendView::BeginWriter(size_t events_hint) {
  writer_.Clear();
  writer_.ids.Reserve(events_hint);
  writer_inputs_.clear();
}

void AppendView::AcceptWriter() {
  group_.Absorb(&writer_);
  writer_inputs_.clear();
}

void AppendView::RejectWriter() {
  writer_.Clear();
  writer_inputs_.clear();
}

void AppendView::AddPendingEvent(const events::Event& e, uint64_t seq, size_t input_index,
                                 bool kept) {
  assert(writer_inputs_.empty() || writer_inputs_.back().first < seq);
  assert(kept || pending_loader_);
  writer_.ids.Put(e.event_id, seq, kept ? &e : nullptr);
  writer_inputs_.emplace_back(seq, input_index);
}

size_t AppendView::InputIndexOf(uint64_t seq) const {
  auto it = std::lower_bound(writer_inputs_.begin(), writer_inputs_.end(),
                             std::make_pair(seq, size_t{0}));
  return it != writer_inputs_.end() && it->first == seq ? it->second : SIZE_MAX;
}

Status AppendView::FindContract(std::string_view contract, ContractState** state) {
  *state = nullptr;
  if (auto it = writer_.contracts.find(contract); it != writer_.contracts.end()) {
    *state = &it->second;
    return Status::OK();
  }
  // Copy on first touch: a rejected writer must leave the group's and the
  // committed state as they were.
  if (auto it = group_.contracts.find(contract); it != group_.contracts.end()) {
    *state = &writer_.contracts.emplace(std::string(contract), it->second).first->second;
    return Status::OK();
  }
  bool found = false;
  ContractState loaded;
  CCL_RETURN_IF_ERROR(committed_->ReadContract(contract, &found, &loaded));
  if (found) {
    *state = &writer_.contracts.emplace(std::string(contract), std::move(loaded)).first->second;
  }
  return Status::OK();
}

ContractState* AppendView::CreateContract(std::string_view contract) {
  return &writer_.contracts.insert_or_assign(std::string(contract), ContractState{}).first->second;
}

Status AppendView::FindEscalation(const std::string& key, bool* found, EscalationState* state) {
  if (auto it = writer_.escalations.find(key); it != writer_.escalations.end()) {
    *found = true;
    *state = it->second;
    return Status::OK();
  }
  if (auto it = group_.escalations.find(key); it != group_.escalations.end()) {
    *found = true;
    *state = it->second;
    return Status::OK();
  }
  return committed_->ReadEscalation(key, found, state);
}

void AppendView::PutEscalation(const std::string& key, const EscalationState& state) {
  writer_.escalations.insert_or_assign(key, state);
}

Status AppendView::FindReversal(uint64_t target_seq, bool* found, uint64_t* reversing_seq) {
  for (const ModelDelta* d : {&writer_, &group_}) {
    if (auto it = d->reversals.find(target_seq); it != d->reversals.end()) {
      *found = true;
      *reversing_seq = it->second;
      return Status::OK();
    }
  }
  return committed_->ReadReversal(target_seq, found, reversing_seq);
}

void AppendView::PutReversal(uint64_t target_seq, uint64_t reversing_seq) {
  writer_.reversals.insert_or_assign(target_seq, reversing_seq);
}

Status AppendView::FindEvent(const events::Uuid& id, EventLookup* out) {
  for (const ModelDelta* d : {&writer_, &group_}) {
    if (const PendingIds::Entry* p = d->ids.Find(id)) {
      out->found = true;
      out->in_current_batch = d == &writer_;
      out->seq = p->seq;
      out->event = p->event;
      if (p->event != nullptr) return Status::OK();
      out->event = &scratch_;
      return pending_loader_(p->seq, &scratch_);
    }
  }
  out->event = &scratch_;
  out->in_current_batch = false;
  return committed_->ReadEventById(id, &out->found, &out->seq, &scratch_);
}

}  // namespace ccl::ledger

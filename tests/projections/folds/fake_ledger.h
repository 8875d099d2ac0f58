// An in-memory Ledger for runner tests: stores events exactly as given
// (assigned fields included), encodes them with the real codec so iterators
// decode stored bytes like the RocksDB ledger, and keeps projection states in
// a map the test can damage. No rules are checked: the workload obeys them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "events/model/codec.h"
#include "ledger/store/ledger.h"
#include "ledger/store/stored_event.h"
#include "projections/folds/snapshot.h"

namespace ccl::projections::testing {

class FakeLedger : public ledger::Ledger {
 public:
  FakeLedger() { id_[0] = 0x42; }

  // Stores `e` as the next event; e.seq must be head + 1.
  void AddAssigned(const events::Event& e) {
    std::string bytes;
    events::EncodeEvent(e, &bytes);
    events_.push_back(e);
    bytes_.push_back(std::move(bytes));
    by_id_[e.event_id] = e.seq;
    streams_[e.contract].push_back(e.seq);
  }

  std::map<std::string, std::string>& projection_states() { return states_; }

  // Serves ReversalLinks from `links` (the reversals index as a ledger would
  // store it, right or damaged); until called, ReversalLinks is NotFound.
  void SetReversalLinks(std::vector<ReversalLink> links) {
    links_ = std::move(links);
    has_links_ = true;
  }
  // The links a correct index holds for the events stored so far.
  std::vector<ReversalLink> TrueReversalLinks() const {
    std::vector<ReversalLink> out;
    for (const events::Event& e : events_) {
      if (e.type != events::EventType::kEntryReversed) continue;
      auto it = by_id_.find(e.target_event_id);
      if (it != by_id_.end()) out.push_back(ReversalLink{e.seq, it->second});
    }
    return out;
  }
  // Replaces the stored bytes of `seq` with `bytes` (e.g. ones that fail the
  // Verifier).
  void SetStoredBytes(uint64_t seq, std::string bytes) { bytes_[seq - 1] = std::move(bytes); }
  int puts() const { return puts_; }

  Status Append(std::span<const events::Event>, const ledger::AppendOptions&,
                ledger::AppendResult*) override {
    return Status::InvalidArgument("fake ledger: use AddAssigned");
  }
  Status Get(uint64_t seq, events::Event* out, std::string* stored_bytes) override {
    if (seq == 0 || seq > events_.size()) return Status::NotFound("seq");
    CCL_RETURN_IF_ERROR(events::DecodeEvent(bytes_[seq - 1], out));
    if (stored_bytes != nullptr) *stored_bytes = bytes_[seq - 1];
    return Status::OK();
  }
  Status GetByEventId(const events::Uuid& id, events::Event* out) override {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return Status::NotFound("event id");
    return Get(it->second, out, nullptr);
  }
  // A stand-in chain: h_n = SHA-256(h_{n-1} || bytes_n), h_0 from the id.
  Status GetChainHash(uint64_t seq, ledger::Hash* out) override {
    if (seq > events_.size()) return Status::NotFound("seq");
    ledger::Hash h = Sha256Of(std::string_view(reinterpret_cast<const char*>(id_.data()), 16));
    for (uint64_t s = 1; s <= seq; ++s) {
      std::string buf(reinterpret_cast<const char*>(h.data()), h.size());
      buf += bytes_[s - 1];
      h = Sha256Of(buf);
    }
    *out = h;
    return Status::OK();
  }

  std::unique_ptr<ledger::EventIterator> NewIterator(uint64_t from_seq) override {
    std::vector<uint64_t> seqs;
    for (uint64_t s = std::max<uint64_t>(from_seq, 1); s <= events_.size(); ++s) seqs.push_back(s);
    return std::make_unique<Iter>(this, std::move(seqs));
  }
  // No second thread here: the same events and checks as NewIterator.
  std::unique_ptr<ledger::EventIterator> NewReadAheadIterator(uint64_t from_seq,
                                                              uint64_t last_seq) override {
    std::vector<uint64_t> seqs;
    const uint64_t end = std::min<uint64_t>(last_seq, events_.size());
    for (uint64_t s = std::max<uint64_t>(from_seq, 1); s <= end; ++s) seqs.push_back(s);
    return std::make_unique<Iter>(this, std::move(seqs));
  }
  Status ReversalLinks(uint64_t first_seq, uint64_t last_seq,
                       std::vector<ReversalLink>* out) override {
    out->clear();
    if (!has_links_) return Status::NotFound("no reversals index");
    for (const ReversalLink& l : links_) {
      if (l.reversing_seq >= first_seq && l.reversing_seq <= last_seq) out->push_back(l);
    }
    return Status::OK();
  }
  std::unique_ptr<ledger::EventIterator> NewStreamIterator(std::string_view contract,
                                                           uint64_t from_version) override {
    std::vector<uint64_t> seqs;
    auto it = streams_.find(std::string(contract));
    if (it != streams_.end()) {
      for (size_t v = from_version; v <= it->second.size(); ++v) seqs.push_back(it->second[v - 1]);
    }
    return std::make_unique<Iter>(this, std::move(seqs));
  }
  Status StreamVersion(std::string_view contract, uint64_t* version) override {
    auto it = streams_.find(std::string(contract));
    *version = it == streams_.end() ? 0 : it->second.size();
    return Status::OK();
  }
  ledger::Head head() const override {
    ledger::Head h;
    h.seq = events_.size();
    h.recorded_at_ns = events_.empty() ? 0 : events_.back().recorded_at_ns;
    return h;
  }
  const events::Uuid& ledger_id() const override { return id_; }
  void set_ledger_id(const events::Uuid& id) { id_ = id; }
  Status LastSeqRecordedAtOrBefore(int64_t t_ns, uint64_t* seq) override {
    *seq = 0;
    for (const events::Event& e : events_) {
      if (e.recorded_at_ns <= t_ns) *seq = e.seq;
    }
    return Status::OK();
  }
  Status Verify(const ledger::VerifyProgress&, ledger::VerifyReport*) override {
    return Status::OK();
  }
  Status Refresh() override { return Status::OK(); }
  Status GetProjectionState(std::string_view name, std::string* value) override {
    auto it = states_.find(std::string(name));
    if (it == states_.end()) return Status::NotFound("projection state");
    *value = it->second;
    return Status::OK();
  }
  Status PutProjectionState(std::string_view name, std::string_view value) override {
    ++puts_;
    states_[std::string(name)] = std::string(value);
    return Status::OK();
  }
  uint64_t DiskBytes() override { return 0; }
  const std::string& path() const override { return path_; }

  // Replaces the stored bytes of event `seq` (same seq, other content), as a
  // restored-then-diverged ledger would have.
  void ReplaceEvent(const events::Event& e) {
    events::EncodeEvent(e, &bytes_[e.seq - 1]);
    events_[e.seq - 1] = e;
  }

 private:
  class Iter : public ledger::EventIterator {
   public:
    Iter(FakeLedger* l, std::vector<uint64_t> seqs) : l_(l), seqs_(std::move(seqs)) { Load(); }
    bool Valid() const override { return i_ < seqs_.size() && status_.ok(); }
    void Next() override {
      ++i_;
      Load();
    }
    uint64_t seq() const override { return seqs_[i_]; }
    std::string_view bytes() const override { return l_->bytes_[seqs_[i_] - 1]; }
    const events::Event& event() const override { return e_; }
    Status chain_hash(ledger::Hash* out) override { return l_->GetChainHash(seqs_[i_], out); }
    Status status() const override { return status_; }

   private:
    // The RocksDB ledger's iterator's check, and so its messages.
    void Load() {
      if (i_ >= seqs_.size()) return;
      status_ = ledger::DecodeStoredEvent(seqs_[i_], bytes(), &e_);
    }
    FakeLedger* l_;
    std::vector<uint64_t> seqs_;
    size_t i_ = 0;
    events::Event e_;
    Status status_;
  };

  events::Uuid id_{};
  std::string path_;  // none: the fake keeps no files
  std::vector<events::Event> events_;
  std::vector<std::string> bytes_;
  std::map<events::Uuid, uint64_t> by_id_;
  std::map<std::string, std::vector<uint64_t>> streams_;
  std::map<std::string, std::string> states_;
  std::vector<ReversalLink> links_;
  bool has_links_ = false;
  int puts_ = 0;
};

}  // namespace ccl::projections::testing

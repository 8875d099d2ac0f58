// The event iterator in seq order over `events` (ledger/store/ledger_impl.h); the
// stream-order iterator is in ledger/store/stream_iterator.cc.
//
// Both stop at the head as it was when the iterator was made, so a reader sees
// a prefix of the log however many appends happen meanwhile (RocksDB
// iterators are consistent views, and stored events never change).
#include <rocksdb/db.h>

#include <cstring>

#include "ledger/store/ledger_impl.h"
#include "ledger/store/stored_event.h"

namespace ccl::ledger {

namespace {

// Reads h_seq from a `chain` iterator that moves forward with the events:
// one Next per event in seq order, a Seek only when the caller skips.
Status ChainHashAt(LedgerImpl* ledger, const rocksdb::ReadOptions& ro,
                   std::unique_ptr<rocksdb::Iterator>* it, uint64_t seq, Hash* out) {
  SeqKey k(seq);
  if (!*it) {
    it->reset(ledger->db()->NewIterator(ro, ledger->cf(kCfChain)));
    (*it)->Seek(rocksdb::Slice(k.bytes, 8));
  } else if ((*it)->Valid() && (*it)->key().ToStringView() != k.view()) {
    if ((*it)->key().ToStringView() < k.view()) (*it)->Next();
    if ((*it)->Valid() && (*it)->key().ToStringView() != k.view())
      (*it)->Seek(rocksdb::Slice(k.bytes, 8));
  }
  if (!(*it)->Valid() || (*it)->key().ToStringView() != k.view()) {
    CCL_RETURN_IF_ERROR(FromRocks((*it)->status(), "read chain hashes"));
    return Status::Corruption(SeqLabel(seq) + ": chain hash missing");
  }
  if ((*it)->value().size() != out->size()) {
    return Status::Corruption(SeqLabel(seq) + ": chain hash is not 32 bytes");
  }
  std::memcpy(out->data(), (*it)->value().data(), out->size());
  return Status::OK();
}

class SeqIterator final : public LoadedEventIterator {
 public:
  // decode = false: keys are checked, values are left to the caller, who
  // decodes them with DecodeStoredEvent (Ledger::NewRawIterator).
  SeqIterator(LedgerImpl* ledger, uint64_t from_seq, uint64_t last_seq, bool decode)
      : ledger_(ledger), decode_(decode), next_(std::max<uint64_t>(from_seq, 1)), last_(last_seq) {
    // A replay reads the log once: large readahead, and no block cache
    // pollution that would evict the indexes' hot blocks. No
    // iterate_upper_bound: Load stops at last_ by seq before looking at the
    // iterator, and the bound cost a key comparison inside every Next (about
    // 5% of a raw scan's instructions).
    ro_.fill_cache = false;
    ro_.readahead_size = 2 << 20;
    if (next_ > last_) return;
    it_.reset(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfEvents)));
    SeqKey k(next_);
    it_->Seek(rocksdb::Slice(k.bytes, 8));
    Load();
  }

  void Next() override {
    it_->Next();
    Load();
  }
  std::string_view bytes() const override { return it_->value().ToStringView(); }
  Status chain_hash(Hash* out) override { return ChainHashAt(ledger_, ro_, &chain_it_, seq_, out); }

 private:
  void Load() {
    valid_ = false;
    if (next_ > last_) return;
    if (!it_->Valid()) {
      status_ = FromRocks(it_->status(), "read events");
      if (status_.ok()) status_ = Status::Corruption(SeqLabel(next_) + ": missing");
      return;
    }
    uint64_t seq = 0;
    if (!DecodeSeq(it_->key().ToStringView(), &seq)) {
      status_ = Status::Corruption(SeqLabel(next_) + ": malformed key in `events`");
      return;
    }
    if (seq != next_) {
      status_ = Status::Corruption(SeqLabel(next_) + ": missing (next stored is " +
                                   std::to_string(seq) + ")");
      return;
    }
    if (decode_) {
      status_ = DecodeStoredEvent(seq, it_->value().ToStringView(), &event_);
      if (!status_.ok()) return;
    }
    seq_ = seq;
    next_ = seq + 1;
    valid_ = true;
  }

  LedgerImpl* ledger_;
  const bool decode_;
  uint64_t next_;  // the seq Load expects
  uint64_t last_;
  rocksdb::ReadOptions ro_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::unique_ptr<rocksdb::Iterator> chain_it_;
};

}  // namespace

std::unique_ptr<EventIterator> LedgerImpl::NewIterator(uint64_t from_seq) {
  return std::make_unique<SeqIterator>(this, from_seq, head().seq, /*decode=*/true);
}

std::unique_ptr<EventIterator> LedgerImpl::NewRawIterator(uint64_t from_seq) {
  return std::make_unique<SeqIterator>(this, from_seq, head().seq, /*decode=*/false);
}

}  // namespace ccl::ledger

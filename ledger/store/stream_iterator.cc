// The event iterator in one contract's stream order over its `streams`
// entries (ledger/store/ledger_impl.h). Each entry carries a copy of its event's
// stored bytes (keys.h StreamValueInto): a stream is one range scan, with no
// point read into `events` per event.
//
// It stops at the head as it was when the iterator was made, so a reader sees
// a prefix of the stream however many appends happen meanwhile.
#include <rocksdb/db.h>

#include "events/model/codec.h"
#include "ledger/store/ledger_impl.h"
#include "ledger/store/stored_event.h"

namespace ccl::ledger {

namespace {

class StreamIterator final : public LoadedEventIterator {
 public:
  StreamIterator(LedgerImpl* ledger, std::string_view contract, uint64_t from_version,
                 uint64_t last_seq)
      : ledger_(ledger),
        contract_(contract),
        next_version_(std::max<uint64_t>(from_version, 1)),
        last_seq_(last_seq) {
    // Keys of this contract are contract 0x00 ...; contract 0x01 bounds them.
    upper_ = contract_;
    upper_.push_back('\x01');
    upper_slice_ = rocksdb::Slice(upper_);
    ro_.iterate_upper_bound = &upper_slice_;
    it_.reset(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfStreams)));
    it_->Seek(StreamKey(contract_, next_version_));
    Load();
  }

  void Next() override {
    it_->Next();
    Load();
  }
  std::string_view bytes() const override { return bytes_; }
  Status chain_hash(Hash* out) override {
    // Stream order jumps around the log: a point read per call.
    return ledger_->GetChainHash(seq_, out);
  }

 private:
  void Load() {
    valid_ = false;
    if (!it_->Valid()) {
      status_ = FromRocks(it_->status(), "read streams index");
      return;
    }
    std::string_view contract, stored;
    uint64_t version = 0, seq = 0;
    if (!ParseStreamKey(it_->key().ToStringView(), &contract, &version) || contract != contract_ ||
        !ParseStreamValue(it_->value().ToStringView(), &seq, &stored)) {
      status_ =
          Status::Corruption("streams index: malformed entry in contract '" + contract_ + "'");
      return;
    }
    if (seq > last_seq_) return;  // appended after this iterator was made
    if (version != next_version_) {
      status_ =
          Status::Corruption(SeqLabel(seq) + ": contract '" + contract_ + "' stream version " +
                             std::to_string(next_version_) + " missing from streams index");
      return;
    }
    // The copy is read as the log itself would be: decoded, its Verifier run
    // and its fields validated. That it equals the log is verify's to prove.
    bytes_ = stored;
    Status s = events::DecodeEvent(bytes_, &event_);
    if (!s.ok()) {
      status_ = Status::Corruption(SeqLabel(seq) + ": " + s.message());
      return;
    }
    if (event_.seq != seq || event_.contract != contract_ || event_.stream_version != version) {
      status_ =
          Status::Corruption(SeqLabel(seq) + ": streams index entry '" + contract_ + "' version " +
                             std::to_string(version) + " does not match the stored event");
      return;
    }
    seq_ = seq;
    next_version_ = version + 1;
    valid_ = true;
  }

  LedgerImpl* ledger_;
  std::string contract_;
  uint64_t next_version_;
  uint64_t last_seq_;
  std::string upper_;
  rocksdb::Slice upper_slice_;
  rocksdb::ReadOptions ro_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string_view bytes_;  // into it_'s value: valid until it_ moves
};

}  // namespace

std::unique_ptr<EventIterator> LedgerImpl::NewStreamIterator(std::string_view contract,
                                                             uint64_t from_version) {
  return std::make_unique<StreamIterator>(this, contract, from_version, head().seq);
}

}  // namespace ccl::ledger

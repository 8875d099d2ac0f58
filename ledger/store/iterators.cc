// The event iterators in seq order over `events` (ledger/store/ledger_impl.h):
// the plain one and the read-ahead one; the stream-order iterator is in
// ledger/store/stream_iterator.cc.
//
// All stop at the head as it was when the iterator was made, so a reader sees
// a prefix of the log however many appends happen meanwhile (RocksDB
// iterators are consistent views, and stored events never change).
#include <rocksdb/db.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

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
  // decodes them with DecodeStoredEvent (the read-ahead iterator's reader).
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

// The read-ahead iterator (Ledger::NewReadAheadIterator). Its reader thread
// copies stored bytes into batches; decoding, the larger step, is split in
// chunks that whichever thread is free claims: the reader when every batch
// is full (the caller is behind), the caller when the batch it reaches next
// is not decoded yet. kBatchCount batches cycle from `free` (the reader fills
// one) to `full` (the caller takes the oldest) and back; event objects are
// reused from batch to batch, so decoding allocates only when a string
// outgrows its slot.
constexpr uint32_t kBatchEvents = 1024;
constexpr uint32_t kDecodeChunk = 32;
constexpr size_t kBatchCount = 8;

// Aligned so that no two batches share a cache line (or the pair of lines the
// adjacent-line prefetcher moves together): the reader writes the header of
// the batch it fills once per event (size, the arena's length) while the
// caller reads the header of the batch next to it once per event. Sharing
// a line cost the reader about 60% more cycles per copied event.
constexpr size_t kBatchAlign = 128;

struct alignas(kBatchAlign) ReadBatch {
  std::string arena;  // stored bytes, each at an 8-byte aligned offset
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> lengths;
  std::vector<uint64_t> seqs;
  std::vector<events::Event> events;
  std::vector<Status> errors;  // not OK: why slot k did not decode
  uint32_t size = 0;
  std::atomic<uint32_t> next_chunk{0};
  std::atomic<uint32_t> decoded{0};  // slots done, good or bad

  uint32_t chunks() const { return (size + kDecodeChunk - 1) / kDecodeChunk; }
  bool unclaimed() const { return next_chunk.load(std::memory_order_relaxed) < chunks(); }

  // Claims and decodes one chunk (either thread); false when none was left.
  bool DecodeOneChunk() {
    const uint32_t c = next_chunk.fetch_add(1, std::memory_order_relaxed);
    if (c >= chunks()) return false;
    const uint32_t end = std::min(size, (c + 1) * kDecodeChunk);
    for (uint32_t k = c * kDecodeChunk; k < end; ++k) {
      errors[k] = DecodeStoredEvent(
          seqs[k], std::string_view(arena.data() + offsets[k], lengths[k]), &events[k]);
    }
    const uint32_t done = end - c * kDecodeChunk;
    if (decoded.fetch_add(done, std::memory_order_acq_rel) + done == size) decoded.notify_all();
    return true;
  }
};

class ReadPipeline {
 public:
  ReadPipeline() : batches_(kBatchCount) {
    for (ReadBatch& b : batches_) {
      b.offsets.resize(kBatchEvents);
      b.lengths.resize(kBatchEvents);
      b.seqs.resize(kBatchEvents);
      b.events.resize(kBatchEvents);
      b.errors.resize(kBatchEvents);
      free_.push_back(&b);
    }
  }

  // Caller: the oldest full batch, fully decoded; nullptr once reading is
  // over and every batch has been taken (then read_status() says why).
  ReadBatch* TakeFull() {
    ReadBatch* b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !full_.empty() || reading_done_; });
      if (full_.empty()) return nullptr;
      b = full_.front();
      full_.pop_front();
    }
    while (b->DecodeOneChunk()) {
    }
    for (uint32_t d = b->decoded.load(std::memory_order_acquire); d != b->size;
         d = b->decoded.load(std::memory_order_acquire)) {
      b->decoded.wait(d, std::memory_order_acquire);
    }
    return b;
  }

  // Caller: `b` is consumed and may be refilled.
  void Release(ReadBatch* b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(b);
    }
    cv_.notify_all();
  }

  // Reader: the next free batch, or nullptr once stopped. While there is
  // none (the caller is behind) it decodes chunks of the newest published
  // batch instead of waiting.
  ReadBatch* TakeFree() {
    for (;;) {
      ReadBatch* help = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (free_.empty()) {
          help = NewestUnclaimedLocked();
          if (help == nullptr) cv_.wait(lock, [&] { return !free_.empty() || stop_; });
        }
        if (stop_) return nullptr;
        if (help == nullptr) {
          ReadBatch* b = free_.front();
          free_.pop_front();
          return b;
        }
      }
      // Only this thread refills batches, so `help` stays published (or
      // fully decoded) until this returns.
      help->DecodeOneChunk();
    }
  }

  // Reader: `b` is filled; the caller may take it.
  void Publish(ReadBatch* b) {
    b->next_chunk.store(0, std::memory_order_relaxed);
    b->decoded.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      full_.push_back(b);
    }
    cv_.notify_all();
  }

  // Reader, once reading is over with `status` (OK: the last seq was read):
  // helps decode what is still unclaimed, then lets the caller end when the
  // full batches are done.
  void FinishReading(Status status) {
    for (;;) {
      ReadBatch* help = nullptr;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) break;
        help = NewestUnclaimedLocked();
      }
      if (help == nullptr) break;
      help->DecodeOneChunk();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_status_ = std::move(status);
      reading_done_ = true;
    }
    cv_.notify_all();
  }

  // Caller, after TakeFull returned nullptr.
  Status read_status() {
    std::lock_guard<std::mutex> lock(mu_);
    return read_status_;
  }

  // Caller: nothing more is wanted; the reader ends at its next batch.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
  }

 private:
  // The newest published batch with a chunk left to claim, or nullptr: the
  // reader helps there, away from the oldest one the caller decodes.
  // REQUIRES: mu_ held.
  ReadBatch* NewestUnclaimedLocked() const {
    for (auto b = full_.rbegin(); b != full_.rend(); ++b) {
      if ((*b)->unclaimed()) return *b;
    }
    return nullptr;
  }

  std::vector<ReadBatch> batches_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ReadBatch*> free_, full_;  // guarded by mu_
  bool reading_done_ = false;           // guarded by mu_
  bool stop_ = false;                   // guarded by mu_
  Status read_status_;                  // guarded by mu_
};

// Reader thread: fills batches with the stored bytes of `it`'s events and
// publishes them, until the log ends (or fails) or the caller stops.
void ReadIntoBatches(EventIterator* it, ReadPipeline* pipe) {
  for (;;) {
    ReadBatch* b = pipe->TakeFree();
    if (b == nullptr) break;
    b->size = 0;
    b->arena.clear();
    for (; b->size < kBatchEvents && it->Valid(); it->Next()) {
      const std::string_view bytes = it->bytes();
      // 8-byte aligned, so the decoder reads FlatBuffers scalars in place.
      const size_t offset = (b->arena.size() + 7) & ~size_t{7};
      b->arena.resize(offset);
      b->arena.append(bytes);
      b->offsets[b->size] = static_cast<uint32_t>(offset);
      b->lengths[b->size] = static_cast<uint32_t>(bytes.size());
      b->seqs[b->size] = it->seq();
      ++b->size;
    }
    const bool end = !it->Valid();
    pipe->Publish(b);
    if (end) break;
  }
  pipe->FinishReading(it->status());
}

class ReadAheadIterator final : public EventIterator {
 public:
  // Takes `raw`, a non-decoding SeqIterator, for its reader thread.
  ReadAheadIterator(LedgerImpl* ledger, std::unique_ptr<EventIterator> raw)
      : ledger_(ledger),
        raw_(std::move(raw)),
        reader_([this] { ReadIntoBatches(raw_.get(), &pipe_); }) {
    ro_.fill_cache = false;
    batch_ = pipe_.TakeFull();
    Settle();
  }
  ~ReadAheadIterator() override {
    pipe_.Stop();
    reader_.join();
  }

  bool Valid() const override { return valid_; }
  void Next() override {
    assert(valid_);
    ++k_;
    Settle();
  }
  uint64_t seq() const override {
    assert(valid_);
    return batch_->seqs[k_];
  }
  std::string_view bytes() const override {
    assert(valid_);
    return std::string_view(batch_->arena.data() + batch_->offsets[k_], batch_->lengths[k_]);
  }
  const events::Event& event() const override {
    assert(valid_);
    return batch_->events[k_];
  }
  Status chain_hash(Hash* out) override {
    return ChainHashAt(ledger_, ro_, &chain_it_, seq(), out);
  }
  Status status() const override { return status_; }

 private:
  // Moves to slot k_ of the current batch, or to the next batch when k_ is
  // past its end; ends with the error of a slot that did not decode, or
  // with the reader's status at the end of the log.
  void Settle() {
    valid_ = false;
    while (batch_ != nullptr && k_ >= batch_->size) {
      pipe_.Release(batch_);
      batch_ = pipe_.TakeFull();
      k_ = 0;
    }
    if (batch_ == nullptr) {
      status_ = pipe_.read_status();
      return;
    }
    if (!batch_->errors[k_].ok()) {
      status_ = batch_->errors[k_];
      pipe_.Stop();
      return;
    }
    valid_ = true;
  }

  LedgerImpl* ledger_;
  std::unique_ptr<EventIterator> raw_;  // used by reader_ only
  ReadPipeline pipe_;
  std::thread reader_;  // last: starts once the members it uses exist
  rocksdb::ReadOptions ro_;
  std::unique_ptr<rocksdb::Iterator> chain_it_;
  ReadBatch* batch_ = nullptr;  // held by this thread; nullptr at the end
  uint32_t k_ = 0;              // the current slot of batch_
  bool valid_ = false;
  Status status_;
};

}  // namespace

std::unique_ptr<EventIterator> LedgerImpl::NewIterator(uint64_t from_seq) {
  return std::make_unique<SeqIterator>(this, from_seq, head().seq, /*decode=*/true);
}

std::unique_ptr<EventIterator> LedgerImpl::NewReadAheadIterator(uint64_t from_seq,
                                                                uint64_t last_seq) {
  auto raw = std::make_unique<SeqIterator>(this, from_seq, std::min(last_seq, head().seq),
                                           /*decode=*/false);
  return std::make_unique<ReadAheadIterator>(this, std::move(raw));
}

}  // namespace ccl::ledger

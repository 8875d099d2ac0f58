// Verify: re-reads the whole ledger and checks everything derived from the
// log against the log (ledger/store/ledger.h, schemas/FORMAT.md "Verification").
//
// Three sequential scans run at once, on their own threads, because on this
// hardware each costs about as much as the others and none needs the others'
// results until the end:
//  - the events: each checked, decoded and replayed through the write model
//    rules, and the `ids` entries they imply digested (this thread);
//  - the chain: every event's bytes hashed from h_0 and compared with its
//    stored `chain` entry, then with the head; the Merkle leaves, and from
//    them the `streams` copies the events imply, digested;
//  - the stored `ids` and `streams` (the streams' copies of the events),
//    digested.
// An order-independent digest lets the index scans stay sequential (no random
// read per event); only when one differs does a slower pass look entries up
// one by one to name the first bad seq. The copies' digest is keyed by a
// salt drawn for this run (CopyDigest): they are what single-contract reports
// read, so a forged copy must not be able to match. Memory: the rebuilt write model
// (contracts, escalations, reversals), never the events; the blocks read to
// find reversal and decision targets stay in the ledger's block cache
// (Options::block_cache_bytes).
#include <openssl/rand.h>
#include <rocksdb/db.h>

#include <atomic>
#include <cassert>
#include <cstring>
#include <thread>

#include "events/model/codec.h"
#include "events/model/uuid.h"
#include "ledger/store/ledger_impl.h"
#include "ledger/store/stored_event.h"
#include "ledger/store/verify_internal.h"

namespace ccl::ledger {

namespace {

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

constexpr uint64_t kProgressEvery = 1 << 16;
constexpr uint64_t kStopCheckEvery = 4096;

}  // namespace

Status LedgerImpl::Verify(const VerifyProgress& progress, VerifyReport* report) {
  *report = VerifyReport{};
  // A consistent view: appends may go on while we read. Secondary (read-only)
  // instances have no snapshots, but their view only moves on Refresh().
  const rocksdb::Snapshot* snapshot = options_.read_only ? nullptr : db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() {
      if (s != nullptr) db->ReleaseSnapshot(s);
    }
  } release{db_, snapshot};
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.fill_cache = false;
  ro.readahead_size = 2 << 20;
  ro.total_order_seek = true;  // the scans of `ids` (cf_options.h)

  CopyDigest::Salt salt;
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Status::IOError("verify: no randomness for the digest salt");
  }
  VerifyState state(this, ro, salt);
  Status s = state.ReadHead();
  if (!s.ok()) return s;
  VerifyState::ChainScan chain;
  StoredDigests stored(salt);
  Status digests;
  EventHandoff handoff;
  std::thread chain_thread([&] { chain = state.ScanChain(&handoff); });
  std::thread digest_thread([&] { digests = state.DigestStoredIndexes(&stored); });
  s = state.ScanEvents(progress, &handoff);
  state.StopAt(VerifyState::kEventScan, std::max<uint64_t>(state.first_bad_seq(), 1), !s.ok());
  chain_thread.join();
  digest_thread.join();
  s = state.Merge(s, chain);
  if (s.ok()) s = digests;
  if (s.ok()) s = state.CheckIds(stored.ids);
  if (s.ok()) s = state.CheckStreams(stored.streams);
  if (s.ok()) s = state.CheckWriteModel();
  report->events = state.events_checked();
  report->head = state.recomputed_head();
  if (!s.ok()) {
    report->first_bad_seq = state.first_bad_seq();
    return WithTableDamage(s, &report->damaged_table);
  }
  return WithTableDamage(VerifyAccess(ro, report), &report->damaged_table);
}

VerifyState::VerifyState(LedgerImpl* ledger, const rocksdb::ReadOptions& ro,
                         const CopyDigest::Salt& salt)
    : ledger_(ledger), ro_(ro), model_(ledger, ro), streams_expected_(salt) {}

Status VerifyState::Fail(uint64_t seq, const std::string& what) {
  if (first_bad_seq_ == 0) first_bad_seq_ = seq;
  return Status::Corruption(SeqLabel(seq) + ": " + what);
}

Status VerifyState::Fail(uint64_t seq, const Status& cause) {
  assert(!cause.ok());
  if (first_bad_seq_ == 0) first_bad_seq_ = seq;
  return cause.WithCode(Status::Code::kCorruption).WithContext(SeqLabel(seq));
}

Status VerifyState::Unchecked(uint64_t seq, const Status& read_error) {
  assert(!read_error.ok());
  if (first_bad_seq_ == 0 && seq <= stored_head_.seq) first_bad_seq_ = seq;
  return read_error;
}

Status VerifyState::ReadHead() {
  std::string v;
  rocksdb::Status s = ledger_->db()->Get(ro_, ledger_->cf(kCfMeta), kMetaHead, &v);
  if (!s.ok()) return FromRocks(s, "read head");
  if (!DecodeHead(v, &stored_head_)) return Status::Corruption("meta 'head' is not 48 bytes");
  computed_.hash = GenesisHash(ledger_->ledger_id());
  return Status::OK();
}

void VerifyState::StopAt(int scan, uint64_t seq, bool failed) {
  if (failed) bad_at_[scan].store(seq);
}

bool VerifyState::Beyond(int other_scan, uint64_t seq) const {
  const uint64_t bad = bad_at_[other_scan].load(std::memory_order_relaxed);
  return bad != 0 && seq > bad;
}

void EventHandoff::Add(uint64_t seq, std::string_view bytes, std::string_view stream_key) {
  if (filling_.count == 0) filling_.first_seq = seq;
  for (std::string_view part : {bytes, stream_key}) {
    const uint32_t n = static_cast<uint32_t>(part.size());
    filling_.data.append(reinterpret_cast<const char*>(&n), sizeof(n));
    filling_.data.append(part);
  }
  ++filling_.count;
  if (filling_.data.size() >= kChunkBytes) Push();
}

void EventHandoff::Push() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return queue_.size() < kChunksMax || abandoned_; });
  if (!abandoned_) {
    queue_.push_back(std::move(filling_));
    cv_.notify_all();
  }
  filling_ = Chunk();
  // A chunk the consumer is done with, its memory already mapped: a fresh
  // megabyte per chunk would cost a page fault per 4 KiB written.
  if (!spare_.empty()) {
    filling_.data = std::move(spare_);
    filling_.data.clear();
  }
  filling_.data.reserve(kChunkBytes + 32 * 1024);
}

void EventHandoff::Close(bool complete) {
  if (filling_.count > 0) Push();
  std::lock_guard<std::mutex> l(mu_);
  closed_ = true;
  complete_ = complete;
  cv_.notify_all();
}

bool EventHandoff::Next(uint64_t* seq, std::string_view* bytes, std::string_view* stream_key) {
  if (read_index_ == reading_.count) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    if (spare_.capacity() < reading_.data.capacity()) spare_ = std::move(reading_.data);
    reading_ = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    read_pos_ = 0;
    read_index_ = 0;
  }
  for (std::string_view* part : {bytes, stream_key}) {
    uint32_t n = 0;
    std::memcpy(&n, reading_.data.data() + read_pos_, sizeof(n));
    *part = std::string_view(reading_.data.data() + read_pos_ + sizeof(n), n);
    read_pos_ += sizeof(n) + n;
  }
  *seq = reading_.first_seq + read_index_;
  ++read_index_;
  return true;
}

void EventHandoff::Abandon() {
  std::lock_guard<std::mutex> l(mu_);
  abandoned_ = true;
  queue_.clear();
  cv_.notify_all();
}

Status VerifyState::ScanEvents(const VerifyProgress& progress, EventHandoff* handoff) {
  // However this returns, the chain scan must learn that no more is coming.
  bool reached_end = false;
  struct CloseOnExit {
    EventHandoff* h;
    const bool* complete;
    ~CloseOnExit() { h->Close(*complete); }
  } close_on_exit{handoff, &reached_end};
  std::unique_ptr<rocksdb::Iterator> it(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfEvents)));
  events::Event e;
  uint64_t expected = 1;
  int64_t last_recorded_ns = INT64_MIN;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    uint64_t seq = 0;
    if (!DecodeSeq(View(it->key()), &seq)) return Fail(expected, "malformed key in `events`");
    if (seq != expected) {
      return Fail(expected, "missing (next stored event is seq " + std::to_string(seq) + ")");
    }
    if (seq > stored_head_.seq) {
      return Fail(seq, "stored beyond the head (seq " + std::to_string(stored_head_.seq) + ")");
    }
    // The chain scan failed before this seq: its failure is the first.
    if (Beyond(kChainScan, seq)) return Status::OK();
    Status s = events::DecodeEvent(View(it->value()), &e);
    if (!s.ok()) return Fail(seq, s);
    if (e.seq != seq) return Fail(seq, "stored event carries seq " + std::to_string(e.seq));
    if (e.recorded_at_ns < last_recorded_ns) {
      return Fail(seq, "recorded_at goes back in time (" + std::to_string(e.recorded_at_ns) +
                           " < " + std::to_string(last_recorded_ns) + ")");
    }
    last_recorded_ns = e.recorded_at_ns;

    CCL_RETURN_IF_ERROR(ReplayThroughRules(e, seq));
    CCL_RETURN_IF_ERROR(CheckPeriodSeal(seq, e));

    SeqKey k(seq);
    ids_expected_.Add(std::string_view(reinterpret_cast<const char*>(e.event_id.data()), 16),
                      k.view());
    // The chain scan hashes the bytes; with the key it digests the `streams`
    // entry they imply (CopyDigest).
    StreamKeyInto(e.contract, e.stream_version, &key_);
    handoff->Add(seq, View(it->value()), key_);
    model_.Scanned(seq, e.event_id, View(it->value()));

    computed_.seq = seq;
    computed_.recorded_at_ns = e.recorded_at_ns;
    if (progress.on_progress && seq % kProgressEvery == 0) {
      progress.on_progress(seq, stored_head_.seq);
    }
  }
  // A block that cannot be read stops the iterator before its first event:
  // the one after the last event checked.
  if (!it->status().ok()) {
    return Unchecked(computed_.seq + 1, FromRocks(it->status(), "read events"));
  }
  reached_end = true;
  return CheckScanEnd(progress);
}

// Replay through the rules: the log must be one the rules accept, and what
// append assigned must be what the rules assign.
Status VerifyState::ReplayThroughRules(const events::Event& e, uint64_t seq) {
  model_.set_current_seq(seq);
  AppliedFields applied;
  Status s = ApplyEvent(&model_, e, seq, &applied);
  if (!s.ok()) return Fail(seq, s.WithContext("replay"));
  if (e.stream_version != applied.stream_version) {
    return Fail(seq, "stream_version " + std::to_string(e.stream_version) + ", replay gives " +
                         std::to_string(applied.stream_version));
  }
  if (e.applied_bill_rate_minor != applied.applied_bill_rate_minor) {
    return Fail(
        seq, "applied_bill_rate_minor " + std::to_string(e.applied_bill_rate_minor.value_or(-1)) +
                 ", replay gives " + std::to_string(applied.applied_bill_rate_minor.value_or(-1)));
  }
  if (e.awaits_approval != applied.awaits_approval) {
    return Fail(seq, std::string("awaits_approval ") + (e.awaits_approval ? "true" : "false") +
                         ", replay gives " + (applied.awaits_approval ? "true" : "false"));
  }
  return Status::OK();
}

// After the last event: the log must reach the stored head, and the head's
// recorded_at must be the last event's.
Status VerifyState::CheckScanEnd(const VerifyProgress& progress) {
  if (bad_at_[kChainScan].load() != 0) return Status::OK();  // Merge reports it
  if (computed_.seq < stored_head_.seq) {
    return Fail(computed_.seq + 1,
                "missing (the head is seq " + std::to_string(stored_head_.seq) + ")");
  }
  if (computed_.recorded_at_ns != stored_head_.recorded_at_ns && stored_head_.seq > 0) {
    return Fail(stored_head_.seq, "head recorded_at differs from the last event's");
  }
  if (progress.on_progress) progress.on_progress(computed_.seq, stored_head_.seq);
  return Status::OK();
}

VerifyState::ChainScan VerifyState::ScanChain(EventHandoff* handoff) {
  ChainScan out;
  std::unique_ptr<rocksdb::Iterator> chain(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfChain)));
  out.hash = GenesisHash(ledger_->ledger_id());
  // The Merkle tree must be the tree of these events (schemas/MERKLE.md).
  MerkleTreeChecker tree(ledger_->db(), ledger_->cf(kCfMerkle), ro_.snapshot);
  // Stops the scan at `seq` with `status`.
  auto stop = [&](uint64_t seq, const Status& status) {
    out.bad_seq = seq;
    out.status = status;
    bad_at_[kChainScan].store(seq);  // the event scan need not go past this seq
    handoff->Abandon();
    return out;
  };
  auto fail = [&](uint64_t seq, const std::string& what) {
    return stop(seq, Status::Corruption(SeqLabel(seq) + ": " + what));
  };
  // Whatever ends this scan early, the event scan must not block on it.
  struct AbandonOnExit {
    EventHandoff* h;
    ~AbandonOnExit() { h->Abandon(); }
  } abandon_on_exit{handoff};
  chain->SeekToFirst();
  uint64_t seq = 0;
  std::string_view bytes, stream_key;
  for (; handoff->Next(&seq, &bytes, &stream_key); chain->Next()) {
    // Gaps and malformed keys are the event scan's to report (it hands over
    // consecutive seqs only).
    if (seq != out.seq + 1) return out;
    if (Beyond(kEventScan, seq)) return out;
    out.hash = ChainHash(out.hash, seq, bytes);
    const Hash leaf = EventLeafHash(seq, bytes);
    streams_expected_.AddLeaf(stream_key, leaf);
    if (Status ts = tree.Add(seq, leaf); !ts.ok()) {
      return fail(tree.bad_seq(), "Merkle tree: " + ts.message());
    }
    SeqKey k(seq);
    if (!chain->Valid() || View(chain->key()) != k.view()) {
      // A block that cannot be read: `seq`'s chain hash is the first unchecked.
      const Status read = FromRocks(chain->status(), "read chain hashes");
      if (!read.ok()) return stop(seq, read);
      return fail(seq, "chain hash missing");
    }
    if (View(chain->value()) !=
        std::string_view(reinterpret_cast<const char*>(out.hash.data()), 32)) {
      return fail(seq, "chain hash mismatch: stored " +
                           (chain->value().size() == 32
                                ? HexEncode(*reinterpret_cast<const Hash*>(chain->value().data()))
                                : std::string("(not 32 bytes)")) +
                           ", recomputed " + HexEncode(out.hash));
    }
    out.seq = seq;
  }
  if (!handoff->complete()) return out;  // the event scan stopped early
  out.status = FromRocks(chain->status(), "read chain hashes");
  if (!out.status.ok()) return out;
  if (chain->Valid()) {
    uint64_t extra = 0;
    DecodeSeq(View(chain->key()), &extra);
    return fail(std::max<uint64_t>(extra, 1), "chain hash stored beyond the last event");
  }
  if (Status ts = tree.Finish(); !ts.ok()) {
    return fail(tree.bad_seq(), "Merkle tree: " + ts.message());
  }
  out.complete = true;
  return out;
}

Status VerifyState::Merge(const Status& events, const ChainScan& chain) {
  if (!chain.status.ok() && chain.bad_seq == 0) return chain.status;  // a read past the events
  // The first bad seq wins; on a tie the event scan's message, which says
  // what is wrong with the event itself.
  if (chain.bad_seq != 0 && (events.ok() || chain.bad_seq < first_bad_seq_)) {
    first_bad_seq_ = chain.bad_seq;
    return chain.status;
  }
  if (!events.ok()) return events;
  computed_.hash = chain.hash;
  if (!chain.complete || chain.seq != computed_.seq) {
    return Fail(std::max<uint64_t>(computed_.seq, 1), "chain scan ended early");
  }
  if (computed_.hash != stored_head_.hash) {
    return Fail(std::max<uint64_t>(stored_head_.seq, 1),
                "head hash mismatch: stored " + HexEncode(stored_head_.hash) + ", recomputed " +
                    HexEncode(computed_.hash));
  }
  return Status::OK();
}

Status VerifyState::DigestStoredIndexes(StoredDigests* out) {
  for (ColumnFamilyId cf : {kCfIds, kCfStreams}) {
    std::unique_ptr<rocksdb::Iterator> it(ledger_->db()->NewIterator(ro_, ledger_->cf(cf)));
    uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (cf == kCfIds) {
        out->ids.Add(View(it->key()), View(it->value()));
      } else {
        out->streams.Add(View(it->key()), View(it->value()));
      }
      if (++n % kStopCheckEvery == 0 &&
          (bad_at_[kEventScan].load(std::memory_order_relaxed) != 0 ||
           bad_at_[kChainScan].load(std::memory_order_relaxed) != 0)) {
        return Status::OK();  // the result will not be looked at
      }
    }
    CCL_RETURN_IF_ERROR(FromRocks(it->status(), std::string("read ") + kColumnFamilyNames[cf]));
  }
  return Status::OK();
}

Status VerifyState::CheckIds(const IndexDigest& stored) {
  if (stored == ids_expected_) return Status::OK();
  return LocateIndexDamage(kCfIds);
}

Status VerifyState::CheckStreams(const CopyDigest& stored) {
  if (stored.Matches(streams_expected_)) return Status::OK();
  return LocateIndexDamage(kCfStreams);
}

// The slow path, taken only on damage: which seq is wrong? First every event
// looks up its own entry (an entry missing or wrong: for `streams`, a copy
// whose bytes differ from the log's), then every entry looks up its event (an
// entry too many); the smallest seq involved is reported.
Status VerifyState::LocateIndexDamage(ColumnFamilyId cf) {
  assert(cf == kCfStreams || cf == kCfIds);
  CCL_RETURN_IF_ERROR(FindEventWithBadEntry(cf));
  return FindEntryWithoutEvent(cf);
}

// Every event looks up its own entry in `cf`: Fail at the first event whose
// entry is missing or wrong; OK when every event's entry is right.
Status VerifyState::FindEventWithBadEntry(ColumnFamilyId cf) {
  const bool streams = cf == kCfStreams;
  const char* name = kColumnFamilyNames[cf];
  auto where = [](const events::Event& e) {
    return " (contract '" + e.contract + "' version " + std::to_string(e.stream_version) + ")";
  };
  std::unique_ptr<rocksdb::Iterator> it(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfEvents)));
  events::Event e;
  std::string v;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    DecodeSeq(View(it->key()), &seq);
    CCL_RETURN_IF_ERROR(events::DecodeEvent(View(it->value()), &e));
    if (streams) {
      StreamKeyInto(e.contract, e.stream_version, &key_);
    } else {
      key_.assign(reinterpret_cast<const char*>(e.event_id.data()), 16);
    }
    rocksdb::Status s = ledger_->db()->Get(ro_, ledger_->cf(cf), key_, &v);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, std::string("read ") + name);
    if (s.IsNotFound()) {
      return Fail(seq, std::string(name) + " index entry missing" + (streams ? where(e) : ""));
    }
    uint64_t indexed = 0;
    std::string_view copy;
    const bool parsed = streams ? ParseStreamValue(v, &indexed, &copy) : DecodeSeq(v, &indexed);
    if (!parsed || indexed != seq) {
      return Fail(seq, std::string(name) + " index entry points to seq " + std::to_string(indexed) +
                           " instead" + (streams ? where(e) : ""));
    }
    if (streams && copy != View(it->value())) {
      return Fail(seq, "streams copy differs from the stored event" + where(e));
    }
  }
  return FromRocks(it->status(), "read events");
}

// Every event has its entry, so some entry of `cf` has no event (or a
// duplicate id hides one): Fail naming the smallest seq such an entry points
// to.
Status VerifyState::FindEntryWithoutEvent(ColumnFamilyId cf) {
  const bool streams = cf == kCfStreams;
  const char* name = kColumnFamilyNames[cf];
  events::Event e;
  std::string v;
  uint64_t worst = UINT64_MAX;
  std::string what;
  std::unique_ptr<rocksdb::Iterator> idx(ledger_->db()->NewIterator(ro_, ledger_->cf(cf)));
  for (idx->SeekToFirst(); idx->Valid(); idx->Next()) {
    uint64_t seq = 0;
    std::string_view copy;
    bool ok = (streams ? ParseStreamValue(View(idx->value()), &seq, &copy)
                       : DecodeSeq(View(idx->value()), &seq)) &&
              seq >= 1 && seq <= computed_.seq;
    if (ok) {
      SeqKey k(seq);
      rocksdb::Status s = ledger_->db()->Get(ro_, ledger_->cf(kCfEvents), k.view(), &v);
      ok = s.ok() && events::DecodeEvent(v, &e).ok();
      if (ok && !streams) {
        ok = View(idx->key()) ==
             std::string_view(reinterpret_cast<const char*>(e.event_id.data()), 16);
      } else if (ok) {
        StreamKeyInto(e.contract, e.stream_version, &key_);
        ok = View(idx->key()) == key_ && copy == v;
      }
    }
    if (!ok && std::max<uint64_t>(seq, 1) < worst) {
      worst = std::max<uint64_t>(seq, 1);
      what = std::string(name) + " index has an entry pointing to seq " + std::to_string(seq) +
             " that the event there does not match";
      if (streams) {
        std::string_view contract;
        uint64_t version = 0;
        if (ParseStreamKey(View(idx->key()), &contract, &version)) {
          what += " (key: contract '" + std::string(contract) + "' version " +
                  std::to_string(version) + ")";
        }
      }
    }
  }
  CCL_RETURN_IF_ERROR(FromRocks(idx->status(), std::string("read ") + name));
  if (worst == UINT64_MAX) {
    // Digest differs yet every entry checks out both ways: a duplicate entry
    // count (two events with one id, which the rules forbid).
    return Fail(std::max<uint64_t>(computed_.seq, 1),
                std::string(name) + " index does not match the events");
  }
  return Fail(worst, what);
}

Status VerifyState::CheckWriteModel() { return model_.CompareWithStored(this); }

}  // namespace ccl::ledger

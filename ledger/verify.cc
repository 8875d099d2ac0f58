// Verify: re-reads the whole ledger and checks everything derived from the
// log against the log (ledger/ledger.h, schemas/FORMAT.md "Verification").
//
// One sequential pass over `events` (with `chain` in lockstep) checks each
// event and replays it through the write model rules; the indexes are then
// each scanned once and compared with what the events imply through an
// order-independent digest, so the pass stays sequential (no random read per
// event). Only when a digest differs does a slower pass look up entries one by
// one to name the first bad seq. Memory: the rebuilt write model (contracts,
// escalations, reversals), never the events.
#include <rocksdb/db.h>

#include <cstring>
#include <map>

#include "events/codec.h"
#include "events/uuid.h"
#include "ledger/ledger_impl.h"
#include "ledger/verify_internal.h"

namespace ccl::ledger {

namespace {

std::string SeqLabel(uint64_t seq) { return "seq " + std::to_string(seq); }
std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

std::string Hex(const Hash& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : h) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

constexpr uint64_t kProgressEvery = 1 << 16;

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

  VerifyState state(this, ro);
  Status s = state.ReadHead();
  if (s.ok()) s = state.ScanEvents(progress);
  if (s.ok()) s = state.CheckIds();
  if (s.ok()) s = state.CheckStreams();
  if (s.ok()) s = state.CheckWriteModel();
  report->events = state.events_checked();
  report->head = state.recomputed_head();
  if (!s.ok()) {
    report->first_bad_seq = state.first_bad_seq();
    if (report->first_bad_seq == 0) report->first_bad_seq = std::max<uint64_t>(1, report->events);
  }
  return s;
}

VerifyState::VerifyState(LedgerImpl* ledger, const rocksdb::ReadOptions& ro)
    : ledger_(ledger), ro_(ro), model_(ledger, ro) {}

Status VerifyState::Fail(uint64_t seq, const std::string& what) {
  if (first_bad_seq_ == 0) first_bad_seq_ = seq;
  return Status::Corruption(SeqLabel(seq) + ": " + what);
}

Status VerifyState::ReadHead() {
  std::string v;
  rocksdb::Status s = ledger_->db()->Get(ro_, ledger_->cf(kCfMeta), kMetaHead, &v);
  if (!s.ok()) return FromRocks(s, "read head");
  if (!DecodeHead(v, &stored_head_)) return Status::Corruption("meta 'head' is not 48 bytes");
  computed_.hash = GenesisHash(ledger_->ledger_id());
  return Status::OK();
}

Status VerifyState::ScanEvents(const VerifyProgress& progress) {
  std::unique_ptr<rocksdb::Iterator> it(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfEvents)));
  std::unique_ptr<rocksdb::Iterator> chain(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfChain)));
  events::Event e;
  uint64_t expected = 1;
  int64_t last_recorded_ns = INT64_MIN;
  it->SeekToFirst();
  chain->SeekToFirst();
  for (; it->Valid(); it->Next(), chain->Next(), ++expected) {
    uint64_t seq = 0;
    if (!DecodeSeq(View(it->key()), &seq)) return Fail(expected, "malformed key in `events`");
    if (seq != expected) {
      return Fail(expected, "missing (next stored event is seq " + std::to_string(seq) + ")");
    }
    if (seq > stored_head_.seq) {
      return Fail(seq, "stored beyond the head (seq " + std::to_string(stored_head_.seq) + ")");
    }
    const std::string_view bytes = View(it->value());
    Status s = events::DecodeEvent(bytes, &e);
    if (!s.ok()) return Fail(seq, s.message());
    if (e.seq != seq) return Fail(seq, "stored event carries seq " + std::to_string(e.seq));
    if (e.recorded_at_ns < last_recorded_ns) {
      return Fail(seq, "recorded_at goes back in time (" + std::to_string(e.recorded_at_ns) +
                           " < " + std::to_string(last_recorded_ns) + ")");
    }
    last_recorded_ns = e.recorded_at_ns;

    computed_.hash = ChainHash(computed_.hash, seq, bytes);
    SeqKey k(seq);
    if (!chain->Valid() || View(chain->key()) != k.view()) {
      CCL_RETURN_IF_ERROR(FromRocks(chain->status(), "read chain hashes"));
      return Fail(seq, "chain hash missing");
    }
    if (View(chain->value()) !=
        std::string_view(reinterpret_cast<const char*>(computed_.hash.data()), 32)) {
      return Fail(seq, "chain hash mismatch: stored " +
                           (chain->value().size() == 32
                                ? Hex(*reinterpret_cast<const Hash*>(chain->value().data()))
                                : std::string("(not 32 bytes)")) +
                           ", recomputed " + Hex(computed_.hash));
    }

    // Replay through the rules: the log must be one the rules accept, and
    // what append assigned must be what the rules assign.
    model_.set_current_seq(seq);
    AppliedFields applied;
    s = ApplyEvent(&model_, e, seq, &applied);
    if (!s.ok()) return Fail(seq, "replay: " + s.message());
    if (e.stream_version != applied.stream_version) {
      return Fail(seq, "stream_version " + std::to_string(e.stream_version) + ", replay gives " +
                           std::to_string(applied.stream_version));
    }
    if (e.applied_bill_rate_minor != applied.applied_bill_rate_minor) {
      return Fail(seq, "applied_bill_rate_minor " +
                           std::to_string(e.applied_bill_rate_minor.value_or(-1)) +
                           ", replay gives " +
                           std::to_string(applied.applied_bill_rate_minor.value_or(-1)));
    }

    ids_expected_.Add(std::string_view(reinterpret_cast<const char*>(e.event_id.data()), 16),
                      k.view());
    StreamKeyInto(e.contract, e.stream_version, &key_);
    streams_expected_.Add(key_, k.view());

    computed_.seq = seq;
    computed_.recorded_at_ns = e.recorded_at_ns;
    if (progress.on_progress && seq % kProgressEvery == 0) {
      progress.on_progress(seq, stored_head_.seq);
    }
  }
  CCL_RETURN_IF_ERROR(FromRocks(it->status(), "read events"));
  if (computed_.seq < stored_head_.seq) {
    return Fail(computed_.seq + 1,
                "missing (the head is seq " + std::to_string(stored_head_.seq) + ")");
  }
  if (chain->Valid()) {
    uint64_t extra = 0;
    DecodeSeq(View(chain->key()), &extra);
    return Fail(std::max<uint64_t>(extra, 1), "chain hash stored beyond the last event");
  }
  if (computed_.hash != stored_head_.hash) {
    return Fail(std::max<uint64_t>(stored_head_.seq, 1), "head hash mismatch: stored " +
                                                             Hex(stored_head_.hash) +
                                                             ", recomputed " + Hex(computed_.hash));
  }
  if (computed_.recorded_at_ns != stored_head_.recorded_at_ns && stored_head_.seq > 0) {
    return Fail(stored_head_.seq, "head recorded_at differs from the last event's");
  }
  if (progress.on_progress) progress.on_progress(computed_.seq, stored_head_.seq);
  return Status::OK();
}

Status VerifyState::ScanDigest(ColumnFamilyId cf, IndexDigest* out) {
  std::unique_ptr<rocksdb::Iterator> it(ledger_->db()->NewIterator(ro_, ledger_->cf(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out->Add(View(it->key()), View(it->value()));
  return FromRocks(it->status(), std::string("read ") + kColumnFamilyNames[cf]);
}

Status VerifyState::CheckIds() {
  IndexDigest stored;
  CCL_RETURN_IF_ERROR(ScanDigest(kCfIds, &stored));
  if (stored == ids_expected_) return Status::OK();
  return LocateIndexDamage(kCfIds);
}

Status VerifyState::CheckStreams() {
  IndexDigest stored;
  CCL_RETURN_IF_ERROR(ScanDigest(kCfStreams, &stored));
  if (stored == streams_expected_) return Status::OK();
  return LocateIndexDamage(kCfStreams);
}

// The slow path, taken only on damage: which seq is wrong? First every event
// looks up its own entry (an entry missing or wrong), then every entry looks
// up its event (an entry too many); the smallest seq involved is reported.
Status VerifyState::LocateIndexDamage(ColumnFamilyId cf) {
  const char* name = kColumnFamilyNames[cf];
  std::unique_ptr<rocksdb::Iterator> it(ledger_->db()->NewIterator(ro_, ledger_->cf(kCfEvents)));
  events::Event e;
  std::string v;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    DecodeSeq(View(it->key()), &seq);
    CCL_RETURN_IF_ERROR(events::DecodeEvent(View(it->value()), &e));
    if (cf == kCfIds) {
      key_.assign(reinterpret_cast<const char*>(e.event_id.data()), 16);
    } else {
      StreamKeyInto(e.contract, e.stream_version, &key_);
    }
    rocksdb::Status s = ledger_->db()->Get(ro_, ledger_->cf(cf), key_, &v);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, std::string("read ") + name);
    uint64_t indexed = 0;
    if (s.IsNotFound()) return Fail(seq, std::string(name) + " index entry missing");
    if (!DecodeSeq(v, &indexed) || indexed != seq) {
      return Fail(seq, std::string(name) + " index entry points to seq " + std::to_string(indexed) +
                           " instead");
    }
  }
  CCL_RETURN_IF_ERROR(FromRocks(it->status(), "read events"));
  // Every event has its entry, so some entry has no event (or a duplicate id
  // hides one): name the seq it points to.
  uint64_t worst = UINT64_MAX;
  std::string what;
  std::unique_ptr<rocksdb::Iterator> idx(ledger_->db()->NewIterator(ro_, ledger_->cf(cf)));
  for (idx->SeekToFirst(); idx->Valid(); idx->Next()) {
    uint64_t seq = 0;
    bool ok = DecodeSeq(View(idx->value()), &seq) && seq >= 1 && seq <= computed_.seq;
    if (ok) {
      SeqKey k(seq);
      rocksdb::Status s = ledger_->db()->Get(ro_, ledger_->cf(kCfEvents), k.view(), &v);
      ok = s.ok() && events::DecodeEvent(v, &e).ok();
      if (ok && cf == kCfIds) {
        ok = View(idx->key()) ==
             std::string_view(reinterpret_cast<const char*>(e.event_id.data()), 16);
      } else if (ok) {
        StreamKeyInto(e.contract, e.stream_version, &key_);
        ok = View(idx->key()) == key_;
      }
    }
    if (!ok && std::max<uint64_t>(seq, 1) < worst) {
      worst = std::max<uint64_t>(seq, 1);
      what = std::string(name) + " index has an entry pointing to seq " + std::to_string(seq) +
             " that the event there does not match";
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

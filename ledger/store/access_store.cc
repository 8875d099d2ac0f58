// The access chain in the `access` column family (ledger/store/access_log.h):
// its head, its staging into a group's WriteBatch, reads and verification.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cassert>

#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {
namespace {

std::string AccessLabel(uint64_t n) { return "access record " + std::to_string(n); }

// Reads `access` from record `from` on, where `prev` is a_{from-1}: each key
// must be the next number, each value's a_n must be ChainHash(prev, n,
// bytes), each record must decode. Calls fn until it returns false. On
// damage, Corruption "access record N: what" and *bad_n = N. *last is the
// last record read (or {from - 1, prev}).
Status ScanAccessChain(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                       const rocksdb::ReadOptions& ro, uint64_t from, const Hash& prev,
                       const std::function<bool(const AccessEntry&)>& fn, AccessHead* last,
                       uint64_t* bad_n) {
  assert(from >= 1);
  *last = AccessHead{from - 1, prev};
  *bad_n = 0;
  if (cf == nullptr) return Status::OK();  // a ledger from before the access log
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  SeqKey start(from);
  AccessEntry e;
  for (it->Seek(rocksdb::Slice(start.bytes, 8)); it->Valid(); it->Next()) {
    const uint64_t n = last->n + 1;
    auto fail = [&](const std::string& what) {
      *bad_n = n;
      return Status::Corruption(AccessLabel(n) + ": " + what);
    };
    uint64_t key = 0;
    if (!DecodeSeq(std::string_view(it->key().data(), it->key().size()), &key)) {
      return fail("malformed key in `access`");
    }
    if (key != n) {
      return fail(key > n ? "missing (the next stored record is " + std::to_string(key) + ")"
                          : "stored out of order");
    }
    std::string_view bytes;
    if (!ParseAccessValue(std::string_view(it->value().data(), it->value().size()), &e.hash,
                          &bytes)) {
      return fail("value shorter than its chain hash");
    }
    if (ChainHash(last->hash, n, bytes) != e.hash) {
      return fail("chain hash differs from the one recomputed from the record before it");
    }
    Status s = DecodeAccessRecord(bytes, &e.record);
    if (!s.ok()) return fail(s.message());
    e.n = n;
    *last = AccessHead{n, e.hash};
    if (!fn(e)) return Status::OK();
  }
  return FromRocks(it->status(), "read the access log");
}

}  // namespace

Status LedgerImpl::SecondaryFamilies(const rocksdb::DBOptions& o,
                                     std::vector<rocksdb::ColumnFamilyDescriptor>* cfs,
                                     bool* has_access) {
  static_assert(kCfAccess == kCfCount - 1, "OpenSecondary adds its null handle last");
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(o, path_, &names);
  if (!s.ok()) return FromRocks(s, "list column families of " + path_);
  *has_access = std::find(names.begin(), names.end(), kColumnFamilyNames[kCfAccess]) != names.end();
  cfs->clear();
  for (int i = 0; i < kCfCount; ++i) {
    if (i == kCfAccess && !*has_access) continue;
    cfs->emplace_back(kColumnFamilyNames[i], cf_options_[i]);
  }
  return Status::OK();
}

Status LedgerImpl::ReadAccessHead(AccessHead* out) {
  *out = AccessHead{0, AccessGenesisHash(ledger_id_)};
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfMeta), kMetaAccessHead, &v);
  if (!s.IsNotFound()) {
    if (!s.ok()) return FromRocks(s, "read access head");
    if (!DecodeAccessHead(v, out)) {
      return Status::Corruption(path_ + ": meta 'access_head' is not 40 bytes");
    }
  }
  uint64_t last = 0;
  if (cf(kCfAccess) != nullptr) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kCfAccess)));
    it->SeekToLast();
    CCL_RETURN_IF_ERROR(FromRocks(it->status(), "read last access record"));
    if (it->Valid() && !DecodeSeq(std::string_view(it->key().data(), it->key().size()), &last)) {
      return Status::Corruption(path_ + ": malformed key in `access`");
    }
  }
  if (last != out->n) {
    return Status::Corruption(path_ + ": " + AccessLabel(std::max(last, out->n)) +
                              ": last stored access record is " + std::to_string(last) +
                              " but the access head is " + std::to_string(out->n));
  }
  return Status::OK();
}

AccessHead LedgerImpl::access_head() const {
  std::lock_guard<std::mutex> l(head_mu_);
  return access_head_;
}

Status LedgerImpl::StageAccess(const Writer& w, GroupScratch* g) {
  assert(g->batch != nullptr && w.accepted);
  const AppendResult& result = *w.result;
  for (const AccessRecord& in : w.options->access_records) {
    AccessRecord& r = g->access_record;
    r = in;
    if (!w.batch.empty()) {
      r.rows = result.appended;
      r.first_seq = UINT64_MAX;
      r.last_seq = 0;
      for (const EventOutcome& o : result.outcomes) {
        r.first_seq = std::min(r.first_seq, o.seq);
        r.last_seq = std::max(r.last_seq, o.seq);
      }
    }
    std::string& value = g->access_value;
    EncodeAccessRecord(r, &value);
    const uint64_t n = g->access.n + 1;
    const Hash hash = ChainHash(g->access.hash, n, value);
    value.insert(0, reinterpret_cast<const char*>(hash.data()), hash.size());
    SeqKey k(n);
    rocksdb::Status s = g->batch->Put(cf(kCfAccess), k.view(), value);
    if (!s.ok()) return FromRocks(s, "build write batch");
    g->access = AccessHead{n, hash};
  }
  return Status::OK();
}

Status LedgerImpl::AppendAccess(std::span<const AccessRecord> records) {
  AppendOptions options;
  options.access_records.assign(records.begin(), records.end());
  AppendResult result;
  return Append({}, options, &result);
}

Status LedgerImpl::ReadAccess(uint64_t from, const std::function<bool(const AccessEntry&)>& fn) {
  from = std::max<uint64_t>(from, 1);
  Hash prev = AccessGenesisHash(ledger_id_);
  if (from > 1 && cf(kCfAccess) != nullptr) {
    SeqKey k(from - 1);
    std::string v;
    std::string_view bytes;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kCfAccess), k.view(), &v);
    if (s.IsNotFound()) return Status::OK();  // past the end
    CCL_RETURN_IF_ERROR(FromRocks(s, "read the access log"));
    if (!ParseAccessValue(v, &prev, &bytes)) {
      return Status::Corruption(AccessLabel(from - 1) + ": value shorter than its chain hash");
    }
  }
  AccessHead last;
  uint64_t bad = 0;
  return ScanAccessChain(db_, cf(kCfAccess), rocksdb::ReadOptions(), from, prev, fn, &last, &bad);
}

Status LedgerImpl::VerifyAccess(const rocksdb::ReadOptions& ro, VerifyReport* report) {
  AccessHead stored{0, AccessGenesisHash(ledger_id_)};
  std::string v;
  rocksdb::Status rs = db_->Get(ro, cf(kCfMeta), kMetaAccessHead, &v);
  if (!rs.IsNotFound()) {
    CCL_RETURN_IF_ERROR(FromRocks(rs, "read access head"));
    if (!DecodeAccessHead(v, &stored)) {
      report->first_bad_access_record = 1;
      return Status::Corruption("access head: meta 'access_head' is not 40 bytes");
    }
  }
  Status s = ScanAccessChain(
      db_, cf(kCfAccess), ro, 1, AccessGenesisHash(ledger_id_),
      [](const AccessEntry&) { return true; }, &report->access_head,
      &report->first_bad_access_record);
  if (!s.ok()) return s;
  if (report->access_head.n != stored.n || report->access_head.hash != stored.hash) {
    const uint64_t n = std::max<uint64_t>(1, std::max(report->access_head.n, stored.n));
    report->first_bad_access_record = n;
    return Status::Corruption(AccessLabel(n) + ": the access head (record " +
                              std::to_string(stored.n) +
                              ") differs from the chain recomputed from the records (record " +
                              std::to_string(report->access_head.n) + ")");
  }
  return Status::OK();
}

}  // namespace ccl::ledger

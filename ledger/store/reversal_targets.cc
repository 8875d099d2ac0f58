// LedgerImpl::ReversalLinks: the `reversals` index read in one pass, for
// replays that keep only the events later reversed (ledger/store/ledger.h).
#include <rocksdb/db.h>

#include <algorithm>

#include "ledger/store/keys.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

Status LedgerImpl::ReversalLinks(uint64_t first_seq, uint64_t last_seq,
                                 std::vector<ReversalLink>* out) {
  out->clear();
  if (first_seq > last_seq) return Status::OK();
  // A reversal comes after its target, so every target of the range lies
  // below last_seq: the index is read up to there (about one entry per
  // hundred events), not past it.
  rocksdb::ReadOptions ro;
  SeqKey upper(last_seq);
  rocksdb::Slice upper_slice(upper.bytes, 8);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db()->NewIterator(ro, cf(kCfReversals)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t target = 0, by = 0;
    const rocksdb::Slice k = it->key(), v = it->value();
    if (!DecodeSeq(std::string_view(k.data(), k.size()), &target) ||
        !DecodeSeq(std::string_view(v.data(), v.size()), &by)) {
      return Status::Corruption("malformed `reversals` entry");
    }
    if (by >= first_seq && by <= last_seq) out->push_back(ReversalLink{by, target});
  }
  CCL_RETURN_IF_ERROR(FromRocks(it->status(), "read reversals"));
  std::sort(out->begin(), out->end(), [](const ReversalLink& a, const ReversalLink& b) {
    return a.reversing_seq < b.reversing_seq;
  });
  return Status::OK();
}

}  // namespace ccl::ledger

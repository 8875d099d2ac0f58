// Verify's rebuilt write model and index digests (ledger/store/verify_internal.h).
#include <rocksdb/db.h>

#include <cassert>
#include <cstdlib>
#include <cstring>

#include "events/model/codec.h"
#include "ledger/merkle/merkle.h"
#include "ledger/store/verify_internal.h"

namespace ccl::ledger {

namespace {

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// Two 64-bit lanes over the bytes in one pass (a multiply per word and lane),
// each finished by a full avalanche; the length is folded in so that
// prefixes differ.
void HashBytes(std::string_view s, uint64_t* a, uint64_t* b) {
  uint64_t x = *a ^ (uint64_t{s.size()} * 0x9e3779b97f4a7c15ull);
  uint64_t y = *b + s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    x = (x ^ w) * 0xbf58476d1ce4e5b9ull;
    y = (y + w) * 0x94d049bb133111ebull;
    x ^= x >> 29;
    y ^= y >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  *a = Mix(x ^ tail);
  *b = Mix(y + tail + 0x2545f4914f6cdd1dull);
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// One column family of the write model as verify compares it with the
// rebuilt model; `scratch` holds values read by point lookups.
struct StoredColumn {
  StoredColumn(LedgerImpl* ledger, const VerifyState& v, ColumnFamilyId id, std::string* scratch)
      : db(ledger->db()), ro(v.read_options()), cf(ledger->cf(id)), scratch(scratch) {}

  // check(key, value) for every stored entry in key order (its first
  // failure is returned), then the count of entries against
  // `rebuilt_count`, the entries the replay rebuilt; when some of those are
  // not stored, missing() is the failure.
  template <typename Check, typename Missing>
  Status Compare(std::string_view read_what, size_t rebuilt_count, Check&& check,
                 Missing&& missing) const {
    size_t seen = 0;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      CCL_RETURN_IF_ERROR(check(View(it->key()), View(it->value())));
      ++seen;
    }
    CCL_RETURN_IF_ERROR(FromRocks(it->status(), read_what));
    return seen == rebuilt_count ? Status::OK() : missing();
  }

  // Of the `rebuilt` entries not stored (key_of(entry) is an entry's key),
  // the one with the smallest seq_of(entry); end() when all are stored.
  template <typename Map, typename KeyOf, typename SeqOf>
  typename Map::const_iterator FirstMissing(const Map& rebuilt, KeyOf&& key_of,
                                            SeqOf&& seq_of) const {
    auto first = rebuilt.end();
    for (auto e = rebuilt.begin(); e != rebuilt.end(); ++e) {
      if (!db->Get(ro, cf, key_of(*e), scratch).IsNotFound()) continue;
      if (first == rebuilt.end() || seq_of(*e) < seq_of(*first)) first = e;
    }
    return first;
  }
  // The same for entries keyed by their map key, with a last_seq.
  template <typename Map>
  typename Map::const_iterator FirstMissing(const Map& rebuilt) const {
    return FirstMissing(
        rebuilt, [](const auto& e) -> const std::string& { return e.first; },
        [](const auto& e) { return e.second.last_seq; });
  }

  rocksdb::DB* db;
  const rocksdb::ReadOptions& ro;
  rocksdb::ColumnFamilyHandle* cf;
  std::string* scratch;
};

}  // namespace

void IndexDigest::Add(std::string_view key, std::string_view value) {
  // Key, then value, each with its length folded in, so ("ab","c") and
  // ("a","bc") differ.
  uint64_t a = 0x243f6a8885a308d3ull, b = 0x13198a2e03707344ull;
  HashBytes(key, &a, &b);
  HashBytes(value, &a, &b);
  count_ += 1;
  sum_a_ += a;
  sum_b_ += b;
}

CopyDigest::CopyDigest(const Salt& salt) {
  Salt other = salt;
  other.back() ^= 1;
  salted_.Update(salt.data(), salt.size());
  salted_malformed_.Update(other.data(), other.size());
}

void CopyDigest::Add(std::string_view key, std::string_view value) {
  uint64_t seq = 0;
  std::string_view copy;
  if (ParseStreamValue(value, &seq, &copy)) {
    AddLeaf(key, EventLeafHash(seq, copy));
    return;
  }
  // Under the other salt, so never the same message as a real entry's.
  const uint32_t n = static_cast<uint32_t>(key.size());
  const unsigned char size[4] = {static_cast<unsigned char>(n >> 24),
                                 static_cast<unsigned char>(n >> 16),
                                 static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
  Sha256Stream term = salted_malformed_;
  term.Update(size, sizeof(size));
  term.Update(key);
  term.Update(value);
  AddTerm(&term);
}

void CopyDigest::AddLeaf(std::string_view key, const Hash& leaf) {
  // The leaf's fixed size at the end delimits the key.
  Sha256Stream term = salted_;
  term.Update(key);
  term.Update(leaf.data(), leaf.size());
  AddTerm(&term);
}

void CopyDigest::AddTerm(Sha256Stream* term) {
  const Hash h = term->Finish();
  // Add the hash, read as a little-endian 256-bit integer, with carries.
  uint64_t carry = 0;
  for (size_t i = 0; i < 4; ++i) {
    uint64_t limb;
    std::memcpy(&limb, h.data() + 8 * i, 8);
    const uint64_t a = sum_[i] + limb;
    const uint64_t b = a + carry;
    carry = (a < limb) + (b < a);
    sum_[i] = b;
  }
  count_ += 1;
}

void RecentEvents::Add(uint64_t seq, const events::Uuid& id, std::string_view bytes) {
  assert(seq > last_seq_);
  slots_[seq % kEventsKept].assign(bytes);  // keeps the slot's capacity: no allocation
  ids_[seq % kIdsKept] = id;
  last_seq_ = seq;
}

bool RecentEvents::Find(uint64_t seq, std::string_view* bytes) const {
  if (seq == 0 || seq > last_seq_ || last_seq_ - seq >= kEventsKept) return false;
  *bytes = slots_[seq % kEventsKept];
  return true;
}

bool RecentEvents::FindId(const events::Uuid& id, uint64_t* seq) const {
  for (uint64_t s = last_seq_; s > 0 && last_seq_ - s < kIdsKept; --s) {
    if (ids_[s % kIdsKept] == id) {
      *seq = s;
      return true;
    }
  }
  return false;
}

Status VerifyModel::FindContract(std::string_view contract, ContractState** state) {
  // The rules ask for the event's contract and the ledger stream ("") a few
  // times per event: the last two found answer without hashing.
  if (ContractEntry* e = RecentContract(contract)) {
    *state = &e->second.state;
    return Status::OK();
  }
  auto it = contracts_.find(contract);
  if (it == contracts_.end()) {
    *state = nullptr;
    return Status::OK();
  }
  Remember(&*it);
  *state = &it->second.state;
  return Status::OK();
}

ContractState* VerifyModel::CreateContract(std::string_view contract) {
  ContractEntry* e = &*contracts_.insert_or_assign(std::string(contract), Contract{}).first;
  Remember(e);
  return &e->second.state;
}

PeriodFold::ContractSums* VerifyModel::PeriodSumsOf(std::string_view contract, PeriodFold* fold) {
  ContractEntry* e = RecentContract(contract);
  if (e == nullptr) return &fold->ContractOf(contract);
  if (e->second.sums == nullptr) e->second.sums = &fold->ContractOf(contract);
  return e->second.sums;
}

VerifyModel::ContractEntry* VerifyModel::RecentContract(std::string_view contract) const {
  for (ContractEntry* e : last_contracts_) {
    if (e != nullptr && e->first == contract) return e;
  }
  return nullptr;
}

void VerifyModel::Remember(ContractEntry* e) {
  // Map nodes never move (rehashing keeps them), so the pointers stay valid.
  if (last_contracts_[0] != e) {
    last_contracts_[1] = last_contracts_[0];
    last_contracts_[0] = e;
  }
}

Status VerifyModel::FindEscalation(const std::string& key, bool* found, EscalationState* state) {
  auto it = escalations_.find(key);
  *found = it != escalations_.end();
  if (*found) *state = it->second.state;
  return Status::OK();
}

void VerifyModel::PutEscalation(const std::string& key, const EscalationState& state) {
  escalations_.insert_or_assign(key, Escalation{state, current_seq_});
}

Status VerifyModel::FindReversal(uint64_t target_seq, bool* found, uint64_t* reversing_seq) {
  auto it = reversals_.find(target_seq);
  *found = it != reversals_.end();
  if (*found) *reversing_seq = it->second;
  return Status::OK();
}

void VerifyModel::PutReversal(uint64_t target_seq, uint64_t reversing_seq) {
  reversals_.insert_or_assign(target_seq, reversing_seq);
}

VerifyModel::VerifyModel(LedgerImpl* ledger, const rocksdb::ReadOptions& ro)
    : ledger_(ledger), ro_(ro), lookup_ro_(ro) {
  lookup_ro_.fill_cache = true;
  lookup_ro_.readahead_size = 0;
}

Status VerifyModel::FindEvent(const events::Uuid& id, EventLookup* out) {
  out->found = false;
  for (Found& f : found_) {
    // A cached event counts only while it precedes the current event (as
    // LookUp requires of a stored one).
    if (f.seq != 0 && f.id == id && f.seq < current_seq_) {
      out->found = true;
      out->seq = f.seq;
      out->event = &f.event;
      return Status::OK();
    }
  }
  Found* slot = &found_[next_found_];
  bool found = false;
  CCL_RETURN_IF_ERROR(LookUp(id, slot, &found));
  out->event = &slot->event;
  if (!found) return Status::OK();
  next_found_ = (next_found_ + 1) % found_.size();
  out->found = true;
  out->seq = slot->seq;
  return Status::OK();
}

Status VerifyModel::LookUp(const events::Uuid& id, Found* slot, bool* found) {
  *found = false;
  slot->seq = 0;
  uint64_t seq = 0;
  std::string_view bytes;
  // A kept event's seq is the one its `ids` entry holds when that index is
  // right, and CheckIds compares the whole index with the events.
  if (!recent_.FindId(id, &seq)) {
    rocksdb::Status s =
        ledger_->db()->Get(lookup_ro_, ledger_->cf(kCfIds),
                           rocksdb::Slice(reinterpret_cast<const char*>(id.data()), 16), &value_);
    if (s.IsNotFound()) return Status::OK();
    CCL_RETURN_IF_ERROR(FromRocks(s, "read ids index"));
    // A malformed or forward-pointing entry reads as "not found": the rules
    // then reject the reversal, and CheckIds names the damaged entry
    // precisely.
    if (!DecodeSeq(value_, &seq) || seq >= current_seq_ || seq == 0) return Status::OK();
    if (!recent_.Find(seq, &bytes)) {
      SeqKey k(seq);
      s = ledger_->db()->Get(lookup_ro_, ledger_->cf(kCfEvents), k.view(), &value_);
      if (!s.ok()) return Status::OK();
      bytes = value_;
    }
  } else if (seq >= current_seq_ || !recent_.Find(seq, &bytes)) {
    return Status::OK();
  }
  if (!events::DecodeEvent(bytes, &slot->event).ok() || slot->event.event_id != id) {
    return Status::OK();
  }
  slot->id = id;
  slot->seq = seq;
  *found = true;
  return Status::OK();
}

Status VerifyModel::CompareWithStored(VerifyState* v) {
  CCL_RETURN_IF_ERROR(CompareContracts(v));
  CCL_RETURN_IF_ERROR(CompareEscalations(v));
  return CompareReversals(v);
}

Status VerifyModel::CompareContracts(VerifyState* v) {
  const StoredColumn column(ledger_, *v, kCfContracts, &value_);
  ContractState stored;
  auto check = [&](std::string_view contract, std::string_view value) {
    auto rebuilt = contracts_.find(contract);
    Status d = DecodeContractState(value, &stored);
    if (rebuilt == contracts_.end()) {
      return v->Fail(d.ok() ? stored.last_seq : 1,
                     "write model: contract " + Quoted(contract) + " stored but has no events");
    }
    if (!d.ok()) {
      return v->Fail(rebuilt->second.state.last_seq,
                     "write model: contract " + Quoted(contract) + ": " + d.message());
    }
    if (!(stored == rebuilt->second.state)) {
      return v->Fail(rebuilt->second.state.last_seq, "write model: stored state of contract " +
                                                         Quoted(contract) +
                                                         " differs from the replay of its events");
    }
    return Status::OK();
  };
  auto missing = [&] {
    auto m = column.FirstMissing(
        contracts_, [](const auto& e) -> const std::string& { return e.first; },
        [](const auto& e) { return e.second.state.last_seq; });
    return v->Fail(m == contracts_.end() ? 1 : m->second.state.last_seq,
                   "write model: contract " + Quoted(m == contracts_.end() ? "" : m->first) +
                       " missing from `contracts`");
  };
  return column.Compare("read contracts", contracts_.size(), check, missing);
}

Status VerifyModel::CompareEscalations(VerifyState* v) {
  const StoredColumn column(ledger_, *v, kCfEscalations, &value_);
  auto check = [&](std::string_view key, std::string_view value) {
    auto rebuilt = escalations_.find(std::string(key));
    EscalationState state;
    Status d = DecodeEscalationState(value, &state);
    if (rebuilt == escalations_.end()) {
      return v->Fail(1, "write model: escalation entry stored without events");
    }
    if (!d.ok() || !(state == rebuilt->second.state)) {
      return v->Fail(rebuilt->second.last_seq,
                     "write model: stored escalation state differs from the replay");
    }
    return Status::OK();
  };
  auto missing = [&] {
    auto m = column.FirstMissing(escalations_);
    return v->Fail(m == escalations_.end() ? 1 : m->second.last_seq,
                   "write model: escalation state missing from `escalations`");
  };
  return column.Compare("read escalations", escalations_.size(), check, missing);
}

Status VerifyModel::CompareReversals(VerifyState* v) {
  const StoredColumn column(ledger_, *v, kCfReversals, &value_);
  auto check = [&](std::string_view key, std::string_view value) {
    uint64_t target = 0, by = 0;
    if (!DecodeSeq(key, &target) || !DecodeSeq(value, &by)) {
      return v->Fail(1, "write model: malformed `reversals` entry");
    }
    auto rebuilt = reversals_.find(target);
    if (rebuilt == reversals_.end() || rebuilt->second != by) {
      return v->Fail(std::max<uint64_t>(by, 1), "write model: stored reversal of seq " +
                                                    std::to_string(target) +
                                                    " differs from the replay");
    }
    return Status::OK();
  };
  auto missing = [&] {
    auto m = column.FirstMissing(
        reversals_, [](const auto& e) { return std::string(SeqKey(e.first).view()); },
        [](const auto& e) { return e.second; });
    return v->Fail(m == reversals_.end() ? 1 : m->second,
                   "write model: reversal missing from `reversals`");
  };
  return column.Compare("read reversals", reversals_.size(), check, missing);
}

}  // namespace ccl::ledger

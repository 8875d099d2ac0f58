// StringInterner: small dense ids for the strings a projection keys by
// (contract names, escalation ids), so the per-event work is one hash lookup
// and the state lives in flat vectors indexed by id.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ccl::projections {

class StringInterner {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Returns the id of (scope, s), adding it (next id, from 0) when new.
  // `scope` lets one interner hold independent name spaces, e.g. escalation
  // ids per contract id. Allocates only when a new string is added or the
  // table grows.
  uint32_t Intern(uint32_t scope, std::string_view s) { return Intern(scope, s, Hash(scope, s)); }
  // The same with h = Hash(scope, s) computed by the caller (e.g. on another
  // thread, ahead of time).
  uint32_t Intern(uint32_t scope, std::string_view s, uint64_t h) {
    if ((entries_.size() + 1) * 2 <= slots_.size()) {
      const size_t mask = slots_.size() - 1;
      for (size_t i = h & mask;; i = (i + 1) & mask) {
        const uint32_t slot = slots_[i];
        if (slot == 0) return Add(i, scope, s, h);
        const Entry& e = entries_[slot - 1];
        if (e.hash == h && e.scope == scope && e.name == s) return slot - 1;
      }
    }
    return InternSlow(scope, s);
  }
  // The id of (scope, s) or kNone.
  uint32_t Find(uint32_t scope, std::string_view s) const {
    if (slots_.empty()) return kNone;
    const uint64_t h = Hash(scope, s);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint32_t slot = slots_[i];
      if (slot == 0) return kNone;
      const Entry& e = entries_[slot - 1];
      if (e.hash == h && e.scope == scope && e.name == s) return slot - 1;
    }
  }

  // A fast, well-mixed 64-bit hash of (scope, s), inline because it runs for
  // every event. It only places entries in the table: nothing that is
  // serialized or printed depends on it.
  static uint64_t Hash(uint32_t scope, std::string_view s) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(scope) << 32) ^ s.size();
    const char* p = s.data();
    size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    if (n > 0) {
      uint64_t w = 0;
      std::memcpy(&w, p, n);
      h = (h ^ w) * 0x94D049BB133111EBull;
      h ^= h >> 29;
    }
    // splitmix64's finalizer: every input bit reaches the low bits that pick
    // the slot.
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
  }

  // REQUIRES: id < size()
  const std::string& name(uint32_t id) const { return entries_[id].name; }
  uint32_t scope(uint32_t id) const { return entries_[id].scope; }
  size_t size() const { return entries_.size(); }

  void Clear();

 private:
  struct Entry {
    std::string name;
    uint32_t scope;
    uint64_t hash;
  };
  uint32_t Add(size_t slot, uint32_t scope, std::string_view s, uint64_t h);
  uint32_t InternSlow(uint32_t scope, std::string_view s);
  void Grow();

  std::vector<Entry> entries_;
  // Open addressing, linear probing; holds id + 1 (0 = empty). Size is a power
  // of two kept at least twice the entry count.
  std::vector<uint32_t> slots_;
};

}  // namespace ccl::projections

namespace ccl::projections {

// A dense number for a contract name that a caller feeding many projections
// (the runner) assigns once and keeps for the life of its numbering `space`
// (never 0), so each projection can find its own entry for the contract by
// index instead of hashing the name again. {0, kNone}: no key.
struct ContractKey {
  uint64_t space = 0;
  uint32_t id = StringInterner::kNone;
  bool valid() const { return space != 0 && id != StringInterner::kNone; }
};

// Contract names of one projection (scope 0 of a StringInterner), with a
// cache from the caller's ContractKey to the projection's own id. The cache is
// dropped when the key space changes or the names are cleared, so a key is
// never trusted beyond the numbering it came from.
class KeyedNames {
 public:
  // The id of `name`, adding it when new.
  uint32_t Intern(std::string_view name, const ContractKey& key) {
    if (key.valid() && key.space == space_ && key.id < by_key_.size() &&
        by_key_[key.id] != StringInterner::kNone) {
      return by_key_[key.id];
    }
    const uint32_t id = names_.Intern(0, name);
    Remember(key, id);
    return id;
  }
  // The id of `name` or StringInterner::kNone.
  uint32_t Find(std::string_view name, const ContractKey& key) {
    if (key.valid() && key.space == space_ && key.id < by_key_.size() &&
        by_key_[key.id] != StringInterner::kNone) {
      return by_key_[key.id];
    }
    const uint32_t id = names_.Find(0, name);
    if (id != StringInterner::kNone) Remember(key, id);
    return id;
  }
  uint32_t Find(std::string_view name) const { return names_.Find(0, name); }
  const StringInterner& names() const { return names_; }
  const std::string& name(uint32_t id) const { return names_.name(id); }
  size_t size() const { return names_.size(); }

 private:
  void Remember(const ContractKey& key, uint32_t id) {
    if (!key.valid()) return;
    if (key.space != space_) {
      by_key_.clear();
      space_ = key.space;
    }
    if (key.id >= by_key_.size()) by_key_.resize(key.id + 1, StringInterner::kNone);
    by_key_[key.id] = id;
  }

  StringInterner names_;
  uint64_t space_ = 0;
  std::vector<uint32_t> by_key_;
};

// Ids of `interner` ordered by (scope, name bytes): the canonical order in
// which states are serialized and rows are listed.
std::vector<uint32_t> SortedIds(const StringInterner& interner);

}  // namespace ccl::projections

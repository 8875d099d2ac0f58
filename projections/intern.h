// StringInterner: small dense ids for the strings a projection keys by
// (contract names, escalation ids), so the per-event work is one hash lookup
// and the state lives in flat vectors indexed by id.
#pragma once

#include <cstdint>
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
  uint32_t Intern(uint32_t scope, std::string_view s);
  // The id of (scope, s) or kNone.
  uint32_t Find(uint32_t scope, std::string_view s) const;

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
  static uint64_t Hash(uint32_t scope, std::string_view s);
  void Grow();

  std::vector<Entry> entries_;
  // Open addressing, linear probing; holds id + 1 (0 = empty). Size is a power
  // of two kept at least twice the entry count.
  std::vector<uint32_t> slots_;
};

}  // namespace ccl::projections

namespace ccl::projections {

// Ids of `interner` ordered by (scope, name bytes): the canonical order in
// which states are serialized and rows are listed.
std::vector<uint32_t> SortedIds(const StringInterner& interner);

}  // namespace ccl::projections

#include "projections/folds/intern.h"

#include <algorithm>

namespace ccl::projections {

uint32_t StringInterner::Add(size_t slot, uint32_t scope, std::string_view s, uint64_t h) {
  const auto id = static_cast<uint32_t>(entries_.size());
  entries_.push_back(Entry{std::string(s), scope, h});
  slots_[slot] = id + 1;
  return id;
}

uint32_t StringInterner::InternSlow(uint32_t scope, std::string_view s) {
  Grow();
  return Intern(scope, s);
}

void StringInterner::Grow() {
  const size_t n = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(n, 0);
  const size_t mask = n - 1;
  for (uint32_t id = 0; id < entries_.size(); ++id) {
    size_t i = entries_[id].hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = id + 1;
  }
}

void StringInterner::Clear() {
  entries_.clear();
  slots_.clear();
}

std::vector<uint32_t> SortedIds(const StringInterner& interner) {
  std::vector<uint32_t> ids(interner.size());
  for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
    if (interner.scope(a) != interner.scope(b)) return interner.scope(a) < interner.scope(b);
    return interner.name(a) < interner.name(b);
  });
  return ids;
}

}  // namespace ccl::projections

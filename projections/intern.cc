#include "projections/intern.h"

#include <functional>

namespace ccl::projections {

uint64_t StringInterner::Hash(uint32_t scope, std::string_view s) {
  const uint64_t h = std::hash<std::string_view>{}(s);
  // Mix the scope in (a multiplicative hash of it), then spread the bits so
  // the low bits used for the slot depend on all of them.
  uint64_t x = h ^ (static_cast<uint64_t>(scope) * 0x9E3779B97F4A7C15ull);
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return x;
}

uint32_t StringInterner::Find(uint32_t scope, std::string_view s) const {
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

uint32_t StringInterner::Intern(uint32_t scope, std::string_view s) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t h = Hash(scope, s);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    const uint32_t slot = slots_[i];
    if (slot == 0) break;
    const Entry& e = entries_[slot - 1];
    if (e.hash == h && e.scope == scope && e.name == s) return slot - 1;
  }
  const auto id = static_cast<uint32_t>(entries_.size());
  entries_.push_back(Entry{std::string(s), scope, h});
  slots_[i] = id + 1;
  return id;
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

}  // namespace ccl::projections

#include <algorithm>

namespace ccl::projections {

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

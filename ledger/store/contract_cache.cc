// The group commit's LRU cache of committed contract states
// (ledger/store/ledger_impl.h ContractCache).
#include <string>
#include <string_view>
#include <utility>

#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

const ContractState* ContractCache::Find(std::string_view contract) {
  auto it = index_.find(contract);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->second;
}

void ContractCache::Put(const std::string& contract, ContractState state) {
  if (entries_max_ == 0) return;
  if (auto it = index_.find(contract); it != index_.end()) {
    it->second->second = std::move(state);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(contract, std::move(state));
  index_.emplace(std::string_view(lru_.front().first), lru_.begin());
  while (lru_.size() > entries_max_) {
    index_.erase(std::string_view(lru_.back().first));
    lru_.pop_back();
  }
}

void ContractCache::Clear() {
  index_.clear();
  lru_.clear();
}

}  // namespace ccl::ledger

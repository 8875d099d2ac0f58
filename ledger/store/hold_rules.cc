// The legal hold rules of the write model (ledger/store/hold_rules.h).
#include "ledger/store/hold_rules.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "events/base/limits.h"
#include "events/model/rules.h"
#include "ledger/store/write_model.h"

namespace ccl::ledger {

Status ApplyLegalHold(const events::Event& e, ContractState* c) {
  assert(e.IsLegalHold());
  std::vector<std::string>& holds = c->legal_holds;
  auto it = std::lower_bound(holds.begin(), holds.end(), e.legal_case);
  const bool held = it != holds.end() && *it == e.legal_case;
  const std::string names = "case '" + e.legal_case + "' on contract '" + e.contract + "'";
  if (e.type == events::EventType::kLegalHoldPlaced) {
    if (held) return RuleError(e, rules::kHoldOnce, "legal hold already placed", names);
    if (holds.size() >= limits::kLegalHoldsPerContractMax) {
      return RuleError(e, rules::kHoldsMax, "too many legal holds",
                       "contract '" + e.contract + "' has " + std::to_string(holds.size()) +
                           " in force, at most " +
                           std::to_string(limits::kLegalHoldsPerContractMax));
    }
    holds.insert(it, e.legal_case);
    return Status::OK();
  }
  if (!held) return RuleError(e, rules::kHoldReleasePlaced, "no legal hold to release", names);
  holds.erase(it);
  return Status::OK();
}

}  // namespace ccl::ledger

// ContractCurrencies (tools/feed/contract_currency.h).
#include "tools/feed/contract_currency.h"

#include <cassert>

#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/model/fields.h"

namespace ccl::feed {

Status ContractCurrencies::CurrencyFor(const events::Event& e, std::string_view* currency) {
  *currency = {};
  if (e.type == events::EventType::kContractOpened) {
    Remember(e.contract, e.currency);
    return Status::OK();
  }
  if (!events::CarriesMoney(e)) return Status::OK();
  auto it = by_contract_.find(e.contract);
  if (it == by_contract_.end()) {
    std::string found;
    CCL_RETURN_IF_ERROR(Lookup(e.contract, &found));
    Remember(e.contract, found);
    it = by_contract_.find(e.contract);
    assert(it != by_contract_.end());
  }
  *currency = it->second;
  return Status::OK();
}

Status ContractCurrencies::Lookup(const std::string& contract, std::string* currency) {
  std::unique_ptr<ledger::EventIterator> it = ledger_->NewStreamIterator(contract, 1);
  if (it->Valid() && it->event().type == events::EventType::kContractOpened) {
    *currency = it->event().currency;
    return Status::OK();
  }
  CCL_RETURN_IF_ERROR(it->status());
  return Status::Corruption("contract " + events::QuoteForMessage(contract) +
                            ": its stream does not start with a ContractOpened, so its "
                            "currency is unknown (run `ledgerctl verify`)");
}

void ContractCurrencies::Remember(const std::string& contract, const std::string& currency) {
  // Starting over keeps memory bounded; a pass in seq order re-reads a
  // forgotten contract's opening once, by its stream index.
  if (by_contract_.size() >= limits::kCurrencyCacheContractsMax) by_contract_.clear();
  by_contract_.insert_or_assign(contract, currency);
}

}  // namespace ccl::feed

// The currency of a contract, for outputs that write amounts of events other
// than ContractOpened (which alone names it): `export events`, `tail`,
// `log --json` and `show` put it beside every amount (events/model/json.h
// JsonOutputOptions::contract_currency).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"

namespace ccl::feed {

// Remembers the currency of the contracts it has seen, so a pass in seq order
// reads each contract's ContractOpened at most once (not at all when the pass
// includes it); at most limits::kCurrencyCacheContractsMax contracts are kept.
class ContractCurrencies {
 public:
  // `ledger` is not owned and must outlive this object.
  explicit ContractCurrencies(ledger::Ledger* ledger) : ledger_(ledger) {}

  // Sets *currency to the currency of e's contract when e carries money and
  // is not a ContractOpened (events::CarriesMoney), else to "" (nothing to
  // add). A ContractOpened passed here is remembered. *currency stays valid
  // until the next call. Corruption when the contract's stream does not start
  // with a ContractOpened; errors of the ledger's reads.
  Status CurrencyFor(const events::Event& e, std::string_view* currency);

 private:
  // Reads the ContractOpened of `contract` (stream version 1).
  Status Lookup(const std::string& contract, std::string* currency);
  void Remember(const std::string& contract, const std::string& currency);

  ledger::Ledger* ledger_;
  std::unordered_map<std::string, std::string> by_contract_;
};

}  // namespace ccl::feed

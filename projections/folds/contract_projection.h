// Bases for the projections: the name/version/Apply plumbing every projection
// repeats, and the per-contract table (dense contract ids, one state each)
// with the read access the reports use; with the pieces per-contract
// projections share: the framing of their state encoding (DecodeState,
// ReadContracts, WriteContracts) and the per-line minutes folds.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/base/time_format.h"
#include "events/model/event.h"
#include "projections/folds/intern.h"
#include "projections/folds/projection.h"
#include "projections/folds/serial.h"

namespace ccl::projections {

// Decodes projection p's state from `bytes` as read_state(reader) reads it,
// starting from p's Reset; a state that fails any check leaves p Reset again
// (nothing half-decoded remains). Corruption "<context>: <what> at byte N".
template <typename P, typename ReadState>
Status DecodeState(P* p, std::string_view bytes, std::string_view context, ReadState&& read_state) {
  p->Reset();
  StateReader r(bytes);
  read_state(r);
  Status s = r.Finish(context);
  if (!s.ok()) p->Reset();
  return s;
}

// Reads a state's table of contracts: a u32 count (at most
// kStateContractsMax, each entry at least entry_bytes_min bytes), then per
// contract its name (ReadContractName: valid, in increasing order) and what
// read_contract(name) reads. Stops at the first failure.
template <typename ReadContract>
void ReadContracts(StateReader& r, size_t entry_bytes_min, ReadContract&& read_contract) {
  uint32_t count = 0;
  r.Count(kStateContractsMax, entry_bytes_min, &count);
  std::string name, previous;
  for (uint32_t n = 0; n < count && !r.failed(); ++n) {
    if (!ReadContractName(r, n, previous, &name)) break;
    read_contract(name);
    previous.swap(name);
  }
}

// Adds the lines of ContractOpened or ContractAmended e to a contract's
// per-line state `lines` (by LineIndex; unknown lines left out): each line
// present, its funded minutes (an opening's, or an amendment's delta) added,
// then on_line(contract_line, line_state) for what else a projection keeps.
template <typename Line, size_t kLines, typename OnLine>
void AddFundedLines(const events::Event& e, std::array<Line, kLines>* lines, OnLine&& on_line) {
  assert(e.type == events::EventType::kContractOpened ||
         e.type == events::EventType::kContractAmended);
  const bool opened = e.type == events::EventType::kContractOpened;
  for (const events::ContractLine& l : e.lines) {
    if (!IsKnownLine(l.service_line)) continue;
    Line& b = (*lines)[LineIndex(l.service_line)];
    b.present = true;
    b.funded_minutes += opened ? l.funded_minutes : l.funded_minutes_delta;
    on_line(l, b);
  }
}

// What a consumption, or the reversal of one, moves on one service line of
// its contract: minutes (negative for a reversal) counted on `day` (the
// consumption's own effective day).
struct ConsumedMinutes {
  events::ServiceLine line = events::ServiceLine::kUnknown;
  int64_t minutes = 0;
  int32_t day = 0;
};

// The ConsumedMinutes of e: a HoursBooked or DeliveryCompleted, or an
// EntryReversed of one (ReversedConsumption); nullopt for any other event or
// an unknown line.
inline std::optional<ConsumedMinutes> ConsumedMinutesOf(const events::Event& e,
                                                        const events::Event* reversal_target) {
  const events::Event* c = &e;
  int64_t sign = 1;
  if (e.type == events::EventType::kEntryReversed) {
    c = ReversedConsumption(e, reversal_target);
    sign = -1;
  } else if (!e.IsConsumption()) {
    c = nullptr;
  }
  if (c == nullptr || !IsKnownLine(c->service_line)) return std::nullopt;
  return ConsumedMinutes{c->service_line, sign * c->minutes, events::DayOf(c->effective_at_ns)};
}

// A projection named by `Derived::kName` and versioned by `Derived::kVersion`,
// whose Apply is ApplyKeyed without a key, and whose Reset makes it exactly
// a new one: every member back to its initial value, none forgotten.
template <typename Derived>
class NamedProjection : public Projection {
 public:
  std::string_view name() const override { return Derived::kName; }
  uint32_t version() const override { return Derived::kVersion; }
  void Apply(const events::Event& e, const events::Event* reversal_target) override {
    this->ApplyKeyed(e, reversal_target, ContractKey{});
  }
  void Reset() override { static_cast<Derived&>(*this) = Derived(); }
};

// A named projection whose state is one `State` per contract. Contract ids
// are dense, 0..contract_count()-1, in first-seen order.
template <typename Derived, typename State>
class PerContractProjection : public NamedProjection<Derived> {
 public:
  size_t contract_count() const { return contracts_.size(); }
  const std::string& contract_name(uint32_t id) const { return names_.name(id); }
  const State& contract(uint32_t id) const {
    assert(id < contracts_.size());
    return contracts_[id];
  }
  // The contract's id or StringInterner::kNone.
  uint32_t FindContract(std::string_view name) const { return names_.Find(name); }
  // Ids in contract-name order.
  std::vector<uint32_t> SortedContracts() const { return SortedIds(names_.names()); }

 protected:
  // The state of contract `name`, added empty when new.
  State& ContractFor(std::string_view name, const ContractKey& key) {
    const uint32_t id = names_.Intern(name, key);
    if (id == contracts_.size()) contracts_.emplace_back();
    assert(id < contracts_.size());
    return contracts_[id];
  }
  // For states with per-line `lines`: adds what e consumes (ConsumedMinutesOf)
  // to the consumed minutes of that line of its contract, marking it
  // present. The line's state (and *m when given), or nullptr when e
  // consumes nothing.
  template <typename S = State>
  auto AddConsumedMinutes(const events::Event& e, const events::Event* reversal_target,
                          const ContractKey& key, ConsumedMinutes* m)
      -> decltype(&std::declval<S&>().lines[0]) {
    const std::optional<ConsumedMinutes> c = ConsumedMinutesOf(e, reversal_target);
    if (!c.has_value()) return nullptr;
    auto& b = ContractFor(e.contract, key).lines[LineIndex(c->line)];
    b.present = true;
    b.consumed_minutes += c->minutes;
    if (m != nullptr) *m = *c;
    return &b;
  }

  // Writes the table of contracts ReadContracts reads: u32 count, then per
  // contract in name order its name and what write_contract(state) writes.
  template <typename WriteContract>
  void WriteContracts(StateWriter& w, WriteContract&& write_contract) const {
    w.U32(static_cast<uint32_t>(contracts_.size()));
    for (uint32_t id : SortedIds(names_.names())) {
      w.String(names_.name(id));
      write_contract(contracts_[id]);
    }
  }

  KeyedNames names_;
  std::vector<State> contracts_;  // by contract id
};

}  // namespace ccl::projections

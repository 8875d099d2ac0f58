// `escalations`: per contract and severity, escalations opened, resolved and
// still open, time to resolve (mean and max, whole seconds of effective time)
// and minutes booked against them.
//
// Counting rules (documented because they are choices):
// - An escalation counts under its CURRENT severity: a severity change moves
//   it, with the minutes booked against it, from the old severity to the new.
// - Time to resolve = resolution effective_at - opening effective_at, floored
//   to whole seconds, 0 if the resolution is dated before the opening. Mean is
//   rounded half to even; both are over resolved escalations only.
// - A HoursBooked counts against an escalation when its `reference` equals the
//   id of an escalation of the same contract opened EARLIER in the log (lower
//   seq); a reference to a ticket or to a later escalation does not count.
//   An EntryReversed of such a booking subtracts its minutes again.
// - Events about an escalation the view has not opened (possible under an
//   as-of filter) are ignored.
// The state is one record per escalation, so memory grows with escalations,
// not with bookings; the per-severity figures are derived when reported.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "projections/folds/contract_projection.h"
#include "projections/folds/intern.h"

namespace ccl::projections {

struct EscalationRecord {
  uint32_t contract = 0;  // contract id
  events::Severity severity = events::Severity::kUnset;
  bool resolved = false;
  int64_t opened_at_ns = 0;    // effective_at of EscalationOpened
  uint64_t opened_seq = 0;     // seq of EscalationOpened
  int64_t resolved_at_ns = 0;  // effective_at of EscalationResolved; 0 while open
  int64_t minutes_booked = 0;
  bool operator==(const EscalationRecord&) const = default;
};

class EscalationsProjection final : public NamedProjection<EscalationsProjection> {
 public:
  static constexpr std::string_view kName = "escalations";
  static constexpr uint32_t kVersion = 1;

  void ApplyKeyed(const events::Event& e, const events::Event* reversal_target,
                  const ContractKey& key) override;
  void SerializeState(std::string* out) const override;
  Status DeserializeState(std::string_view bytes) override;

  size_t contract_count() const { return contracts_.size(); }
  const std::string& contract_name(uint32_t id) const { return contracts_.name(id); }
  uint32_t FindContract(std::string_view name) const { return contracts_.Find(name); }
  size_t escalation_count() const { return records_.size(); }
  const std::string& escalation_name(uint32_t id) const { return escalations_.name(id); }
  const EscalationRecord& escalation(uint32_t id) const { return records_[id]; }
  // Escalation ids ordered by (contract name, escalation id): canonical order.
  std::vector<uint32_t> SortedEscalations() const;

 private:
  // The record of (contract, escalation) or nullptr.
  EscalationRecord* Find(std::string_view contract, std::string_view escalation,
                         const ContractKey& key);

  // Whether some escalation id hashes to bit (Hash(0, id) & kFilterMask):
  // most booking references are tickets, and one hash and one bit test rule
  // them out without the two table lookups of Find.
  static constexpr uint64_t kFilterMask = (1u << 16) - 1;
  bool MaybeEscalation(std::string_view id) const {
    const uint64_t bit = StringInterner::Hash(0, id) & kFilterMask;
    return (filter_[bit / 64] >> (bit % 64)) & 1;
  }
  void AddToFilter(std::string_view id) {
    const uint64_t bit = StringInterner::Hash(0, id) & kFilterMask;
    filter_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  std::vector<uint64_t> filter_ = std::vector<uint64_t>((kFilterMask + 1) / 64, 0);

  KeyedNames contracts_;
  StringInterner escalations_;             // scope = contract id
  std::vector<EscalationRecord> records_;  // by escalation id
};

}  // namespace ccl::projections

// The write model: the rules of schemas/EVENTS.md "Rules checked on append", checked
// event by event against per-contract state.
//
// ApplyEvent() is the one implementation of the rules. It reads and updates
// state through a ModelView, so the same code serves append (a view layering
// the batch's pending changes over the committed state in RocksDB) and verify
// (a view over state rebuilt in memory from the log).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/contract_state.h"

namespace ccl::ledger {

// An event already in the ledger or earlier in the batch, as the rules see it.
struct EventLookup {
  bool found = false;
  uint64_t seq = 0;
  // Valid until the next call on the view; writer-supplied fields only are
  // guaranteed (a pending event has no assigned fields yet).
  const events::Event* event = nullptr;
  // Found among the events of the batch being checked (append only): its seq
  // is not stored, and is not if the batch is rejected.
  bool in_current_batch = false;
};

// The decision (an Approved or a Rejected) an event got, as a message names it.
struct DecisionLookup {
  bool found = false;
  uint64_t seq = 0;
  bool approved = false;  // else rejected
  std::string actor;
};

class ModelView {
 public:
  virtual ~ModelView() = default;
  // The state of `contract` for update, or *state = nullptr when the contract
  // has no events. The pointer stays valid until the view is committed or rolled back.
  [[nodiscard]] virtual Status FindContract(std::string_view contract, ContractState** state) = 0;
  // A new, empty state for `contract`. REQUIRES: FindContract gave nullptr.
  virtual ContractState* CreateContract(std::string_view contract) = 0;
  // Escalations are keyed by EscalationKey(contract, escalation).
  [[nodiscard]] virtual Status FindEscalation(const std::string& key, bool* found,
                                              EscalationState* state) = 0;
  virtual void PutEscalation(const std::string& key, const EscalationState& state) = 0;
  // The seq of the event that reversed `target_seq`, if any.
  [[nodiscard]] virtual Status FindReversal(uint64_t target_seq, bool* found,
                                            uint64_t* reversing_seq) = 0;
  virtual void PutReversal(uint64_t target_seq, uint64_t reversing_seq) = 0;
  [[nodiscard]] virtual Status FindEvent(const events::Uuid& id, EventLookup* out) = 0;
  // The input index of the event given `seq` earlier in the batch being
  // checked (its seq is not stored, and is not if the batch is rejected), or
  // SIZE_MAX when `seq` is no such event. A replay of stored events has none.
  virtual size_t InputIndexOf(uint64_t /*seq*/) const { return SIZE_MAX; }
  // The stored decision on `target` (a stored event, its assigned fields
  // included), searched in its stream after it; found = false when none is
  // stored (one earlier in the events being appended is not looked for) or
  // not among the stream's next few thousand events (a bound on the work a
  // refused request can cause). Only words a refusal: no rule depends on it.
  // A replay finds none.
  [[nodiscard]] virtual Status FindDecision(const events::Event& /*target*/, DecisionLookup* out) {
    *out = DecisionLookup{};
    return Status::OK();
  }
};

// What ApplyEvent assigns to an accepted event.
struct AppliedFields {
  uint64_t stream_version = 0;
  std::optional<int64_t> applied_bill_rate_minor;  // consumption events only
  // On a rule violation caused by an earlier event of the same batch (a
  // second reversal of one target): that event's input index, else SIZE_MAX.
  size_t first_use_index = SIZE_MAX;
  // The event was accepted pending (R-APPR-01): it awaits an Approved.
  bool awaits_approval = false;
};

// Checks `e` (already ValidateEvent-ed) against the rules and, when it passes,
// updates the view as if `e` were appended at `seq`. RuleViolation
// "event <uuid>: <rule>: <detail> (rule <id>)", Status::rule() the id of
// events/model/rules.h, when a rule is broken; the view may then
// hold partial changes and must be rolled back. Errors of the view pass through.
[[nodiscard]] Status ApplyEvent(ModelView* view, const events::Event& e, uint64_t seq,
                                AppliedFields* out);

// ApplyEvent without the approval policy: the event takes effect now. Also
// what an approval runs on a copy of the view (R-APPR-01's check) and
// ledger/store/approval_rules.cc on the pending event's own checks.
[[nodiscard]] Status ApplyEventNow(ModelView* view, const events::Event& e, uint64_t seq,
                                   AppliedFields* out);

// The effect of contract event `e` (not a ContractOpened) on its contract's
// state `c`, its rules checked, without advancing the stream: what
// ApplyEventNow does for it, and what an approval does for its target.
// REQUIRES: c is e.contract's state
[[nodiscard]] Status ApplyContractEvent(ModelView* view, const events::Event& e, uint64_t seq,
                                        ContractState* c, AppliedFields* out);

// R-LIFE-05: the currency `e` states (Event::stated_currency), if any, is
// its contract's `c`; else the RuleViolation naming both.
[[nodiscard]] Status CheckStatedCurrency(const events::Event& e, const ContractState& c);

// R-LIFE-05 for `e`, a re-sent event (the same content as a stored or
// earlier input event, which the write-supplied fields leave without its
// stated currency): refused as a new event would be.
[[nodiscard]] Status CheckDuplicateStatedCurrency(ModelView* view, const events::Event& e);

// The error of a broken rule: RuleViolation "event <uuid>: <rule>: <detail>
// (rule <id>)" with Status::rule() = id (a constant of events/model/rules.h).
Status RuleError(const events::Event& e, std::string_view id, std::string_view rule,
                 const std::string& detail);

// Reads committed write-model state (RocksDB, through the ledger's caches).
class CommittedReader {
 public:
  virtual ~CommittedReader() = default;
  [[nodiscard]] virtual Status ReadContract(std::string_view contract, bool* found,
                                            ContractState* out) = 0;
  [[nodiscard]] virtual Status ReadEscalation(const std::string& key, bool* found,
                                              EscalationState* out) = 0;
  [[nodiscard]] virtual Status ReadReversal(uint64_t target_seq, bool* found,
                                            uint64_t* reversing_seq) = 0;
  // The stored event with this id (decoded into *event), if any.
  [[nodiscard]] virtual Status ReadEventById(const events::Uuid& id, bool* found, uint64_t* seq,
                                             events::Event* event) = 0;
  // ModelView::FindDecision over the stored events.
  [[nodiscard]] virtual Status ReadDecision(const events::Event& target, DecisionLookup* out) = 0;
};

struct UuidHash {
  size_t operator()(const events::Uuid& id) const noexcept;
};
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// The event ids appended in a group not yet committed, with their seq and
// input event. Open addressing with linear probing: one cache miss per lookup
// and no allocation per entry (for a million-event batch the nodes of a
// std::unordered_map were a hot spot, allocation and free included).
class PendingIds {
 public:
  struct Entry {
    events::Uuid id;
    uint64_t seq;  // 0: an empty slot
    // The caller's input; nullptr when the group keeps only its encoded
    // bytes (AppendView::SetPendingLoader).
    const events::Event* event;
  };
  // Room for n entries without rehashing.
  void Reserve(size_t n);
  const Entry* Find(const events::Uuid& id) const;
  // Adds or replaces the entry of `id`. REQUIRES: seq != 0
  void Put(const events::Uuid& id, uint64_t seq, const events::Event* event);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void Clear();
  void Swap(PendingIds* other) {
    slots_.swap(other->slots_);
    std::swap(size_, other->size_);
  }
  template <typename F>
  void ForEach(F f) const {
    for (const Entry& e : slots_) {
      if (e.seq != 0) f(e);
    }
  }

 private:
  std::vector<Entry> slots_;  // size a power of two, at most half full
  size_t size_ = 0;
};

// Changes made by events not yet committed.
struct ModelDelta {
  std::unordered_map<std::string, ContractState, StringHash, std::equal_to<>> contracts;
  std::unordered_map<std::string, EscalationState> escalations;
  std::unordered_map<uint64_t, uint64_t> reversals;
  PendingIds ids;

  bool empty() const {
    return contracts.empty() && escalations.empty() && reversals.empty() && ids.empty();
  }
  void Clear();
  // Moves every entry of `newer` over this delta's (newer wins).
  void Absorb(ModelDelta* newer);
};

// The view an append uses: one writer's changes over the changes of the
// writers accepted earlier in the same group commit, over committed state.
// Not thread-safe: only the group's leader uses it.
class AppendView final : public ModelView {
 public:
  explicit AppendView(CommittedReader* committed) : committed_(committed) {}

  // Starts a writer's batch: its changes go to a fresh writer delta.
  void BeginWriter(size_t events_hint);
  // The writer's batch is accepted: its changes join the group's.
  void AcceptWriter();
  // The writer's batch is rejected: its changes are dropped.
  void RejectWriter();
  // Records an event accepted in the current writer's batch, input[input_index]
  // (for duplicate and reversal-target lookups by later events). `kept`: `e`
  // outlives the group and lookups see it; else lookups read it back by seq
  // through the pending loader. REQUIRES: seq above every earlier pending
  // seq; a pending loader when !kept.
  void AddPendingEvent(const events::Event& e, uint64_t seq, size_t input_index, bool kept = true);
  // Reads back a pending event that was not kept (its stored form, assigned
  // fields included), for an append that holds only a part of its input
  // events at a time. Empty: every pending event is kept.
  using PendingLoader = std::function<Status(uint64_t seq, events::Event* out)>;
  void SetPendingLoader(PendingLoader loader) { pending_loader_ = std::move(loader); }
  // The group's accepted changes (to persist, then to publish to caches).
  ModelDelta* group() { return &group_; }
  void ClearGroup() {
    group_.Clear();
    writer_.Clear();
    writer_inputs_.clear();
  }

  Status FindContract(std::string_view contract, ContractState** state) override;
  ContractState* CreateContract(std::string_view contract) override;
  Status FindEscalation(const std::string& key, bool* found, EscalationState* state) override;
  void PutEscalation(const std::string& key, const EscalationState& state) override;
  Status FindReversal(uint64_t target_seq, bool* found, uint64_t* reversing_seq) override;
  void PutReversal(uint64_t target_seq, uint64_t reversing_seq) override;
  Status FindEvent(const events::Uuid& id, EventLookup* out) override;
  size_t InputIndexOf(uint64_t seq) const override;
  Status FindDecision(const events::Event& target, DecisionLookup* out) override {
    return committed_->ReadDecision(target, out);
  }

 private:
  CommittedReader* committed_;
  ModelDelta group_;
  ModelDelta writer_;
  // (seq, input index) of the current writer's pending events, in seq order.
  std::vector<std::pair<uint64_t, size_t>> writer_inputs_;
  PendingLoader pending_loader_;
  events::Event scratch_;  // an event read back by FindEvent
};

}  // namespace ccl::ledger

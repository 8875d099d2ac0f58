// The approval rules of the write model (ledger/store/approval_rules.h).
#include "ledger/store/approval_rules.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <unordered_map>

#include "events/base/limits.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "ledger/store/period_rules.h"

namespace ccl::ledger {

namespace {

using events::Event;
using events::EventType;

// A view whose changes stay in it, over another view left unchanged: a
// pending event's checks run on it and it is then dropped.
class ScratchView final : public ModelView {
 public:
  explicit ScratchView(ModelView* base) : base_(base) {}

  Status FindContract(std::string_view contract, ContractState** state) override {
    if (auto it = contracts_.find(contract); it != contracts_.end()) {
      *state = &it->second;
      return Status::OK();
    }
    ContractState* base_state = nullptr;
    CCL_RETURN_IF_ERROR(base_->FindContract(contract, &base_state));
    *state = base_state == nullptr
                 ? nullptr
                 : &contracts_.emplace(std::string(contract), *base_state).first->second;
    return Status::OK();
  }
  ContractState* CreateContract(std::string_view contract) override {
    return &contracts_.insert_or_assign(std::string(contract), ContractState{}).first->second;
  }
  Status FindEscalation(const std::string& key, bool* found, EscalationState* state) override {
    if (auto it = escalations_.find(key); it != escalations_.end()) {
      *found = true;
      *state = it->second;
      return Status::OK();
    }
    return base_->FindEscalation(key, found, state);
  }
  void PutEscalation(const std::string& key, const EscalationState& state) override {
    escalations_.insert_or_assign(key, state);
  }
  Status FindReversal(uint64_t target_seq, bool* found, uint64_t* reversing_seq) override {
    if (auto it = reversals_.find(target_seq); it != reversals_.end()) {
      *found = true;
      *reversing_seq = it->second;
      return Status::OK();
    }
    return base_->FindReversal(target_seq, found, reversing_seq);
  }
  void PutReversal(uint64_t target_seq, uint64_t reversing_seq) override {
    reversals_.insert_or_assign(target_seq, reversing_seq);
  }
  Status FindEvent(const events::Uuid& id, EventLookup* out) override {
    return base_->FindEvent(id, out);
  }
  size_t InputIndexOf(uint64_t seq) const override { return base_->InputIndexOf(seq); }
  Status FindDecision(const Event& target, DecisionLookup* out) override {
    return base_->FindDecision(target, out);
  }

 private:
  ModelView* base_;
  std::unordered_map<std::string, ContractState, StringHash, std::equal_to<>> contracts_;
  std::unordered_map<std::string, EscalationState> escalations_;
  std::unordered_map<uint64_t, uint64_t> reversals_;
};

// The funding a ContractAmended takes away, summed over its lines (minutes).
int64_t FundingDecreaseMinutes(const Event& e) {
  int64_t decrease = 0;
  for (const events::ContractLine& l : e.lines) {
    if (l.funded_minutes_delta < 0) decrease -= l.funded_minutes_delta;
  }
  return decrease;
}

std::string StreamName(std::string_view contract) {
  return contract.empty() ? std::string("the ledger stream")
                          : "contract '" + std::string(contract) + "'";
}

// The target of an approval takes effect now, in its own stream, as of its
// own effective_at; the stream does not advance (the target is in it already).
Status ApplyApprovedTarget(ModelView* view, const Event& t, uint64_t t_seq) {
  CCL_RETURN_IF_ERROR(CheckPeriodOpen(view, t));
  ContractState* c = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract(t.contract, &c));
  if (c == nullptr) {
    return Status::Corruption("seq " + std::to_string(t_seq) + ": the stream of a pending event " +
                              "is missing from the write model");
  }
  if (c->ledger_stream) return ApplyLedgerWideEffect(t, c);
  AppliedFields ignored;
  return ApplyContractEvent(view, t, t_seq, c, &ignored);
}

// R-APPR-03's detail: why the target is not pending, as far as it is known:
// which decision it got, and from whom, when that decision is stored.
std::string NotPendingDetail(ModelView* view, const EventLookup& found, const Event& t,
                             const std::string& label) {
  if (found.in_current_batch) return "event " + label + " is not pending";
  const std::string at = "event " + label + " (seq " + std::to_string(found.seq) + ")";
  if (!t.awaits_approval) return at + " did not need approval";
  DecisionLookup decision;
  // The decision only words the refusal: one that cannot be read is left out.
  if (!view->FindDecision(t, &decision).ok() || !decision.found) {
    return at + " was already approved or rejected";
  }
  return at + " was already " + (decision.approved ? "approved" : "rejected") + " by seq " +
         std::to_string(decision.seq) + " (actor '" + decision.actor + "')";
}

}  // namespace

Status NeedsApproval(ModelView* view, const Event& e, bool* pending) {
  *pending = false;
  if ((events::EventTypeBit(e.type) & events::kApprovableTypes) == 0) return Status::OK();
  ContractState* ledger = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract("", &ledger));
  if (ledger == nullptr || (ledger->approval_types & events::EventTypeBit(e.type)) == 0) {
    return Status::OK();
  }
  if (e.type == EventType::kContractAmended) {
    const int64_t decrease = FundingDecreaseMinutes(e);
    *pending = decrease > 0 && decrease >= ledger->approval_threshold_minutes;
    return Status::OK();
  }
  *pending = true;
  return Status::OK();
}

Status ApplyPendingEvent(ModelView* view, const Event& e, uint64_t seq, AppliedFields* out) {
  ContractState* ledger = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract("", &ledger));
  assert(ledger != nullptr && ledger->ledger_stream);
  if (ledger->pending_seqs.size() >= limits::kPendingApprovalsMax) {
    return RuleError(e, rules::kApprovalPendingMax, "too many events await approval",
                     std::to_string(ledger->pending_seqs.size()) + " pending, at most " +
                         std::to_string(limits::kPendingApprovalsMax));
  }
  {
    ScratchView scratch(view);
    AppliedFields checked;
    const Status s = ApplyEventNow(&scratch, e, seq, &checked);
    out->first_use_index = checked.first_use_index;
    if (!s.ok()) return s;
  }
  ContractState* stream = ledger;
  if (!events::IsLedgerWide(e.type)) {
    CCL_RETURN_IF_ERROR(view->FindContract(e.contract, &stream));
    assert(stream != nullptr);  // the check above found it
    if (stream == nullptr) return Status::Corruption("pending event without its contract");
  }
  stream->stream_version += 1;
  stream->last_seq = seq;
  assert(ledger->pending_seqs.empty() || ledger->pending_seqs.back() < seq);
  ledger->pending_seqs.push_back(seq);
  out->stream_version = stream->stream_version;
  out->awaits_approval = true;
  return Status::OK();
}

Status ApplyDecision(ModelView* view, const Event& e) {
  assert(events::IsDecision(e.type));
  const std::string label = events::FormatUuid(e.target_event_id);
  EventLookup found;
  CCL_RETURN_IF_ERROR(view->FindEvent(e.target_event_id, &found));
  if (!found.found) return TargetNotFound(e);
  const Event target = *found.event;  // the view's copy is valid until its next call
  if (target.contract != e.contract) {
    return RuleError(e, rules::kApprovalTarget, "decision in another stream than its target",
                     "event " + label + " belongs to " + StreamName(target.contract));
  }
  ContractState* ledger = nullptr;
  CCL_RETURN_IF_ERROR(view->FindContract("", &ledger));
  std::vector<uint64_t>* pending = ledger == nullptr ? nullptr : &ledger->pending_seqs;
  auto it = pending == nullptr ? std::vector<uint64_t>::iterator{}
                               : std::lower_bound(pending->begin(), pending->end(), found.seq);
  if (pending == nullptr || it == pending->end() || *it != found.seq) {
    return RuleError(e, rules::kApprovalTargetPending,
                     "only a pending event is approved or rejected",
                     NotPendingDetail(view, found, target, label));
  }
  if (e.type == EventType::kApproved && e.actor == target.actor) {
    return RuleError(e, rules::kApprovalFourEyes, "an event is approved by another actor",
                     "actor '" + e.actor + "' asked for event " + label);
  }
  pending->erase(it);
  if (e.type == EventType::kRejected) return Status::OK();
  const Status s = ApplyApprovedTarget(view, target, found.seq);
  if (s.IsRuleViolation()) {
    return s.WithContext(EventLabel(e.event_id) + ": approval of event " + label + " refused");
  }
  return s;
}

void ApplyApprovalPolicy(const Event& e, ContractState* ledger) {
  assert(ledger->ledger_stream && e.type == EventType::kApprovalPolicySet);
  ledger->approval_types = e.approval_types;
  ledger->approval_threshold_minutes = e.threshold_minutes.value_or(0);
}

}  // namespace ccl::ledger

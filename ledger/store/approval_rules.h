// The approval rules of the write model (schemas/EVENTS.md "Approvals"): an
// event of a type the approval policy lists is accepted pending, in its
// stream but without effect on the state, until an Approved by another actor
// applies it (its rules checked again then) or a Rejected voids it. The
// policy and the pending events are held in the ledger stream's state.
#pragma once

#include <cstdint>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/contract_state.h"
#include "ledger/store/write_model.h"

namespace ccl::ledger {

// *pending = the policy in force lists e's type (for a ContractAmended: and
// it lowers funding, summed over its lines, by at least the threshold).
[[nodiscard]] Status NeedsApproval(ModelView* view, const events::Event& e, bool* pending);

// R-APPR-01: accepts `e` pending. Its own rules are checked as if it took
// effect now (on a scratch copy of the state, so nothing but its stream
// advances), R-APPR-05 bounds the pending events.
// REQUIRES: NeedsApproval(e) gave true
[[nodiscard]] Status ApplyPendingEvent(ModelView* view, const events::Event& e, uint64_t seq,
                                       AppliedFields* out);

// Checks and applies an Approved or Rejected (R-APPR-02..04, R-APPR-06). On
// an approval the target takes effect now, its rules checked against the
// state as it is: a target that breaks one refuses the approval with that
// rule's id. REQUIRES: events::IsDecision(e.type)
[[nodiscard]] Status ApplyDecision(ModelView* view, const events::Event& e);

// An ApprovalPolicySet replaces the policy. REQUIRES: ledger->ledger_stream
void ApplyApprovalPolicy(const events::Event& e, ContractState* ledger);

}  // namespace ccl::ledger

// The events awaiting approval (projections/periods/pending.h).
#include "projections/periods/pending.h"

#include "events/base/limits.h"
#include "events/base/time_format.h"
#include "events/model/uuid.h"

namespace ccl::projections {

Status ReadPendingApprovals(ledger::Ledger* ledger, std::vector<events::Event>* out) {
  out->clear();
  std::vector<uint64_t> seqs;
  CCL_RETURN_IF_ERROR(ledger->PendingApprovals(&seqs));
  if (seqs.size() > limits::kPendingApprovalsMax) {
    return Status::Corruption("write model: " + std::to_string(seqs.size()) +
                              " pending events, at most " +
                              std::to_string(limits::kPendingApprovalsMax));
  }
  out->resize(seqs.size());
  for (size_t i = 0; i < seqs.size(); ++i) {
    CCL_RETURN_IF_ERROR(ledger->Get(seqs[i], &(*out)[i]));
    if (!(*out)[i].awaits_approval) {
      return Status::Corruption("seq " + std::to_string(seqs[i]) +
                                ": listed as pending but accepted without approval");
    }
  }
  return Status::OK();
}

std::string PendingRequest(const events::Event& e) {
  switch (e.type) {
    case events::EventType::kPeriodReopened:
      return "reopen " + events::FormatMonthIndex(e.period_month) + ": " + e.reason;
    case events::EventType::kEntryReversed:
      return "reverse " + events::FormatUuid(e.target_event_id) + ": " + e.reason;
    case events::EventType::kLegalHoldReleased:
      return "release case " + e.legal_case + ": " + e.reason;
    case events::EventType::kApprovalPolicySet:
      return "policy: approval for " + events::FormatApprovalTypes(e.approval_types) +
             (e.threshold_minutes
                  ? ", funding cuts from " + std::to_string(*e.threshold_minutes) + " min"
                  : std::string());
    default:
      return e.reason;
  }
}

RowSet PendingRowSet(const std::vector<events::Event>& pending) {
  RowSet set;
  set.columns = {{"seq", ColumnKind::kInt}, {"event_id"}, {"type"},     {"contract"},
                 {"effective_at"},          {"asked_by"}, {"asked_at"}, {"request"}};
  const auto text = [](std::string s) { return Cell{false, 0, std::move(s)}; };
  for (const events::Event& e : pending) {
    set.rows.push_back({Cell{false, static_cast<int64_t>(e.seq), {}},
                        text(events::FormatUuid(e.event_id)),
                        text(std::string(events::EventTypeName(e.type))), text(e.contract),
                        text(events::FormatInstant(e.effective_at_ns)), text(e.actor),
                        text(events::FormatInstantNs(e.recorded_at_ns)), text(PendingRequest(e))});
  }
  return set;
}

}  // namespace ccl::projections

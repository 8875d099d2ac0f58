#include "projections/folds/escalations.h"

#include <algorithm>

#include "events/base/limits.h"
#include "events/model/validate.h"
#include "projections/folds/serial.h"

namespace ccl::projections {

using events::Event;
using events::EventType;
using events::Severity;

namespace {

bool IsKnownSeverity(Severity s) {
  return s == Severity::kA || s == Severity::kB || s == Severity::kC;
}

}  // namespace

EscalationRecord* EscalationsProjection::Find(std::string_view contract,
                                              std::string_view escalation, const ContractKey& key) {
  const uint32_t cid = contracts_.Find(contract, key);
  if (cid == StringInterner::kNone) return nullptr;
  const uint32_t eid = escalations_.Find(cid, escalation);
  return eid == StringInterner::kNone ? nullptr : &records_[eid];
}

void EscalationsProjection::ApplyKeyed(const Event& e, const Event* reversal_target,
                                       const ContractKey& key) {
  switch (e.type) {
    case EventType::kEscalationOpened: {
      if (!IsKnownSeverity(e.severity)) return;
      const uint32_t cid = contracts_.Intern(e.contract, key);
      const uint32_t eid = escalations_.Intern(cid, e.escalation);
      if (eid < records_.size()) return;  // ids are unique per contract: keep the first
      AddToFilter(e.escalation);
      EscalationRecord r;
      r.contract = cid;
      r.severity = e.severity;
      r.opened_at_ns = e.effective_at_ns;
      r.opened_seq = e.seq;
      records_.push_back(r);
      return;
    }
    case EventType::kEscalationSeverityChanged: {
      EscalationRecord* r = Find(e.contract, e.escalation, key);
      if (r != nullptr && !r->resolved && IsKnownSeverity(e.severity)) r->severity = e.severity;
      return;
    }
    case EventType::kEscalationResolved: {
      EscalationRecord* r = Find(e.contract, e.escalation, key);
      if (r != nullptr && !r->resolved) {
        r->resolved = true;
        r->resolved_at_ns = e.effective_at_ns;
      }
      return;
    }
    case EventType::kHoursBooked: {
      if (e.reference.empty() || !MaybeEscalation(e.reference)) return;
      EscalationRecord* r = Find(e.contract, e.reference, key);
      if (r != nullptr && r->opened_seq < e.seq) r->minutes_booked += e.minutes;
      return;
    }
    case EventType::kEntryReversed: {
      const Event* t = reversal_target;
      if (t == nullptr || t->type != EventType::kHoursBooked || t->reference.empty() ||
          t->contract != e.contract || !MaybeEscalation(t->reference)) {
        return;
      }
      EscalationRecord* r = Find(e.contract, t->reference, key);
      // Only what was counted is taken back: the booking came after the opening.
      if (r != nullptr && r->opened_seq < t->seq) r->minutes_booked -= t->minutes;
      return;
    }
    default:
      return;
  }
}

std::vector<uint32_t> EscalationsProjection::SortedEscalations() const {
  std::vector<uint32_t> ids(records_.size());
  for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
    const std::string& ca = contracts_.name(records_[a].contract);
    const std::string& cb = contracts_.name(records_[b].contract);
    if (ca != cb) return ca < cb;
    return escalations_.name(a) < escalations_.name(b);
  });
  return ids;
}

// Layout: u32 contract count (contracts with at least one escalation); per
// contract in name order: string name, u32 escalation count, per escalation in
// id order: string id, u8 severity (1..3), u8 resolved (0/1), i64 opened_at_ns,
// u64 opened_seq, i64 resolved_at_ns (0 while open), i64 minutes_booked.
void EscalationsProjection::SerializeState(std::string* out) const {
  StateWriter w(out);
  const std::vector<uint32_t> ids = SortedEscalations();
  // Group the sorted ids by contract.
  uint32_t groups = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i == 0 || records_[ids[i]].contract != records_[ids[i - 1]].contract) ++groups;
  }
  w.U32(groups);
  for (size_t i = 0; i < ids.size();) {
    const uint32_t cid = records_[ids[i]].contract;
    size_t j = i;
    while (j < ids.size() && records_[ids[j]].contract == cid) ++j;
    w.String(contracts_.name(cid));
    w.U32(static_cast<uint32_t>(j - i));
    for (; i < j; ++i) {
      const EscalationRecord& r = records_[ids[i]];
      w.String(escalations_.name(ids[i]));
      w.U8(static_cast<uint8_t>(r.severity));
      w.U8(r.resolved ? 1 : 0);
      w.I64(r.opened_at_ns);
      w.U64(r.opened_seq);
      w.I64(r.resolved_at_ns);
      w.I64(r.minutes_booked);
    }
  }
}

namespace {

// The fields of one escalation in a state after its id (the layout above);
// false when they fail a check (the reader has failed then).
bool ReadRecord(StateReader& r, EscalationRecord* rec) {
  uint8_t severity = 0, resolved = 0;
  r.U8(&severity);
  r.U8(&resolved);
  r.I64(&rec->opened_at_ns);
  r.U64(&rec->opened_seq);
  r.I64(&rec->resolved_at_ns);
  r.I64(&rec->minutes_booked);
  rec->severity = static_cast<Severity>(severity);
  rec->resolved = resolved == 1;
  if (!IsKnownSeverity(rec->severity)) r.Fail("unknown severity");
  if (resolved > 1) r.Fail("resolved flag not 0 or 1");
  if (!rec->resolved && rec->resolved_at_ns != 0) r.Fail("open escalation with a resolution time");
  return !r.failed();
}

}  // namespace

Status EscalationsProjection::DeserializeState(std::string_view bytes) {
  return DecodeState(this, bytes, "escalations state", [this](StateReader& r) {
    std::string esc, previous_esc;
    ReadContracts(r, 4 + 1 + 4, [&](const std::string& name) {
      uint32_t escalations = 0;
      r.Count(kStateEscalationsMax, 4 + 1 + 2 + 4 * 8, &escalations);
      if (escalations == 0) r.Fail("contract without escalations");
      if (r.failed()) return;
      const uint32_t cid = contracts_.Intern(name, ContractKey{});
      for (uint32_t k = 0; k < escalations && !r.failed(); ++k) {
        if (!r.String(limits::kEscalationBytesMax, &esc)) break;
        if (esc.empty()) r.Fail("empty escalation id");
        if (k > 0 && !(previous_esc < esc)) r.Fail("escalations not in strictly increasing order");
        EscalationRecord rec;
        rec.contract = cid;
        if (!ReadRecord(r, &rec)) break;
        escalations_.Intern(cid, esc);
        AddToFilter(esc);
        records_.push_back(rec);
        previous_esc.swap(esc);
      }
    });
  });
}

}  // namespace ccl::projections

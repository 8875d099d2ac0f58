// Write model state and its persisted form (ledger/store/contract_state.h).
#include "ledger/store/contract_state.h"

#include <algorithm>
#include <cassert>

#include "events/base/limits.h"
#include "ledger/store/keys.h"

namespace ccl::ledger {

namespace {

// Format 1 (no effective_at fields) is refused: it cannot hold what the
// time-order rules need, and ledgers that wrote it are refused on open.
constexpr uint8_t kStateFormat = 2;
// The ledger stream's state (contract ""): a format of its own, so that a
// contract's state can never be read as it or the other way round.
constexpr uint8_t kLedgerStreamFormat = 3;
constexpr size_t kEscalationStateBytes = 10;
constexpr uint8_t kContractOpen = 1;
constexpr uint8_t kContractClosed = 2;
constexpr uint8_t kEscalationOpen = 1;
constexpr uint8_t kEscalationResolved = 2;

// Bounds-checked reader over untrusted bytes: every Get* fails (and keeps
// failing) once the input runs out, so a truncated value cannot be misread.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool U8(uint8_t* v) {
    if (!Need(1)) return false;
    *v = static_cast<uint8_t>(b_[pos_++]);
    return true;
  }
  bool U32(uint32_t* v) {
    if (!Need(4)) return false;
    *v = GetBE32(b_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t* v) {
    if (!Need(8)) return false;
    *v = GetBE64(b_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool I64(int64_t* v) {
    uint64_t u = 0;
    if (!U64(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool I32(int32_t* v) {
    uint32_t u = 0;
    if (!U32(&u)) return false;
    *v = static_cast<int32_t>(u);
    return true;
  }
  bool Str(size_t max_bytes, std::string* s) {
    uint32_t n = 0;
    if (!U32(&n) || n > max_bytes || !Need(n)) return false;
    s->assign(b_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool AtEnd() const { return pos_ == b_.size(); }

 private:
  bool Need(size_t n) const { return b_.size() - pos_ >= n; }
  std::string_view b_;
  size_t pos_ = 0;
};

void AppendStr(std::string_view s, std::string* out) {
  AppendBE32(static_cast<uint32_t>(s.size()), out);
  out->append(s);
}

Status Bad(const std::string& what) { return Status::Corruption("contract state: " + what); }

}  // namespace

int64_t LineState::RateAt(int64_t effective_at_ns) const {
  int64_t rate = base_rate_minor;
  bool found = false;
  int64_t best_at = 0;
  // Append order: on equal effective_at the later change (higher seq) wins,
  // hence >= rather than >.
  for (const RateChange& c : rate_changes) {
    if (c.effective_at_ns <= effective_at_ns && (!found || c.effective_at_ns >= best_at)) {
      found = true;
      best_at = c.effective_at_ns;
      rate = c.rate_minor;
    }
  }
  return rate;
}

const LineState* ContractState::FindLine(events::ServiceLine s) const {
  for (const LineState& l : lines) {
    if (l.service_line == s) return &l;
  }
  return nullptr;
}

LineState* ContractState::FindLine(events::ServiceLine s) {
  for (LineState& l : lines) {
    if (l.service_line == s) return &l;
  }
  return nullptr;
}

LineState* ContractState::AddLine(LineState line) {
  auto it = std::find_if(lines.begin(), lines.end(),
                         [&](const LineState& l) { return l.service_line > line.service_line; });
  return &*lines.insert(it, std::move(line));
}

namespace {

void EncodeLedgerStreamState(const ContractState& s, std::string* out) {
  assert(s.ledger_stream);
  out->push_back(static_cast<char>(kLedgerStreamFormat));
  AppendBE64(s.stream_version, out);
  AppendBE64(s.last_seq, out);
  AppendBE64(static_cast<uint64_t>(s.last_effective_at_ns), out);
  AppendBE32(static_cast<uint32_t>(s.closed_through_month), out);
  // Only with a policy or pending events: a state without either is byte for
  // byte the one written before approvals existed.
  if (s.approval_types == 0 && s.approval_threshold_minutes == 0 && s.pending_seqs.empty()) return;
  AppendBE32(s.approval_types, out);
  AppendBE64(static_cast<uint64_t>(s.approval_threshold_minutes), out);
  AppendBE32(static_cast<uint32_t>(s.pending_seqs.size()), out);
  for (const uint64_t seq : s.pending_seqs) AppendBE64(seq, out);
}

// The approval section of a ledger stream state (see EncodeLedgerStreamState).
Status DecodeApprovalSection(Reader* r, ContractState* out) {
  uint32_t npending = 0;
  if (!r->U32(&out->approval_types) || !r->I64(&out->approval_threshold_minutes) ||
      !r->U32(&npending)) {
    return Bad("truncated approval section");
  }
  if ((out->approval_types & ~events::kApprovableTypes) != 0) return Bad("bad approval types");
  if (out->approval_threshold_minutes < 0 ||
      out->approval_threshold_minutes > limits::kFundedMinutesMax) {
    return Bad("bad approval threshold");
  }
  if (npending > limits::kPendingApprovalsMax) return Bad("too many pending events");
  // The encoding is canonical: a section with nothing in it is never written.
  if (out->approval_types == 0 && out->approval_threshold_minutes == 0 && npending == 0) {
    return Bad("empty approval section");
  }
  out->pending_seqs.resize(npending);
  for (uint32_t i = 0; i < npending; ++i) {
    if (!r->U64(&out->pending_seqs[i])) return Bad("truncated pending events");
    if (out->pending_seqs[i] == 0 || (i > 0 && out->pending_seqs[i - 1] >= out->pending_seqs[i])) {
      return Bad("pending events not ascending");
    }
  }
  return Status::OK();
}

Status DecodeLedgerStreamState(std::string_view bytes, ContractState* out) {
  Reader r(bytes);
  uint8_t format = 0;
  *out = ContractState{};
  out->ledger_stream = true;
  if (!r.U8(&format) || format != kLedgerStreamFormat || !r.U64(&out->stream_version) ||
      !r.U64(&out->last_seq) || !r.I64(&out->last_effective_at_ns) ||
      !r.I32(&out->closed_through_month)) {
    return Bad("truncated ledger stream state");
  }
  if (out->stream_version == 0 || out->last_seq == 0) return Bad("zero version or seq");
  if (out->closed_through_month < 0) return Bad("negative closed month");
  if (!r.AtEnd()) CCL_RETURN_IF_ERROR(DecodeApprovalSection(&r, out));
  if (!r.AtEnd()) return Bad("trailing bytes");
  return Status::OK();
}

}  // namespace

void EncodeContractState(const ContractState& s, std::string* out) {
  out->clear();
  if (s.ledger_stream) return EncodeLedgerStreamState(s, out);
  out->push_back(static_cast<char>(kStateFormat));
  out->push_back(static_cast<char>(s.closed ? kContractClosed : kContractOpen));
  AppendBE64(s.stream_version, out);
  AppendBE64(s.last_seq, out);
  AppendBE32(static_cast<uint32_t>(s.term_start_day), out);
  AppendBE32(static_cast<uint32_t>(s.term_end_day), out);
  AppendBE64(static_cast<uint64_t>(s.opened_at_ns), out);
  AppendBE64(static_cast<uint64_t>(s.last_effective_at_ns), out);
  AppendBE64(static_cast<uint64_t>(s.last_consumption_at_ns), out);
  AppendStr(s.customer, out);
  AppendStr(s.currency, out);
  out->push_back(static_cast<char>(s.lines.size()));
  for (const LineState& l : s.lines) {
    out->push_back(static_cast<char>(l.service_line));
    out->push_back(static_cast<char>(l.overage));
    AppendBE64(static_cast<uint64_t>(l.funded_minutes), out);
    AppendBE64(static_cast<uint64_t>(l.consumed_minutes), out);
    AppendBE64(static_cast<uint64_t>(l.base_rate_minor), out);
    AppendBE32(static_cast<uint32_t>(l.rate_changes.size()), out);
    for (const RateChange& c : l.rate_changes) {
      AppendBE64(static_cast<uint64_t>(c.effective_at_ns), out);
      AppendBE64(static_cast<uint64_t>(c.rate_minor), out);
    }
  }
  // Only when there are holds: a state without any is byte for byte the one
  // written before legal holds existed.
  if (s.legal_holds.empty()) return;
  out->push_back(static_cast<char>(s.legal_holds.size()));
  for (const std::string& h : s.legal_holds) AppendStr(h, out);
}

namespace {

// The `nlines` line states after the header: service lines ascending, each
// with a known overage rule and its rate changes.
Status DecodeLineStates(Reader& r, uint8_t nlines, ContractState* out) {
  if (nlines > events::kServiceLineCount) return Bad("too many lines");
  out->lines.resize(nlines);
  for (uint8_t i = 0; i < nlines; ++i) {
    LineState& l = out->lines[i];
    uint8_t line = 0, overage = 0;
    uint32_t nchanges = 0;
    if (!r.U8(&line) || !r.U8(&overage) || !r.I64(&l.funded_minutes) ||
        !r.I64(&l.consumed_minutes) || !r.I64(&l.base_rate_minor) || !r.U32(&nchanges)) {
      return Bad("truncated line");
    }
    if (line < 1 || line > events::kServiceLineCount ||
        (i > 0 && line <= static_cast<uint8_t>(out->lines[i - 1].service_line))) {
      return Bad("bad or unordered service line");
    }
    if (overage != static_cast<uint8_t>(events::Overage::kReject) &&
        overage != static_cast<uint8_t>(events::Overage::kAllow)) {
      return Bad("bad overage");
    }
    if (nchanges > limits::kRateChangesPerLineMax) return Bad("too many rate changes");
    l.service_line = static_cast<events::ServiceLine>(line);
    l.overage = static_cast<events::Overage>(overage);
    l.rate_changes.resize(nchanges);
    for (RateChange& c : l.rate_changes) {
      if (!r.I64(&c.effective_at_ns) || !r.I64(&c.rate_minor)) return Bad("truncated rates");
    }
  }
  return Status::OK();
}

// The legal holds after the lines, when there are any: names sorted, each
// once, none empty.
Status DecodeLegalHolds(Reader& r, ContractState* out) {
  out->legal_holds.clear();
  if (r.AtEnd()) return Status::OK();
  uint8_t nholds = 0;
  if (!r.U8(&nholds) || nholds == 0 || nholds > limits::kLegalHoldsPerContractMax) {
    return Bad("bad legal hold count");
  }
  out->legal_holds.resize(nholds);
  for (uint8_t i = 0; i < nholds; ++i) {
    if (!r.Str(limits::kCaseBytesMax, &out->legal_holds[i]) || out->legal_holds[i].empty()) {
      return Bad("truncated legal hold");
    }
    if (i > 0 && out->legal_holds[i - 1] >= out->legal_holds[i]) {
      return Bad("legal holds not sorted");
    }
  }
  return Status::OK();
}
}  // namespace

Status DecodeContractState(std::string_view bytes, ContractState* out) {
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == kLedgerStreamFormat) {
    return DecodeLedgerStreamState(bytes, out);
  }
  Reader r(bytes);
  uint8_t format = 0, status = 0, nlines = 0;
  out->ledger_stream = false;
  out->closed_through_month = 0;
  out->approval_types = 0;
  out->approval_threshold_minutes = 0;
  out->pending_seqs.clear();
  if (!r.U8(&format) || format != kStateFormat) return Bad("unknown format");
  if (!r.U8(&status) || (status != kContractOpen && status != kContractClosed)) {
    return Bad("bad status");
  }
  out->closed = status == kContractClosed;
  if (!r.U64(&out->stream_version) || !r.U64(&out->last_seq) || !r.I32(&out->term_start_day) ||
      !r.I32(&out->term_end_day) || !r.I64(&out->opened_at_ns) ||
      !r.I64(&out->last_effective_at_ns) || !r.I64(&out->last_consumption_at_ns) ||
      !r.Str(limits::kCustomerBytesMax, &out->customer) || !r.Str(3, &out->currency) ||
      !r.U8(&nlines)) {
    return Bad("truncated header");
  }
  if (out->stream_version == 0 || out->last_seq == 0) return Bad("zero version or seq");
  // Every event is at or after the opening, so the latest ones are too.
  if (out->last_effective_at_ns < out->opened_at_ns ||
      (out->last_consumption_at_ns != ContractState::kNoConsumption &&
       (out->last_consumption_at_ns < out->opened_at_ns ||
        out->last_consumption_at_ns > out->last_effective_at_ns))) {
    return Bad("effective_at values out of order");
  }
  CCL_RETURN_IF_ERROR(DecodeLineStates(r, nlines, out));
  CCL_RETURN_IF_ERROR(DecodeLegalHolds(r, out));
  if (!r.AtEnd()) return Bad("trailing bytes");
  return Status::OK();
}

std::string EncodeEscalationState(const EscalationState& s) {
  std::string v(2, '\0');
  v[0] = static_cast<char>(s.open ? kEscalationOpen : kEscalationResolved);
  v[1] = static_cast<char>(s.severity);
  AppendBE64(static_cast<uint64_t>(s.opened_at_ns), &v);
  return v;
}

Status DecodeEscalationState(std::string_view bytes, EscalationState* out) {
  if (bytes.size() != kEscalationStateBytes) {
    return Status::Corruption("escalation state: not " + std::to_string(kEscalationStateBytes) +
                              " bytes");
  }
  const uint8_t status = static_cast<uint8_t>(bytes[0]);
  const uint8_t severity = static_cast<uint8_t>(bytes[1]);
  if ((status != kEscalationOpen && status != kEscalationResolved) || severity < 1 ||
      severity > 3) {
    return Status::Corruption("escalation state: bad status or severity");
  }
  out->open = status == kEscalationOpen;
  out->severity = static_cast<events::Severity>(severity);
  out->opened_at_ns = static_cast<int64_t>(GetBE64(bytes.data() + 2));
  return Status::OK();
}

}  // namespace ccl::ledger

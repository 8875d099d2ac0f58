// FlatBuffers encode/decode of one stored event (events/model/codec.h).
#include "events/model/codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "events/base/limits.h"
#include "events/model/validate.h"
#include "schemas/events_generated.h"

namespace ccl::events {

namespace {

// An event is a root table, a payload table and, for contract events, a
// vector of line tables: depth 3. Anything deeper or wider is not ours.
constexpr flatbuffers::uoffset_t kVerifierDepthMax = 8;
constexpr flatbuffers::uoffset_t kVerifierTablesMax = 2 + limits::kLinesPerEventMax + 8;

// The enum values of event.h are the schema's by construction; these pin it.
static_assert(static_cast<int>(fb::Payload::ContractOpened) ==
              static_cast<int>(EventType::kContractOpened));
static_assert(static_cast<int>(fb::Payload::ContractClosed) ==
              static_cast<int>(EventType::kContractClosed));
static_assert(static_cast<int>(fb::Payload::PeriodClosed) ==
              static_cast<int>(EventType::kPeriodClosed));
static_assert(static_cast<int>(fb::Payload::MAX) == kEventTypeCount);
static_assert(static_cast<int>(fb::ServiceLine::ServiceDelivery) ==
              static_cast<int>(ServiceLine::kServiceDelivery));
static_assert(static_cast<int>(fb::Overage::Allow) == static_cast<int>(Overage::kAllow));
static_assert(static_cast<int>(fb::Severity::C) == static_cast<int>(Severity::kC));

flatbuffers::FlatBufferBuilder& Builder() {
  // One per thread, reused: after the first events it has grown to fit and
  // encoding allocates nothing but the output string.
  thread_local flatbuffers::FlatBufferBuilder builder(1024);
  builder.Clear();
  return builder;
}

flatbuffers::Offset<flatbuffers::String> OptionalString(flatbuffers::FlatBufferBuilder& b,
                                                        const std::string& s) {
  // Empty strings are not stored: absent and empty decode alike, and the
  // bytes stay minimal and deterministic.
  return s.empty() ? 0 : b.CreateString(s);
}

flatbuffers::Optional<int64_t> ToFb(const std::optional<int64_t>& v) {
  return v.has_value() ? flatbuffers::Optional<int64_t>(*v) : flatbuffers::nullopt;
}

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::ContractLine>>> EncodeLines(
    flatbuffers::FlatBufferBuilder& b, const std::vector<ContractLine>& lines) {
  if (lines.empty()) return 0;
  flatbuffers::Offset<fb::ContractLine> offsets[limits::kLinesPerEventMax];
  const size_t n = std::min(lines.size(), limits::kLinesPerEventMax);
  for (size_t i = 0; i < n; ++i) {
    const ContractLine& l = lines[i];
    offsets[i] = fb::CreateContractLine(
        b, static_cast<fb::ServiceLine>(l.service_line), l.funded_minutes, l.funded_minutes_delta,
        ToFb(l.bill_rate_minor), static_cast<fb::Overage>(l.overage));
  }
  return b.CreateVector(offsets, n);
}

flatbuffers::Offset<void> EncodePeriodClosed(flatbuffers::FlatBufferBuilder& b, const Event& e) {
  if (!e.seal.has_value()) return fb::CreatePeriodClosed(b, e.period_month).Union();
  const PeriodSeal& seal = *e.seal;
  std::vector<fb::SealedTotal> totals;
  totals.reserve(seal.totals.size());
  for (const SealedTotal& t : seal.totals) {
    std::array<uint8_t, 3> code{};
    std::memcpy(code.data(), t.currency.data(), std::min<size_t>(t.currency.size(), 3));
    totals.emplace_back(flatbuffers::make_span(code), t.revenue_minor, t.cost_minor, t.margin_minor,
                        t.minutes);
  }
  const auto totals_offset = b.CreateVectorOfStructs(totals);
  const fb::Digest balances(flatbuffers::make_span(seal.balances_digest));
  const fb::Digest margins(flatbuffers::make_span(seal.margins_digest));
  return fb::CreatePeriodClosed(b, e.period_month, &balances, &margins, totals_offset).Union();
}

// A PeriodClosed's seal is present when its digests are; totals may be empty
// (a month with no contract).
Status DecodePeriodClosed(const fb::PeriodClosed& p, Event* out) {
  out->period_month = p.period_month();
  if (p.sealed_balances_digest() == nullptr && p.sealed_margins_digest() == nullptr &&
      p.sealed_totals() == nullptr) {
    return Status::OK();
  }
  if (p.sealed_balances_digest() == nullptr || p.sealed_margins_digest() == nullptr) {
    return Status::Corruption("stored event: field 'sealed_balances_digest': incomplete seal");
  }
  PeriodSeal& seal = out->seal.emplace();
  std::memcpy(seal.balances_digest.data(), p.sealed_balances_digest()->bytes()->Data(), 32);
  std::memcpy(seal.margins_digest.data(), p.sealed_margins_digest()->bytes()->Data(), 32);
  if (p.sealed_totals() == nullptr) return Status::OK();
  // Checked before copying so a corrupt count cannot make us allocate.
  if (p.sealed_totals()->size() > limits::kSealedCurrenciesMax) {
    return Status::Corruption(
        "stored event: field 'sealed_totals': " + std::to_string(p.sealed_totals()->size()) +
        " entries, at most " + std::to_string(limits::kSealedCurrenciesMax));
  }
  // The Verifier checks the vector's alignment to 4 bytes, not its 8-byte
  // structs': read each field with memcpy (found by fuzz_event_decode).
  // SealedTotal's layout: currency[3], 5 bytes of padding, 4 x int64.
  static_assert(sizeof(fb::SealedTotal) == 40);
  const uint8_t* raw = p.sealed_totals()->Data();
  for (flatbuffers::uoffset_t i = 0; i < p.sealed_totals()->size(); ++i, raw += 40) {
    SealedTotal& d = seal.totals.emplace_back();
    d.currency.assign(reinterpret_cast<const char*>(raw), 3);
    int64_t* const fields[] = {&d.revenue_minor, &d.cost_minor, &d.margin_minor, &d.minutes};
    for (size_t f = 0; f < 4; ++f) {
      int64_t v = 0;
      std::memcpy(&v, raw + 8 + 8 * f, sizeof(v));
      *fields[f] = flatbuffers::EndianScalar(v);
    }
  }
  return Status::OK();
}

flatbuffers::Offset<void> EncodeApprovalPolicy(flatbuffers::FlatBufferBuilder& b, const Event& e) {
  uint8_t types[kEventTypeCount];
  size_t n = 0;
  for (int t = 1; t <= kEventTypeCount; ++t) {
    if ((e.approval_types & EventTypeBit(static_cast<EventType>(t))) != 0) {
      types[n++] = static_cast<uint8_t>(t);
    }
  }
  const auto list = b.CreateVector(types, n);
  const flatbuffers::Optional<int64_t> threshold =
      e.threshold_minutes.has_value() ? flatbuffers::Optional<int64_t>(*e.threshold_minutes)
                                      : flatbuffers::nullopt;
  return fb::CreateApprovalPolicySet(b, list, threshold).Union();
}

flatbuffers::Offset<void> EncodeContractOpened(flatbuffers::FlatBufferBuilder& b, const Event& e) {
  const auto customer = OptionalString(b, e.customer);
  const auto currency = OptionalString(b, e.currency);
  const auto lines = EncodeLines(b, e.lines);
  return fb::CreateContractOpened(b, customer, e.term_start_day, e.term_end_day.value_or(0),
                                  currency, lines)
      .Union();
}

flatbuffers::Offset<void> EncodeContractAmended(flatbuffers::FlatBufferBuilder& b, const Event& e) {
  const auto reason = OptionalString(b, e.reason);
  const auto lines = EncodeLines(b, e.lines);
  const flatbuffers::Optional<int32_t> term_end =
      e.term_end_day.has_value() ? flatbuffers::Optional<int32_t>(*e.term_end_day)
                                 : flatbuffers::nullopt;
  return fb::CreateContractAmended(b, reason, term_end, lines).Union();
}

flatbuffers::Offset<void> EncodeHoursBooked(flatbuffers::FlatBufferBuilder& b, const Event& e) {
  const auto engineer = OptionalString(b, e.engineer);
  const auto reference = OptionalString(b, e.reference);
  return fb::CreateHoursBooked(b, engineer, static_cast<fb::ServiceLine>(e.service_line), e.minutes,
                               e.cost_rate_minor, reference, ToFb(e.applied_bill_rate_minor))
      .Union();
}

flatbuffers::Offset<void> EncodeDeliveryCompleted(flatbuffers::FlatBufferBuilder& b,
                                                  const Event& e) {
  const auto delivery = OptionalString(b, e.delivery);
  const auto offering = OptionalString(b, e.offering);
  return fb::CreateDeliveryCompleted(b, delivery, offering,
                                     static_cast<fb::ServiceLine>(e.service_line), e.minutes,
                                     e.cost_minor, ToFb(e.applied_bill_rate_minor))
      .Union();
}

flatbuffers::Offset<void> EncodeEscalationOpened(flatbuffers::FlatBufferBuilder& b,
                                                 const Event& e) {
  const auto escalation = OptionalString(b, e.escalation);
  const auto summary = OptionalString(b, e.summary);
  return fb::CreateEscalationOpened(b, escalation, static_cast<fb::Severity>(e.severity), summary)
      .Union();
}

flatbuffers::Offset<void> EncodePayload(flatbuffers::FlatBufferBuilder& b, const Event& e) {
  switch (e.type) {
    case EventType::kContractOpened:
      return EncodeContractOpened(b, e);
    case EventType::kContractAmended:
      return EncodeContractAmended(b, e);
    case EventType::kHoursBooked:
      return EncodeHoursBooked(b, e);
    case EventType::kDeliveryCompleted:
      return EncodeDeliveryCompleted(b, e);
    case EventType::kEscalationOpened:
      return EncodeEscalationOpened(b, e);
    case EventType::kEscalationSeverityChanged: {
      const auto escalation = OptionalString(b, e.escalation);
      return fb::CreateEscalationSeverityChanged(b, escalation,
                                                 static_cast<fb::Severity>(e.severity))
          .Union();
    }
    case EventType::kEscalationResolved: {
      const auto escalation = OptionalString(b, e.escalation);
      const auto resolution = OptionalString(b, e.resolution);
      return fb::CreateEscalationResolved(b, escalation, resolution).Union();
    }
    case EventType::kEntryReversed: {
      const auto reason = OptionalString(b, e.reason);
      const fb::Uuid target(flatbuffers::make_span(e.target_event_id));
      return fb::CreateEntryReversed(b, &target, reason).Union();
    }
    case EventType::kContractClosed:
      return fb::CreateContractClosed(b, OptionalString(b, e.reason)).Union();
    case EventType::kPeriodClosed:
      return EncodePeriodClosed(b, e);
    case EventType::kLegalHoldPlaced: {
      const auto legal_case = OptionalString(b, e.legal_case);
      const auto reason = OptionalString(b, e.reason);
      return fb::CreateLegalHoldPlaced(b, legal_case, reason).Union();
    }
    case EventType::kLegalHoldReleased: {
      const auto legal_case = OptionalString(b, e.legal_case);
      const auto reason = OptionalString(b, e.reason);
      return fb::CreateLegalHoldReleased(b, legal_case, reason).Union();
    }
    case EventType::kApprovalPolicySet:
      return EncodeApprovalPolicy(b, e);
    case EventType::kApproved: {
      const fb::Uuid target(flatbuffers::make_span(e.target_event_id));
      return fb::CreateApproved(b, &target).Union();
    }
    case EventType::kRejected: {
      const auto reason = OptionalString(b, e.reason);
      const fb::Uuid target(flatbuffers::make_span(e.target_event_id));
      return fb::CreateRejected(b, &target, reason).Union();
    }
    case EventType::kPeriodReopened: {
      const auto reason = OptionalString(b, e.reason);
      return fb::CreatePeriodReopened(b, e.period_month, reason).Union();
    }
  }
  return 0;
}

// Assigns a FlatBuffers string (absent = empty) reusing dst's capacity.
// clear() then append(): the same result as assign() with fewer steps (no
// check for a source inside dst, which a FlatBuffers buffer never is).
void AssignString(const flatbuffers::String* s, std::string* dst) {
  dst->clear();
  if (s != nullptr) dst->append(s->data(), s->size());
}

std::optional<int64_t> FromFb(flatbuffers::Optional<int64_t> v) {
  return v.has_value() ? std::optional<int64_t>(*v) : std::nullopt;
}

void CopyUuid(const fb::Uuid* id, Uuid* out) {
  if (id == nullptr) {
    *out = Uuid{};
  } else {
    std::memcpy(out->data(), id->bytes()->Data(), out->size());
  }
}

Status DecodeLines(const flatbuffers::Vector<flatbuffers::Offset<fb::ContractLine>>* lines,
                   Event* out) {
  if (lines == nullptr) return Status::OK();
  // Checked before copying so a corrupt count cannot make us allocate.
  if (lines->size() > limits::kLinesPerEventMax) {
    return Status::Corruption("stored event: field 'lines': " + std::to_string(lines->size()) +
                              " entries, at most " + std::to_string(limits::kLinesPerEventMax));
  }
  out->lines.resize(lines->size());
  for (flatbuffers::uoffset_t i = 0; i < lines->size(); ++i) {
    const fb::ContractLine* l = lines->Get(i);
    ContractLine& d = out->lines[i];
    d.service_line = static_cast<ServiceLine>(l->service_line());
    d.funded_minutes = l->funded_minutes();
    d.funded_minutes_delta = l->funded_minutes_delta();
    d.bill_rate_minor = FromFb(l->bill_rate_minor());
    d.overage = static_cast<Overage>(l->overage());
  }
  return Status::OK();
}

Status MissingPayload(const char* type) {
  return Status::Corruption(std::string("stored event: ") + type + " payload missing");
}

// The type numbers must ascend, each once, and name known types.
Status DecodeApprovalPolicy(const fb::ApprovalPolicySet* p, Event* out) {
  if (p == nullptr) return MissingPayload("ApprovalPolicySet");
  out->threshold_minutes = FromFb(p->threshold_minutes());
  out->approval_types = 0;
  if (p->types() == nullptr) return Status::OK();
  int last = 0;
  for (const uint8_t t : *p->types()) {
    if (t <= last || t > kEventTypeCount) {
      return Status::Corruption("stored event: field 'types': type " + std::to_string(t) +
                                " unknown or out of order");
    }
    last = t;
    out->approval_types |= EventTypeBit(static_cast<EventType>(t));
  }
  return Status::OK();
}

// Approved and Rejected: the target, and a Rejected's reason.
Status DecodeDecision(const fb::Uuid* target, const flatbuffers::String* reason, Event* out) {
  CopyUuid(target, &out->target_event_id);
  AssignString(reason, &out->reason);
  return Status::OK();
}

// Both legal hold tables have the same fields.
template <typename Table>
Status DecodeLegalHold(const Table* p, const char* type, Event* out) {
  if (p == nullptr) return MissingPayload(type);
  AssignString(p->case_id(), &out->legal_case);
  AssignString(p->reason(), &out->reason);
  return Status::OK();
}

Status DecodeContractOpened(const fb::ContractOpened* p, Event* out) {
  if (p == nullptr) return MissingPayload("ContractOpened");
  AssignString(p->customer(), &out->customer);
  out->term_start_day = p->term_start_day();
  out->term_end_day = p->term_end_day();
  AssignString(p->currency(), &out->currency);
  return DecodeLines(p->lines(), out);
}

Status DecodeContractAmended(const fb::ContractAmended* p, Event* out) {
  if (p == nullptr) return MissingPayload("ContractAmended");
  AssignString(p->reason(), &out->reason);
  const auto term_end = p->term_end_day();
  if (term_end.has_value()) out->term_end_day = *term_end;
  return DecodeLines(p->lines(), out);
}

Status DecodeHoursBooked(const fb::HoursBooked* p, Event* out) {
  if (p == nullptr) return MissingPayload("HoursBooked");
  AssignString(p->engineer(), &out->engineer);
  out->service_line = static_cast<ServiceLine>(p->service_line());
  out->minutes = p->minutes();
  out->cost_rate_minor = p->cost_rate_minor();
  AssignString(p->reference(), &out->reference);
  out->applied_bill_rate_minor = FromFb(p->applied_bill_rate_minor());
  return Status::OK();
}

Status DecodeDeliveryCompleted(const fb::DeliveryCompleted* p, Event* out) {
  if (p == nullptr) return MissingPayload("DeliveryCompleted");
  AssignString(p->delivery(), &out->delivery);
  AssignString(p->offering(), &out->offering);
  out->service_line = static_cast<ServiceLine>(p->service_line());
  out->minutes = p->minutes();
  out->cost_minor = p->cost_minor();
  out->applied_bill_rate_minor = FromFb(p->applied_bill_rate_minor());
  return Status::OK();
}

Status DecodeEscalationOpened(const fb::EscalationOpened* p, Event* out) {
  if (p == nullptr) return MissingPayload("EscalationOpened");
  AssignString(p->escalation(), &out->escalation);
  out->severity = static_cast<Severity>(p->severity());
  AssignString(p->summary(), &out->summary);
  return Status::OK();
}

Status DecodeSeverityChanged(const fb::EscalationSeverityChanged* p, Event* out) {
  if (p == nullptr) return MissingPayload("EscalationSeverityChanged");
  AssignString(p->escalation(), &out->escalation);
  out->severity = static_cast<Severity>(p->severity());
  return Status::OK();
}

Status DecodeEscalationResolved(const fb::EscalationResolved* p, Event* out) {
  if (p == nullptr) return MissingPayload("EscalationResolved");
  AssignString(p->escalation(), &out->escalation);
  AssignString(p->resolution(), &out->resolution);
  return Status::OK();
}

Status DecodeEntryReversed(const fb::EntryReversed* p, Event* out) {
  if (p == nullptr) return MissingPayload("EntryReversed");
  CopyUuid(p->target_event_id(), &out->target_event_id);
  AssignString(p->reason(), &out->reason);
  return Status::OK();
}

Status DecodeContractClosed(const fb::ContractClosed* p, Event* out) {
  if (p == nullptr) return MissingPayload("ContractClosed");
  AssignString(p->reason(), &out->reason);
  return Status::OK();
}

Status DecodePeriodClosedPayload(const fb::PeriodClosed* p, Event* out) {
  if (p == nullptr) return MissingPayload("PeriodClosed");
  return DecodePeriodClosed(*p, out);
}

Status DecodeApproved(const fb::Approved* p, Event* out) {
  if (p == nullptr) return MissingPayload("Approved");
  return DecodeDecision(p->target_event_id(), nullptr, out);
}

Status DecodeRejected(const fb::Rejected* p, Event* out) {
  if (p == nullptr) return MissingPayload("Rejected");
  return DecodeDecision(p->target_event_id(), p->reason(), out);
}

Status DecodePeriodReopened(const fb::PeriodReopened* p, Event* out) {
  if (p == nullptr) return MissingPayload("PeriodReopened");
  out->period_month = p->period_month();
  AssignString(p->reason(), &out->reason);
  return Status::OK();
}

// A payload the type says is there but is not: MissingPayload (Corruption).
Status DecodePayload(const fb::Event& root, Event* out) {
  switch (root.payload_type()) {
    case fb::Payload::ContractOpened:
      return DecodeContractOpened(root.payload_as_ContractOpened(), out);
    case fb::Payload::ContractAmended:
      return DecodeContractAmended(root.payload_as_ContractAmended(), out);
    case fb::Payload::HoursBooked:
      return DecodeHoursBooked(root.payload_as_HoursBooked(), out);
    case fb::Payload::DeliveryCompleted:
      return DecodeDeliveryCompleted(root.payload_as_DeliveryCompleted(), out);
    case fb::Payload::EscalationOpened:
      return DecodeEscalationOpened(root.payload_as_EscalationOpened(), out);
    case fb::Payload::EscalationSeverityChanged:
      return DecodeSeverityChanged(root.payload_as_EscalationSeverityChanged(), out);
    case fb::Payload::EscalationResolved:
      return DecodeEscalationResolved(root.payload_as_EscalationResolved(), out);
    case fb::Payload::EntryReversed:
      return DecodeEntryReversed(root.payload_as_EntryReversed(), out);
    case fb::Payload::ContractClosed:
      return DecodeContractClosed(root.payload_as_ContractClosed(), out);
    case fb::Payload::PeriodClosed:
      return DecodePeriodClosedPayload(root.payload_as_PeriodClosed(), out);
    case fb::Payload::LegalHoldPlaced:
      return DecodeLegalHold(root.payload_as_LegalHoldPlaced(), "LegalHoldPlaced", out);
    case fb::Payload::LegalHoldReleased:
      return DecodeLegalHold(root.payload_as_LegalHoldReleased(), "LegalHoldReleased", out);
    case fb::Payload::ApprovalPolicySet:
      return DecodeApprovalPolicy(root.payload_as_ApprovalPolicySet(), out);
    case fb::Payload::Approved:
      return DecodeApproved(root.payload_as_Approved(), out);
    case fb::Payload::Rejected:
      return DecodeRejected(root.payload_as_Rejected(), out);
    case fb::Payload::PeriodReopened:
      return DecodePeriodReopened(root.payload_as_PeriodReopened(), out);
    case fb::Payload::NONE:
      return Status::Corruption("stored event: no payload");
  }
  // A union member this build does not know: bytes from a newer writer (or
  // corrupt ones). Misreading them would be worse than refusing.
  return Status::Corruption("stored event: unknown payload type " +
                            std::to_string(static_cast<int>(root.payload_type())));
}

const uint8_t* AlignedCopy(std::string_view bytes) {
  thread_local std::vector<uint64_t> aligned;
  aligned.resize((bytes.size() + 7) / 8);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  return reinterpret_cast<const uint8_t*>(aligned.data());
}

}  // namespace

void EncodeEvent(const Event& e, std::string* out) {
  flatbuffers::FlatBufferBuilder& b = Builder();
  // Children first (FlatBuffers builds bottom-up), in a fixed order so the
  // same Event always gives the same bytes.
  const auto contract = OptionalString(b, e.contract);
  const auto actor = OptionalString(b, e.actor);
  const auto source = OptionalString(b, e.source);
  const auto note = OptionalString(b, e.note);
  const auto payload = EncodePayload(b, e);
  const fb::Uuid event_id(flatbuffers::make_span(e.event_id));
  const auto root = fb::CreateEvent(b, e.seq, &event_id, contract, e.stream_version,
                                    e.effective_at_ns, e.recorded_at_ns, actor, source, note,
                                    static_cast<fb::Payload>(e.type), payload, e.awaits_approval);
  fb::FinishEventBuffer(b, root);
  out->assign(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Status DecodeEvent(std::string_view bytes, Event* out) {
  if (bytes.size() > limits::kEventBytesMax) {
    return Status::Corruption("stored event: " + std::to_string(bytes.size()) + " bytes, at most " +
                              std::to_string(limits::kEventBytesMax));
  }
  // Root offset plus identifier.
  if (bytes.size() < 2 * sizeof(flatbuffers::uoffset_t)) {
    return Status::Corruption("stored event: " + std::to_string(bytes.size()) +
                              " bytes, too short");
  }
  const uint8_t* data = reinterpret_cast<const uint8_t*>(bytes.data());
  // FlatBuffers reads scalars in place; keep those reads aligned when the
  // caller's bytes (e.g. a RocksDB block) are not. (The thread_local is
  // touched only then: its access costs a call per event.)
  if (reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
    data = AlignedCopy(bytes);
  }
  // The identifier follows the root offset; its 4 characters hold no NUL, so
  // a memcmp is the generated strncmp check. Checked once, here: the
  // Verifier below then checks the whole structure without repeating it.
  static_assert(flatbuffers::kFileIdentifierLength == 4);
  if (std::memcmp(data + sizeof(flatbuffers::uoffset_t), fb::EventIdentifier(), 4) != 0) {
    return Status::Corruption("stored event: file identifier is not CCL1");
  }
  flatbuffers::Verifier verifier(data, bytes.size(), kVerifierDepthMax, kVerifierTablesMax);
  if (!verifier.VerifyBuffer<fb::Event>(nullptr)) {
    return Status::Corruption("stored event: FlatBuffers verification failed");
  }
  const fb::Event* root = fb::GetEvent(data);
  ClearEvent(out);
  out->seq = root->seq();
  CopyUuid(root->event_id(), &out->event_id);
  out->type = static_cast<EventType>(root->payload_type());
  AssignString(root->contract(), &out->contract);
  out->stream_version = root->stream_version();
  out->effective_at_ns = root->effective_at_ns();
  out->recorded_at_ns = root->recorded_at_ns();
  AssignString(root->actor(), &out->actor);
  AssignString(root->source(), &out->source);
  AssignString(root->note(), &out->note);
  out->awaits_approval = root->awaits_approval();
  CCL_RETURN_IF_ERROR(DecodePayload(*root, out));
  // No ledger assigns a seq or stream version above INT64_MAX (the JSON form
  // reads them as signed 64-bit), so such stored bytes were not written by
  // one: refusing them keeps every decodable event printable and re-importable.
  constexpr uint64_t kAssignedMax = static_cast<uint64_t>(INT64_MAX);
  if (out->seq > kAssignedMax) {
    return Status::Corruption("stored event: seq " + std::to_string(out->seq) +
                              " is above 9223372036854775807");
  }
  if (out->stream_version > kAssignedMax) {
    return Status::Corruption("stored event: stream_version " +
                              std::to_string(out->stream_version) +
                              " is above 9223372036854775807");
  }
  // Pair the write-side check: what was valid when appended must still be.
  Status s = ValidateEvent(*out);
  // Same message and rule: a stored event that fails a field check is corruption.
  if (!s.ok()) return s.WithCode(Status::Code::kCorruption).WithContext("stored event");
  return Status::OK();
}

}  // namespace ccl::events

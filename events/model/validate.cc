// Field validation (events/model/validate.h). Runs on every parsed and every decoded
// event, so the success path allocates nothing.
#include "events/model/validate.h"

#include <array>
#include <bit>
#include <cstring>
#include <string>

#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "events/model/fields.h"
#include "events/model/money.h"
#include "events/model/rules.h"

namespace ccl::events {

namespace {

Status FieldError(std::string_view field, std::string_view rule) {
  return Status::InvalidField(field, rule);
}

std::string RangeRule(int64_t lo, int64_t hi, int64_t got) {
  return "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
         std::to_string(got);
}

Status CheckRange(std::string_view field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) return FieldError(field, RangeRule(lo, hi, value));
  return Status::OK();
}

// Content of a string that is present (non-empty): length and encoding.
Status CheckStringContent(std::string_view field, std::string_view value, size_t bytes_max) {
  if (value.size() > bytes_max) {
    return FieldError(field, "must be at most " + std::to_string(bytes_max) + " bytes, got " +
                                 std::to_string(value.size()));
  }
  if (!IsValidUtf8(value)) return FieldError(field, "must be valid UTF-8");
  return Status::OK();
}

// Both run for several strings of every event read, so the field's name is
// looked up only when there is an error to report.
Status CheckRequiredString(FieldId f, std::string_view value, size_t bytes_max) {
  if (value.empty()) return FieldError(FieldName(f), "required");
  if (value.size() <= bytes_max && IsValidUtf8(value)) return Status::OK();
  return CheckStringContent(FieldName(f), value, bytes_max);
}

Status CheckOptionalString(FieldId f, std::string_view value, size_t bytes_max) {
  if (value.empty()) return Status::OK();
  if (value.size() <= bytes_max && IsValidUtf8(value)) return Status::OK();
  return CheckStringContent(FieldName(f), value, bytes_max);
}

Status CheckServiceLine(std::string_view field, ServiceLine s) {
  if (s == ServiceLine::kUnknown) return FieldError(field, "required");
  if (ServiceLineName(s).empty()) {
    return FieldError(field,
                      "must be one of proactive, reactive, designated_engineering, "
                      "service_delivery");
  }
  return Status::OK();
}

Status CheckDay(FieldId f, int32_t day) {
  if (day < MinDay() || day > MaxDay()) {
    return FieldError(FieldName(f), "must be " + FormatDate(MinDay()) + ".." +
                                        FormatDate(MaxDay()) + ", got " + FormatDate(day));
  }
  return Status::OK();
}

std::string LineField(size_t i, LineFieldId f) {
  std::string s = "lines[";
  s += std::to_string(i);
  s += "].";
  s += LineFieldName(f);
  return s;
}

// Line i of e (of a ContractOpened or ContractAmended); `seen` collects the
// service lines of the lines before it.
Status CheckLine(const Event& e, size_t i, uint32_t* seen) {
  const bool opened = e.type == EventType::kContractOpened;
  const ContractLine& l = e.lines[i];
  CCL_RETURN_IF_ERROR(CheckServiceLine(LineField(i, LineFieldId::kServiceLine), l.service_line));
  const uint32_t bit = 1u << static_cast<int>(l.service_line);
  if ((*seen & bit) != 0) {
    return FieldError(
        LineField(i, LineFieldId::kServiceLine),
        "duplicate service line '" + std::string(ServiceLineName(l.service_line)) + "'");
  }
  *seen |= bit;
  if (l.bill_rate_minor.has_value()) {
    CCL_RETURN_IF_ERROR(CheckRange(LineField(i, LineFieldId::kBillRateMinor), *l.bill_rate_minor, 0,
                                   limits::kRateMinorMax));
  }
  if (l.overage != Overage::kUnset && OverageName(l.overage).empty()) {
    return FieldError(LineField(i, LineFieldId::kOverage), "must be one of reject, allow");
  }
  if (opened) {
    if (l.funded_minutes_delta != 0) {
      return FieldError(LineField(i, LineFieldId::kFundedMinutesDelta),
                        "not allowed in ContractOpened");
    }
    CCL_RETURN_IF_ERROR(CheckRange(LineField(i, LineFieldId::kFundedMinutes), l.funded_minutes, 0,
                                   limits::kFundedMinutesMax));
    if (!l.bill_rate_minor.has_value()) {
      return FieldError(LineField(i, LineFieldId::kBillRateMinor), "required");
    }
    if (l.overage == Overage::kUnset) {
      return FieldError(LineField(i, LineFieldId::kOverage), "required");
    }
  } else {
    if (l.funded_minutes != 0) {
      return FieldError(LineField(i, LineFieldId::kFundedMinutes),
                        "not allowed in " + std::string(EventTypeName(e.type)));
    }
    CCL_RETURN_IF_ERROR(CheckRange(LineField(i, LineFieldId::kFundedMinutesDelta),
                                   l.funded_minutes_delta, -limits::kFundedMinutesMax,
                                   limits::kFundedMinutesMax));
    if (l.funded_minutes_delta == 0 && !l.bill_rate_minor.has_value() &&
        l.overage == Overage::kUnset) {
      return FieldError("lines[" + std::to_string(i) + "]",
                        "must change something: a nonzero funded_minutes_delta, a "
                        "bill_rate_minor or an overage");
    }
  }
  return Status::OK();
}

Status CheckLines(const Event& e) {
  const bool opened = e.type == EventType::kContractOpened;
  const size_t lines_min = opened ? 1 : 0;
  if (e.lines.size() < lines_min || e.lines.size() > limits::kLinesPerEventMax) {
    return FieldError("lines", "must have " + std::to_string(lines_min) + ".." +
                                   std::to_string(limits::kLinesPerEventMax) + " entries, got " +
                                   std::to_string(e.lines.size()));
  }
  uint32_t seen = 0;
  for (size_t i = 0; i < e.lines.size(); ++i) {
    // A line's errors are the line table's (F-OPENED-LINE, F-AMENDED-LINE).
    CCL_RETURN_IF_ERROR(CheckLine(e, i, &seen).WithRule(LineTableRule(e.type)));
  }
  return Status::OK();
}

Status CheckEnvelope(const Event& e) {
  if (e.event_id == Uuid{}) return FieldError("event_id", "required");
  if (IsLedgerWide(e.type)) {
    if (!e.contract.empty()) {
      return FieldError("contract", "not allowed in " + std::string(EventTypeName(e.type)) +
                                        " (a ledger-wide event)");
    }
  } else if (e.contract.empty()) {
    if (!IsDecision(e.type)) return FieldError("contract", "required");
    // A decision on a ledger-wide event is itself ledger-wide.
  } else if (!IsValidContractId(e.contract)) {
    return FieldError("contract",
                      "must match [A-Za-z0-9._-]{1,64}, got " + QuoteForMessage(e.contract));
  }
  if (e.effective_at_ns < MinInstantNs() || e.effective_at_ns > MaxInstantNs()) {
    return FieldError("effective_at", "must be " + FormatInstant(MinInstantNs()) + ".." +
                                          FormatInstant(MaxInstantNs()) + ", got " +
                                          FormatInstant(e.effective_at_ns));
  }
  CCL_RETURN_IF_ERROR(CheckRequiredString(FieldId::kActor, e.actor, limits::kActorBytesMax));
  CCL_RETURN_IF_ERROR(CheckRequiredString(FieldId::kSource, e.source, limits::kSourceBytesMax));
  return CheckOptionalString(FieldId::kNote, e.note, limits::kNoteBytesMax);
}

// The sealed figures of a PeriodClosed (assigned, so only read back from
// storage): currencies known, ascending and distinct, margin = revenue - cost.
Status CheckSeal(const PeriodSeal& seal) {
  if (seal.totals.size() > limits::kSealedCurrenciesMax) {
    return FieldError("sealed_totals", "must have at most " +
                                           std::to_string(limits::kSealedCurrenciesMax) +
                                           " entries, got " + std::to_string(seal.totals.size()));
  }
  for (size_t i = 0; i < seal.totals.size(); ++i) {
    const SealedTotal& t = seal.totals[i];
    const std::string field = "sealed_totals[" + std::to_string(i) + "]";
    if (!LookupCurrency(t.currency, nullptr)) {
      return FieldError(field + ".currency",
                        "must be an active ISO 4217 code, got " + QuoteForMessage(t.currency));
    }
    if (i > 0 && seal.totals[i - 1].currency >= t.currency) {
      return FieldError(field + ".currency", "must be after " +
                                                 QuoteForMessage(seal.totals[i - 1].currency) +
                                                 " (ascending, each currency once)");
    }
    // In 128 bits: a difference that wraps in 64 is not a margin.
    const __int128 margin = static_cast<__int128>(t.revenue_minor) - t.cost_minor;
    if (margin != t.margin_minor) {
      return FieldError(field + ".margin_minor", "must be revenue_minor - cost_minor");
    }
  }
  return Status::OK();
}

Status CheckPeriod(int32_t period_month) {
  if (period_month == 0) return FieldError("period", "required");
  if (period_month < MinMonthIndex() || period_month > MaxMonthIndex()) {
    return FieldError("period", "must be " + FormatMonthIndex(MinMonthIndex()) + ".." +
                                    FormatMonthIndex(MaxMonthIndex()) + ", got month number " +
                                    std::to_string(period_month));
  }
  return Status::OK();
}

// `types` lists approvable types only (a reader maps "none" to the empty
// set); threshold_minutes is a positive number of minutes.
Status CheckApprovalPolicy(const Event& e) {
  if ((e.approval_types & ~kApprovableTypes) != 0) {
    return FieldError("types", "may list only " + FormatApprovalTypes(kApprovableTypes));
  }
  if (e.threshold_minutes.has_value()) {
    CCL_RETURN_IF_ERROR(
        CheckRange("threshold_minutes", *e.threshold_minutes, 1, limits::kFundedMinutesMax));
  }
  return Status::OK();
}

// A ContractOpened's own fields: customer, the term, the currency, the lines.
Status CheckContractOpened(const Event& e) {
  CCL_RETURN_IF_ERROR(
      CheckRequiredString(FieldId::kCustomer, e.customer, limits::kCustomerBytesMax));
  CCL_RETURN_IF_ERROR(CheckDay(FieldId::kTermStart, e.term_start_day));
  if (!e.term_end_day.has_value()) return FieldError("term_end", "required");
  CCL_RETURN_IF_ERROR(CheckDay(FieldId::kTermEnd, *e.term_end_day));
  if (*e.term_end_day < e.term_start_day) {
    return FieldError("term_end", "must not be before term_start " + FormatDate(e.term_start_day) +
                                      ", got " + FormatDate(*e.term_end_day));
  }
  if (e.currency.empty()) return FieldError("currency", "required");
  if (!LookupCurrency(e.currency, nullptr)) {
    return FieldError("currency",
                      "must be an active ISO 4217 code, got " + QuoteForMessage(e.currency));
  }
  return CheckLines(e);
}

// HoursBooked and DeliveryCompleted: who or what, the service line, the
// minutes within the type's range, and the cost.
Status CheckConsumption(const Event& e) {
  if (e.type == EventType::kHoursBooked) {
    CCL_RETURN_IF_ERROR(
        CheckRequiredString(FieldId::kEngineer, e.engineer, limits::kEngineerBytesMax));
    CCL_RETURN_IF_ERROR(CheckServiceLine("service_line", e.service_line));
    CCL_RETURN_IF_ERROR(
        CheckRange("minutes", e.minutes, limits::kBookingMinutesMin, limits::kBookingMinutesMax));
    CCL_RETURN_IF_ERROR(CheckRange("cost_rate_minor", e.cost_rate_minor, 0, limits::kRateMinorMax));
    return CheckOptionalString(FieldId::kReference, e.reference, limits::kReferenceBytesMax);
  }
  CCL_RETURN_IF_ERROR(
      CheckRequiredString(FieldId::kDelivery, e.delivery, limits::kDeliveryBytesMax));
  CCL_RETURN_IF_ERROR(
      CheckRequiredString(FieldId::kOffering, e.offering, limits::kOfferingBytesMax));
  CCL_RETURN_IF_ERROR(CheckServiceLine("service_line", e.service_line));
  CCL_RETURN_IF_ERROR(
      CheckRange("minutes", e.minutes, limits::kDeliveryMinutesMin, limits::kDeliveryMinutesMax));
  return CheckRange("cost_minor", e.cost_minor, 0, limits::kCostMinorMax);
}

// EntryReversed, Approved and Rejected name another event, never themselves.
Status CheckTarget(const Event& e) {
  if (e.target_event_id == Uuid{}) return FieldError("target_event_id", "required");
  if (e.target_event_id == e.event_id) {
    return FieldError("target_event_id", "must not be the event's own event_id");
  }
  return Status::OK();
}

Status CheckPayload(const Event& e) {
  switch (e.type) {
    case EventType::kContractOpened:
      return CheckContractOpened(e);
    case EventType::kContractAmended:
      CCL_RETURN_IF_ERROR(CheckRequiredString(FieldId::kReason, e.reason, limits::kReasonBytesMax));
      if (e.term_end_day.has_value()) {
        CCL_RETURN_IF_ERROR(CheckDay(FieldId::kTermEnd, *e.term_end_day));
      }
      if (e.lines.empty() && !e.term_end_day.has_value()) {
        return FieldError("lines", "required (an amendment changes lines, term_end or both)");
      }
      return CheckLines(e);
    case EventType::kHoursBooked:
    case EventType::kDeliveryCompleted:
      return CheckConsumption(e);
    case EventType::kEscalationOpened:
    case EventType::kEscalationSeverityChanged:
      CCL_RETURN_IF_ERROR(
          CheckRequiredString(FieldId::kEscalation, e.escalation, limits::kEscalationBytesMax));
      if (e.severity == Severity::kUnset) return FieldError("severity", "required");
      if (SeverityName(e.severity).empty()) return FieldError("severity", "must be one of A, B, C");
      if (e.type == EventType::kEscalationSeverityChanged) return Status::OK();
      return CheckRequiredString(FieldId::kSummary, e.summary, limits::kSummaryBytesMax);
    case EventType::kEscalationResolved:
      CCL_RETURN_IF_ERROR(
          CheckRequiredString(FieldId::kEscalation, e.escalation, limits::kEscalationBytesMax));
      return CheckRequiredString(FieldId::kResolution, e.resolution, limits::kResolutionBytesMax);
    case EventType::kEntryReversed:
      CCL_RETURN_IF_ERROR(CheckTarget(e));
      return CheckRequiredString(FieldId::kReason, e.reason, limits::kReasonBytesMax);
    case EventType::kContractClosed:
      return CheckRequiredString(FieldId::kReason, e.reason, limits::kReasonBytesMax);
    case EventType::kPeriodClosed:
      CCL_RETURN_IF_ERROR(CheckPeriod(e.period_month));
      return e.seal.has_value() ? CheckSeal(*e.seal) : Status::OK();
    case EventType::kLegalHoldPlaced:
    case EventType::kLegalHoldReleased:
      CCL_RETURN_IF_ERROR(CheckRequiredString(FieldId::kCase, e.legal_case, limits::kCaseBytesMax));
      return CheckRequiredString(FieldId::kReason, e.reason, limits::kReasonBytesMax);
    case EventType::kApprovalPolicySet:
      return CheckApprovalPolicy(e);
    case EventType::kApproved:
    case EventType::kRejected:
      CCL_RETURN_IF_ERROR(CheckTarget(e));
      if (e.type == EventType::kApproved) return Status::OK();
      return CheckRequiredString(FieldId::kReason, e.reason, limits::kReasonBytesMax);
    case EventType::kPeriodReopened:
      CCL_RETURN_IF_ERROR(CheckPeriod(e.period_month));
      return CheckRequiredString(FieldId::kReason, e.reason, limits::kReasonBytesMax);
  }
  return FieldError("type", "unknown event type " + std::to_string(static_cast<int>(e.type)));
}

}  // namespace

std::string_view FieldTableRule(EventType t) {
  switch (t) {
    case EventType::kContractOpened:
      return rules::kFieldContractOpened;
    case EventType::kContractAmended:
      return rules::kFieldContractAmended;
    case EventType::kHoursBooked:
      return rules::kFieldHoursBooked;
    case EventType::kDeliveryCompleted:
      return rules::kFieldDeliveryCompleted;
    case EventType::kEscalationOpened:
      return rules::kFieldEscalationOpened;
    case EventType::kEscalationSeverityChanged:
      return rules::kFieldEscalationSeverityChanged;
    case EventType::kEscalationResolved:
      return rules::kFieldEscalationResolved;
    case EventType::kEntryReversed:
      return rules::kFieldEntryReversed;
    case EventType::kContractClosed:
      return rules::kFieldContractClosed;
    case EventType::kPeriodClosed:
      return rules::kFieldPeriodClosed;
    case EventType::kLegalHoldPlaced:
    case EventType::kLegalHoldReleased:
      return rules::kFieldLegalHold;
    case EventType::kApprovalPolicySet:
      return rules::kFieldApprovalPolicy;
    case EventType::kApproved:
    case EventType::kRejected:
      return rules::kFieldDecision;
    case EventType::kPeriodReopened:
      return rules::kFieldPeriodReopened;
  }
  return rules::kFieldType;
}

std::string_view LineTableRule(EventType t) {
  return t == EventType::kContractOpened ? rules::kFieldOpenedLine : rules::kFieldAmendedLine;
}

Status ValidateEvent(const Event& e) {
  if (EventTypeName(e.type).empty()) {
    return FieldError("type", "unknown event type " + std::to_string(static_cast<int>(e.type)))
        .WithRule(rules::kFieldType);
  }
  CCL_RETURN_IF_ERROR(CheckEnvelope(e).WithRule(rules::kFieldEnvelope));
  // Fields of another type must be at their defaults: a flat struct would
  // otherwise carry data no reader of this type looks at.
  const FieldMask stray = PayloadFieldsSet(e) & ~AllowedFields(e.type);
  if (stray != 0) {
    const auto f = static_cast<FieldId>(std::countr_zero(stray));
    return FieldError(FieldName(f), "not allowed in " + std::string(EventTypeName(e.type)))
        .WithRule(rules::kFieldOtherType);
  }
  if (e.applied_bill_rate_minor.has_value()) {
    if (!e.IsConsumption()) {
      return FieldError("applied_bill_rate_minor",
                        "not allowed in " + std::string(EventTypeName(e.type)))
          .WithRule(rules::kFieldOtherType);
    }
    CCL_RETURN_IF_ERROR(
        CheckRange("applied_bill_rate_minor", *e.applied_bill_rate_minor, 0, limits::kRateMinorMax)
            .WithRule(FieldTableRule(e.type)));
  }
  if (e.seal.has_value() && e.type != EventType::kPeriodClosed) {
    return FieldError("sealed_totals", "not allowed in " + std::string(EventTypeName(e.type)))
        .WithRule(rules::kFieldOtherType);
  }
  if (e.awaits_approval && (EventTypeBit(e.type) & kApprovableTypes) == 0) {
    return FieldError("awaits_approval", "not allowed in " + std::string(EventTypeName(e.type)))
        .WithRule(rules::kFieldOtherType);
  }
  return CheckPayload(e).WithRule(FieldTableRule(e.type));
}

namespace {

// True when every byte is below 0x80: whole words, the last one overlapping
// the previous when the length is not a multiple of 8 (strings here are short
// and ASCII, and a byte loop over their tails cost more than the words).
bool AllAscii(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t acc = 0;
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      acc |= w;
    }
    uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    acc |= w;
  } else {
    for (size_t i = 0; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
  }
  return (acc & 0x8080808080808080ull) == 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return AllAscii(s) || Utf8ErrorOffset(s) == s.size(); }

size_t Utf8ErrorOffset(std::string_view s) {
  const auto* begin = reinterpret_cast<const unsigned char*>(s.data());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // ASCII fast path, eight bytes at a time: most text here is ASCII.
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    uint32_t min;
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return static_cast<size_t>(p - begin);  // continuation byte or 0xf8..0xff as a lead
    }
    if (end - p <= n) return static_cast<size_t>(p - begin);
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return static_cast<size_t>(p - begin);
      cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return static_cast<size_t>(p - begin);
    }
    p += n + 1;
  }
  return s.size();
}

namespace {

// [A-Za-z0-9._-] as a table: the check runs on every event read.
constexpr std::array<bool, 256> kContractIdChars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  }
  return t;
}();

}  // namespace

bool IsValidContractId(std::string_view s) {
  if (s.empty() || s.size() > limits::kContractBytesMax) return false;
  bool ok = true;
  for (const char c : s) ok &= kContractIdChars[static_cast<unsigned char>(c)];
  return ok;
}

}  // namespace ccl::events

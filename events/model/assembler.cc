// EventAssembler (events/model/assembler.h).
#include "events/model/assembler.h"

#include <bit>
#include <string>

#include "events/base/hex.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "events/model/money.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "events/model/validate.h"

namespace ccl::events {

namespace {

Status FieldError(std::string_view field, std::string_view rule) {
  return Status::InvalidField(field, rule);
}

Status FieldError(FieldId f, std::string_view rule) { return FieldError(FieldName(f), rule); }

constexpr uint8_t LineBit(LineFieldId f) { return static_cast<uint8_t>(1u << static_cast<int>(f)); }

Status ParseServiceLine(std::string_view field, std::string_view text, ServiceLine* out) {
  if (!ServiceLineFromName(text, out)) {
    return FieldError(field,
                      "must be one of proactive, reactive, designated_engineering, "
                      "service_delivery, got " +
                          QuoteForMessage(text));
  }
  return Status::OK();
}

Status ParseUuidField(FieldId f, std::string_view text, Uuid* out) {
  if (!ParseUuid(text, out)) {
    return FieldError(f, "must be a UUID (8-4-4-4-12 hex digits), got " + QuoteForMessage(text));
  }
  if (*out == Uuid{}) return FieldError(f, "must not be the nil UUID");
  return Status::OK();
}

// The assigned fields are checked for form, then ignored: the ledger sets
// them on append (schemas/EVENTS.md, the envelope).

// recorded_at in the form the ledger writes it: RFC 3339 UTC with 9
// fraction digits. The form only, not the range: a stored event's
// recorded_at is printed whatever its year, and its JSON imports back.
Status CheckRecordedAtForm(std::string_view text) {
  constexpr std::string_view kForm = "dddd-dd-ddTdd:dd:dd.dddddddddZ";
  bool ok = text.size() == kForm.size();
  for (size_t i = 0; ok && i < kForm.size(); ++i) {
    ok = kForm[i] == 'd' ? text[i] >= '0' && text[i] <= '9' : text[i] == kForm[i];
  }
  if (!ok) {
    return FieldError(FieldId::kRecordedAt,
                      "must be an RFC 3339 UTC instant with 9 fraction digits "
                      "(YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ), got " +
                          QuoteForMessage(text));
  }
  return Status::OK();
}

// hash and the sealed digests: a SHA-256 digest in 64 lower-case hex digits.
Status CheckDigestForm(FieldId f, std::string_view text) {
  uint8_t digest[32];
  if (!HexDecode(text, digest)) {
    return FieldError(f, "must be 64 lower-case hex digits, got " + QuoteForMessage(text));
  }
  return Status::OK();
}

// seq and stream_version are stored as at most INT64_MAX (which
// ParseIntegerText already bounds) and are never negative; 0 is a form a
// stored event can print (its JSON imports back), so it is accepted.
Status CheckCounterRange(FieldId f, int64_t v) {
  if (v < 0) {
    return FieldError(f, "must be 0.." + std::to_string(INT64_MAX) + ", got " + std::to_string(v))
        .WithRule(rules::kFieldEnvelope);
  }
  return Status::OK();
}

}  // namespace

Status ParseIntegerText(std::string_view text, int64_t* value) {
  const auto not_integer = [&] {
    return Status::InvalidArgument("must be an integer, got " + QuoteForMessage(text));
  };
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) i = 1;
  if (i == text.size()) return not_integer();
  if (text[i] == '0' && text.size() > i + 1) return not_integer();  // leading zero
  // Accumulate the magnitude unsigned so INT64_MIN parses.
  uint64_t mag = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  bool overflow = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return not_integer();
    const auto d = static_cast<uint64_t>(c - '0');
    if (mag > (limit - d) / 10) overflow = true;  // keep scanning: "1e999" is not an integer
    if (!overflow) mag = mag * 10 + d;
  }
  if (overflow) {
    return Status::InvalidArgument(
        "must be an integer in -9223372036854775808..9223372036854775807, got " +
        QuoteForMessage(text));
  }
  *value = negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
  return Status::OK();
}

void EventAssembler::Begin(Event* e) {
  e_ = e;
  ClearEvent(e);
  present_ = 0;
  minutes_ = 0;
  applied_bill_rate_minor_.reset();
  for (uint8_t& m : line_present_) m = 0;
}

Status EventAssembler::MarkPresent(FieldId f) {
  const FieldMask bit = FieldBit(f);
  if ((present_ & bit) != 0) return FieldError(f, "duplicate field");
  present_ |= bit;
  return Status::OK();
}

Status EventAssembler::SetText(FieldId f, std::string_view text) {
  CCL_RETURN_IF_ERROR(MarkPresent(f));
  // An empty string is neither a value nor "absent": absent is leaving the
  // key out, so "" is refused rather than guessed at.
  if (text.empty()) return FieldError(f, "must not be empty (leave the field out instead)");
  Event& e = *e_;
  if (std::string Event::*member = TextMemberOf(f)) {
    (e.*member).assign(text);
    return Status::OK();
  }
  switch (f) {
    case FieldId::kEventId:
      return ParseUuidField(f, text, &e.event_id);
    case FieldId::kTargetEventId:
      return ParseUuidField(f, text, &e.target_event_id);
    case FieldId::kType:
      if (!EventTypeFromName(text, &e.type)) {
        return FieldError(f, "unknown event type " + QuoteForMessage(text));
      }
      return Status::OK();
    case FieldId::kEffectiveAt: {
      const Status s = ParseInstant(text, &e.effective_at_ns);
      return s.ok() ? s : FieldError(f, s.message());
    }
    case FieldId::kTermStart:
    case FieldId::kTermEnd: {
      int32_t day = 0;
      const Status s = ParseDate(text, &day);
      if (!s.ok()) return FieldError(f, s.message());
      if (f == FieldId::kTermStart) {
        e.term_start_day = day;
      } else {
        e.term_end_day = day;
      }
      return Status::OK();
    }
    case FieldId::kServiceLine:
      return ParseServiceLine(FieldName(f), text, &e.service_line);
    case FieldId::kSeverity:
      if (!SeverityFromName(text, &e.severity)) {
        return FieldError(f, "must be one of A, B, C, got " + QuoteForMessage(text));
      }
      return Status::OK();
    case FieldId::kRecordedAt:
      return CheckRecordedAtForm(text);
    case FieldId::kHash:
    case FieldId::kSealedBalancesDigest:
    case FieldId::kSealedMarginsDigest:
      return CheckDigestForm(f, text);
    case FieldId::kPeriod: {
      const Status s = ParseMonth(text, &e.period_month);
      return s.ok() ? s : FieldError(f, s.message());
    }
    case FieldId::kTypes: {
      std::string bad;
      if (!ParseApprovalTypes(text, &e.approval_types, &bad)) {
        return FieldError(f, "must be event type names joined by ',' (each once) or 'none', got " +
                                 QuoteForMessage(bad));
      }
      return Status::OK();
    }
    default:
      break;
  }
  return FieldError(
      f, FieldKindOf(f) == FieldKind::kInteger ? "must be an integer" : "must be an array");
}

Status EventAssembler::MarkAssigned(FieldId f) {
  CCL_RETURN_IF_ERROR(MarkPresent(f));
  const FieldKind kind = FieldKindOf(f);
  if (kind != FieldKind::kSealedTotals && kind != FieldKind::kBoolean) {
    return FieldError(f, "must not be an array or a boolean");
  }
  return Status::OK();
}

Status EventAssembler::SetIntegerText(FieldId f, std::string_view text) {
  CCL_RETURN_IF_ERROR(MarkPresent(f));
  if (FieldKindOf(f) != FieldKind::kInteger) {
    return FieldError(f,
                      FieldKindOf(f) == FieldKind::kText ? "must be a string" : "must be an array");
  }
  int64_t v = 0;
  const Status s = ParseIntegerText(text, &v);
  if (!s.ok()) return FieldError(f, s.message());
  switch (f) {
    case FieldId::kMinutes:
      minutes_ = v;
      break;
    case FieldId::kCostRateMinor:
      e_->cost_rate_minor = v;
      break;
    case FieldId::kCostMinor:
      e_->cost_minor = v;
      break;
    case FieldId::kThresholdMinutes:
      e_->threshold_minutes = v;
      break;
    case FieldId::kSeq:
    case FieldId::kStreamVersion:
      return CheckCounterRange(f, v);  // assigned: checked, then ignored
    case FieldId::kAppliedBillRateMinor:
      applied_bill_rate_minor_ = v;  // assigned: checked by Finish, then ignored
      break;
    default:
      break;
  }
  return Status::OK();
}

Status EventAssembler::BeginLines() { return MarkPresent(FieldId::kLines); }

Status EventAssembler::AddLine(size_t* index) {
  if (e_->lines.size() >= limits::kLinesPerEventMax) {
    return FieldError(FieldId::kLines, "must have at most " +
                                           std::to_string(limits::kLinesPerEventMax) + " entries");
  }
  *index = e_->lines.size();
  e_->lines.emplace_back();
  line_present_[*index] = 0;
  return Status::OK();
}

std::string EventAssembler::LineFieldLabel(size_t index, LineFieldId f) {
  std::string s = "lines[";
  s += std::to_string(index);
  s += "].";
  s += LineFieldName(f);
  return s;
}

Status EventAssembler::SetLineText(size_t index, LineFieldId f, std::string_view text) {
  uint8_t& present = line_present_[index];
  if ((present & LineBit(f)) != 0) return FieldError(LineFieldLabel(index, f), "duplicate field");
  present |= LineBit(f);
  ContractLine& l = e_->lines[index];
  if (f == LineFieldId::kServiceLine) {
    return ParseServiceLine(LineFieldLabel(index, f), text, &l.service_line);
  }
  if (f == LineFieldId::kOverage) {
    if (!OverageFromName(text, &l.overage)) {
      return FieldError(LineFieldLabel(index, f),
                        "must be one of reject, allow, got " + QuoteForMessage(text));
    }
    return Status::OK();
  }
  return FieldError(LineFieldLabel(index, f), "must be an integer");
}

Status EventAssembler::SetLineIntegerText(size_t index, LineFieldId f, std::string_view text) {
  uint8_t& present = line_present_[index];
  if ((present & LineBit(f)) != 0) return FieldError(LineFieldLabel(index, f), "duplicate field");
  present |= LineBit(f);
  if (LineFieldKindOf(f) != FieldKind::kInteger) {
    return FieldError(LineFieldLabel(index, f), "must be a string");
  }
  int64_t v = 0;
  const Status s = ParseIntegerText(text, &v);
  if (!s.ok()) return FieldError(LineFieldLabel(index, f), s.message());
  ContractLine& l = e_->lines[index];
  switch (f) {
    case LineFieldId::kFundedMinutes:
      l.funded_minutes = v;
      break;
    case LineFieldId::kFundedMinutesDelta:
      l.funded_minutes_delta = v;
      break;
    case LineFieldId::kBillRateMinor:
      l.bill_rate_minor = v;
      break;
    default:
      break;
  }
  return Status::OK();
}

namespace {

// The id of the catalog table a field of an event of type t is a row of.
std::string_view TableRule(FieldId f, EventType t) {
  switch (f) {
    case FieldId::kEventId:
    case FieldId::kContract:
    case FieldId::kEffectiveAt:
    case FieldId::kActor:
    case FieldId::kSource:
    case FieldId::kNote:
      return rules::kFieldEnvelope;
    case FieldId::kType:
      return rules::kFieldType;
    default:
      return FieldTableRule(t);
  }
}

}  // namespace

Status EventAssembler::DropContractCurrency() {
  const FieldMask bit = FieldBit(FieldId::kCurrency);
  if (e_->type == EventType::kContractOpened || (present_ & bit) == 0) return Status::OK();
  if (!LookupCurrency(e_->currency, nullptr)) {
    return FieldError(FieldId::kCurrency,
                      "must be an active ISO 4217 code, got " + QuoteForMessage(e_->currency));
  }
  e_->stated_currency = std::move(e_->currency);
  e_->currency.clear();
  present_ &= ~bit;
  return Status::OK();
}

Status EventAssembler::Finish() {
  Event& e = *e_;
  if ((present_ & FieldBit(FieldId::kType)) == 0) {
    return FieldError(FieldId::kType, "required").WithRule(rules::kFieldType);
  }
  CCL_RETURN_IF_ERROR(DropContractCurrency());
  const std::string type_name(EventTypeName(e.type));
  const FieldMask stray = present_ & ~(AllowedFields(e.type) | kAssignedFields);
  if (stray != 0) {
    return FieldError(static_cast<FieldId>(std::countr_zero(stray)), "not allowed in " + type_name)
        .WithRule(rules::kFieldOtherType);
  }
  const FieldMask missing = RequiredFields(e.type) & ~present_;
  if (missing != 0) {
    const auto f = static_cast<FieldId>(std::countr_zero(missing));
    return FieldError(f, "required").WithRule(TableRule(f, e.type));
  }
  if (e.type == EventType::kContractOpened || e.type == EventType::kContractAmended) {
    const bool opened = e.type == EventType::kContractOpened;
    const uint8_t required =
        opened ? LineBit(LineFieldId::kServiceLine) | LineBit(LineFieldId::kFundedMinutes) |
                     LineBit(LineFieldId::kBillRateMinor) | LineBit(LineFieldId::kOverage)
               : LineBit(LineFieldId::kServiceLine) | LineBit(LineFieldId::kFundedMinutesDelta);
    const uint8_t foreign =
        opened ? LineBit(LineFieldId::kFundedMinutesDelta) : LineBit(LineFieldId::kFundedMinutes);
    for (size_t i = 0; i < e.lines.size(); ++i) {
      const uint8_t p = line_present_[i];
      if ((p & foreign) != 0) {
        return FieldError(
                   LineFieldLabel(i, static_cast<LineFieldId>(std::countr_zero(unsigned{foreign}))),
                   "not allowed in " + type_name)
            .WithRule(LineTableRule(e.type));
      }
      const auto lacking = static_cast<uint8_t>(required & ~p);
      if (lacking != 0) {
        return FieldError(
                   LineFieldLabel(i, static_cast<LineFieldId>(std::countr_zero(unsigned{lacking}))),
                   "required")
            .WithRule(LineTableRule(e.type));
      }
    }
  }
  if ((present_ & FieldBit(FieldId::kMinutes)) != 0) {
    const bool booking = e.type == EventType::kHoursBooked;
    const int64_t lo = booking ? limits::kBookingMinutesMin : limits::kDeliveryMinutesMin;
    const int64_t hi = booking ? limits::kBookingMinutesMax : limits::kDeliveryMinutesMax;
    if (minutes_ < lo || minutes_ > hi) {
      return FieldError(FieldId::kMinutes, "must be " + std::to_string(lo) + ".." +
                                               std::to_string(hi) + ", got " +
                                               std::to_string(minutes_))
          .WithRule(FieldTableRule(e.type));
    }
    e.minutes = static_cast<int32_t>(minutes_);
  }
  // applied_bill_rate_minor is checked as on a stored event (only on a
  // booking or a delivery, within the rate range: ValidateEvent), then
  // dropped: the ledger assigns it on append.
  e.applied_bill_rate_minor = applied_bill_rate_minor_;
  const Status s = ValidateEvent(e);
  e.applied_bill_rate_minor.reset();
  return s;
}

}  // namespace ccl::events

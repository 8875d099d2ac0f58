// CSV output of events (AppendCsvHeader/AppendEventCsv in events/csv.h): the
// exact form CsvEventReader reads back, so an export re-imports. Every text
// cell goes through AppendCsvCell (events/csv_cell.h): formulas neutralised,
// control characters escaped, both undone by the reader.
#include <array>
#include <charconv>
#include <cstring>

#include "events/csv.h"
#include "events/csv_cell.h"
#include "events/hex.h"
#include "events/json.h"
#include "events/time_format.h"
#include "events/uuid.h"

namespace ccl::events {

namespace {

bool IsAssigned(FieldId f) { return (kAssignedFields & FieldBit(f)) != 0; }

bool IsColumn(FieldId f, const CsvOutputOptions& options) {
  if (f == FieldId::kHash) return options.hash_column;
  return !IsAssigned(f) || options.assigned_fields;
}

void AppendInteger(int64_t v, std::string* out) {
  char buf[24];
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// The cell of field f (nothing for an absent field).
void AppendField(const Event& e, FieldId f, const CsvOutputOptions& options, const uint8_t* hash,
                 std::string* scratch, std::string* out) {
  const FieldMask allowed = AllowedFields(e.type);
  const bool payload = (allowed & FieldBit(f)) != 0;
  switch (f) {
    case FieldId::kSeq:
      AppendInteger(static_cast<int64_t>(e.seq), out);
      return;
    case FieldId::kEventId:
      AppendUuid(e.event_id, out);
      return;
    case FieldId::kType:
      out->append(EventTypeName(e.type));
      return;
    case FieldId::kContract:
      AppendCsvCell(e.contract, out);
      return;
    case FieldId::kStreamVersion:
      AppendInteger(static_cast<int64_t>(e.stream_version), out);
      return;
    case FieldId::kEffectiveAt:
      AppendInstant(e.effective_at_ns, out);
      return;
    case FieldId::kRecordedAt:
      AppendInstantNs(e.recorded_at_ns, out);
      return;
    case FieldId::kActor:
      AppendCsvCell(e.actor, out);
      return;
    case FieldId::kSource:
      AppendCsvCell(e.source, out);
      return;
    case FieldId::kNote:
      AppendCsvCell(e.note, out);
      return;
    case FieldId::kAppliedBillRateMinor:
      if (e.applied_bill_rate_minor.has_value()) AppendInteger(*e.applied_bill_rate_minor, out);
      return;
    case FieldId::kSealedBalancesDigest:
      if (e.seal.has_value()) AppendDigestHex(e.seal->balances_digest, out);
      return;
    case FieldId::kSealedMarginsDigest:
      if (e.seal.has_value()) AppendDigestHex(e.seal->margins_digest, out);
      return;
    case FieldId::kSealedTotals:
      if (!e.seal.has_value()) return;
      scratch->clear();
      AppendSealedTotalsJson(*e.seal, scratch);
      AppendCsvCell(*scratch, out);
      return;
    case FieldId::kCurrency:
      if (e.type != EventType::kContractOpened) {
        if (!options.contract_currency.empty() && CarriesMoney(e)) {
          AppendCsvCell(options.contract_currency, out);
        }
        return;
      }
      break;
    case FieldId::kHash:
      if (hash != nullptr) AppendHex(std::span<const uint8_t>(hash, 32), out);
      return;
    case FieldId::kAwaitsApproval:
      if (e.awaits_approval) out->append("true");
      return;
    default:
      break;
  }
  if (!payload) return;  // a column of another event type: empty
  switch (f) {
    case FieldId::kCustomer:
      AppendCsvCell(e.customer, out);
      return;
    case FieldId::kTermStart:
      AppendDate(e.term_start_day, out);
      return;
    case FieldId::kTermEnd:
      if (e.term_end_day.has_value()) AppendDate(*e.term_end_day, out);
      return;
    case FieldId::kCurrency:
      AppendCsvCell(e.currency, out);
      return;
    case FieldId::kLines:
      if (e.lines.empty()) return;
      scratch->clear();
      AppendLinesJson(e, scratch);
      AppendCsvCell(*scratch, out);
      return;
    case FieldId::kReason:
      AppendCsvCell(e.reason, out);
      return;
    case FieldId::kEngineer:
      AppendCsvCell(e.engineer, out);
      return;
    case FieldId::kServiceLine:
      out->append(ServiceLineName(e.service_line));
      return;
    case FieldId::kMinutes:
      AppendInteger(e.minutes, out);
      return;
    case FieldId::kCostRateMinor:
      AppendInteger(e.cost_rate_minor, out);
      return;
    case FieldId::kReference:
      AppendCsvCell(e.reference, out);
      return;
    case FieldId::kDelivery:
      AppendCsvCell(e.delivery, out);
      return;
    case FieldId::kOffering:
      AppendCsvCell(e.offering, out);
      return;
    case FieldId::kCostMinor:
      AppendInteger(e.cost_minor, out);
      return;
    case FieldId::kEscalation:
      AppendCsvCell(e.escalation, out);
      return;
    case FieldId::kSeverity:
      out->append(SeverityName(e.severity));
      return;
    case FieldId::kSummary:
      AppendCsvCell(e.summary, out);
      return;
    case FieldId::kResolution:
      AppendCsvCell(e.resolution, out);
      return;
    case FieldId::kTargetEventId:
      AppendUuid(e.target_event_id, out);
      return;
    case FieldId::kPeriod:
      out->append(FormatMonthIndex(e.period_month));
      return;
    case FieldId::kCase:
      AppendCsvCell(e.legal_case, out);
      return;
    case FieldId::kTypes:
      AppendCsvCell(FormatApprovalTypes(e.approval_types), out);
      return;
    case FieldId::kThresholdMinutes:
      if (e.threshold_minutes.has_value()) AppendInteger(*e.threshold_minutes, out);
      return;
    default:
      return;
  }
}

}  // namespace

void AppendCsvHeader(const CsvOutputOptions& options, std::string* out) {
  bool first = true;
  for (int i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<FieldId>(i);
    if (!IsColumn(f, options)) continue;
    if (!first) out->push_back(',');
    first = false;
    out->append(FieldName(f));
  }
  out->append("\r\n");
}

void AppendEventCsv(const Event& e, const CsvOutputOptions& options, const uint8_t* hash,
                    std::string* out) {
  std::string scratch;
  bool first = true;
  for (int i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<FieldId>(i);
    if (!IsColumn(f, options)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendField(e, f, options, hash, &scratch, out);
  }
  out->append("\r\n");
}

}  // namespace ccl::events

// CSV output of events (AppendCsvHeader/AppendEventCsv in events/model/csv.h): the
// exact form CsvEventReader reads back, so an export re-imports. Every text
// cell goes through AppendCsvCell (events/base/csv_cell.h): formulas neutralised,
// control characters escaped, both undone by the reader.
#include <array>
#include <cstring>

#include "events/base/csv_cell.h"
#include "events/base/hex.h"
#include "events/base/time_format.h"
#include "events/model/csv.h"
#include "events/model/json.h"
#include "events/model/uuid.h"

namespace ccl::events {

namespace {

bool IsAssigned(FieldId f) { return (kAssignedFields & FieldBit(f)) != 0; }

bool IsColumn(FieldId f, const CsvOutputOptions& options) {
  if (f == FieldId::kHash) return options.hash_column;
  return !IsAssigned(f) || options.assigned_fields;
}

// The cell of integer field f: nothing when e leaves it out.
void AppendIntegerField(const Event& e, FieldId f, std::string* out) {
  if (const std::optional<int64_t> v = IntegerFieldOf(e, f)) AppendDecimal(*v, out);
}

// One CSV row: cell(f, out) for each column `options` selects, separated by
// commas, ended by CRLF.
template <typename Cell>
void AppendRow(const CsvOutputOptions& options, Cell&& cell, std::string* out) {
  bool first = true;
  for (int i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<FieldId>(i);
    if (!IsColumn(f, options)) continue;
    if (!first) out->push_back(',');
    first = false;
    cell(f, out);
  }
  out->append("\r\n");
}

// The cell of field f when f is an envelope or assigned field, or the
// currency of an event that does not name its own: true when written (an
// absent value writes nothing), false when f is a payload field.
bool AppendEnvelopeField(const Event& e, FieldId f, const CsvOutputOptions& options,
                         const uint8_t* hash, std::string* scratch, std::string* out) {
  switch (f) {
    case FieldId::kSeq:
    case FieldId::kStreamVersion:
    case FieldId::kAppliedBillRateMinor:
      AppendIntegerField(e, f, out);
      return true;
    case FieldId::kEventId:
      AppendUuid(e.event_id, out);
      return true;
    case FieldId::kType:
      out->append(EventTypeName(e.type));
      return true;
    case FieldId::kContract:
    case FieldId::kActor:
    case FieldId::kSource:
    case FieldId::kNote:
      AppendCsvCell(e.*TextMemberOf(f), out);
      return true;
    case FieldId::kEffectiveAt:
      AppendInstant(e.effective_at_ns, out);
      return true;
    case FieldId::kRecordedAt:
      AppendInstantNs(e.recorded_at_ns, out);
      return true;
    case FieldId::kSealedBalancesDigest:
      if (e.seal.has_value()) AppendDigestHex(e.seal->balances_digest, out);
      return true;
    case FieldId::kSealedMarginsDigest:
      if (e.seal.has_value()) AppendDigestHex(e.seal->margins_digest, out);
      return true;
    case FieldId::kSealedTotals:
      if (!e.seal.has_value()) return true;
      scratch->clear();
      AppendSealedTotalsJson(*e.seal, scratch);
      AppendCsvCell(*scratch, out);
      return true;
    case FieldId::kCurrency:
      if (e.type == EventType::kContractOpened) return false;  // its own: a payload field
      if (!options.contract_currency.empty() && CarriesMoney(e)) {
        AppendCsvCell(options.contract_currency, out);
      }
      return true;
    case FieldId::kHash:
      if (hash != nullptr) AppendHex(std::span<const uint8_t>(hash, 32), out);
      return true;
    case FieldId::kAwaitsApproval:
      if (e.awaits_approval) out->append("true");
      return true;
    default:
      return false;
  }
}

// The cell of payload field f of an event whose type allows f.
void AppendPayloadField(const Event& e, FieldId f, std::string* scratch, std::string* out) {
  if (std::string Event::*member = TextMemberOf(f)) {
    AppendCsvCell(e.*member, out);
    return;
  }
  switch (f) {
    case FieldId::kTermStart:
      AppendDate(e.term_start_day, out);
      return;
    case FieldId::kTermEnd:
      if (e.term_end_day.has_value()) AppendDate(*e.term_end_day, out);
      return;
    case FieldId::kLines:
      if (e.lines.empty()) return;
      scratch->clear();
      AppendLinesJson(e, scratch);
      AppendCsvCell(*scratch, out);
      return;
    case FieldId::kServiceLine:
      out->append(ServiceLineName(e.service_line));
      return;
    case FieldId::kMinutes:
    case FieldId::kCostRateMinor:
    case FieldId::kCostMinor:
    case FieldId::kThresholdMinutes:
      AppendIntegerField(e, f, out);
      return;
    case FieldId::kSeverity:
      out->append(SeverityName(e.severity));
      return;
    case FieldId::kTargetEventId:
      AppendUuid(e.target_event_id, out);
      return;
    case FieldId::kPeriod:
      out->append(FormatMonthIndex(e.period_month));
      return;
    case FieldId::kTypes:
      AppendCsvCell(FormatApprovalTypes(e.approval_types), out);
      return;
    default:
      return;
  }
}

// The cell of field f (nothing for an absent field, or a column of another
// event type).
void AppendField(const Event& e, FieldId f, const CsvOutputOptions& options, const uint8_t* hash,
                 std::string* scratch, std::string* out) {
  if (AppendEnvelopeField(e, f, options, hash, scratch, out)) return;
  if ((AllowedFields(e.type) & FieldBit(f)) == 0) return;
  AppendPayloadField(e, f, scratch, out);
}

}  // namespace

void AppendCsvHeader(const CsvOutputOptions& options, std::string* out) {
  AppendRow(
      options, [](FieldId f, std::string* o) { o->append(FieldName(f)); }, out);
}

void AppendEventCsv(const Event& e, const CsvOutputOptions& options, const uint8_t* hash,
                    std::string* out) {
  std::string scratch;
  AppendRow(
      options, [&](FieldId f, std::string* o) { AppendField(e, f, options, hash, &scratch, o); },
      out);
}

}  // namespace ccl::events

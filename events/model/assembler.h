// EventAssembler: builds one Event from named fields in their text or integer
// form, as the JSON and CSV readers find them. It is the one place that turns
// "minutes" = "90" into Event::minutes, so both readers accept exactly the same
// values with the same messages; and it checks what the flat Event cannot
// show after the fact: which keys were present (required, duplicate, or not
// allowed for the event's type, even when given at their default value).
//
// Messages name the field: "field 'minutes': must be an integer, got '1.5'",
// "field 'lines[1].overage': must be one of reject, allow, got 'maybe'".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "events/base/limits.h"
#include "events/base/status.h"
#include "events/model/event.h"
#include "events/model/fields.h"

namespace ccl::events {

class EventAssembler {
 public:
  // Starts a new event in *e: clears it (capacity kept) and forgets what was
  // set. *e must stay alive until Finish().
  void Begin(Event* e);

  // Sets a field whose FieldKindOf is kText from its text (a JSON string's
  // unescaped content, or a CSV cell). Parses UUIDs, the type name, instants,
  // dates and enum names; stores other strings as they are (length and UTF-8
  // are checked by Finish). Assigned fields are checked for form (recorded_at
  // with 9 fraction digits, hash and the sealed digests 64 lower-case hex
  // digits) and dropped.
  // InvalidArgument naming the field on a bad value, an empty text, or a
  // field given twice.
  Status SetText(FieldId f, std::string_view text);

  // Sets a field whose FieldKindOf is kInteger from its decimal text:
  // -?(0|[1-9][0-9]*) within int64; "1.0", "1e3", "+1", "01" and overflow are
  // InvalidArgument naming the field. The assigned seq and stream_version
  // must be at least 1 (rule F-ENVELOPE); applied_bill_rate_minor is checked
  // by Finish. All three are then dropped.
  Status SetIntegerText(FieldId f, std::string_view text);

  // `lines`: call BeginLines() once, then AddLine() for each entry (it
  // returns the entry's index) and SetLine*() for the entry's keys.
  Status BeginLines();
  Status AddLine(size_t* index);
  Status SetLineText(size_t index, LineFieldId f, std::string_view text);
  Status SetLineIntegerText(size_t index, LineFieldId f, std::string_view text);

  // An assigned field whose value is not text or an integer (sealed_totals):
  // the reader checked its form; it is counted as given and ignored.
  // InvalidArgument when given twice or when f is not such a field.
  Status MarkAssigned(FieldId f);

  // After the last field: type given, no field foreign to the type, every
  // required one present (also in each line), minutes in the type's range;
  // then ValidateEvent. OK means *e is a valid event.
  Status Finish();

  // "lines[2].overage": the name messages use for a key of a line.
  static std::string LineFieldLabel(size_t index, LineFieldId f);

 private:
  Status MarkPresent(FieldId f);
  // `currency` on an event other than ContractOpened is the contract's
  // currency an export writes beside amounts (events/model/json.h): informational,
  // like an assigned field. Checked to be an active ISO 4217 code, then
  // dropped; the ledger knows each contract's currency.
  Status DropContractCurrency();

  Event* e_ = nullptr;
  FieldMask present_ = 0;
  // minutes arrives before the type may be known, and its range depends on
  // the type: kept wide here and checked in Finish.
  int64_t minutes_ = 0;
  // The input's applied_bill_rate_minor (assigned): checked in Finish, since
  // where it is allowed depends on the type, then dropped.
  std::optional<int64_t> applied_bill_rate_minor_;
  uint8_t line_present_[limits::kLinesPerEventMax] = {};
};

// Decimal integer text as described at SetIntegerText. The message names no
// field: "must be an integer, got '1.5'".
Status ParseIntegerText(std::string_view text, int64_t* value);

}  // namespace ccl::events

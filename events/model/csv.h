// CSV input of events (RFC 4180), for timesheet exports and the like.
//
// The file's first row names the columns with the field names of the event
// catalog (schemas/EVENTS.md), the same as the JSON keys: event_id, type,
// contract, effective_at, actor, source, note, then the payload fields of the
// event types present (customer, term_start, term_end, currency, lines,
// reason, engineer, service_line, minutes, cost_rate_minor, reference,
// delivery, offering, cost_minor, escalation, severity, summary, resolution,
// target_event_id).
// Assigned columns (seq, stream_version, recorded_at, hash,
// applied_bill_rate_minor, sealed_*, awaits_approval) are accepted and ignored, like in JSON; so is
// a `currency` cell on a row other than ContractOpened (the contract's currency an export writes
// beside amounts), once checked to be an ISO 4217 code.
//
// Each following record is one event:
//  - an empty cell means the field is absent (so one file can mix types,
//    each row filling only its own columns);
//  - text cells hold the value as is, dates YYYY-MM-DD, times RFC 3339 UTC,
//    enums by name (reactive, reject, A); a cell starting with ' is decoded
//    first (events/base/csv_cell.h: the writer's neutralised formulas and escaped
//    control characters), so an export re-imports exactly;
//  - integer cells are plain decimal integers: -?(0|[1-9][0-9]*), no sign
//    "+", no spaces, no thousands separators, no decimals;
//  - `lines` (ContractOpened, ContractAmended) is one cell holding the JSON
//    array exactly as in the JSON form, e.g.
//      "[{""service_line"":""reactive"",""funded_minutes"":6000,
//        ""bill_rate_minor"":25000,""overage"":""reject""}]"
//    (quoted, since it contains commas and quotes).
// The type comes from a `type` column or, for a file of one type, from the
// caller (`ledgerctl import --type`); with both, a non-empty `type` cell must
// name the caller's type.
//
// Syntax: fields separated by ',', records by CRLF or LF; a field containing
// ',', '"', CR or LF is quoted with '"', and a '"' inside it is written "";
// quoted fields may span lines. A UTF-8 byte order mark at the start is
// skipped. Blank lines between records are skipped. Every record must have as
// many fields as the header, and at most limits::kCsvRecordBytesMax bytes.
//
// Errors are InvalidArgument and carry the record's first line number and
// the column: "line 7, column 'minutes': must be 1..1440, got 0".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "events/model/assembler.h"
#include "events/model/event.h"
#include "events/model/fields.h"
#include "events/model/json.h"

namespace ccl::events {

struct CsvReaderOptions {
  // Errors start with "line N" (see above). False: they leave it out
  // ("column 'minutes': must be 1..1440, got 0") for a caller that names the
  // line itself, from Next's *line (1 for Open's errors).
  bool line_in_message = true;
  // The actor of a record that names none (a server's clients: the principal
  // they will be taken for); empty: `actor` is required.
  std::string default_actor;
};

class CsvEventReader {
 public:
  explicit CsvEventReader(CsvReaderOptions options = CsvReaderOptions()) : options_(options) {}
  CsvEventReader(const CsvEventReader&) = delete;
  CsvEventReader& operator=(const CsvEventReader&) = delete;

  // Reads the header row of `content`, which must stay alive and unchanged
  // while the reader is used. `fixed_type`: the type of every record, or
  // nullopt to take it from a `type` column (which must then exist).
  // InvalidArgument for an empty input, an unknown or repeated column name,
  // or a malformed header row.
  Status Open(std::string_view content, std::optional<EventType> fixed_type);

  // Reads the next record into *out (cleared first, capacity reused) and
  // validates it; *line is the line number where the record starts (set on
  // an error too, which is about that record). At the
  // end of input sets *done = true and returns OK (*out untouched).
  // After an error, stop: where reading would resume is unspecified (import
  // is all or nothing anyway).
  // REQUIRES: Open() returned OK.
  Status Next(Event* out, size_t* line, bool* done);

 private:
  // Where a cell's text is: in content_ (an unquoted field, no copy) or in
  // unquoted_ (a quoted field, whose "" became ").
  struct CellRef {
    bool in_buffer;
    size_t offset;
    size_t size;
  };

  // Splits the record starting at pos_ into cells_; advances pos_ and line_.
  Status ReadRecord(size_t record_line);
  // The cell at pos_ of column `column`, ending before end_max (the record's
  // byte limit): a quoted one (pos_ at its opening quote) or an unquoted one.
  // Appends it to cells_ and leaves pos_ after it.
  Status ReadQuotedCell(size_t record_line, size_t column, size_t end_max);
  Status ReadUnquotedCell(size_t record_line, size_t column, size_t end_max);
  Status RecordTooLong(size_t record_line) const;
  // Skips empty lines before a record.
  void SkipBlankLines();
  std::string_view Cell(size_t i) const;
  // Undoes the cell encoding of events/base/csv_cell.h in every cell of the record.
  Status DecodeCells(size_t record_line);
  Status Assemble(Event* out);
  std::string ColumnLabel(size_t column) const;
  Status RecordError(size_t record_line, std::string_view rule) const;
  Status ColumnError(size_t record_line, size_t column, std::string_view rule) const;

  CsvReaderOptions options_;
  std::string_view content_;
  size_t pos_ = 0;
  size_t line_ = 1;
  std::optional<EventType> fixed_type_;
  std::vector<std::string> header_;  // column names as written
  std::vector<FieldId> columns_;
  std::optional<size_t> type_column_;
  std::vector<CellRef> cells_;  // of the current record
  std::string unquoted_;
  std::string decoded_;  // scratch of DecodeCells
  EventAssembler assembler_;
  JsonEventParser json_;  // for `lines` cells
};

// CSV output in the form CsvEventReader reads (for `export events --format
// csv`): a header row of every column, then one row per event with the cells
// of its type filled and the others empty. Rows end in CRLF (RFC 4180). Text
// cells are encoded by AppendCsvCell (events/base/csv_cell.h): no cell starts a
// formula, no control character is written raw, so every row is one line.
struct CsvOutputOptions {
  // Include seq, stream_version, recorded_at and applied_bill_rate_minor.
  bool assigned_fields = true;
  // Include a `hash` column (the chain hash in hex) last.
  bool hash_column = false;
  // The currency of the row's contract, as JsonOutputOptions::contract_currency:
  // when non-empty, the `currency` cell of a row other than ContractOpened
  // that CarriesMoney holds it. Set per row by the caller.
  std::string_view contract_currency;
};

// Appends the header row.
void AppendCsvHeader(const CsvOutputOptions& options, std::string* out);

// Appends one row. `hash`: the event's 32-byte chain hash when
// options.hash_column (nullptr leaves the cell empty), else ignored.
void AppendEventCsv(const Event& e, const CsvOutputOptions& options, const uint8_t* hash,
                    std::string* out);

}  // namespace ccl::events

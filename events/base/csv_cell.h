// One cell of every CSV the product writes (the event export, report rows)
// and its inverse, which the CSV import applies to every cell.
//
// A spreadsheet runs a cell that starts with = + - @ (or TAB, CR) as a
// formula ("CSV injection"), and raw control characters reach terminals and
// break line-oriented tools. So a text cell is encoded in one of three forms:
//  1. escaped: text holding a control character (U+0000..U+001F, line ends
//     included, U+007F, U+0080..U+009F) is written as ' followed by the text
//     as a JSON string: "...", with `"` as \", `\` as \\ and each control
//     character as \u00XX (lower-case hex); every other character as is.
//  2. prefixed: text that starts with = + - @, or with ' followed by
//     = + - @ ' or ", gets one ' in front.
//  3. anything else: as is.
// The cell is then quoted per RFC 4180 when it holds , " ; CR or LF (";"
// too, since spreadsheets in many locales split on it), quotes doubled.
//
// Decoding (after RFC 4180 unquoting): a cell starting with '" must be a
// complete escaped form (only the escapes above, no raw control characters,
// nothing after the closing quote); a cell ' + t where t would get the
// prefix (t starts with = + - @, or with ' and one of those or ' or ") is t;
// any other cell is the text. Every text round-trips exactly; in a
// hand-written file "'tis" stays "'tis" and "'=1+1" becomes "=1+1" (the '
// marks text, as in a spreadsheet).
#pragma once

#include <string>
#include <string_view>

#include "events/base/status.h"

namespace ccl::events {

enum class CsvCellMode {
  // The encoding above: for CSV files people open in spreadsheets.
  kSpreadsheetSafe,
  // The text exactly, for a machine reader that takes every byte inside
  // quotes (PostgreSQL's COPY ... (FORMAT csv) of the sink): no prefix, no
  // escaping; quoted per RFC 4180 when it holds , " ; CR, LF or a backslash
  // (so "\." is never COPY's end-of-data line), and when empty (so it stays
  // an empty text, not an absent value).
  kPlain,
};

// Appends `text` as one encoded (per `mode`) and, when needed, quoted CSV
// cell.
void AppendCsvCell(std::string_view text, std::string* out,
                   CsvCellMode mode = CsvCellMode::kSpreadsheetSafe);

// Decodes one unquoted cell into *text. Returns false and sets *rule (a
// sentence for an error message) when the cell is a malformed escaped form.
bool DecodeCsvCell(std::string_view cell, std::string* text, std::string* rule);

// True when `cell` is in the escaped or prefixed form (starts with ').
inline bool IsEncodedCsvCell(std::string_view cell) { return !cell.empty() && cell[0] == '\''; }

// True when `s` holds a control character: U+0000..U+001F, U+007F or
// U+0080..U+009F (UTF-8 C2 80..C2 9F).
bool HasControlCharacter(std::string_view s);

// Appends `s` as the inside of a JSON string: `"` and `\` backslashed, every
// control character U+0000..U+001F as \u00XX, and with `escape_del_c1` also
// U+007F and U+0080..U+009F. The canonical JSON of events uses it without
// (its bytes never change); CSV cells and tables with.
void AppendJsonStringBody(std::string_view s, bool escape_del_c1, std::string* out);
// The same between quotes: `s` as a JSON string literal. The one writer of
// JSON strings outside the events' canonical JSON (documents, logs, rows).
void AppendJsonString(std::string_view s, std::string* out, bool escape_del_c1 = true);

}  // namespace ccl::events

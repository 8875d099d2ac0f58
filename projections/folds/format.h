// Output of report rows in three formats:
// - table: for people; columns aligned by display width (wide CJK
//   characters take two columns, combining marks none), integers grouped
//   (1,234), minutes as h:mm (2,180:00), seconds as h:mm:ss (25:00:00), money
//   with its currency (events::FormatMoney), margin as a percentage; all from
//   events/base/display.h, as in the HTML report;
// - csv: for machines; fixed columns (below), integers only (minor units,
//   minutes, seconds), dates as YYYY-MM-DD, months as YYYY-MM, text cells
//   encoded as the event export's (events/base/csv_cell.h: no cell starts a
//   formula, control characters escaped, RFC 4180 quoting), "\n" line ends,
//   header row first;
// - json: one object per line (JSON Lines), the CSV columns plus the
//   currency and the figures CSV leaves out, null where a value is absent.
//
// CSV columns (fixed; an empty cell is an absent value):
//   balance:     contract,service_line,funded_minutes,consumed_minutes,
//                remaining_minutes,overage_minutes
//   margin:      <the --by keys in order>,currency,revenue_minor,cost_minor,
//                margin_minor (one row per group and currency; amounts in
//                different currencies are never added)
//   escalations: contract,severity,opened,resolved,open,resolve_seconds_mean,
//                resolve_seconds_max,minutes_booked
//   burn:        contract,service_line,as_of,funded_minutes,consumed_minutes,
//                window_minutes,burn_minutes_per_day,term_end,remaining_days,
//                projected_minutes,exhaustion_date,flag
// JSON adds: margin "margin_bp" (basis points, null when revenue is 0).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/base/csv_cell.h"
#include "events/base/status.h"
#include "projections/folds/report_rows.h"

namespace ccl::projections {

enum class OutputFormat { kTable, kCsv, kJson };
// "table" | "csv" | "json"; InvalidArgument otherwise.
Status ParseOutputFormat(std::string_view text, OutputFormat* format);

// A report as generic columns and cells, so one writer serves every report
// (and the feed exporter).
enum class ColumnKind {
  kText,         // as is
  kInt,          // integer
  kMinutes,      // integer minutes; table shows h:mm
  kMoney,        // integer minor units; table shows it with the row's currency
  kSeconds,      // integer seconds; table shows h:mm:ss
  kBasisPoints,  // integer; table shows 12.34%
};

struct Column {
  Column(std::string name_, ColumnKind kind_ = ColumnKind::kText, bool in_csv_ = true,
         bool in_table_ = true, bool in_json_ = true, std::string title_ = {})
      : name(std::move(name_)),
        kind(kind_),
        in_csv(in_csv_),
        in_table(in_table_),
        in_json(in_json_),
        title(std::move(title_)) {}

  std::string name;  // CSV header and JSON key
  ColumnKind kind = ColumnKind::kText;
  bool in_csv = true;
  bool in_table = true;
  bool in_json = true;
  // Table header; empty: derived from name ("funded_minutes" -> "funded h:mm",
  // "revenue_minor" -> "revenue", "margin_bp" -> "margin %").
  std::string title;
};

struct Cell {
  bool null = false;
  int64_t number = 0;  // numeric kinds
  std::string text;    // kText
};

struct RowSet {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
  // Index of the kText column holding each row's currency (money columns of
  // the table use it), or -1.
  int currency_column = -1;
  // Table only: rows printed under a rule after the others (margin totals).
  std::vector<std::vector<Cell>> footer;
};

RowSet BalanceRowSet(const std::vector<BalanceRow>& rows);
RowSet MarginRowSet(const MarginReport& report);
RowSet EscalationRowSet(const std::vector<EscalationRow>& rows);
RowSet BurnRowSet(const std::vector<BurnRow>& rows);

// Appends the rows in `format` to *out. CSV and JSON end every line with
// "\n"; the table ends with "\n" too, and prints "(no rows)" when empty.
// `csv_mode` encodes CSV text cells: spreadsheet-safe for files (above),
// plain (the exact text) for a machine reader such as the sink's COPY.
void WriteRowSet(const RowSet& set, OutputFormat format, std::string* out,
                 events::CsvCellMode csv_mode = events::CsvCellMode::kSpreadsheetSafe);

// One line of the JSON form above read back into a row of `set`, whose
// columns are those of the report (e.g. BalanceRowSet({})): every in_json
// column by its name, null, a string (kText) or an integer; other keys are
// refused. InvalidArgument naming the column when the line is not such a row.
Status ReadJsonRow(std::string_view line, RowSet* set);

}  // namespace ccl::projections

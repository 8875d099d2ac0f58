#include "projections/folds/format.h"

#include <simdjson.h>

#include <algorithm>

#include "events/base/csv_cell.h"
#include "events/base/display.h"
#include "events/base/enum_names.h"
#include "events/base/quote.h"
#include "events/base/time_format.h"
#include "events/model/money.h"

namespace ccl::projections {

namespace {

Cell Text(std::string s) { return Cell{false, 0, std::move(s)}; }
Cell Num(int64_t v) { return Cell{false, v, {}}; }
Cell Null() { return Cell{true, 0, {}}; }
template <typename T>
Cell NumOrNull(const std::optional<T>& v) {
  return v.has_value() ? Num(*v) : Null();
}
Cell DateOrNull(const std::optional<int32_t>& day) {
  return day.has_value() ? Text(events::FormatDate(*day)) : Null();
}

bool IsNumeric(ColumnKind k) { return k != ColumnKind::kText; }

// The table header of a column: people read "funded h:mm", not "funded_minutes".
std::string TitleOf(const Column& c) {
  if (!c.title.empty()) return c.title;
  std::string t = c.name;
  auto strip = [&](std::string_view suffix) {
    if (t.size() > suffix.size() && t.ends_with(suffix)) {
      t.resize(t.size() - suffix.size());
      return true;
    }
    return false;
  };
  switch (c.kind) {
    case ColumnKind::kMinutes:
      strip("_minutes");
      t += " h:mm";
      break;
    case ColumnKind::kMoney:
      strip("_minor");
      break;
    case ColumnKind::kSeconds:
      strip("_seconds");
      t += " h:mm:ss";
      break;
    case ColumnKind::kBasisPoints:
      strip("_bp");
      t += " %";
      break;
    default:
      break;
  }
  for (char& ch : t) {
    if (ch == '_') ch = ' ';
  }
  return t;
}

std::string TableText(const RowSet& set, const std::vector<Cell>& row, size_t col) {
  const Cell& c = row[col];
  if (c.null) return "-";
  switch (set.columns[col].kind) {
    case ColumnKind::kText:
      return events::TerminalText(c.text);
    case ColumnKind::kInt:
      return events::FormatSignedThousands(c.number);
    case ColumnKind::kMinutes:
      return events::FormatHoursMinutes(c.number);
    case ColumnKind::kMoney: {
      const std::string& currency =
          set.currency_column >= 0 ? row[static_cast<size_t>(set.currency_column)].text : "";
      return events::FormatMoney(c.number, currency);
    }
    case ColumnKind::kSeconds:
      return events::FormatDuration(c.number);
    case ColumnKind::kBasisPoints:
      return events::FormatBasisPoints(c.number);
  }
  return "";
}

void WriteTable(const RowSet& set, std::string* out) {
  std::vector<size_t> cols;
  for (size_t i = 0; i < set.columns.size(); ++i) {
    if (set.columns[i].in_table) cols.push_back(i);
  }
  std::vector<size_t> width(set.columns.size(), 0);
  auto texts = [&](const std::vector<std::vector<Cell>>& rows) {
    std::vector<std::vector<std::string>> t;
    for (const auto& row : rows) {
      std::vector<std::string> line(set.columns.size());
      for (size_t i : cols) {
        line[i] = TableText(set, row, i);
        width[i] = std::max(width[i], events::DisplayWidth(line[i]));
      }
      t.push_back(std::move(line));
    }
    return t;
  };
  std::vector<std::string> head(set.columns.size());
  for (size_t i : cols) {
    head[i] = TitleOf(set.columns[i]);
    width[i] = events::DisplayWidth(head[i]);
  }
  const auto body = texts(set.rows);
  const auto footer = texts(set.footer);
  auto emit = [&](const std::vector<std::string>& line, bool header) {
    std::string s;
    for (size_t k = 0; k < cols.size(); ++k) {
      const size_t i = cols[k];
      const size_t pad = width[i] - events::DisplayWidth(line[i]);
      const bool right = !header && IsNumeric(set.columns[i].kind);
      if (k > 0) s += "  ";
      if (right) s.append(pad, ' ');
      s += line[i];
      if (!right && k + 1 < cols.size()) s.append(pad, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    *out += s;
    *out += '\n';
  };
  emit(head, true);
  for (const auto& line : body) emit(line, false);
  if (set.rows.empty()) *out += "(no rows)\n";
  if (!footer.empty()) {
    size_t total = 0;
    for (size_t k = 0; k < cols.size(); ++k) total += width[cols[k]] + (k > 0 ? 2 : 0);
    out->append(total, '-');
    *out += '\n';
    for (const auto& line : footer) emit(line, false);
  }
}

void WriteCsv(const RowSet& set, events::CsvCellMode mode, std::string* out) {
  bool first = true;
  for (const Column& c : set.columns) {
    if (!c.in_csv) continue;
    if (!first) *out += ',';
    first = false;
    *out += c.name;
  }
  *out += '\n';
  for (const auto& row : set.rows) {
    first = true;
    for (size_t i = 0; i < set.columns.size(); ++i) {
      if (!set.columns[i].in_csv) continue;
      if (!first) *out += ',';
      first = false;
      const Cell& c = row[i];
      if (c.null) continue;
      if (set.columns[i].kind == ColumnKind::kText) {
        events::AppendCsvCell(c.text, out, mode);
      } else {
        *out += std::to_string(c.number);
      }
    }
    *out += '\n';
  }
}

void WriteJson(const RowSet& set, std::string* out) {
  for (const auto& row : set.rows) {
    *out += '{';
    bool first = true;
    for (size_t i = 0; i < set.columns.size(); ++i) {
      if (!set.columns[i].in_json) continue;
      if (!first) *out += ',';
      first = false;
      events::AppendJsonString(set.columns[i].name, out);
      *out += ':';
      const Cell& c = row[i];
      if (c.null) {
        *out += "null";
      } else if (set.columns[i].kind == ColumnKind::kText) {
        events::AppendJsonString(c.text, out);
      } else {
        *out += std::to_string(c.number);
      }
    }
    *out += "}\n";
  }
}

}  // namespace

Status ParseOutputFormat(std::string_view text, OutputFormat* format) {
  // Indexed by OutputFormat.
  static constexpr std::string_view kNames[] = {"table", "csv", "json"};
  if (!events::EnumFromName(kNames, text, format)) {
    return Status::InvalidArgument("--format: must be table, csv or json, got " +
                                   events::QuoteForMessage(text));
  }
  return Status::OK();
}

Status ReadJsonRow(std::string_view line, RowSet* set) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(line).get(object)) {
    return Status::InvalidArgument("a report row is not a JSON object: " +
                                   events::QuoteForMessage(line));
  }
  std::vector<Cell> row(set->columns.size(), Cell{true, 0, {}});
  std::vector<bool> seen(set->columns.size(), false);
  for (auto [key, value] : object) {
    size_t i = 0;
    while (i < set->columns.size() &&
           !(set->columns[i].in_json && set->columns[i].name == std::string_view(key))) {
      ++i;
    }
    if (i == set->columns.size()) {
      return Status::InvalidArgument("a report row has an unknown column " +
                                     events::QuoteForMessage(key));
    }
    if (seen[i]) {
      return Status::InvalidArgument("a report row has the column '" + set->columns[i].name +
                                     "' twice");
    }
    seen[i] = true;
    if (value.is_null()) continue;
    const bool text = set->columns[i].kind == ColumnKind::kText;
    std::string_view s;
    int64_t n = 0;
    if (text ? value.get(s) != simdjson::SUCCESS : value.get(n) != simdjson::SUCCESS) {
      return Status::InvalidArgument("a report row's column '" + set->columns[i].name +
                                     "' is not " + (text ? "a string" : "an integer"));
    }
    row[i] = text ? Text(std::string(s)) : Num(n);
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (set->columns[i].in_json && !seen[i]) {
      return Status::InvalidArgument("a report row lacks the column '" + set->columns[i].name +
                                     "'");
    }
  }
  set->rows.push_back(std::move(row));
  return Status::OK();
}

RowSet BalanceRowSet(const std::vector<BalanceRow>& rows) {
  RowSet set;
  set.columns = {{"contract", ColumnKind::kText},
                 {"service_line", ColumnKind::kText},
                 {"funded_minutes", ColumnKind::kMinutes},
                 {"consumed_minutes", ColumnKind::kMinutes},
                 {"remaining_minutes", ColumnKind::kMinutes},
                 {"overage_minutes", ColumnKind::kMinutes}};
  for (const BalanceRow& r : rows) {
    set.rows.push_back({Text(r.contract),
                        Text(std::string(events::ServiceLineName(r.service_line))),
                        Num(r.funded_minutes), Num(r.consumed_minutes), Num(r.remaining_minutes),
                        Num(r.overage_minutes)});
  }
  return set;
}

RowSet MarginRowSet(const MarginReport& report) {
  RowSet set;
  for (MarginKey k : report.keys) set.columns.push_back({std::string(MarginKeyName(k))});
  set.currency_column = static_cast<int>(set.columns.size());
  // Every row names the currency of its amounts, so a group that spans
  // several currencies gives one row per currency that a BI tool can tell apart.
  set.columns.push_back({"currency", ColumnKind::kText, /*in_csv=*/true, /*in_table=*/false});
  set.columns.push_back({"revenue_minor", ColumnKind::kMoney});
  set.columns.push_back({"cost_minor", ColumnKind::kMoney});
  set.columns.push_back({"margin_minor", ColumnKind::kMoney});
  set.columns.push_back({"margin_bp", ColumnKind::kBasisPoints, /*in_csv=*/false});
  auto cells = [&](const MarginRow& r, bool total) {
    std::vector<Cell> row;
    for (size_t k = 0; k < report.keys.size(); ++k) {
      row.push_back(Text(total ? (k == 0 ? "TOTAL" : "") : r.keys[k]));
    }
    row.push_back(Text(r.currency));
    row.push_back(Num(r.revenue_minor));
    row.push_back(Num(r.cost_minor));
    row.push_back(Num(r.margin_minor));
    row.push_back(NumOrNull(r.margin_bp));
    return row;
  };
  for (const MarginRow& r : report.rows) set.rows.push_back(cells(r, false));
  for (const MarginRow& r : report.totals) set.footer.push_back(cells(r, true));
  return set;
}

RowSet EscalationRowSet(const std::vector<EscalationRow>& rows) {
  RowSet set;
  set.columns = {
      {"contract", ColumnKind::kText},
      {"severity", ColumnKind::kText},
      {"opened", ColumnKind::kInt},
      {"resolved", ColumnKind::kInt},
      {"open", ColumnKind::kInt},
      {"resolve_seconds_mean", ColumnKind::kSeconds, true, true, true, "resolve mean h:mm:ss"},
      {"resolve_seconds_max", ColumnKind::kSeconds, true, true, true, "resolve max h:mm:ss"},
      {"minutes_booked", ColumnKind::kMinutes, true, true, true, "booked h:mm"}};
  for (const EscalationRow& r : rows) {
    set.rows.push_back({Text(r.contract), Text(std::string(events::SeverityName(r.severity))),
                        Num(r.opened), Num(r.resolved), Num(r.open),
                        NumOrNull(r.resolve_seconds_mean), NumOrNull(r.resolve_seconds_max),
                        Num(r.minutes_booked)});
  }
  return set;
}

RowSet BurnRowSet(const std::vector<BurnRow>& rows) {
  RowSet set;
  set.columns = {{"contract", ColumnKind::kText},
                 {"service_line", ColumnKind::kText},
                 {"as_of", ColumnKind::kText},
                 {"funded_minutes", ColumnKind::kMinutes},
                 {"consumed_minutes", ColumnKind::kMinutes},
                 {"window_minutes", ColumnKind::kMinutes},
                 {"burn_minutes_per_day", ColumnKind::kMinutes, true, true, true, "burn/day h:mm"},
                 {"term_end", ColumnKind::kText},
                 {"remaining_days", ColumnKind::kInt},
                 {"projected_minutes", ColumnKind::kMinutes},
                 {"exhaustion_date", ColumnKind::kText},
                 {"flag", ColumnKind::kText}};
  for (const BurnRow& r : rows) {
    set.rows.push_back({Text(r.contract),
                        Text(std::string(events::ServiceLineName(r.service_line))),
                        Text(events::FormatDate(r.as_of_day)), Num(r.funded_minutes),
                        Num(r.consumed_minutes), Num(r.window_minutes), Num(r.burn_minutes_per_day),
                        DateOrNull(r.term_end_day), Num(r.remaining_days), Num(r.projected_minutes),
                        DateOrNull(r.exhaustion_day), Text(std::string(BurnFlagName(r.flag)))});
  }
  return set;
}

void WriteRowSet(const RowSet& set, OutputFormat format, std::string* out,
                 events::CsvCellMode csv_mode) {
  switch (format) {
    case OutputFormat::kTable:
      WriteTable(set, out);
      break;
    case OutputFormat::kCsv:
      WriteCsv(set, csv_mode, out);
      break;
    case OutputFormat::kJson:
      WriteJson(set, out);
      break;
  }
}

}  // namespace ccl::projections

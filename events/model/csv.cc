// CSV input of events (events/model/csv.h).
#include "events/model/csv.h"

#include <cassert>
#include <cstring>

#include "events/base/csv_cell.h"
#include "events/base/limits.h"
#include "events/base/quote.h"

namespace ccl::events {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Restates an assembler/validator error about a field ("field 'minutes':
// must be ...") in the CSV form ("line 7, column 'minutes': must be ...";
// without `line_in_message`, "column 'minutes': must be ..."), keeping its
// code, rule and field.
Status InRecord(size_t line, bool line_in_message, const Status& s) {
  const std::string where = line_in_message ? "line " + std::to_string(line) : "";
  if (s.field().empty()) return line_in_message ? s.WithContext(where) : s;
  std::string out = line_in_message ? where + ", " : "";
  out += "column '" + s.field() + "': ";
  out += s.field_detail();
  return s.WithMessage(std::move(out));
}

}  // namespace

std::string CsvEventReader::ColumnLabel(size_t column) const {
  if (column < header_.size() && !header_[column].empty()) {
    return "column '" + EscapeForMessage(header_[column]) + "'";
  }
  return "column " + std::to_string(column + 1);
}

Status CsvEventReader::RecordError(size_t record_line, std::string_view rule) const {
  std::string m = options_.line_in_message ? "line " + std::to_string(record_line) + ": " : "";
  m += rule;
  return Status::InvalidArgument(std::move(m));
}

Status CsvEventReader::ColumnError(size_t record_line, size_t column, std::string_view rule) const {
  std::string m = options_.line_in_message ? "line " + std::to_string(record_line) + ", " : "";
  m += ColumnLabel(column) + ": ";
  m += rule;
  return Status::InvalidArgument(std::move(m));
}

std::string_view CsvEventReader::Cell(size_t i) const {
  const CellRef& c = cells_[i];
  return c.in_buffer ? std::string_view(unquoted_).substr(c.offset, c.size)
                     : content_.substr(c.offset, c.size);
}

Status CsvEventReader::RecordTooLong(size_t record_line) const {
  return RecordError(record_line,
                     "record longer than " + std::to_string(limits::kCsvRecordBytesMax) + " bytes");
}

Status CsvEventReader::ReadQuotedCell(size_t record_line, size_t column, size_t end_max) {
  assert(pos_ < content_.size() && content_[pos_] == '"');
  const size_t n = content_.size();
  ++pos_;
  const size_t offset = unquoted_.size();
  while (true) {
    const void* q = std::memchr(content_.data() + pos_, '"', end_max - pos_);
    if (q == nullptr) {
      if (end_max < n) return RecordTooLong(record_line);
      return ColumnError(record_line, column, "quoted field not closed before end of input");
    }
    const size_t qpos = static_cast<size_t>(static_cast<const char*>(q) - content_.data());
    const std::string_view chunk = content_.substr(pos_, qpos - pos_);
    for (const char c : chunk) line_ += c == '\n';
    unquoted_.append(chunk);
    if (qpos + 1 < n && content_[qpos + 1] == '"') {  // "" is one quote
      unquoted_.push_back('"');
      pos_ = qpos + 2;
      continue;
    }
    pos_ = qpos + 1;
    break;
  }
  cells_.push_back({true, offset, unquoted_.size() - offset});
  return Status::OK();
}

Status CsvEventReader::ReadUnquotedCell(size_t record_line, size_t column, size_t end_max) {
  const size_t begin = pos_;
  while (pos_ < end_max) {
    const char c = content_[pos_];
    if (c == ',' || c == '\n' || c == '\r') break;
    if (c == '"') {
      return ColumnError(record_line, column,
                         "a quote inside an unquoted field (quote the whole field and "
                         "write \"\" for each quote in it)");
    }
    ++pos_;
  }
  if (pos_ == end_max && end_max < content_.size()) return RecordTooLong(record_line);
  cells_.push_back({false, begin, pos_ - begin});
  return Status::OK();
}

Status CsvEventReader::ReadRecord(size_t record_line) {
  cells_.clear();
  unquoted_.clear();
  const size_t n = content_.size();
  const size_t start = pos_;
  // No record may run past this: a missing closing quote must not make us
  // swallow the rest of a large file into one field.
  const size_t end_max = start + std::min(n - start, limits::kCsvRecordBytesMax);
  while (true) {
    const size_t column = cells_.size();
    if (pos_ < n && content_[pos_] == '"') {
      CCL_RETURN_IF_ERROR(ReadQuotedCell(record_line, column, end_max));
    } else {
      CCL_RETURN_IF_ERROR(ReadUnquotedCell(record_line, column, end_max));
    }
    if (pos_ >= n) return Status::OK();  // last record without a line end
    const char c = content_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == '\n') {
      ++pos_;
      ++line_;
      return Status::OK();
    }
    if (c == '\r' && pos_ + 1 < n && content_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
      return Status::OK();
    }
    if (c == '\r') return ColumnError(record_line, column, "carriage return not followed by LF");
    if (pos_ >= end_max) return RecordTooLong(record_line);
    return ColumnError(record_line, column,
                       "text after the closing quote (expected ',' or the end of the line)");
  }
}

void CsvEventReader::SkipBlankLines() {
  while (pos_ < content_.size()) {
    if (content_[pos_] == '\n') {
      ++pos_;
    } else if (content_.compare(pos_, 2, "\r\n") == 0) {
      pos_ += 2;
    } else {
      return;
    }
    ++line_;
  }
}

Status CsvEventReader::Open(std::string_view content, std::optional<EventType> fixed_type) {
  content_ = content;
  pos_ = 0;
  line_ = 1;
  fixed_type_ = fixed_type;
  header_.clear();
  columns_.clear();
  type_column_.reset();
  if (content_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
  if (pos_ >= content_.size()) return RecordError(1, "empty input, expected a header row");
  CCL_RETURN_IF_ERROR(ReadRecord(1));
  FieldMask seen = 0;
  for (size_t i = 0; i < cells_.size(); ++i) header_.emplace_back(Cell(i));
  for (size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    if (name.empty()) return ColumnError(1, i, "empty column name");
    FieldId f;
    if (!LookupField(name, &f)) return ColumnError(1, i, "unknown field");
    if ((seen & FieldBit(f)) != 0) return ColumnError(1, i, "duplicate column");
    seen |= FieldBit(f);
    columns_.push_back(f);
    if (f == FieldId::kType) type_column_ = i;
  }
  if (!type_column_.has_value() && !fixed_type_.has_value()) {
    return RecordError(1, "no 'type' column and no event type given");
  }
  return Status::OK();
}

Status CsvEventReader::Assemble(Event* out) {
  assembler_.Begin(out);
  for (size_t i = 0; i < columns_.size(); ++i) {
    const std::string_view cell = Cell(i);
    if (cell.empty()) continue;  // absent
    const FieldId f = columns_[i];
    if (f == FieldId::kType && fixed_type_.has_value()) {
      if (cell != EventTypeName(*fixed_type_)) {
        return Status::InvalidField("type", QuoteForMessage(cell) +
                                                " differs from the given type " +
                                                std::string(EventTypeName(*fixed_type_)));
      }
      continue;  // set below
    }
    switch (FieldKindOf(f)) {
      case FieldKind::kText:
        CCL_RETURN_IF_ERROR(assembler_.SetText(f, cell));
        break;
      case FieldKind::kInteger:
        CCL_RETURN_IF_ERROR(assembler_.SetIntegerText(f, cell));
        break;
      case FieldKind::kLines:
        CCL_RETURN_IF_ERROR(json_.ParseLinesInto(cell, &assembler_));
        break;
      case FieldKind::kSealedTotals:
        CCL_RETURN_IF_ERROR(assembler_.MarkAssigned(f));  // assigned: ignored
        break;
      case FieldKind::kBoolean:
        if (cell != "true" && cell != "false") {
          return Status::InvalidField(FieldName(f),
                                      "must be true or false, got " + QuoteForMessage(cell));
        }
        CCL_RETURN_IF_ERROR(assembler_.MarkAssigned(f));  // assigned: ignored
        break;
    }
  }
  if (fixed_type_.has_value()) {
    CCL_RETURN_IF_ERROR(assembler_.SetText(FieldId::kType, EventTypeName(*fixed_type_)));
  }
  if (!options_.default_actor.empty() && out->actor.empty()) {
    CCL_RETURN_IF_ERROR(assembler_.SetText(FieldId::kActor, options_.default_actor));
  }
  return assembler_.Finish();
}

Status CsvEventReader::Next(Event* out, size_t* line, bool* done) {
  SkipBlankLines();
  if (pos_ >= content_.size()) {
    *done = true;
    return Status::OK();
  }
  *done = false;
  const size_t record_line = line_;
  *line = record_line;
  CCL_RETURN_IF_ERROR(ReadRecord(record_line));
  if (cells_.size() != columns_.size()) {
    return RecordError(record_line, std::to_string(cells_.size()) + " fields, the header has " +
                                        std::to_string(columns_.size()));
  }
  CCL_RETURN_IF_ERROR(DecodeCells(record_line));
  const Status s = Assemble(out);
  if (!s.ok()) return InRecord(record_line, options_.line_in_message, s);
  return Status::OK();
}

Status CsvEventReader::DecodeCells(size_t record_line) {
  std::string rule;
  for (size_t i = 0; i < cells_.size(); ++i) {
    if (!IsEncodedCsvCell(Cell(i))) continue;  // the common case: no copy
    if (!DecodeCsvCell(Cell(i), &decoded_, &rule)) return ColumnError(record_line, i, rule);
    cells_[i] = {true, unquoted_.size(), decoded_.size()};
    unquoted_.append(decoded_);
  }
  return Status::OK();
}

}  // namespace ccl::events

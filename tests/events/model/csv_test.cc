// CSV input (RFC 4180) and output of events.
#include "events/model/csv.h"

#include <gtest/gtest.h>

#include <vector>

#include "events/base/csv_cell.h"
#include "events/base/limits.h"
#include "events/model/rules.h"
#include "tests/events/model/sample_events.h"

namespace ccl::events {
namespace {

using testing::AllEventTypes;
using testing::SampleEvent;
using testing::SampleStoredEvent;

struct ReadResult {
  std::vector<Event> events;
  std::vector<size_t> lines;
  Status status;
};

ReadResult ReadAll(std::string_view content, std::optional<EventType> fixed = std::nullopt) {
  ReadResult r;
  CsvEventReader reader;
  r.status = reader.Open(content, fixed);
  if (!r.status.ok()) return r;
  while (true) {
    Event e;
    size_t line = 0;
    bool done = false;
    r.status = reader.Next(&e, &line, &done);
    if (!r.status.ok() || done) return r;
    r.events.push_back(e);
    r.lines.push_back(line);
  }
}

// Reads `content` (with the caller's `fixed` type), which the reader must
// accept whole and find `count` events in; a fatal test failure otherwise.
void ReadAccepted(std::string_view content, size_t count, ReadResult* r,
                  std::optional<EventType> fixed = std::nullopt) {
  *r = ReadAll(content, fixed);
  ASSERT_TRUE(r->status.ok()) << r->status.ToString() << "\n" << content;
  ASSERT_EQ(r->events.size(), count);
}

constexpr char kBookingHeader[] =
    "event_id,type,contract,effective_at,actor,source,engineer,service_line,minutes,"
    "cost_rate_minor";
constexpr char kBookingRow[] =
    "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,HoursBooked,C-1,2026-03-31T14:05:00Z,alice,test,bob,"
    "reactive,90,12000";

class CsvTest : public ::testing::Test {};

TEST_F(CsvTest, RoundTripEveryTypeInOneFile) {
  CsvOutputOptions options;
  options.hash_column = true;
  std::string csv;
  AppendCsvHeader(options, &csv);
  const uint8_t hash[32] = {0xab};
  for (EventType t : AllEventTypes()) AppendEventCsv(SampleStoredEvent(t), options, hash, &csv);
  ReadResult r;
  ASSERT_NO_FATAL_FAILURE(ReadAccepted(csv, static_cast<size_t>(kEventTypeCount), &r));
  for (size_t i = 0; i < r.events.size(); ++i) {
    EXPECT_EQ(r.events[i], SampleEvent(AllEventTypes()[i])) << i;
    EXPECT_EQ(r.lines[i], i + 2);
  }
}

TEST_F(CsvTest, WriterQuotesOnlyWhatNeedsIt) {
  Event e = SampleEvent(EventType::kContractClosed);
  e.note.clear();
  e.reason = "said \"done\", finally; bye";
  CsvOutputOptions options;
  options.assigned_fields = false;
  std::string row;
  AppendEventCsv(e, options, nullptr, &row);
  EXPECT_NE(row.find(",\"said \"\"done\"\", finally; bye\","), std::string::npos) << row;
  EXPECT_NE(row.find(",alice@example.com,"), std::string::npos) << row;
  std::string csv;
  AppendCsvHeader(options, &csv);
  csv += row;
  ReadResult r;
  ASSERT_NO_FATAL_FAILURE(ReadAccepted(csv, 1u, &r));
  EXPECT_EQ(r.events[0], e);
}

// Text a spreadsheet would run (= + - @ first) gets a leading ' and control
// characters (C0, DEL, C1, line ends too) never leave raw: such a cell is '
// then the text as a JSON string. Import undoes both, so the export of any
// event re-imports as that same event.
TEST_F(CsvTest, FormulaAndControlCharactersAreNeutralisedAndRoundTrip) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"c(=HYPERLINK("http://evil.example/?x","click"))c",
       R"c("'=HYPERLINK(""http://evil.example/?x"",""click"")")c"},
      {"+1", "'+1"},
      {"-2+3", "'-2+3"},
      {"@SUM(A1)c", "'@SUM(A1)c"},
      {"'=already quoted", "''=already quoted"},
      {"''", "'''"},
      {R"c('"x)c", R"c("''""x")c"},
      {"'tis", "'tis"},
      {"'", "'"},
      {"a=b", "a=b"},
      {"red\x1b[31m\x01", R"c("'""red\u001b[31m\u0001""")c"},
      {std::string("nul\0byte", 8), R"c("'""nul\u0000byte""")c"},
      {"\tlead", R"c("'""\u0009lead""")c"},
      {"two\r\nlines \\ \"q\"", R"c("'""two\u000d\u000alines \\ \""q\""""")c"},
      {"del\x7f c1\xc2\x9b", R"c("'""del\u007f c1\u009b""")c"},
  };
  CsvOutputOptions options;
  options.assigned_fields = false;
  std::string csv;
  AppendCsvHeader(options, &csv);
  std::vector<Event> written;
  for (const auto& [text, cell] : cases) {
    Event e = SampleEvent(EventType::kContractOpened);
    e.customer = text;
    e.note = text;
    std::string row;
    AppendEventCsv(e, options, nullptr, &row);
    EXPECT_NE(row.find("," + cell + ","), std::string::npos) << text << "\n" << row;
    csv += row;
    written.push_back(e);
  }
  for (size_t i = 0; i < csv.size(); ++i) {
    const auto c = static_cast<unsigned char>(csv[i]);
    const bool line_end = (c == '\r' && csv[i + 1] == '\n') || (c == '\n' && csv[i - 1] == '\r');
    EXPECT_TRUE(line_end || (c >= 0x20 && c != 0x7f)) << "raw control byte at " << i;
  }
  ReadResult r;
  ASSERT_NO_FATAL_FAILURE(ReadAccepted(csv, written.size(), &r));
  for (size_t i = 0; i < written.size(); ++i) EXPECT_EQ(r.events[i], written[i]) << cases[i].first;
}

// What import makes of a leading quote in a CSV written by hand: one ' is
// removed only before = + - @ ' (the neutralising prefix); '" starts an
// escaped cell, which must be complete and well-formed.
TEST_F(CsvTest, ImportOfALeadingQuote) {
  const std::string header = std::string(kBookingHeader) + ",note\n";
  auto note_of = [&](const std::string& cell, std::string* note) {
    const ReadResult r = ReadAll(header + kBookingRow + "," + cell + "\n");
    if (!r.status.ok()) return r.status;
    *note = r.events.at(0).note;
    return Status::OK();
  };
  std::string note;
  ASSERT_TRUE(note_of("'tis", &note).ok());
  EXPECT_EQ(note, "'tis");
  ASSERT_TRUE(note_of("'=1+1", &note).ok());
  EXPECT_EQ(note, "=1+1");
  ASSERT_TRUE(note_of("'''", &note).ok());
  EXPECT_EQ(note, "''");
  ASSERT_TRUE(note_of(R"c("'""a\u0009b""")c", &note).ok());
  EXPECT_EQ(note, "a\tb");
  for (const char* bad_cell : {R"c("'""a\tb""")c", R"c("'""a\u0041b""")c", R"c("'""a\u001Bb""")c",
                               R"c("'""open")c", R"c("'""a"b""")c"}) {
    const Status bad = note_of(bad_cell, &note);
    EXPECT_TRUE(bad.IsInvalidArgument()) << bad_cell;
    EXPECT_NE(bad.message().find("line 2, column 'note'"), std::string::npos) << bad.message();
  }
}

TEST_F(CsvTest, FixedTypeWithoutTypeColumn) {
  const std::string csv =
      "event_id,contract,effective_at,actor,source,engineer,service_line,minutes,"
      "cost_rate_minor,reference\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,C-1,2026-03-31,alice,test,bob,reactive,90,12000,\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405163,C-1,2026-03-31,alice,test,eve,proactive,30,0,T-1\n";
  ReadResult r;
  ASSERT_NO_FATAL_FAILURE(ReadAccepted(csv, 2u, &r, EventType::kHoursBooked));
  EXPECT_EQ(r.events[0].type, EventType::kHoursBooked);
  EXPECT_EQ(r.events[0].reference, "");  // empty cell: absent
  EXPECT_EQ(r.events[1].reference, "T-1");
  EXPECT_EQ(r.events[1].engineer, "eve");
  EXPECT_EQ(r.events[1].cost_rate_minor, 0);
  EXPECT_EQ(r.lines, (std::vector<size_t>{2, 3}));
}

TEST_F(CsvTest, FixedTypeAndMatchingTypeColumn) {
  const std::string csv = std::string(kBookingHeader) + "\n" + kBookingRow + "\n" +
                          "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405163,,C-1,2026-03-31,a,s,b,"
                          "reactive,90,1\n";
  ReadResult r;
  ASSERT_NO_FATAL_FAILURE(ReadAccepted(csv, 2u, &r, EventType::kHoursBooked));
}

TEST_F(CsvTest, Rfc4180EdgeCases) {
  // BOM, CRLF, a quoted header, quoted fields holding commas, doubled quotes
  // and line breaks (CRLF and LF), an empty quoted field (absent), blank
  // lines between records, and a last record without a line end.
  const std::string csv =
      "\xEF\xBB\xBF"
      "\"event_id\",type,contract,effective_at,actor,source,note,engineer,service_line,"
      "minutes,cost_rate_minor\r\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,HoursBooked,C-1,2026-03-31,alice,test,"
      "\"a, b\",bob,reactive,90,12000\r\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405163,HoursBooked,C-1,2026-03-31,alice,\"te\"\"st\","
      "\"line one\r\nline two\nline three\",bob,reactive,90,12000\r\n"
      "\r\n"
      "\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405164,\"HoursBooked\",C-1,2026-03-31,alice,test,"
      "\"\",\"b\"\"o\"\"b\",reactive,\"90\",12000";
  ReadResult r;
  ASSERT_NO_FATAL_FAILURE(ReadAccepted(csv, 3u, &r));
  EXPECT_EQ(r.events[0].note, "a, b");
  EXPECT_EQ(r.events[1].source, "te\"st");
  EXPECT_EQ(r.events[1].note, "line one\r\nline two\nline three");
  EXPECT_EQ(r.events[2].note, "");
  EXPECT_EQ(r.events[2].engineer, "b\"o\"b");
  EXPECT_EQ(r.events[2].minutes, 90);
  // The multi-line record starts on line 3 and ends on line 5; two blank lines follow.
  EXPECT_EQ(r.lines, (std::vector<size_t>{2, 3, 8}));
}

TEST_F(CsvTest, LinesCellHoldsTheJsonArray) {
  const std::string csv =
      "event_id,type,contract,effective_at,actor,source,customer,term_start,term_end,currency,"
      "lines\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,ContractOpened,C-1,2026-01-01,a,s,"
      "\"Dept, Inc.\",2026-01-01,2026-12-31,USD,"
      "\"[{\"\"service_line\"\":\"\"reactive\"\",\"\"funded_minutes\"\":6000,"
      "\"\"bill_rate_minor\"\":25000,\"\"overage\"\":\"\"reject\"\"},"
      "{\"\"service_line\"\":\"\"proactive\"\",\"\"funded_minutes\"\":0,"
      "\"\"bill_rate_minor\"\":0,\"\"overage\"\":\"\"allow\"\"}]\"\n";
  ReadResult r;
  ASSERT_NO_FATAL_FAILURE(ReadAccepted(csv, 1u, &r));
  const Event& e = r.events[0];
  EXPECT_EQ(e.customer, "Dept, Inc.");
  ASSERT_EQ(e.lines.size(), 2u);
  EXPECT_EQ(e.lines[0], (ContractLine{ServiceLine::kReactive, 6000, 0, 25000, Overage::kReject}));
  EXPECT_EQ(e.lines[1], (ContractLine{ServiceLine::kProactive, 0, 0, 0, Overage::kAllow}));
}

struct BadCase {
  std::string csv;
  std::optional<EventType> fixed;
  std::string message;  // exact
};

// kBookingHeader and one kBookingRow whose cells after `source` are `tail`.
std::string BookingCsv(const std::string& tail) {
  return std::string(kBookingHeader) +
         "\n3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,HoursBooked,C-1,2026-03-31T14:05:00Z,alice,test," +
         tail + "\n";
}

// A bad header, or a booking with a bad record or cell.
std::vector<BadCase> HeaderAndBookingCases() {
  const std::string h = kBookingHeader;
  const std::string row = kBookingRow;
  return {
      {"", std::nullopt, "line 1: empty input, expected a header row"},
      {"\xEF\xBB\xBF", std::nullopt, "line 1: empty input, expected a header row"},
      {"event_id,foo\n", std::nullopt, "line 1, column 'foo': unknown field"},
      {"event_id,minutes,type,minutes\n", std::nullopt,
       "line 1, column 'minutes': duplicate column"},
      {"event_id,type,,minutes\n", std::nullopt, "line 1, column 3: empty column name"},
      {"event_id,minutes\n", std::nullopt, "line 1: no 'type' column and no event type given"},
      {BookingCsv("bob,reactive,90"), std::nullopt, "line 2: 9 fields, the header has 10"},
      {h + "\n" + row + ",extra\n", std::nullopt, "line 2: 11 fields, the header has 10"},
      {BookingCsv("b\"ob,reactive,90,1"), std::nullopt,
       "line 2, column 'engineer': a quote inside an unquoted field (quote the whole field and "
       "write \"\" for each quote in it)"},
      {BookingCsv("\"bob\"x,reactive,90,1"), std::nullopt,
       "line 2, column 'engineer': text after the closing quote (expected ',' or the end of the "
       "line)"},
      {BookingCsv("\"bob,reactive,90,1"), std::nullopt,
       "line 2, column 'engineer': quoted field not closed before end of input"},
      {BookingCsv("bob\r,reactive,90,1"), std::nullopt,
       "line 2, column 'engineer': carriage return not followed by LF"},
      {BookingCsv("bob,reactive,0,1"), std::nullopt,
       "line 2, column 'minutes': must be 1..1440, got 0"},
      {BookingCsv("bob,reactive,1.5,1"), std::nullopt,
       "line 2, column 'minutes': must be an integer, got '1.5'"},
      {BookingCsv("bob,reactive, 90,1"), std::nullopt,
       "line 2, column 'minutes': must be an integer, got ' 90'"},
      {BookingCsv("bob,reactive,\"1,440\",1"), std::nullopt,
       "line 2, column 'minutes': must be an integer, got '1,440'"},
      {BookingCsv(",reactive,90,1"), std::nullopt, "line 2, column 'engineer': required"},
      {BookingCsv("bob,Reactive,90,1"), std::nullopt,
       "line 2, column 'service_line': must be one of proactive, reactive, "
       "designated_engineering, service_delivery, got 'Reactive'"},
      {h + ",note\n" + row + ",\"caf\xc3\"\n", std::nullopt,
       "line 2, column 'note': must be valid UTF-8"},
      {h + ",customer\n" + row + ",Dept\n", std::nullopt,
       "line 2, column 'customer': not allowed in HoursBooked"},
  };
}

// A record of another type than given, or bad type, date, length or lines.
std::vector<BadCase> TypeDateAndLinesCases() {
  const std::string h = kBookingHeader;
  const std::string row = kBookingRow;
  const std::string long_note(limits::kCsvRecordBytesMax, 'n');
  return {
      {h + "\n" + row + "\n", EventType::kContractClosed,
       "line 2, column 'type': 'HoursBooked' differs from the given type ContractClosed"},
      {"event_id,type,contract,effective_at,actor,source,reason\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,Foo,C-1,2026-03-31,a,s,r\n",
       std::nullopt, "line 2, column 'type': unknown event type 'Foo'"},
      {"event_id,type,contract,effective_at,actor,source,reason\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,,C-1,2026-03-31,a,s,r\n",
       std::nullopt, "line 2, column 'type': required"},
      {"event_id,type,contract,effective_at,actor,source,reason\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,ContractClosed,C-1,2026-02-30,a,s,r\n",
       std::nullopt, "line 2, column 'effective_at': not a calendar date: '2026-02-30'"},
      {"event_id,type,contract,effective_at,actor,source,reason,note\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,ContractClosed,C-1,2026-03-01,a,s,r,\"multi\n"
       "line\"\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405163,ContractClosed,C-1,2026-03-01,a,s,,x\n",
       std::nullopt, "line 4, column 'reason': required"},
      {"event_id,type,contract,effective_at,actor,source,reason,note\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,ContractClosed,C-1,2026-03-01,a,s,r,\"" +
           long_note + "\"\n",
       std::nullopt, "line 2: record longer than 65536 bytes"},
      {"event_id,type,contract,effective_at,actor,source,customer,term_start,term_end,currency,"
       "lines\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,ContractOpened,C-1,2026-01-01,a,s,D,2026-01-01,"
       "2026-12-31,USD,[{]\n",
       std::nullopt, "line 2, column 'lines[0]': invalid JSON"},
      {"event_id,type,contract,effective_at,actor,source,customer,term_start,term_end,currency,"
       "lines\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,ContractOpened,C-1,2026-01-01,a,s,D,2026-01-01,"
       "2026-12-31,USD,\"[{\"\"service_line\"\":\"\"reactive\"\",\"\"funded_minutes\"\":1,"
       "\"\"bill_rate_minor\"\":1,\"\"overage\"\":\"\"x\"\"}]\"\n",
       std::nullopt, "line 2, column 'lines[0].overage': must be one of reject, allow, got 'x'"},
      {"event_id,type,contract,effective_at,actor,source,customer,term_start,term_end,currency,"
       "lines\n"
       "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,ContractOpened,C-1,2026-01-01,a,s,D,2026-01-01,"
       "2026-12-31,USD,{}\n",
       std::nullopt, "line 2, column 'lines': must be an array"},
  };
}

TEST_F(CsvTest, BadInputNamesLineAndColumn) {
  for (const auto& cases : {HeaderAndBookingCases(), TypeDateAndLinesCases()}) {
    for (const BadCase& c : cases) {
      const ReadResult r = ReadAll(c.csv, c.fixed);
      EXPECT_TRUE(r.status.IsInvalidArgument()) << c.message << " | " << r.status.ToString();
      const std::string got = r.status.message();
      // Most messages are exact; JSON parse errors end with simdjson's words.
      EXPECT_EQ(got.substr(0, c.message.size()), c.message) << "got: " << got;
    }
  }
}

// The column comes from the error's field, as data; the rule id stays on it.
TEST_F(CsvTest, FieldErrorKeepsItsFieldAndRule) {
  const std::string csv =
      "event_id,type,contract,effective_at,actor,source,engineer,service_line,minutes,cost_rate_"
      "minor\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,HoursBooked,C-1,2026-03-31T14:05:00Z,a,s,bob,"
      "reactive,0,1\n";
  const ReadResult r = ReadAll(csv);
  ASSERT_TRUE(r.status.IsInvalidArgument()) << r.status.ToString();
  EXPECT_EQ(r.status.message(), "line 2, column 'minutes': must be 1..1440, got 0 (rule F-HOURS)");
  EXPECT_EQ(r.status.rule(), rules::kFieldHoursBooked);
}

TEST_F(CsvTest, WithoutLineInMessageTheLineIsNextsOutput) {
  const std::string csv =
      "event_id,type,contract,effective_at,actor,source,engineer,service_line,minutes,cost_rate_"
      "minor\n\n"
      "3f1c2a4e-8b7d-4c6e-9a5b-1d2e3f405162,HoursBooked,C-1,2026-03-31T14:05:00Z,a,s,bob,"
      "reactive,0,1\n";
  CsvEventReader reader(CsvReaderOptions{.line_in_message = false, .default_actor = {}});
  ASSERT_TRUE(reader.Open(csv, std::nullopt).ok());
  Event e;
  size_t line = 0;
  bool done = false;
  const Status s = reader.Next(&e, &line, &done);
  EXPECT_EQ(line, 3u);
  EXPECT_EQ(s.message(), "column 'minutes': must be 1..1440, got 0 (rule F-HOURS)");
  EXPECT_EQ(s.field(), "minutes");
  EXPECT_EQ(s.rule(), rules::kFieldHoursBooked);
  const Status header = reader.Open("event_id,foo\n", std::nullopt);
  EXPECT_EQ(header.message(), "column 'foo': unknown field");
}

TEST_F(CsvTest, ReaderIsReusable) {
  CsvEventReader reader;
  ASSERT_FALSE(reader.Open("event_id,foo\n", std::nullopt).ok());
  const std::string csv = std::string(kBookingHeader) + "\n" + kBookingRow + "\n";
  ASSERT_TRUE(reader.Open(csv, std::nullopt).ok());
  Event e;
  size_t line = 0;
  bool done = false;
  ASSERT_TRUE(reader.Next(&e, &line, &done).ok());
  EXPECT_FALSE(done);
  EXPECT_EQ(e.minutes, 90);
  ASSERT_TRUE(reader.Next(&e, &line, &done).ok());
  EXPECT_TRUE(done);
}

// The plain mode (the sink's COPY) keeps the text exactly: RFC 4180 quoting
// only, and quotes where COPY would otherwise read NULL or end-of-data.
TEST(CsvCellTest, PlainModeQuotesOnlyAndKeepsTheText) {
  const auto plain = [](std::string_view text) {
    std::string out;
    AppendCsvCell(text, &out, CsvCellMode::kPlain);
    return out;
  };
  EXPECT_EQ(plain("=1+1"), "=1+1");
  EXPECT_EQ(plain("'tis"), "'tis");
  EXPECT_EQ(plain("Evil \x1b[2J"), "Evil \x1b[2J");
  EXPECT_EQ(plain("a,\"b\"\nc"), "\"a,\"\"b\"\"\nc\"");
  EXPECT_EQ(plain(""), "\"\"");
  EXPECT_EQ(plain("\\."), "\"\\.\"");
  std::string safe;
  AppendCsvCell("=1+1", &safe);
  EXPECT_EQ(safe, "'=1+1");  // the default stays the spreadsheet-safe form
}

// The JSON string literal every document, log and row writer uses: quotes
// and backslashes backslashed, controls as lower-case \u00XX, DEL and C1
// too unless asked not to (the canonical event JSON's choice); other UTF-8
// bytes as they are.
TEST(JsonStringTest, QuotesAndEscapesControlCharacters) {
  const auto quoted = [](std::string_view s, bool escape_del_c1) {
    std::string out = "x";  // appended to, not replaced
    AppendJsonString(s, &out, escape_del_c1);
    return out;
  };
  for (bool del_c1 : {false, true}) {
    EXPECT_EQ(quoted("", del_c1), "x\"\"");
    EXPECT_EQ(quoted("a\"b\\c", del_c1), "x\"a\\\"b\\\\c\"");
    EXPECT_EQ(quoted(std::string("\n\x1f\0", 3), del_c1), "x\"\\u000a\\u001f\\u0000\"");
    EXPECT_EQ(quoted("Minist\xc3\xa8re", del_c1), "x\"Minist\xc3\xa8re\"");
  }
  EXPECT_EQ(quoted("\x7f\xc2\x85", false), "x\"\x7f\xc2\x85\"");
  EXPECT_EQ(quoted("\x7f\xc2\x85", true), "x\"\\u007f\\u0085\"");
  std::string by_default;
  AppendJsonString("\x7f", &by_default);
  EXPECT_EQ(by_default, "\"\\u007f\"");
}

}  // namespace
}  // namespace ccl::events

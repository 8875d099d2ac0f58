// Import (tools/app/import.h) in-process: bodies and files in every format,
// typed results, errors as data (code, source, line, field, rule), the
// encoding check, batching and stopping at a batch boundary.
#include "tools/app/import.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "events/model/csv.h"
#include "events/model/json.h"
#include "events/model/rules.h"
#include "tests/tools/feed/feed_test_util.h"

namespace ccl::app {
namespace {

using events::Event;
using events::ServiceLine;
using feed::testing::AppendOrDie;
using feed::testing::WriteFile;

std::string JsonOf(const Event& e) {
  events::JsonOutputOptions o;
  o.assigned_fields = false;
  std::string out;
  events::AppendEventJson(e, o, &out);
  return out;
}

std::string JsonLines(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) out += JsonOf(e) + "\n";
  return out;
}

std::string Csv(const std::vector<Event>& events) {
  events::CsvOutputOptions o;
  o.assigned_fields = false;
  std::string out;
  events::AppendCsvHeader(o, &out);
  for (const Event& e : events) events::AppendEventCsv(e, o, nullptr, &out);
  return out;
}

// What an import says it wrote: appended, duplicates, first_seq, last_seq,
// lowest_seq, highest_seq; compared as one value so that a failure shows
// every figure.
using Written = std::array<uint64_t, 6>;

Written WrittenBy(const ImportResult& r) {
  return {r.appended, r.duplicates, r.first_seq, r.last_seq, r.lowest_seq, r.highest_seq};
}

// `s` rejects the field `field` on line `line` of `source`, as data and in a
// message that begins with `message_start`.
void ExpectFieldRejected(const Status& s, const std::string& source, uint64_t line,
                         const std::string& field, const std::string& message_start) {
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.source(), source);
  EXPECT_EQ(s.line(), line);
  EXPECT_EQ(s.field(), field);
  EXPECT_TRUE(s.message().starts_with(message_start)) << s.message();
}

class ImportTest : public feed::testing::LedgerWriterTest {
 protected:
  // A contract and `bookings` bookings of 30 minutes on it.
  std::vector<Event> Workload(int bookings) {
    std::vector<Event> v = {factory_.Open("C-1")};
    for (int i = 0; i < bookings; ++i) {
      v.push_back(factory_.Book("C-1", ServiceLine::kReactive, 30));
    }
    return v;
  }
};

TEST_F(ImportTest, JsonArrayBodyIsOneAppendWithTypedResult) {
  const std::vector<Event> events = Workload(2);
  const std::string body = "[\n  " + JsonOf(events[0]) + ",\n  " + JsonOf(events[1]) + ",\n  " +
                           JsonOf(events[2]) + "\n]\n";
  ImportResult r;
  ASSERT_TRUE(ImportBody(writer_.get(), body, "request", ImportOptions(), &r).ok());
  EXPECT_EQ(r.events, 3u);
  EXPECT_EQ(WrittenBy(r), (Written{3, 0, 1, 3, 1, 3}));
  EXPECT_EQ(r.batches, 1u);
  EXPECT_EQ(r.head.seq, 3u);
  EXPECT_EQ(r.head.hash, writer_->head().hash);
  EXPECT_FALSE(r.stopped);

  // The same body again: all duplicates, nothing appended, no seqs appended;
  // the seqs it has are those of the first run (a client retrying after a
  // lost answer learns them).
  ImportResult again;
  ASSERT_TRUE(ImportBody(writer_.get(), body, "request", ImportOptions(), &again).ok());
  EXPECT_EQ(WrittenBy(again), (Written{0, 3, 0, 0, 1, 3}));
  EXPECT_EQ(again.head.seq, 3u);
}

TEST_F(ImportTest, MoreEventsThanTheWholeInputMaxIsRefusedAsAWhole) {
  ImportOptions o;
  o.events_max = 2;
  for (const InputFormat format : {InputFormat::kJsonLines, InputFormat::kJsonArray}) {
    o.format = format;
    const std::vector<Event> events = Workload(2);
    std::string body = JsonLines(events);
    if (format == InputFormat::kJsonArray) {
      body = "[" + JsonOf(events[0]) + "," + JsonOf(events[1]) + "," + JsonOf(events[2]) + "]";
    }
    ImportResult r;
    const Status s = ImportBody(writer_.get(), body, "request", o, &r);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(s.rule(), rules::kBatchEventsMax);
    EXPECT_NE(s.message().find("more than 2 events"), std::string::npos) << s.message();
    EXPECT_EQ(writer_->head().seq, 0u);
  }
  o.format = InputFormat::kJsonLines;
  ImportResult r;
  ASSERT_TRUE(ImportBody(writer_.get(), JsonLines(Workload(1)), "request", o, &r).ok());
  EXPECT_EQ(r.appended, 2u);
}

TEST_F(ImportTest, ArrayElementsAreCutAtTopLevelCommasOnlyAndBlankLinesSkipped) {
  const std::vector<Event> events = Workload(1);
  // A note holding the array's own punctuation, and a JSON Lines body with
  // CRLF and blank lines: lines are counted as written.
  Event tricky = events[1];
  tricky.note = "x,}]\\\" [{";
  const std::string array = "[\n " + JsonOf(events[0]) + ",\n" + JsonOf(tricky) + "\n]\n";
  ImportResult r;
  Status s = ImportBody(writer_.get(), array, "request", ImportOptions(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.appended, 2u);
  Event stored;
  ASSERT_TRUE(writer_->Get(2, &stored).ok());
  EXPECT_EQ(stored.note, tricky.note);
  Event late = factory_.Book("C-1", ServiceLine::kReactive, 0);  // minutes out of range
  const std::string lines = JsonOf(factory_.Book("C-1", ServiceLine::kReactive, 30)) +
                            "\r\n\n  \n" + JsonOf(late) + "\r\n";
  s = ImportBody(writer_.get(), lines, "request", ImportOptions(), &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.line(), 4u);
  EXPECT_EQ(writer_->head().seq, 2u);
}

TEST_F(ImportTest, MalformedArraysAreRefusedWritingNothing) {
  ImportOptions o;
  o.format = InputFormat::kJsonArray;
  for (const char* bad : {"", "{}", "[{}", "[{},]", "[{} {}]", "[{}]x", "[1]", "[{\"a\":\"}]",
                          "[{\"a\":[1}]]", "[{\"a\":{1]}]"}) {
    ImportResult r;
    const Status s = ImportBody(writer_.get(), bad, "request", o, &r);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad << ": " << s.ToString();
  }
  EXPECT_EQ(writer_->head().seq, 0u);
}

TEST_F(ImportTest, JsonLinesAndCsvBodiesAppendTheSameEvents) {
  const std::vector<Event> events = Workload(3);
  ImportResult jsonl;
  ASSERT_TRUE(
      ImportBody(writer_.get(), JsonLines(events), "request", ImportOptions(), &jsonl).ok());
  EXPECT_EQ(jsonl.appended, 4u);
  // The CSV form of the same events: duplicates, one by one.
  ImportResult csv;
  Status s = ImportBody(writer_.get(), Csv(events), "request", ImportOptions(), &csv);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(csv.duplicates, 4u);
  EXPECT_EQ(csv.appended, 0u);
}

TEST_F(ImportTest, ABadFieldIsDataNamingSourceLineAndField) {
  std::vector<Event> events = Workload(2);
  std::string body = JsonLines(events);
  body += R"({"event_id":"cc000000-0000-4000-8000-0000000000ff","type":"HoursBooked",)"
          R"("contract":"C-1","effective_at":"2026-03-15T10:00:00Z","actor":"a","source":"t",)"
          R"("engineer":"bob","service_line":"reactive","minutes":0,"cost_rate_minor":1})"
          "\n";
  ImportResult r;
  const Status s = ImportBody(writer_.get(), body, "request", ImportOptions(), &r);
  ExpectFieldRejected(s, "request", 4, "minutes", "request:4: field 'minutes': ");
  EXPECT_EQ(writer_->head().seq, 0u);  // a rejected batch writes nothing
  EXPECT_EQ(r.events, 0u);
}

TEST_F(ImportTest, ARuleBrokenInTheBatchNamesItsLineAndRule) {
  std::vector<Event> events = Workload(1);
  events.push_back(factory_.Book("C-2", ServiceLine::kReactive, 30));  // never opened
  const std::string body =
      "[" + JsonOf(events[0]) + ",\n" + JsonOf(events[1]) + ",\n\n" + JsonOf(events[2]) + "]";
  ImportResult r;
  const Status s = ImportBody(writer_.get(), body, "request", ImportOptions(), &r);
  ASSERT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(s.rule(), rules::kFirstEventOpens);
  EXPECT_EQ(s.source(), "request");
  EXPECT_EQ(s.line(), 4u);  // where the third element starts
  EXPECT_EQ(writer_->head().seq, 0u);
}

TEST_F(ImportTest, AnEventIdUsedTwiceNamesTheFirstUse) {
  std::vector<Event> events = Workload(1);
  Event other = events[1];
  other.minutes = 45;  // same id, other content
  events.push_back(other);
  ImportResult r;
  const Status s = ImportBody(writer_.get(), JsonLines(events), "request", ImportOptions(), &r);
  ASSERT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(s.rule(), rules::kEventIdConflict);
  EXPECT_EQ(s.line(), 3u);
  EXPECT_NE(s.message().find("(first used on line 2 of request)"), std::string::npos)
      << s.message();
  // A body without a name (the service's) names its lines alone.
  const Status unnamed = ImportBody(writer_.get(), JsonLines(events), "", ImportOptions(), &r);
  ASSERT_TRUE(unnamed.IsConflict()) << unnamed.ToString();
  EXPECT_EQ(unnamed.line(), 3u);
  EXPECT_TRUE(unnamed.message().starts_with("line 3: ")) << unnamed.message();
  EXPECT_NE(unnamed.message().find("(first used on line 2)"), std::string::npos)
      << unnamed.message();
  EXPECT_EQ(writer_->head().seq, 0u);
}

TEST_F(ImportTest, CsvErrorsCarryTheRecordLineAndTheColumnsField) {
  std::string body = Csv(Workload(1));
  std::string bad = Csv({factory_.Book("C-1", ServiceLine::kReactive, 30)});
  bad = bad.substr(bad.find('\n') + 1);  // the record without its header
  const size_t at = bad.find(",30,");
  ASSERT_NE(at, std::string::npos) << bad;
  bad.replace(at, 4, ",0,");
  body += bad;
  ImportResult r;
  const Status s = ImportBody(writer_.get(), body, "timesheet.csv", ImportOptions(), &r);
  ExpectFieldRejected(s, "timesheet.csv", 4, "minutes", "timesheet.csv:4: column 'minutes': ");

  // The same from a file (mapped, not copied).
  const std::string path = dir_.Sub("timesheet.csv");
  WriteFile(path, body);
  const Status f = ImportFile(writer_.get(), path, ImportOptions(), &r);
  ExpectFieldRejected(f, path, 4, "minutes", path + ":4: column 'minutes': ");
  EXPECT_EQ(f.message(), path + s.message().substr(std::string("timesheet.csv").size()));
}

TEST_F(ImportTest, Utf16InputIsRefusedNamingTheEncoding) {
  const std::string text = JsonLines(Workload(1));
  for (const std::string& bom : {std::string("\xFF\xFE"), std::string("\xFE\xFF")}) {
    for (const char* name : {"events.jsonl", "events.csv"}) {
      const std::string path = dir_.Sub(name);
      WriteFile(path, bom + text);
      ImportResult r;
      for (const InputFormat format : {InputFormat::kAuto, InputFormat::kCsv}) {
        ImportOptions o;
        o.format = format;
        const Status s = ImportFile(writer_.get(), path, o, &r);
        EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
        EXPECT_EQ(s.source(), path);
        EXPECT_NE(s.message().find("UTF-16"), std::string::npos) << s.message();
        EXPECT_NE(s.message().find("UTF-8 only"), std::string::npos) << s.message();
      }
    }
    ImportResult r;
    const Status s = ImportBody(writer_.get(), bom + text, "request", ImportOptions(), &r);
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_NE(s.message().find("UTF-16"), std::string::npos) << s.message();
  }
  EXPECT_EQ(writer_->head().seq, 0u);
}

TEST_F(ImportTest, BatchesCommitInTurnAndAStopEndsAtABoundary) {
  const std::vector<Event> events = Workload(9);  // 10 events
  const std::string path = dir_.Sub("events.jsonl");
  WriteFile(path, JsonLines(events));
  ImportOptions o;
  o.batch_events = 4;
  int asked = 0;
  o.should_stop = [&asked] { return ++asked == 2; };
  std::vector<std::string> phases;
  uint64_t progress_max = 0;
  o.progress.on_phase = [&phases](std::string_view source, std::string_view phase, uint64_t) {
    phases.push_back(std::string(source) + " " + std::string(phase));
  };
  o.progress.on_progress = [&progress_max](uint64_t done) {
    progress_max = std::max(progress_max, done);
  };
  ImportResult r;
  ASSERT_TRUE(ImportFile(writer_.get(), path, o, &r).ok());
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.batches, 2u);
  EXPECT_EQ(r.events, 8u);
  EXPECT_EQ(WrittenBy(r), (Written{8, 0, 1, 8, 1, 8}));
  EXPECT_EQ(writer_->head().seq, 8u);
  EXPECT_EQ(progress_max, 8u);
  EXPECT_EQ(phases.front(), path + " reading");
  EXPECT_NE(std::find(phases.begin(), phases.end(), path + " appending"), phases.end());

  // Re-run to the end: the committed batches are duplicates.
  o.should_stop = nullptr;
  ImportResult rest;
  ASSERT_TRUE(ImportFile(writer_.get(), path, o, &rest).ok());
  EXPECT_FALSE(rest.stopped);
  EXPECT_EQ(rest.batches, 3u);
  EXPECT_EQ(WrittenBy(rest), (Written{2, 8, 9, 10, 1, 10}));
}

TEST_F(ImportTest, ARejectedBatchKeepsTheBatchesBefore) {
  std::vector<Event> events = Workload(4);
  events.push_back(factory_.Book("C-9", ServiceLine::kReactive, 30));  // line 6: never opened
  ImportOptions o;
  o.batch_events = 2;
  ImportResult r;
  const Status s = ImportBody(writer_.get(), JsonLines(events), "request", o, &r);
  ASSERT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(s.line(), 6u);
  EXPECT_EQ(r.events, 4u);
  EXPECT_EQ(writer_->head().seq, 4u);
}

TEST_F(ImportTest, AnInputWithoutEventsIsRefusedAsAWhole) {
  for (const char* body : {"", "\n \n", "[ ]", "event_id,type,contract\n"}) {
    ImportResult r;
    const Status s = ImportBody(writer_.get(), body, "request", ImportOptions(), &r);
    EXPECT_TRUE(s.IsInvalidArgument()) << "'" << body << "'";
    EXPECT_EQ(s.source(), "request");
    EXPECT_EQ(s.line(), 0u);
  }
  EXPECT_EQ(writer_->head().seq, 0u);
}

// A folder named as the input is the caller's mistake (exit 1), not a
// failed read.
TEST_F(ImportTest, AFolderIsRefusedAsInput) {
  ImportResult r;
  const Status s = ImportFile(writer_.get(), dir_.path(), ImportOptions(), &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("is a folder"), std::string::npos) << s.ToString();
  EXPECT_EQ(writer_->head().seq, 0u);
}

TEST_F(ImportTest, AMalformedArrayNamesTheLine) {
  const std::vector<Event> events = Workload(1);
  const std::string body = "[\n" + JsonOf(events[0]) + "\n" + JsonOf(events[1]) + "]";
  ImportResult r;
  const Status s = ImportBody(writer_.get(), body, "request", ImportOptions(), &r);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.line(), 3u);  // the ',' is missing before line 3
  ImportOptions as_array;
  as_array.format = InputFormat::kJsonArray;
  const Status t = ImportBody(writer_.get(), JsonLines(events), "request", as_array, &r);
  EXPECT_TRUE(t.IsInvalidArgument());
  EXPECT_EQ(t.line(), 1u);
  EXPECT_EQ(writer_->head().seq, 0u);
}

TEST_F(ImportTest, AnUnknownCsvTypeIsRefusedWhenACsvInputIsOpened) {
  ImportOptions o;
  o.csv_type = "HoursBokked";
  ImportResult r;
  const Status s = ImportBody(writer_.get(), Csv(Workload(1)), "request", o, &r);
  EXPECT_TRUE(s.IsInvalidArgument());
  // JSON has its own type field: the option is not read.
  EXPECT_TRUE(ImportBody(writer_.get(), JsonLines(Workload(1)), "request", o, &r).ok());
}

// A whole file is one atomic append taken in parts (Ledger::AppendFrom):
// parsed part by part, each part checked and written into the ledger's
// ingestion files. A rule broken in the last part, by reusing the id of an
// event of the first, is named by its line and the first use's, and nothing
// of the file is written; without it the file goes in whole.
TEST_F(ImportTest, AWholeFileInPartsIsOneAppendNamingLinesAcrossParts) {
  ledger::Options o;
  o.create_if_missing = true;
  o.bulk_ingest_bytes_min = 1;  // the bulk path from the first part on
  writer_.reset();
  ASSERT_TRUE(ledger::Ledger::Open(o, db_, &writer_).ok());
  AppendOrDie(writer_.get(), {factory_.Open("C-0")});
  const int bookings = 40000;  // more than two parts of the parser's
  std::vector<Event> events = Workload(bookings);
  Event reused = events[1];
  reused.minutes = 45;  // the id of line 2, other content
  const std::string path = dir_.Sub("in.jsonl");
  WriteFile(path, JsonLines(events) + JsonOf(reused) + "\n");
  ImportResult r;
  Status s = ImportFile(writer_.get(), path, ImportOptions(), &r);
  ASSERT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(s.source(), path);
  EXPECT_EQ(s.line(), static_cast<uint64_t>(bookings + 2));
  EXPECT_NE(s.message().find("(first used on line 2 of " + path + ")"), std::string::npos)
      << s.message();
  EXPECT_EQ(writer_->head().seq, 1u);
  EXPECT_FALSE(std::filesystem::exists(db_ + "/ccl-ingest"));

  WriteFile(path, JsonLines(events));
  s = ImportFile(writer_.get(), path, ImportOptions(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.batches, 1u);
  EXPECT_EQ(r.appended, static_cast<uint64_t>(bookings + 1));
  EXPECT_EQ(r.first_seq, 2u);
  EXPECT_EQ(r.last_seq, static_cast<uint64_t>(bookings + 2));
  EXPECT_EQ(writer_->head().seq, r.last_seq);
  ledger::VerifyReport report;
  s = writer_->Verify(ledger::VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(ImportTest, AStopDuringAWholeFileAbandonsItsOneAppend) {
  ledger::Options o;
  o.create_if_missing = true;
  o.bulk_ingest_bytes_min = 1;  // scratch files from the first part on
  writer_.reset();
  ASSERT_TRUE(ledger::Ledger::Open(o, db_, &writer_).ok());
  const std::vector<Event> events = Workload(40000);  // three parts
  const std::string path = dir_.Sub("in.jsonl");
  WriteFile(path, JsonLines(events));
  ImportOptions io;
  int asked = 0;
  io.should_stop = [&asked] { return ++asked == 2; };  // as the second part is handed over
  ImportResult r;
  Status s = ImportFile(writer_.get(), path, io, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(r.batches, 0u);
  EXPECT_EQ(writer_->head().seq, 0u);
  EXPECT_FALSE(std::filesystem::exists(db_ + "/ccl-ingest"));

  io.should_stop = [&asked] {  // asked, never stopping
    ++asked;
    return false;
  };
  asked = 0;
  ImportResult all;
  s = ImportFile(writer_.get(), path, io, &all);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(all.stopped);
  EXPECT_GE(asked, 3);
  EXPECT_EQ(all.appended, events.size());
  EXPECT_EQ(writer_->head().seq, events.size());
}

}  // namespace
}  // namespace ccl::app

// Helpers of the feed tests: a real ledger in a temporary folder filled with
// valid events, and readers of what the feed wrote.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/store/ledger.h"
#include "tests/ledger/store/ledger_test_util.h"
#include "tests/testing/files.h"

namespace ccl::feed::testing {

using ledger::testing::EventFactory;
using ledger::testing::FakeClock;
using ledger::testing::OpenLedgerAt;
using ledger::testing::TempDir;

inline void AppendOrDie(ledger::Ledger* l, const std::vector<events::Event>& batch) {
  ledger::AppendResult r;
  Status s = l->Append(batch, ledger::AppendOptions(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString() << " (event " << r.failed_index << ")";
}

// `n` bookings of 30 minutes on `contract` (which must be open), spread over
// days of March 2026.
inline std::vector<events::Event> Bookings(EventFactory* f, const std::string& contract, int n) {
  static const char* kDays[] = {"2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z",
                                "2026-03-04T09:00:00Z", "2026-03-05T09:00:00Z"};
  std::vector<events::Event> v;
  for (int i = 0; i < n; ++i) {
    v.push_back(f->Book(contract, events::ServiceLine::kReactive, 30, kDays[i % 4]));
  }
  return v;
}

// A writer on a new ledger in a temporary folder (db_ names it), held open
// throughout the test, and the factory of the events appended to it.
// Derived fixtures call this SetUp first, then append their events.
class LedgerWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Sub("db");
    writer_ = OpenLedgerAt(db_, /*read_only=*/false);
    ASSERT_NE(writer_, nullptr);
  }

  TempDir dir_;
  std::string db_;
  std::unique_ptr<ledger::Ledger> writer_;
  EventFactory factory_;
};

using test_files::Lines;
using test_files::ReadFile;
using test_files::WriteFile;

// The seq of each JSON line the feed wrote ({"seq":N,...}).
inline std::vector<uint64_t> SeqsOfJsonl(const std::string& text) {
  std::vector<uint64_t> seqs;
  for (const std::string& line : Lines(text)) {
    EXPECT_TRUE(line.starts_with("{\"seq\":")) << line;
    seqs.push_back(std::stoull(line.substr(7)));
  }
  return seqs;
}

// A minimal RFC 4180 reader (records of cells) to check what the writer
// produced independently of the production reader.
inline std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string cell;
  bool quoted = false;
  bool cell_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell.push_back(c);
      }
      continue;
    }
    if (c == '"' && !cell_started) {
      quoted = true;
      cell_started = true;
    } else if (c == ',') {
      record.push_back(cell);
      cell.clear();
      cell_started = false;
    } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;  // CRLF ends a record like LF
      record.push_back(cell);
      records.push_back(record);
      record.clear();
      cell.clear();
      cell_started = false;
    } else {
      EXPECT_NE(c, '"') << "bare quote inside an unquoted cell at byte " << i;
      cell.push_back(c);
      cell_started = true;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted cell";
  EXPECT_TRUE(record.empty() && cell.empty()) << "last record without a line end";
  return records;
}

}  // namespace ccl::feed::testing

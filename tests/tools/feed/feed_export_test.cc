// The event feed: every event exactly once across checkpointed runs, also
// when a run fails or is killed before its checkpoint moves; refusal of a
// checkpoint from another or a rewritten ledger; the CSV form.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>

#include "events/base/csv_cell.h"
#include "events/model/csv.h"
#include "events/model/json.h"
#include "events/model/uuid.h"
#include "tests/testing/subprocess.h"
#include "tests/tools/feed/feed_test_util.h"
#include "tools/feed/checkpoint.h"
#include "tools/feed/event_feed.h"

namespace ccl::feed {
namespace {

using testing::AppendOrDie;
using testing::Bookings;
using testing::Lines;
using testing::OpenLedgerAt;
using testing::ReadFile;
using testing::SeqsOfJsonl;

class FeedExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Sub("db");
    ckpt_ = dir_.Sub("feed.ckpt");
    ledger_ = OpenLedgerAt(db_, /*read_only=*/false);
    ASSERT_NE(ledger_, nullptr);
    AppendOrDie(ledger_.get(), {factory_.Open("C-1"), factory_.Open("C-2")});
  }

  void Append(int n, const std::string& contract = "C-1") {
    AppendOrDie(ledger_.get(), Bookings(&factory_, contract, n));
  }

  // One checkpointed export to a new file; returns the file's text.
  std::string Export(const EventExportOptions& base, Status* status,
                     EventExportResult* result = nullptr) {
    EventExportOptions o = base;
    o.checkpoint_path = ckpt_;
    const std::string path = dir_.Sub("out-" + std::to_string(++runs_));
    std::unique_ptr<FeedOutput> out;
    EXPECT_TRUE(FeedOutput::ToFile(path, &out).ok());
    EventExportResult r;
    *status = ExportEvents(ledger_.get(), o, out.get(), &r);
    out.reset();
    if (result != nullptr) *result = r;
    return ReadFile(path);
  }

  std::string ExportOk(EventExportResult* result = nullptr) {
    Status s;
    std::string text = Export(EventExportOptions(), &s, result);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return text;
  }

  testing::TempDir dir_;
  std::string db_;
  std::string ckpt_;
  std::unique_ptr<ledger::Ledger> ledger_;
  testing::EventFactory factory_;
  int runs_ = 0;
};

// Every seq 1..head appears in `seqs` in increasing order exactly once.
void ExpectEachSeqOnce(const std::vector<uint64_t>& seqs, uint64_t head) {
  ASSERT_EQ(seqs.size(), head);
  for (uint64_t i = 0; i < head; ++i) ASSERT_EQ(seqs[i], i + 1);
}

TEST_F(FeedExportTest, CheckpointDeliversEveryEventExactlyOnce) {
  Append(5);
  EventExportResult r;
  std::vector<uint64_t> all = SeqsOfJsonl(ExportOk(&r));
  EXPECT_EQ(r.events, 7u);
  EXPECT_EQ(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, 7u);
  EXPECT_TRUE(r.checkpoint_saved);

  Append(9, "C-2");
  std::vector<uint64_t> second = SeqsOfJsonl(ExportOk(&r));
  EXPECT_EQ(second.front(), 8u);
  all.insert(all.end(), second.begin(), second.end());

  // Nothing new: an empty output and the checkpoint unchanged.
  const std::string before = ReadFile(ckpt_);
  EXPECT_EQ(ExportOk(&r), "");
  EXPECT_EQ(r.events, 0u);
  EXPECT_FALSE(r.checkpoint_saved);
  EXPECT_EQ(ReadFile(ckpt_), before);

  Append(3);
  std::vector<uint64_t> third = SeqsOfJsonl(ExportOk());
  all.insert(all.end(), third.begin(), third.end());
  ExpectEachSeqOnce(all, ledger_->head().seq);

  FeedCheckpoint cp;
  bool exists = false;
  ASSERT_TRUE(LoadCheckpoint(ckpt_, &cp, &exists).ok());
  ASSERT_TRUE(exists);
  EXPECT_EQ(cp.seq, ledger_->head().seq);
  EXPECT_EQ(cp.hash, ledger_->head().hash);
  EXPECT_EQ(cp.ledger_id, ledger_->ledger_id());
}

TEST_F(FeedExportTest, LinesAreTheCanonicalJsonWithTheStoredChainHash) {
  Append(4);
  const std::vector<std::string> lines = Lines(ExportOk());
  ASSERT_EQ(lines.size(), 6u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const uint64_t seq = i + 1;
    events::Event e;
    ASSERT_TRUE(ledger_->Get(seq, &e).ok());
    ledger::Hash h;
    ASSERT_TRUE(ledger_->GetChainHash(seq, &h).ok());
    std::string expected;
    events::JsonOutputOptions o;
    o.hash = h.data();
    o.contract_currency = "USD";  // both contracts' (added where the event carries money)
    events::AppendEventJson(e, o, &expected);
    EXPECT_EQ(lines[i], expected);
    // And it reads back as the same event.
    events::JsonEventParser parser;
    events::Event back;
    ASSERT_TRUE(parser.Parse(lines[i], &back).ok()) << lines[i];
    EXPECT_TRUE(events::SameContent(back, e));
  }
}

TEST_F(FeedExportTest, FailureBeforeCheckpointRedeliversOnlyThatRun) {
  Append(3);
  std::vector<uint64_t> received = SeqsOfJsonl(ExportOk());  // 1..5
  Append(4);                                                 // 6..9

  EventExportOptions failing;
  failing.before_checkpoint = [] { return Status::IOError("injected: disk full"); };
  Status s;
  const std::string unacknowledged = Export(failing, &s);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  // The output itself was complete; the consumer may have seen it.
  std::vector<uint64_t> dup = SeqsOfJsonl(unacknowledged);
  EXPECT_EQ(dup, (std::vector<uint64_t>{6, 7, 8, 9}));

  Append(2);  // 10..11
  std::vector<uint64_t> next = SeqsOfJsonl(ExportOk());
  EXPECT_EQ(next, (std::vector<uint64_t>{6, 7, 8, 9, 10, 11}));
  received.insert(received.end(), next.begin(), next.end());
  ExpectEachSeqOnce(received, 11);
}

TEST_F(FeedExportTest, LimitAdvancesInSteps) {
  Append(10);  // 12 events
  EventExportOptions o;
  o.limit = 5;
  std::vector<uint64_t> all;
  for (int i = 0; i < 4; ++i) {
    Status s;
    EventExportResult r;
    const std::vector<uint64_t> part = SeqsOfJsonl(Export(o, &s, &r));
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_LE(part.size(), 5u);
    all.insert(all.end(), part.begin(), part.end());
  }
  ExpectEachSeqOnce(all, 12);
}

TEST_F(FeedExportTest, AfterAndLimitWithoutCheckpoint) {
  Append(10);
  EventExportOptions o;
  o.after_seq = 3;
  o.limit = 4;
  std::unique_ptr<FeedOutput> out;
  const std::string path = dir_.Sub("plain");
  ASSERT_TRUE(FeedOutput::ToFile(path, &out).ok());
  EventExportResult r;
  ASSERT_TRUE(ExportEvents(ledger_.get(), o, out.get(), &r).ok());
  out.reset();
  EXPECT_EQ(SeqsOfJsonl(ReadFile(path)), (std::vector<uint64_t>{4, 5, 6, 7}));
  EXPECT_FALSE(r.checkpoint_saved);

  o.checkpoint_path = ckpt_;  // both: refused
  ASSERT_TRUE(FeedOutput::ToFile(path, &out).ok());
  EXPECT_TRUE(ExportEvents(ledger_.get(), o, out.get(), &r).IsInvalidArgument());
}

TEST_F(FeedExportTest, RefusesCheckpointOfAnotherLedger) {
  Append(2);
  ExportOk();
  testing::TempDir other_dir;
  auto other = OpenLedgerAt(other_dir.Sub("db"), false);
  testing::EventFactory f;
  AppendOrDie(other.get(), {f.Open("C-1")});
  EventExportOptions o;
  o.checkpoint_path = ckpt_;
  std::unique_ptr<FeedOutput> out;
  ASSERT_TRUE(FeedOutput::ToFile(dir_.Sub("x"), &out).ok());
  EventExportResult r;
  Status s = ExportEvents(other.get(), o, out.get(), &r);
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_NE(s.message().find("another ledger"), std::string::npos) << s.message();
}

TEST_F(FeedExportTest, RefusesRewrittenOrShorterLedger) {
  Append(3);
  ExportOk();
  const std::string good = ReadFile(ckpt_);
  FeedCheckpoint cp;
  ASSERT_TRUE(ParseCheckpoint(good, &cp).ok());

  // The ledger's event at the checkpoint is no longer the one delivered.
  FeedCheckpoint forged = cp;
  forged.hash[0] ^= 1;
  ASSERT_TRUE(SaveCheckpoint(ckpt_, forged).ok());
  Status s;
  EXPECT_EQ(Export(EventExportOptions(), &s), "");
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("rewritten"), std::string::npos) << s.message();
  // Either side may be what changed: the message does not blame the ledger alone.
  EXPECT_NE(s.message().find("or the checkpoint file was changed"), std::string::npos)
      << s.message();
  EXPECT_EQ(ReadFile(ckpt_), FormatCheckpoint(forged));  // untouched

  // The ledger is shorter than the checkpoint (restored from an old backup).
  forged = cp;
  forged.seq = cp.seq + 100;
  ASSERT_TRUE(SaveCheckpoint(ckpt_, forged).ok());
  Export(EventExportOptions(), &s);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("older backup"), std::string::npos) << s.message();
}

TEST_F(FeedExportTest, MalformedCheckpointIsBadInputNamingTheLine) {
  const std::string good = FormatCheckpoint(FeedCheckpoint{});
  FeedCheckpoint cp;
  ASSERT_TRUE(ParseCheckpoint(good, &cp).ok());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "line 1"},
      {"ccl-feed-checkpoint v2\n", "line 1"},
      {good.substr(0, good.size() - 1), "line 4"},  // no final newline
      {good + "extra\n", "line 5"},
  };
  for (const auto& [text, where] : bad) {
    Status s = ParseCheckpoint(text, &cp);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_NE(s.message().find(where), std::string::npos) << s.message();
  }
  std::string upper = good;
  upper.replace(upper.find("hash ") + 5, 1, "A");
  EXPECT_TRUE(ParseCheckpoint(upper, &cp).IsInvalidArgument());
  std::string seq = good;
  seq.replace(seq.find("seq 0"), 5, "seq 01");
  EXPECT_TRUE(ParseCheckpoint(seq, &cp).IsInvalidArgument());
  seq.replace(seq.find("seq 01"), 6, "seq -1");
  EXPECT_TRUE(ParseCheckpoint(seq, &cp).IsInvalidArgument());

  testing::WriteFile(ckpt_, "garbage");
  Status s;
  Export(EventExportOptions(), &s);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(ckpt_), std::string::npos) << s.message();
}

TEST_F(FeedExportTest, CsvExportImportsBackAsTheSameEvents) {
  std::vector<events::Event> batch = testing::Bookings(&factory_, "C-1", 3);
  batch[0].note = "multi\nline, \"quoted\" note";
  batch[1].reference = "INC,1";
  batch.push_back(factory_.Deliver("C-2", events::ServiceLine::kProactive, 240));
  batch.push_back(factory_.Escalation(events::EventType::kEscalationOpened, "C-2", "ESC-9"));
  AppendOrDie(ledger_.get(), batch);
  AppendOrDie(ledger_.get(), {factory_.Reverse("C-1", batch[2].event_id)});

  EventExportOptions o;
  o.format = EventFormat::kCsv;
  Status s;
  const std::string text = Export(o, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  events::CsvEventReader reader;
  ASSERT_TRUE(reader.Open(text, std::nullopt).ok());
  uint64_t seq = 0;
  for (;;) {
    events::Event e;
    size_t line = 0;
    bool done = false;
    s = reader.Next(&e, &line, &done);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (done) break;
    events::Event stored;
    ASSERT_TRUE(ledger_->Get(++seq, &stored).ok());
    EXPECT_TRUE(events::SameContent(e, stored)) << "seq " << seq;
  }
  EXPECT_EQ(seq, ledger_->head().seq);
}

// ---- a run killed by SIGKILL, in a child process

// The child: runs one export of the ledger at $CCL_FEED_CHILD_DB with the
// checkpoint $CCL_FEED_CHILD_CKPT, appending to $CCL_FEED_CHILD_OUT as a
// consumer reading stdout would receive it, and kills itself with SIGKILL at
// event $CCL_FEED_CHILD_KILL_AT (0: just before the checkpoint rename).
TEST(FeedExportChild, Run) {
  const char* db = std::getenv("CCL_FEED_CHILD_DB");
  if (db == nullptr) GTEST_SKIP() << "child process of FeedExportTest.KilledRun*; not run alone";
  const std::string out_path = std::getenv("CCL_FEED_CHILD_OUT");
  const uint64_t kill_at = std::stoull(std::getenv("CCL_FEED_CHILD_KILL_AT"));
  auto l = OpenLedgerAt(db, /*read_only=*/true);
  ASSERT_NE(l, nullptr);
  const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  auto out = FeedOutput::ToDescriptor(fd, out_path);
  EventExportOptions o;
  o.checkpoint_path = std::getenv("CCL_FEED_CHILD_CKPT");
  if (kill_at > 0) {
    o.after_event = [kill_at](uint64_t seq) {
      if (seq == kill_at) ::raise(SIGKILL);
    };
  } else {
    o.before_checkpoint = [] {
      ::raise(SIGKILL);
      return Status::OK();
    };
  }
  EventExportResult r;
  Status s = ExportEvents(l.get(), o, out.get(), &r);
  ADD_FAILURE() << "the child was not killed: " << s.ToString();
}

// Runs the child; returns its wait status.
int RunKilledChild(const std::string& db, const std::string& ckpt, const std::string& out,
                   uint64_t kill_at) {
  subprocess::SpawnOptions o;
  o.env_extra = {"CCL_FEED_CHILD_DB=" + db, "CCL_FEED_CHILD_CKPT=" + ckpt,
                 "CCL_FEED_CHILD_OUT=" + out, "CCL_FEED_CHILD_KILL_AT=" + std::to_string(kill_at)};
  o.stdout_path = "/dev/null";  // gtest's chatter
  return subprocess::ReapStatus(
      subprocess::Spawn({"/proc/self/exe", "--gtest_filter=FeedExportChild.Run"}, o).pid);
}

TEST_F(FeedExportTest, KilledRunRedeliversAndSkipsNothing) {
  Append(3000);
  const std::string received_path = dir_.Sub("received.jsonl");
  // First run acknowledged (seq 1..3002 minus what comes later).
  std::vector<uint64_t> acked = SeqsOfJsonl(ExportOk());
  Append(4000);  // 3003..7002
  const uint64_t head = ledger_->head().seq;

  // Killed in the middle of writing: part of the run reached the consumer.
  int st = RunKilledChild(db_, ckpt_, received_path, /*kill_at=*/6900);
  ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "wait status " << st;
  const size_t partial_bytes = ReadFile(received_path).size();
  EXPECT_GT(partial_bytes, 0u) << "the killed run should have flushed part of its output";
  FeedCheckpoint cp;
  bool exists = false;
  ASSERT_TRUE(LoadCheckpoint(ckpt_, &cp, &exists).ok());
  EXPECT_EQ(cp.seq, 3002u);  // not advanced

  // Killed after the output was complete, just before the checkpoint rename.
  st = RunKilledChild(db_, ckpt_, received_path, /*kill_at=*/0);
  ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "wait status " << st;
  EXPECT_GT(ReadFile(received_path).size(), partial_bytes);
  ASSERT_TRUE(LoadCheckpoint(ckpt_, &cp, &exists).ok());
  EXPECT_EQ(cp.seq, 3002u);

  // A clean run delivers everything after the checkpoint again.
  const std::vector<uint64_t> redelivered = SeqsOfJsonl(ExportOk());
  ASSERT_FALSE(redelivered.empty());
  EXPECT_EQ(redelivered.front(), 3003u);
  EXPECT_EQ(redelivered.back(), head);

  // What the consumer saw: the killed runs' events (a prefix of 3003.. each,
  // whole lines only up to the last flushed buffer) plus the complete runs.
  const std::string killed_text = ReadFile(received_path);
  std::vector<std::string> killed_lines = Lines(killed_text);
  if (!killed_text.empty() && killed_text.back() != '\n') killed_lines.pop_back();  // torn
  std::map<uint64_t, int> seen;
  for (uint64_t s : acked) ++seen[s];
  for (uint64_t s : redelivered) ++seen[s];
  for (const std::string& line : killed_lines) ++seen[std::stoull(line.substr(7))];
  ASSERT_EQ(seen.size(), head);  // nothing skipped
  for (const auto& [seq, n] : seen) {
    ASSERT_EQ(seen.begin()->first, 1u);
    if (seq <= 3002) {
      EXPECT_EQ(n, 1) << "seq " << seq << " was acknowledged, then delivered again";
    } else {
      EXPECT_LE(n, 3) << "seq " << seq;  // at most once per unacknowledged run
    }
  }
  // The run killed before its checkpoint rename had written everything.
  EXPECT_GE(seen[head], 2);
}

// ---- CSV

TEST_F(FeedExportTest, CsvHasFixedColumnsAndOneRowPerEvent) {
  events::Event amended = factory_.Amend(
      "C-1", {ledger::testing::AmendLine(events::ServiceLine::kReactive, 600, 31000)});
  events::Event booking =
      factory_.Book("C-1", events::ServiceLine::kReactive, 45, "2026-07-01T10:00:00Z");
  booking.reference = "INC-7";
  events::Event delivery = factory_.Deliver("C-2", events::ServiceLine::kProactive, 120);
  AppendOrDie(ledger_.get(), {amended, booking, delivery});
  AppendOrDie(ledger_.get(), {factory_.Reverse("C-1", booking.event_id, "2026-07-02")});

  EventExportOptions o;
  o.format = EventFormat::kCsv;
  Status s;
  const auto records = testing::ParseCsv(Export(o, &s));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(records.size(), 1u + ledger_->head().seq);
  const auto& header = records[0];
  // Every field of the event catalog (schemas/EVENTS.md), assigned ones
  // included, in the documented order (tools/feed/FEED.md), the chain hash last.
  std::string joined_header;
  for (size_t i = 0; i < header.size(); ++i) joined_header += (i > 0 ? "," : "") + header[i];
  ASSERT_EQ(
      joined_header,
      "seq,event_id,type,contract,stream_version,effective_at,recorded_at,actor,source,note,"
      "customer,term_start,term_end,currency,lines,reason,engineer,service_line,minutes,"
      "cost_rate_minor,reference,delivery,offering,cost_minor,escalation,severity,summary,"
      "resolution,target_event_id,period,case,types,threshold_minutes,applied_bill_rate_minor,"
      "sealed_balances_digest,sealed_margins_digest,sealed_totals,hash,awaits_approval");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (size_t r = 1; r < records.size(); ++r) {
    ASSERT_EQ(records[r].size(), header.size()) << "row " << r;
    EXPECT_EQ(records[r][col["seq"]], std::to_string(r));
    EXPECT_EQ(records[r][col["hash"]].size(), 64u);
  }
  const auto& opened = records[1];
  EXPECT_EQ(opened[col["type"]], "ContractOpened");
  EXPECT_EQ(opened[col["term_start"]], "2026-01-01");
  EXPECT_EQ(opened[col["currency"]], "USD");
  EXPECT_EQ(opened[col["lines"]],
            "[{\"service_line\":\"proactive\",\"funded_minutes\":6000,\"bill_rate_minor\":25000,"
            "\"overage\":\"reject\"},{\"service_line\":\"reactive\",\"funded_minutes\":12000,"
            "\"bill_rate_minor\":30000,\"overage\":\"allow\"}]");
  EXPECT_EQ(opened[col["minutes"]], "");
  const auto& amend = records[3];
  EXPECT_EQ(amend[col["lines"]],
            "[{\"service_line\":\"reactive\",\"funded_minutes_delta\":600,"
            "\"bill_rate_minor\":31000}]");
  EXPECT_EQ(amend[col["reason"]], "change");
  const auto& book = records[4];
  EXPECT_EQ(book[col["minutes"]], "45");
  EXPECT_EQ(book[col["reference"]], "INC-7");
  EXPECT_EQ(book[col["applied_bill_rate_minor"]], "31000");
  EXPECT_EQ(book[col["effective_at"]], "2026-07-01T10:00:00Z");
  EXPECT_EQ(book[col["recorded_at"]].size(), std::string("2026-03-15T10:00:00.000000000Z").size());
  const auto& reversal = records[6];
  EXPECT_EQ(reversal[col["target_event_id"]], events::FormatUuid(booking.event_id));
  EXPECT_EQ(reversal[col["reason"]], "booked twice");
  EXPECT_EQ(reversal[col["minutes"]], "");
}

TEST_F(FeedExportTest, CsvQuotesEveryHostileText) {
  const std::vector<std::string> texts = {
      "plain",
      "comma, inside",
      "\"quoted\"",
      "she said \"\"hi\"\"",
      "line\nbreak",
      "crlf\r\nend",
      " leading space",
      "trailing space ",
      "caf\xc3\xa9 \xe2\x82\xac",
      "=HYPERLINK(\"http://x\")",
      "\"",
      ",",
      "a\"b,c\nd",
  };
  std::vector<events::Event> batch;
  for (const std::string& t : texts) {
    events::Event e = factory_.Book("C-1", events::ServiceLine::kReactive, 10);
    e.note = t;
    e.reference = t;
    e.actor = t;
    batch.push_back(e);
  }
  AppendOrDie(ledger_.get(), batch);
  EventExportOptions o;
  o.format = EventFormat::kCsv;
  Status s;
  const auto records = testing::ParseCsv(Export(o, &s));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(records.size(), 1 + 2 + texts.size());
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < records[0].size(); ++i) col[records[0][i]] = i;
  // Each cell decodes (events/base/csv_cell.h) to the text; none starts a formula
  // or holds a raw line break.
  auto decoded = [](const std::string& cell) {
    std::string text, rule;
    EXPECT_TRUE(events::DecodeCsvCell(cell, &text, &rule)) << rule;
    return text;
  };
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto& row = records[3 + i];
    ASSERT_EQ(row.size(), records[0].size()) << texts[i];
    for (const char* column : {"note", "reference", "actor"}) {
      const std::string& cell = row[col[column]];
      EXPECT_EQ(decoded(cell), texts[i]) << column;
      EXPECT_EQ(cell.find_first_of("\r\n"), std::string::npos) << column;
      EXPECT_NE(cell[0], '=') << column;
    }
  }
}

// The approval events and the assigned awaits_approval in both formats, and
// an export read back: the JSON and CSV readers accept what the export wrote
// (awaits_approval, assigned, is ignored; the ledger derives it again).
TEST_F(FeedExportTest, ApprovalEventsExportAndReadBack) {
  events::Event booking = factory_.Book("C-1", events::ServiceLine::kReactive, 45);
  events::Event reversal = factory_.Reverse("C-1", booking.event_id);
  events::Event approval = factory_.Decide(reversal, "reviewer");
  events::Event policy =
      factory_.Policy(events::EventTypeBit(events::EventType::kEntryReversed) |
                          events::EventTypeBit(events::EventType::kPeriodReopened),
                      600);
  AppendOrDie(ledger_.get(), {policy, booking, reversal, approval});
  const std::vector<std::string> lines = Lines(ExportOk());
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_NE(lines[2].find(R"("types":"EntryReversed,PeriodReopened","threshold_minutes":600)"),
            std::string::npos)
      << lines[2];
  EXPECT_EQ(lines[2].find("\"contract\""), std::string::npos) << lines[2];
  EXPECT_NE(lines[4].find(R"("awaits_approval":true)"), std::string::npos) << lines[4];
  EXPECT_NE(lines[5].find(R"("type":"Approved","contract":"C-1")"), std::string::npos) << lines[5];
  for (size_t i = 2; i < lines.size(); ++i) {
    events::JsonEventParser parser;
    events::Event back, stored;
    ASSERT_TRUE(parser.Parse(lines[i], &back).ok()) << lines[i];
    ASSERT_TRUE(ledger_->Get(i + 1, &stored).ok());
    EXPECT_TRUE(events::SameContent(back, stored)) << lines[i];
    EXPECT_FALSE(back.awaits_approval);
  }
  EventExportOptions o;
  o.format = EventFormat::kCsv;
  ckpt_ = dir_.Sub("csv.ckpt");  // from seq 1 again
  Status s;
  const auto records = testing::ParseCsv(Export(o, &s));
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < records[0].size(); ++i) col[records[0][i]] = i;
  EXPECT_EQ(records[3][col["types"]], "EntryReversed,PeriodReopened");
  EXPECT_EQ(records[3][col["threshold_minutes"]], "600");
  EXPECT_EQ(records[5][col["awaits_approval"]], "true");
  EXPECT_EQ(records[4][col["awaits_approval"]], "");
  EXPECT_EQ(records[6][col["target_event_id"]], events::FormatUuid(reversal.event_id));
}

}  // namespace
}  // namespace ccl::feed

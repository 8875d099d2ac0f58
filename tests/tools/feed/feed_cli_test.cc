// The feed commands as a user runs them: `ledgerctl export`, `tail --follow`
// beside a writer in another process, CSV import, `stats`, `report`, their
// usage errors and exit codes, and no progress output when piped.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <set>

#include "events/base/time_format.h"
#include "tests/testing/subprocess.h"
#include "tests/tools/feed/feed_test_util.h"

namespace ccl::feed {
namespace {

using testing::AppendOrDie;
using testing::Bookings;
using testing::OpenLedgerAt;
using testing::ReadFile;
using testing::SeqsOfJsonl;

class FeedCliTest : public testing::LedgerWriterTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(LedgerWriterTest::SetUp());
    AppendOrDie(writer_.get(), {factory_.Open("C-1"), factory_.Open("C-2")});
    AppendOrDie(writer_.get(), Bookings(&factory_, "C-1", 8));  // head 10
  }

  // Starts ledgerctl with `args`, stdout and stderr to files; returns its pid.
  pid_t Start(const std::vector<std::string>& args) {
    ++runs_;
    out_ = dir_.Sub("out-" + std::to_string(runs_));
    err_ = dir_.Sub("err-" + std::to_string(runs_));
    std::vector<std::string> argv = {LEDGERCTL_PATH, "--db", db_};
    argv.insert(argv.end(), args.begin(), args.end());
    subprocess::SpawnOptions o;
    o.stdout_path = out_;
    o.stderr_path = err_;
    const pid_t pid = subprocess::Spawn(std::move(argv), o).pid;
    EXPECT_GT(pid, 0);
    return pid;
  }

  // Runs ledgerctl to completion; returns its exit code.
  int Run(const std::vector<std::string>& args) { return subprocess::Wait(Start(args)); }
  std::string Out() const { return ReadFile(out_); }
  std::string Err() const { return ReadFile(err_); }

  int runs_ = 0;
  std::string out_, err_;
};

TEST_F(FeedCliTest, ExportWithCheckpointWhileAWriterHoldsTheLedger) {
  const std::string ckpt = dir_.Sub("feed.ckpt");
  ASSERT_EQ(Run({"export", "events", "--checkpoint", ckpt}), 0) << Err();
  std::vector<uint64_t> all = SeqsOfJsonl(Out());
  EXPECT_EQ(all.size(), 10u);
  EXPECT_NE(Err().find("exported 10 events (seq 1..10); checkpoint"), std::string::npos) << Err();
  // Piped stderr: the summary line only, no progress bar or terminal codes.
  EXPECT_EQ(Err().find('\r'), std::string::npos);
  EXPECT_EQ(Err().find('\x1b'), std::string::npos);

  AppendOrDie(writer_.get(), Bookings(&factory_, "C-2", 5));
  ASSERT_EQ(Run({"export", "events", "--checkpoint", ckpt, "--out", dir_.Sub("part2.jsonl")}), 0)
      << Err();
  EXPECT_EQ(Out(), "");
  const std::vector<uint64_t> part2 = SeqsOfJsonl(ReadFile(dir_.Sub("part2.jsonl")));
  all.insert(all.end(), part2.begin(), part2.end());
  ASSERT_EQ(all.size(), 15u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i + 1);

  ASSERT_EQ(Run({"--quiet", "export", "events", "--checkpoint", ckpt}), 0) << Err();
  EXPECT_EQ(Out(), "");
  EXPECT_EQ(Err(), "");  // --quiet
}

TEST_F(FeedCliTest, TailFollowsAWriterInAnotherProcess) {
  const pid_t tail = Start({"tail", "--follow", "--from", "11", "--limit", "30", "--poll-ms", "20",
                            "--idle-timeout", "120"});
  for (int batch = 0; batch < 3; ++batch)
    AppendOrDie(writer_.get(), Bookings(&factory_, "C-1", 10));
  ASSERT_EQ(subprocess::Wait(tail), 0) << Err();
  const std::vector<uint64_t> seqs = SeqsOfJsonl(Out());
  ASSERT_EQ(seqs.size(), 30u) << Out();
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], 11 + i);
}

TEST_F(FeedCliTest, TailStopsCleanlyOnSigint) {
  const pid_t tail = Start({"tail", "--follow", "--poll-ms", "20"});
  // Wait until it printed the existing events, then interrupt it.
  for (int i = 0; i < 2000 && SeqsOfJsonl(Out()).size() < 10; ++i) ::usleep(10'000);
  subprocess::Signal(tail, SIGINT);
  EXPECT_EQ(subprocess::Wait(tail), 0) << Err();
  EXPECT_EQ(SeqsOfJsonl(Out()).size(), 10u);
}

// `tail --follow | head -n 2` ends when head does, with nothing new to
// write: the follow notices its pipe's reader is gone. `timeout` bounds a
// regression (exit 124) instead of hanging the suite.
TEST_F(FeedCliTest, TailFollowEndsWhenItsPipesReaderIsGone) {
  ++runs_;
  out_ = dir_.Sub("out-" + std::to_string(runs_));
  err_ = dir_.Sub("err-" + std::to_string(runs_));
  subprocess::SpawnOptions o;
  o.search_path = true;
  o.stdout_path = out_;
  o.stderr_path = err_;
  const std::string pipeline = "timeout 60 '" + std::string(LEDGERCTL_PATH) + "' --db '" + db_ +
                               "' tail --follow --poll-ms 20 | head -n 2; "
                               "exit ${PIPESTATUS[0]}";
  const pid_t pid = subprocess::Spawn({"bash", "-c", pipeline}, o).pid;
  ASSERT_GT(pid, 0);
  EXPECT_EQ(subprocess::Wait(pid), 0) << Err();
  EXPECT_EQ(SeqsOfJsonl(Out()), (std::vector<uint64_t>{1, 2}));
}

TEST_F(FeedCliTest, CsvExportImportsIntoAnotherLedger) {
  const std::string csv = dir_.Sub("events.csv");
  ASSERT_EQ(Run({"export", "events", "--format", "csv", "--out", csv}), 0) << Err();
  writer_.reset();  // the second ledger is written by ledgerctl
  const std::string db1 = db_;
  db_ = dir_.Sub("db2");
  ASSERT_EQ(Run({"init"}), 0) << Err();
  ASSERT_EQ(Run({"import", csv}), 0) << Err();
  ASSERT_EQ(Run({"import", csv}), 0) << Err();  // idempotent
  EXPECT_NE(Out().find("0 appended, 10 duplicates"), std::string::npos) << Out();
  ASSERT_EQ(Run({"export", "balances"}), 0) << Err();
  const std::string balances2 = Out();
  db_ = db1;
  ASSERT_EQ(Run({"export", "balances"}), 0) << Err();
  EXPECT_EQ(Out(), balances2);
}

// A customer a spreadsheet would run and a note with terminal escapes and a
// NUL: the CSV export neutralises and escapes both, and importing it back
// finds every event a duplicate (same id, same content: an exact round trip).
TEST_F(FeedCliTest, CsvExportNeutralisesFormulasAndRoundTrips) {
  events::Event open = factory_.Open("C-X");
  open.customer = "=HYPERLINK(\"http://evil.example\",\"x\")";
  open.note = std::string("\x1b]0;pwned\x07 and \0 too", 20);
  events::Event booking = factory_.Book("C-X", events::ServiceLine::kReactive, 60);
  booking.note = "@SUM(1+1)\r\n-2";
  AppendOrDie(writer_.get(), {open, booking});
  writer_.reset();
  const std::string csv = dir_.Sub("events.csv");
  ASSERT_EQ(Run({"export", "events", "--format", "csv", "--out", csv}), 0) << Err();
  const std::string text = ReadFile(csv);
  EXPECT_NE(text.find(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\","),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(",\"'\"\"@SUM(1+1)\\u000d\\u000a-2\"\"\","), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\0'), std::string::npos);
  ASSERT_EQ(Run({"import", csv}), 0) << Err();
  EXPECT_NE(Out().find("0 appended, 12 duplicates"), std::string::npos) << Out();
  ASSERT_EQ(Run({"export", "margins", "--by", "customer"}), 0) << Err();
  EXPECT_NE(Out().find("\n\"'=HYPERLINK("), std::string::npos) << Out();
}

TEST_F(FeedCliTest, CsvImportErrorsNameFileLineAndColumn) {
  writer_.reset();
  const std::string bad = dir_.Sub("bad.csv");
  testing::WriteFile(bad,
                     "\xef\xbb\xbftype,event_id,contract,effective_at,actor,source,engineer,"
                     "service_line,minutes,cost_rate_minor\r\n"
                     "HoursBooked,0e8f2a70-1111-4222-8333-444455556666,C-1,2026-03-01,me,"
                     "t.csv,\"Smith, J\",reactive,30,100\r\n"
                     "HoursBooked,0e8f2a70-1111-4222-8333-444455556667,C-1,2026-03-01,me,"
                     "t.csv,\"multi\nline\",reactive,1441,100\r\n");
  EXPECT_EQ(Run({"import", bad}), 1);
  EXPECT_NE(Err().find("bad.csv:3: column 'minutes': must be 1..1440"), std::string::npos) << Err();
  // Atomic: the valid first row was not appended either.
  auto l = OpenLedgerAt(db_, /*read_only=*/true);
  EXPECT_EQ(l->head().seq, 10u);
}

TEST_F(FeedCliTest, StatsAndReport) {
  ASSERT_EQ(Run({"stats", "--format", "json"}), 0) << Err();
  EXPECT_NE(Out().find("\"events\":10,"), std::string::npos) << Out();
  ASSERT_EQ(Run({"stats"}), 0) << Err();
  EXPECT_NE(Out().find("HoursBooked"), std::string::npos) << Out();

  const std::string html = dir_.Sub("report.html");
  ASSERT_EQ(Run({"report", "--out", html, "--contract", "C-1", "--as-of", "2026-03-31"}), 0)
      << Err();
  const std::string text = ReadFile(html);
  EXPECT_TRUE(text.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(Err().find("verification OK"), std::string::npos) << Err();
}

TEST_F(FeedCliTest, ProjectionExportFormats) {
  ASSERT_EQ(Run({"export", "balances"}), 0) << Err();
  EXPECT_TRUE(Out().starts_with("contract,service_line,funded_minutes,")) << Out();
  ASSERT_EQ(Run({"export", "margins", "--format", "jsonl", "--by", "customer"}), 0) << Err();
  EXPECT_TRUE(Out().starts_with("{\"customer\":")) << Out();
  ASSERT_EQ(Run({"export", "burn", "--as-of", "2026-03-31", "--at-risk"}), 0) << Err();
  ASSERT_EQ(Run({"export", "escalations", "--known-at", "2026-01-01T00:00:00Z"}), 0) << Err();
}

// Without --as-of, burn is evaluated on today's date (the events are of
// early 2026; the report is about now), in the report and in the export.
TEST_F(FeedCliTest, BurnIsEvaluatedTodayUnlessAsOfIsGiven) {
  const int64_t now_ns = static_cast<int64_t>(::time(nullptr)) * events::kNsPerSecond;
  const std::string today = events::FormatDate(events::DayOf(now_ns));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"burn", "--format", "csv"},
        std::vector<std::string>{"export", "burn", "--format", "csv"},
        std::vector<std::string>{"burn", "--format", "csv", "--as-of", "2026-03-31"}}) {
    ASSERT_EQ(Run(args), 0) << Err();
    const std::string want = args.back() == "2026-03-31" ? args.back() : today;
    // The third cell of every row (contract, service_line, as_of, ...).
    const std::string out = Out();
    size_t rows = 0;
    for (size_t pos = out.find('\n') + 1; pos < out.size(); pos = out.find('\n', pos) + 1) {
      const size_t c1 = out.find(',', pos);
      const size_t c2 = out.find(',', c1 + 1);
      EXPECT_EQ(out.substr(c2 + 1, want.size() + 1), want + ",") << args[0] << "\n" << out;
      ++rows;
    }
    EXPECT_GT(rows, 0u) << out;
  }
  // One contract's rows, as `export burn --contract` and the server give
  // them (the command had no --contract).
  ASSERT_EQ(Run({"burn", "--contract", "C-1", "--format", "csv", "--as-of", "2026-03-31"}), 0)
      << Err();
  const std::string one = Out();
  ASSERT_EQ(
      Run({"export", "burn", "--contract", "C-1", "--format", "csv", "--as-of", "2026-03-31"}), 0)
      << Err();
  EXPECT_EQ(one, Out());
  size_t rows = 0;
  for (size_t pos = one.find('\n') + 1; pos < one.size(); pos = one.find('\n', pos) + 1, ++rows) {
    EXPECT_EQ(one.substr(pos, 4), "C-1,") << one;
  }
  EXPECT_GT(rows, 0u) << one;
  EXPECT_EQ(Run({"burn", "--contract", "C-9"}), 1);
}

TEST_F(FeedCliTest, UsageErrors) {
  EXPECT_EQ(Run({"export", "ledgers"}), 2);
  EXPECT_EQ(Run({"export", "events", "--format", "xml"}), 2);
  EXPECT_EQ(Run({"export", "events", "--as-of", "2026-01-01"}), 2);
  EXPECT_EQ(Run({"export", "events", "--after", "3", "--checkpoint", dir_.Sub("c")}), 2);
  EXPECT_EQ(Run({"export", "balances", "--checkpoint", dir_.Sub("c")}), 2);
  EXPECT_EQ(Run({"export", "balances", "--as-of", "2026-02-30"}), 2);
  EXPECT_NE(Err().find("--as-of"), std::string::npos) << Err();
  EXPECT_EQ(Run({"export", "burn", "--by", "month"}), 2);
  EXPECT_EQ(Run({"tail", "--poll-ms", "1"}), 2);
  EXPECT_EQ(Run({"stats", "--format", "yaml"}), 2);
  EXPECT_EQ(Run({"report"}), 2);  // --out is required
  // A checkpoint of another ledger: refused (exit 1), and not touched.
  const std::string ckpt = dir_.Sub("other.ckpt");
  testing::WriteFile(ckpt,
                     "ccl-feed-checkpoint v1\nledger_id 00000000-0000-4000-8000-000000000000\n"
                     "seq 3\nhash " +
                         std::string(64, '0') + "\n");
  EXPECT_EQ(Run({"export", "events", "--checkpoint", ckpt}), 1);
  EXPECT_NE(Err().find("another ledger"), std::string::npos) << Err();
  EXPECT_EQ(Out(), "");
  // --limit 0 exported everything and moved the checkpoint to the head; -n
  // beside --from was ignored.
  EXPECT_EQ(Run({"export", "events", "--limit", "0", "--checkpoint", dir_.Sub("zero")}), 2);
  EXPECT_NE(Err().find("'--limit': at least 1"), std::string::npos) << Err();
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("zero")));
  EXPECT_EQ(Run({"tail", "--limit", "0"}), 2);
  EXPECT_EQ(Run({"tail", "-n", "3", "--from", "5"}), 2);
  EXPECT_NE(Err().find("--from and -n exclude each other"), std::string::npos) << Err();
}

// The feed's checkpoint is a file the export writes: never the file the
// events go to (the checkpoint, saved last, replaced the events, and the next
// run started after them), by any name, nor a file of the ledger's own.
TEST_F(FeedCliTest, TheFeedCheckpointIsNeitherTheOutputNorALedgerFile) {
  const std::string out = dir_.Sub("events.jsonl");
  testing::WriteFile(out, "mine\n");
  ASSERT_EQ(::link(out.c_str(), dir_.Sub("hard-link").c_str()), 0);
  ASSERT_EQ(::symlink(out.c_str(), dir_.Sub("soft-link").c_str()), 0);
  for (const std::string& checkpoint :
       {out, dir_.Sub("./events.jsonl"), dir_.Sub("hard-link"), dir_.Sub("soft-link")}) {
    EXPECT_EQ(Run({"export", "events", "--out", out, "--checkpoint", checkpoint}), 1) << checkpoint;
    EXPECT_NE(Err().find("name the same file"), std::string::npos) << Err();
  }
  EXPECT_EQ(ReadFile(out), "mine\n");
  for (const std::string& checkpoint :
       {db_ + "/feed.ckpt", db_ + ".checkpoints/checkpoint-9.txt"}) {
    EXPECT_EQ(Run({"export", "events", "--checkpoint", checkpoint}), 1) << checkpoint;
    EXPECT_NE(Err().find("which the ledger owns"), std::string::npos) << Err();
    EXPECT_FALSE(std::filesystem::exists(checkpoint)) << checkpoint;
  }
  // Apart, both are written.
  EXPECT_EQ(Run({"export", "events", "--out", dir_.Sub("new.jsonl"), "--checkpoint",
                 dir_.Sub("feed.ckpt")}),
            0)
      << Err();
  EXPECT_EQ(SeqsOfJsonl(ReadFile(dir_.Sub("new.jsonl"))).size(), 10u);
}

}  // namespace
}  // namespace ccl::feed

// ledgerctl end to end: the ledger commands (init, import, append, log,
// show, verify, generate, demo) as a user or a script runs them.
#include "tests/ledger/store/table_damage_util.h"
#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools {
namespace {

using namespace ccl::tools::testing;  // NOLINT: the fixture and its helpers

TEST_F(LedgerctlTest, InitCreatesThenFindsTheLedger) {
  RunResult r = Run({"init"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("created ledger"), std::string::npos) << r.out;
  r = Run({"init"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("existing ledger"), std::string::npos) << r.out;
}

TEST_F(LedgerctlTest, ImportReportsCountsAndReimportIsAllDuplicates) {
  Init();
  const std::string file = Workload("w.jsonl", 4, 40);
  const size_t n = Lines(ReadFile(file)).size();
  ASSERT_GT(n, 50u);
  RunResult r = Run({"import", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(ImportSummaryStart(file, n, n, 0))) << r.out;
  r = Run({"import", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(ImportSummaryStart(file, n, 0, n))) << r.out;
  r = Run({"verify"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("OK: " + std::to_string(n) + " events verified", 0), 0u) << r.out;
}

TEST_F(LedgerctlTest, ImportInBatchesAppendsEverything) {
  Init();
  const std::string file = Workload("w.jsonl", 3, 30);
  const size_t n = Lines(ReadFile(file)).size();
  RunResult r = Run({"import", "--batch", "7", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(ImportSummaryStart(file, n, n, 0))) << r.out;
}

TEST_F(LedgerctlTest, BadFieldIsOneLineExitOneAndWritesNothing) {
  Init();
  ASSERT_EQ(Run({"import", Workload("good.jsonl", 3, 20)}).code, 0);
  const std::string before = Snapshot();
  const auto stored_before = Dump();

  // A second workload (another seed) with one booking made invalid on line 5+.
  std::vector<std::string> lines = Lines(ReadFile(Workload("bad.jsonl", 3, 20, 2)));
  size_t bad_line = 0;
  for (size_t i = 4; i < lines.size() && bad_line == 0; ++i) {
    const size_t at = lines[i].find("\"minutes\":");
    if (lines[i].find("\"HoursBooked\"") == std::string::npos || at == std::string::npos) continue;
    const size_t end = lines[i].find_first_of(",}", at);
    lines[i].replace(at, end - at, "\"minutes\":1441");
    bad_line = i + 1;
  }
  ASSERT_NE(bad_line, 0u);
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  const std::string bad = (dir_ / "bad.jsonl").string();
  WriteFile(bad, text);

  RunResult r = Run({"import", bad});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, bad + ":" + std::to_string(bad_line) +
                       ": field 'minutes': must be 1..1440, got 1441 (rule F-HOURS)\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Snapshot(), before);  // same events, same chain hashes
  EXPECT_TRUE(Dump() == stored_before);
}

// Files over 1 MiB are parsed by two threads, each on half of the lines:
// errors must still name the right line, and the earliest one wins.
TEST_F(LedgerctlTest, LargeFileErrorsNameTheirLineInEitherHalf) {
  Init();
  std::vector<std::string> lines = Lines(ReadFile(Workload("big.jsonl", 25, 120)));
  size_t bytes = 0;
  for (const std::string& l : lines) bytes += l.size() + 1;
  ASSERT_GT(bytes, 1u << 20) << "workload too small to be split";
  auto break_line = [&](size_t from) {
    for (size_t i = from; i < lines.size(); ++i) {
      const size_t at = lines[i].find("\"minutes\":");
      if (lines[i].find("\"HoursBooked\"") == std::string::npos || at == std::string::npos) {
        continue;
      }
      lines[i].replace(at, lines[i].find_first_of(",}", at) - at, "\"minutes\":0");
      return i + 1;
    }
    return size_t{0};
  };
  auto write = [&](const std::string& name) {
    std::string text;
    for (const std::string& l : lines) text += l + "\n";
    WriteFile(dir_ / name, text);
    return (dir_ / name).string();
  };
  const size_t late = break_line(lines.size() * 3 / 4);
  ASSERT_NE(late, 0u);
  std::string file = write("late.jsonl");
  RunResult r = Run({"import", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, file + ":" + std::to_string(late) +
                       ": field 'minutes': must be 1..1440, got 0 (rule F-HOURS)\n");

  const size_t early = break_line(lines.size() / 4);
  ASSERT_LT(early, late);
  file = write("both.jsonl");
  r = Run({"import", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, file + ":" + std::to_string(early) +
                       ": field 'minutes': must be 1..1440, got 0 (rule F-HOURS)\n");
  EXPECT_EQ(Snapshot(), "");
}

TEST_F(LedgerctlTest, BlankLinesCrlfAndByteOrderMarkAreAccepted) {
  Init();
  std::vector<std::string> lines = Lines(ReadFile(Workload("w.jsonl", 2, 10)));
  std::string text = "\xEF\xBB\xBF";
  for (const std::string& l : lines) text += l + "\r\n\n  \n";
  for (const char* name : {"crlf.jsonl", "crlf2.jsonl"}) {
    WriteFile(dir_ / name, text);
  }
  const std::string file = (dir_ / "crlf.jsonl").string();
  RunResult r = Run({"import", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(ImportSummaryStart(file, lines.size(), lines.size(), 0))) << r.out;
  // The streaming reader (--batch) reads the same file the same way.
  const std::string again = (dir_ / "crlf2.jsonl").string();
  r = Run({"import", "--batch", "3", again});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(ImportSummaryStart(again, lines.size(), 0, lines.size()))) << r.out;
}

// append reads its one event as import reads a line: a UTF-8 byte order
// mark (as a Windows editor writes one) is skipped, a UTF-16 one refused
// naming the encoding, as import refuses it.
TEST_F(LedgerctlTest, AppendSkipsAByteOrderMarkAsImportDoes) {
  Init();
  RunResult r = Run({"append"}, "\xEF\xBB\xBF" + std::string(kOpened) + "\r\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "appended seq 1 (contract C-1, stream version 1)\n");
  r = Run(
      {"append", "--json", "\xEF\xBB\xBF" + Booking("33333333-3333-4333-8333-333333333333", 30)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "appended seq 2 (contract C-1, stream version 2)\n");
  r = Run({"append"}, "\xFF\xFE" + Booking("44444444-4444-4444-8444-444444444444", 30));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("UTF-16 little-endian"), std::string::npos) << r.err;
}

TEST_F(LedgerctlTest, RuleViolationNamesLineAndEventAndWritesNothing) {
  Init();
  const std::string before = Snapshot();
  const std::string id = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3";
  const std::string file = (dir_ / "rule.jsonl").string();
  // Line 2 books to a contract that was never opened.
  WriteFile(file, std::string(kOpened) + "\n" + Booking(id, 60, "C-404") + "\n");
  const auto stored_before = Dump();
  RunResult r = Run({"import", file});
  EXPECT_EQ(r.code, 1);
  ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind(file + ":2: event " + id + ": ", 0), 0u) << r.err;
  EXPECT_EQ(Snapshot(), before);
  EXPECT_TRUE(Dump() == stored_before);
}

TEST_F(LedgerctlTest, VerifyNamesTheFirstDamagedSeqAndExitsThree) {
  Init();
  ASSERT_EQ(Run({"import", Workload("w.jsonl", 3, 20)}).code, 0);
  {
    // Flip one byte of the stored event at seq 7, as a tamperer might.
    ledger::testing::RawDb raw(db_);
    const std::string key = ledger::testing::SeqKeyBytes(7);
    std::string value = raw.Get(ledger::kCfEvents, key);
    ASSERT_GT(value.size(), 40u);
    value[value.size() - 20] ^= 0x01;
    raw.Put(ledger::kCfEvents, key, value);
  }
  RunResult r = Run({"verify"});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_EQ(r.out, "FAILED at seq 7\n");
  ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("seq 7"), std::string::npos) << r.err;
}

// A block of a table file that fails its checksum: for the chain hashes
// (read in seq order) verify names the first seq the damage kept from being
// checked; for the `streams` index (read in contract order) it names the
// file and no seq. Exit 3 either way, with what to do.
TEST_F(LedgerctlTest, VerifyNamesADamagedTableFileOrTheFirstSeqItHid) {
  Init();
  // Large enough to be ingested as table files.
  const std::string file = Workload("w.jsonl", 50, 365);
  ASSERT_EQ(Run({"--quiet", "import", file}).code, 0);
  const uint64_t head = Lines(ReadFile(file)).size();
  for (const ledger::ColumnFamilyId cf : {ledger::kCfChain, ledger::kCfStreams}) {
    SCOPED_TRACE(ledger::kColumnFamilyNames[cf]);
    const std::string table = ledger::testing::TableFileOf(db_, cf);
    ASSERT_FALSE(table.empty());
    const std::string name = fs::path(table).filename().string();
    fs::copy_file(table, dir_ / "kept.sst", fs::copy_options::overwrite_existing);
    ledger::testing::DamageMiddleOf(table);
    RunResult r = Run({"verify"});
    EXPECT_EQ(r.code, 3) << r.out << r.err;
    if (cf == ledger::kCfChain) {
      const uint64_t hidden = ledger::testing::FirstSeqHiddenIn(table);
      ASSERT_GT(hidden, 1u);
      ASSERT_LT(hidden, head);
      EXPECT_EQ(r.out, "FAILED at seq " + std::to_string(hidden) + "\n");
    } else {
      EXPECT_EQ(r.out, "FAILED: table file " + name + " is damaged\n");
    }
    ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("restore"), std::string::npos) << r.err;
    fs::copy_file(dir_ / "kept.sst", table, fs::copy_options::overwrite_existing);
  }
  EXPECT_EQ(Run({"verify"}).code, 0);
}

TEST_F(LedgerctlTest, OverdrawingARejectLineIsRefused) {
  Init();
  const std::string file = (dir_ / "over.jsonl").string();
  // 600 funded minutes: 480 + 180 would overdraw the `reject` line.
  WriteFile(file, std::string(kOpened) + "\n" +
                      Booking("11111111-1111-4111-8111-111111111111", 480) + "\n" +
                      Booking("22222222-2222-4222-8222-222222222222", 180) + "\n");
  RunResult r = Run({"import", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind(file + ":3: event 22222222-2222-4222-8222-222222222222: ", 0), 0u) << r.err;
  EXPECT_EQ(Snapshot(), "");
}

TEST_F(LedgerctlTest, AppendWithExpectedVersion) {
  Init();
  RunResult r = Run({"append", "--expected-version", "0"}, kOpened);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "appended seq 1 (contract C-1, stream version 1)\n");
  const std::string booking = Booking("33333333-3333-4333-8333-333333333333", 30);
  r = Run({"append", "--expected-version", "0", "--json", booking});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  r = Run({"append", "--expected-version", "1", "--json", booking});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "appended seq 2 (contract C-1, stream version 2)\n");
  r = Run({"append", "--json", booking});  // same id, same content
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "duplicate of seq 2 (contract C-1, stream version 2)\n");
}

TEST_F(LedgerctlTest, LogJsonReimportsAsDuplicatesAndCarriesTheChain) {
  Init();
  ASSERT_EQ(Run({"import", Workload("w.jsonl", 3, 30)}).code, 0);
  const std::string log = Snapshot();
  const std::vector<std::string> lines = Lines(log);
  ASSERT_GT(lines.size(), 10u);
  for (const std::string& l : lines) {
    EXPECT_NE(l.find("\"seq\":"), std::string::npos);
    EXPECT_NE(l.find("\"hash\":\""), std::string::npos);
  }
  const std::string exported = (dir_ / "log.jsonl").string();
  WriteFile(exported, log);
  RunResult r = Run({"import", exported});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(ImportSummaryStart(exported, lines.size(), 0, lines.size())))
      << r.out;

  // The last line's hash is the head hash verify reports.
  const std::string& last = lines.back();
  const size_t h = last.find("\"hash\":\"") + 8;
  r = Run({"verify"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("head hash " + last.substr(h, 64)), std::string::npos) << r.out;

  // --from N recomputes the chain prefix: the same lines as the full log.
  r = Run({"log", "--json", "--from", "5", "--limit", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, lines[4] + "\n" + lines[5] + "\n" + lines[6] + "\n");
}

TEST_F(LedgerctlTest, LogFiltersAndShowFindsBySeqAndId) {
  Init();
  ASSERT_EQ(Run({"import", Workload("w.jsonl", 3, 30)}).code, 0);
  RunResult r = Run({"log", "--json", "--no-hash", "--type", "ContractOpened"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 3u);
  EXPECT_EQ(r.out.find("\"hash\""), std::string::npos);
  r = Run({"log", "--limit", "4"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 5u);  // header + 4

  r = Run({"show", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("  \"seq\": 2,"), std::string::npos) << r.out;
  const size_t at = r.out.find("\"event_id\": \"") + 13;
  const std::string id = r.out.substr(at, 36);
  RunResult by_id = Run({"show", id});
  ASSERT_EQ(by_id.code, 0) << by_id.err;
  EXPECT_EQ(by_id.out, r.out);
  EXPECT_EQ(Run({"show", "999999"}).code, 1);
}

TEST_F(LedgerctlTest, GenerateIsDeterministic) {
  RunResult a = Run({"--quiet", "generate", "--contracts", "3", "--days", "15", "--seed", "9"});
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, ReadFile(Workload("w.jsonl", 3, 15, 9)));
  RunResult b = Run({"--quiet", "generate", "--contracts", "3", "--days", "15", "--seed", "10"});
  EXPECT_NE(a.out, b.out);
}

TEST_F(LedgerctlTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run({}, "", false).code, 2);
  EXPECT_EQ(Run({"frobnicate"}).code, 2);
  EXPECT_EQ(Run({"log", "--bogus"}).code, 2);
  EXPECT_EQ(Run({"import"}).code, 2);
  EXPECT_EQ(Run({"log", "--type", "NoSuchType"}).code, 2);
  // A wrong option value is a usage error before anything is read.
  EXPECT_EQ(Run({"import", "--type", "NoSuchType", "/dev/null"}).code, 2);
  EXPECT_EQ(Run({"--log-level", "loud", "verify"}).code, 2);
  EXPECT_EQ(Run({"generate", "--contracts", "0"}).code, 2);
  RunResult r = Run({"log", "--limit", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
}

// --quiet: errors on stderr and the data asked for on stdout, nothing else:
// no confirmation, summary, timing or progress, from any command.
TEST_F(LedgerctlTest, QuietPrintsOnlyErrorsAndRequestedData) {
  const std::string file = Workload("w.jsonl", 2, 10);
  const std::string one = (dir_ / "one.jsonl").string();
  WriteFile(one, Booking("00000000-0000-4000-8000-0000000000f1", 30, "C-Q") + "\n");
  const std::vector<std::vector<std::string>> silent = {
      {"init"},
      {"import", file},
      {"append", "--json", kOpened},
      {"verify"},
      {"keygen", "--out", (dir_ / "key").string()},
      {"digest", "--out", (dir_ / "digest.json").string()},
      {"backup", (dir_ / "bk").string()},
      {"export", "events", "--out", (dir_ / "e.jsonl").string()},
      {"export", "margins", "--out", (dir_ / "m.csv").string()},
      {"report", "--out", (dir_ / "r.html").string()},
      {"generate", "--contracts", "1", "--days", "2", "--out", (dir_ / "g.jsonl").string()}};
  for (std::vector<std::string> c : silent) {
    const std::string name = c[0];
    c.insert(c.begin(), "-q");
    RunResult r = Run(c);
    EXPECT_EQ(r.code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, "") << name;
    EXPECT_EQ(r.err, "") << name;
  }
  // The data asked for still comes, and so do errors.
  RunResult r = Run({"-q", "balance", "--format", "csv"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("C-1"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
  r = Run({"-q", "import", one});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("C-Q"), std::string::npos) << r.err;
}

TEST_F(LedgerctlTest, HelpListsEveryCommand) {
  RunResult r = Run({"--help"}, "", false);
  ASSERT_EQ(r.code, 0);
  for (const char* cmd :
       {"init", "import", "append", "log", "show", "verify", "generate", "demo"}) {
    EXPECT_NE(r.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd;
  }
  r = Run({"import", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--batch"), std::string::npos);
}

TEST_F(LedgerctlTest, MissingLedgerAndMissingFile) {
  RunResult r = Run({"log"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(" init`"), std::string::npos) << r.err;
  Init();
  EXPECT_EQ(Run({"import", (dir_ / "nope.jsonl").string()}).code, 4);
}

TEST_F(LedgerctlTest, DemoBuildsAndVerifiesALedger) {
  const std::string demo = (dir_ / "demo").string();
  RunResult r = Run({"demo", "--dir", demo, "--contracts", "3", "--days", "30"}, "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("OK: "), std::string::npos) << r.out;
  // Burn is evaluated on the workload's last day (2025-01-01 + 29 days),
  // not on today's date, long after the generated year.
  const size_t at_risk = r.out.find("at risk on 2025-01-30");
  ASSERT_NE(at_risk, std::string::npos) << r.out;
  const std::string burn_rows = r.out.substr(at_risk, r.out.find("Explore it") - at_risk);
  int rows = 0;
  for (const std::string& line : Lines(burn_rows)) {
    if (!line.starts_with("SC-")) continue;
    ++rows;
    EXPECT_NE(line.find("  2025-01-30  "), std::string::npos) << "as of: " << line;
  }
  EXPECT_GT(rows, 0) << burn_rows;
  EXPECT_TRUE(fs::exists(demo + ".jsonl"));
  // A second run deletes and overwrites nothing: that ledger may have been
  // appended to since.
  const std::string stats_before = Run({"--db", demo, "stats"}, "", false).out;  // with its id
  const auto workload_before = ReadFile(demo + ".jsonl");
  r = Run({"demo", "--dir", demo, "--contracts", "2", "--days", "10"}, "", false);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(" exists"), std::string::npos) << r.err;
  EXPECT_EQ(Run({"--db", demo, "stats"}, "", false).out, stats_before);
  EXPECT_EQ(ReadFile(demo + ".jsonl"), workload_before);
  r = Run({"--db", demo, "verify"}, "", false);
  EXPECT_EQ(r.code, 0) << r.err;
  // The ledger and workload removed, its checkpoints stay its evidence:
  // neither the demo nor init deletes them or creates a ledger held to them.
  fs::remove_all(demo);
  fs::remove(demo + ".jsonl");
  const std::string checkpoints = demo + ".checkpoints";
  std::map<std::string, std::string> kept;
  for (const auto& e : fs::directory_iterator(checkpoints)) {
    kept[e.path().filename().string()] = ReadFile(e.path().string());
  }
  ASSERT_GT(kept.size(), 1u);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"demo", "--dir", demo, "--contracts", "2", "--days", "10"},
        std::vector<std::string>{"--db", demo, "init"}}) {
    r = Run(args, "", false);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find(checkpoints + " holds checkpoints of another ledger"), std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(demo)) << args[0];
  }
  std::map<std::string, std::string> after;
  for (const auto& e : fs::directory_iterator(checkpoints)) {
    after[e.path().filename().string()] = ReadFile(e.path().string());
  }
  EXPECT_EQ(after, kept);
}

// `--db X demo` builds the demo at X (not at ./demo-ledger); --db and --dir
// naming two folders is a usage error that creates neither.
TEST_F(LedgerctlTest, DemoBuildsTheLedgerTheGlobalDbNames) {
  const std::string demo = (dir_ / "by-db").string();
  RunResult r = Run({"--db", demo, "demo", "--contracts", "2", "--days", "10"}, "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(demo + ".jsonl"));
  EXPECT_EQ(Run({"--db", demo, "verify"}, "", false).code, 0);
  const std::string other = (dir_ / "other").string();
  const std::string third = (dir_ / "third").string();
  r = Run({"--db", other, "demo", "--dir", third, "--contracts", "2", "--days", "10"}, "", false);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("two folders"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(other));
  EXPECT_FALSE(fs::exists(third));
  EXPECT_FALSE(fs::exists(third + ".jsonl"));
}

}  // namespace
}  // namespace ccl::tools

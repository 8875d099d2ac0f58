// ledgerctl end to end: what a mistake looks like. Bad numbers are usage
// errors, a filter naming something that is not there is "not found", a bad
// input file is exit 1 (never a verification failure), messages name
// arguments as the usage does, a locked ledger says who holds it, and
// --version names the build.
#include <fcntl.h>
#include <rocksdb/version.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

#include "events/base/limits.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools {
namespace {

using namespace ccl::tools::testing;  // NOLINT: the fixture and its helpers

class LedgerctlErrorsTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    InitWithOneBooking();
    if (HasFatalFailure()) return;
  }

  // Exit `code` with one line on stderr that contains every one of `says`.
  void ExpectOneLine(const RunResult& r, int code, std::initializer_list<std::string> says) {
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
    for (const std::string& s : says) EXPECT_NE(r.err.find(s), std::string::npos) << r.err;
  }
};

TEST_F(LedgerctlErrorsTest, NegativeAndOutOfRangeNumbersAreUsageErrors) {
  ExpectOneLine(Run({"log", "--limit", "-1"}), 2, {"--limit", "-1"});
  ExpectOneLine(Run({"log", "--from", "-5"}), 2, {"--from", "-5"});
  ExpectOneLine(Run({"tail", "-n", "-3"}), 2, {"-3"});
  ExpectOneLine(Run({"export", "events", "--after", "-1"}), 2, {"--after"});
  ExpectOneLine(Run({"log", "--limit", "18446744073709551616"}), 2, {"--limit"});
  ExpectOneLine(Run({"generate", "--contracts", "4294967296"}), 2, {"--contracts"});
  ExpectOneLine(Run({"tail", "--poll-ms", "-20"}), 2, {"--poll-ms"});
  // Seconds are counted in milliseconds: a value whose product overflows is refused.
  ExpectOneLine(Run({"tail", "--idle-timeout", "9223372036854776"}), 2,
                {"--idle-timeout", "at most"});
  EXPECT_EQ(Run({"tail", "--idle-timeout", "86400"}).code, 0);
  ExpectOneLine(Run({"log", "--limit", "+1"}), 2, {"--limit"});
  const std::string next = Booking("00000000-0000-4000-8000-000000000002", 30);
  RunResult r = Run({"append", "--expected-version", "-1", "--json", next});
  ExpectOneLine(r, 2, {"--expected-version", "-1"});
  EXPECT_EQ(Lines(Snapshot()).size(), 2u) << "nothing was appended";
  EXPECT_EQ(Run({"log", "--limit", "0", "--json"}).out, "");
  EXPECT_EQ(Lines(Run({"log", "--limit", "1", "--json"}).out).size(), 1u);
}

// An empty filter would read as no filter: a script whose variable is unset
// would report every contract. Every option refuses an empty value.
TEST_F(LedgerctlErrorsTest, AnEmptyOptionValueIsAUsageError) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"balance", "--contract", ""},
                                             {"log", "--contract", ""},
                                             {"export", "balances", "--contract", ""},
                                             {"access-log", "--principal", ""},
                                             {"margin", "--by", ""}}) {
    const RunResult r = Run(args);
    ExpectOneLine(r, 2, {"must not be empty (leave the option out instead)"});
    EXPECT_EQ(r.out, "");
  }
  ExpectOneLine(Run({"log", "--contract="}), 2, {"'--contract'"});
  // A required option cannot be left out: no such advice.
  const RunResult required = Run({"token", "new", "--principal", ""});
  ExpectOneLine(required, 2, {"option '--principal': must not be empty (see"});
  EXPECT_EQ(required.err.find("leave the option out"), std::string::npos) << required.err;
  ExpectOneLine(Run({"stats", "--db", ""}, "", /*with_db=*/false), 2,
                {"'--db'", "must not be empty"});
  EXPECT_EQ(Run({"balance", "--contract", "C-1"}).code, 0);
}

TEST_F(LedgerctlErrorsTest, FilterNamingWhatIsNotThereIsNotFound) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"balance", "--contract", "NOPE"},
           {"margin", "--contract", "NOPE"},
           {"escalations", "--contract", "NOPE"},
           {"log", "--contract", "NOPE"},
           {"export", "balances", "--contract", "NOPE"},
           {"report", "--no-verify", "--out", (dir_ / "r.html").string(), "--contract", "NOPE"}}) {
    RunResult r = Run(args);
    ExpectOneLine(r, 1, {"no contract 'NOPE'"});
    EXPECT_EQ(r.out, "") << args[0];
  }
  EXPECT_FALSE(fs::exists(dir_ / "r.html"));
  // A start past the head names a seq that is not there; at the head, the
  // consumer is up to date (nothing to export, not an error).
  const std::string events_out = (dir_ / "e.jsonl").string();
  ExpectOneLine(Run({"export", "events", "--after", "9", "--out", events_out}), 1,
                {"seq 9", "head is seq 2"});
  EXPECT_FALSE(fs::exists(events_out));
  EXPECT_EQ(Run({"export", "events", "--after", "2"}).code, 0);
  ExpectOneLine(Run({"margin", "--currency", "usd"}), 1, {"'usd'"});
  EXPECT_EQ(Run({"margin", "--currency", "USD"}).code, 0);
  EXPECT_EQ(Run({"balance", "--contract", "C-1"}).code, 0);
}

// A message echoes at most limits::kEchoedInputBytesMax bytes of what the
// user typed, then says how long it was: one readable line, whatever the input.
TEST_F(LedgerctlErrorsTest, OverLongArgumentsAreCutInMessages) {
  const std::string x(3000, 'x');
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"show", x},
                                             {x},
                                             {"balance", "--format", x},
                                             {"balance", "--contract", x},
                                             {"balance", "--as-of", x},
                                             {"margin", "--by", x},
                                             {"margin", "--currency", x},
                                             {"replay", "--projection", x},
                                             {"export", x},
                                             {"export", "balances", "--contract", x},
                                             {"log", "--type", x},
                                             {"import", "--type", x, "/dev/null"},
                                             {"log", "--limit", x},
                                             {"--log-level", x, "balance"},
                                             {"balance", "--" + x},
                                             {"--" + x}}) {
    RunResult r = Run(args);
    EXPECT_NE(r.code, 0) << args[0];
    EXPECT_EQ(Lines(r.err).size(), 1u) << args[0] << ": " << r.err.substr(0, 300);
    EXPECT_LT(r.err.size(), 400u) << args[0] << ": " << r.err.substr(0, 300);
    EXPECT_NE(r.err.find("... (300"), std::string::npos) << args[0] << ": " << r.err.substr(0, 300);
  }
}

TEST_F(LedgerctlErrorsTest, VerifyAgainstABadDigestSaysFailedAndNeverOk) {
  RunResult r = Run({"verify", "--against", (dir_ / "missing.json").string()});
  ExpectOneLine(r, 1, {"missing.json"});
  EXPECT_EQ(r.out.find("OK"), std::string::npos) << r.out;
  WriteFile(dir_ / "garbage.json", "not a digest\n");
  r = Run({"verify", "--against", (dir_ / "garbage.json").string()});
  // Unparsable is rejected input, not a verification failure.
  ExpectOneLine(r, 1, {"garbage.json", "not valid JSON"});
  EXPECT_EQ(r.err.find("verification failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("OK"), std::string::npos) << r.out;
  ASSERT_EQ(Run({"digest", "--out", (dir_ / "d.json").string()}).code, 0);
  r = Run({"verify", "--against", (dir_ / "d.json").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  // The events, the access log, the ledger's own checkpoint, the digest:
  // one OK line each.
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[1].rfind("OK: 0 access log records verified", 0), 0u) << r.out;
  EXPECT_EQ(lines[2].rfind("OK: extends its own checkpoint", 0), 0u) << r.out;
  EXPECT_NE(lines[3].find("extends the digest"), std::string::npos) << r.out;
}

// A check that could not run (its checkpoint folder is a file) is an I/O
// error, not a verdict: never "verification failed", never exit 3.
TEST_F(LedgerctlErrorsTest, VerifyThatCannotReadItsCheckpointsIsNotAFailedVerification) {
  WriteFile(dir_ / "a-file", "not a folder\n");
  const RunResult r = Run({"--checkpoints", (dir_ / "a-file").string(), "verify"});
  ExpectOneLine(r, 4, {"a-file: Not a directory"});
  EXPECT_EQ(r.err.find("verification failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("FAILED"), std::string::npos) << r.out;
}

TEST_F(LedgerctlErrorsTest, NoOutputFileInsideTheLedgerOrItsCheckpoints) {
  const std::string current = ReadFile(fs::path(db_) / "CURRENT");
  fs::create_directory_symlink(db_, dir_ / "link");
  const std::vector<std::vector<std::string>> writes = {
      {"report", "--out", db_ + "/CURRENT"},
      {"report", "--out", (dir_ / "link" / "CURRENT").string()},
      {"export", "events", "--out", db_ + "/../db/x.csv"},
      {"digest", "--out", db_ + ".checkpoints/d.json"},
      {"generate", "--out", db_ + "/g.jsonl"},
  };
  for (const auto& args : writes) {
    RunResult r = Run(args);
    ExpectOneLine(r, 1, {"which the ledger owns"});
  }
  // Nor may the checkpoint folder be the ledger's folder or inside it, by
  // any name: its keys and checkpoints would be written among the ledger's
  // files (a write command publishes there).
  const std::string booking = Booking("00000000-0000-4000-8000-0000000000c1", 15);
  for (const std::string& folder : {db_, db_ + "/.", (dir_ / "link").string(), db_ + "/sub"}) {
    ExpectOneLine(Run({"--checkpoints", folder, "append", "--json", booking}), 1,
                  {"option '--checkpoints'", "must be kept outside it"});
  }
  EXPECT_EQ(Run({"--checkpoints", (dir_ / "elsewhere").string(), "stats"}).code, 0);
  EXPECT_EQ(ReadFile(fs::path(db_) / "CURRENT"), current);
  EXPECT_FALSE(fs::exists(fs::path(db_) / "x.csv"));
  EXPECT_FALSE(fs::exists(fs::path(db_) / "g.jsonl"));
  EXPECT_FALSE(fs::exists(fs::path(db_) / "log.key"));
  EXPECT_FALSE(fs::exists(fs::path(db_) / "sub"));
  EXPECT_EQ(Run({"verify"}).code, 0);
}

TEST_F(LedgerctlErrorsTest, GarbageFeedCheckpointIsBadInputNotCorruption) {
  WriteFile(dir_ / "feed.ckpt", "garbage\n");
  RunResult r = Run({"export", "events", "--checkpoint", (dir_ / "feed.ckpt").string()});
  ExpectOneLine(r, 1, {"feed.ckpt", "line 1"});
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadFile(dir_ / "feed.ckpt"), "garbage\n");
}

TEST_F(LedgerctlErrorsTest, MessagesNameArgumentsAsTheUsageDoes) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"import"}, "FILE"},
      {{"show"}, "SEQ|EVENT_ID"},
      {{"export"}, "WHAT"},
      {{"backup"}, "DIR"},
      {{"check-proof"}, "PROOF"},
      {{"show", "1", "2"}, "unexpected argument '2'"},
      {{"export", "a", "b"}, "unexpected argument 'b'"},
      {{"keygen", "k"}, "unexpected argument 'k'"},
  };
  for (const auto& [args, says] : cases) {
    RunResult r = Run(args);
    ExpectOneLine(r, 2, {says});
    for (const char* internal : {"--files", "--key", "--what", "--dir", "--proof"}) {
      EXPECT_EQ(r.err.find(internal), std::string::npos) << r.err;
    }
  }
}

// The option is named once, by the front end: the parser behind it serves
// the HTTP API too, where the same mistake is query parameter 'by'.
TEST_F(LedgerctlErrorsTest, ABadGroupingNamesItsOptionOnce) {
  const std::string says =
      "option '--by': unknown key 'foo' (choose from customer, contract, month)";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"margin", "--by", "foo"},
        std::vector<std::string>{"export", "margins", "--by", "foo"}}) {
    const RunResult r = Run(args);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("--by: "), std::string::npos) << r.err;
  }
}

TEST_F(LedgerctlErrorsTest, UnknownGlobalOptionIsOneLine) {
  ExpectOneLine(Run({"--bogus"}), 2, {"unknown option '--bogus'", "ledgerctl --help"});
  ExpectOneLine(Run({"--bogus", "log"}), 2, {"--bogus"});
  ExpectOneLine(Run({}), 2, {"no command", "ledgerctl --help"});
  EXPECT_EQ(Run({"--help"}).code, 0);
}

TEST_F(LedgerctlErrorsTest, LockedLedgerSaysWhoHoldsItAndExitsFour) {
  std::unique_ptr<ledger::Ledger> holder;
  ASSERT_TRUE(ledger::Ledger::Open(ledger::Options(), db_, &holder).ok());
  RunResult r = Run({"import", (dir_ / "in.jsonl").string()});
  ExpectOneLine(r, 4,
                {"in use by another process", "pid " + std::to_string(::getpid()),
                 "try again when it has finished"});
  EXPECT_EQ(r.err.find("--server"), std::string::npos) << "the holder is no server: " << r.err;
  EXPECT_EQ(r.err.find("LOCK"), std::string::npos) << "the store's own words: " << r.err;
  EXPECT_EQ(Run({"balance"}).code, 0) << "reads work beside the writer";
}

TEST_F(LedgerctlErrorsTest, AWriterWaitsForALockHeldBriefly) {
  // A report saving its checkpoints holds the writer's lock for a moment; an
  // import started meanwhile waits for it instead of failing.
  std::unique_ptr<ledger::Ledger> holder;
  ASSERT_TRUE(ledger::Ledger::Open(ledger::Options(), db_, &holder).ok());
  std::thread release([&holder] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    holder.reset();
  });
  RunResult r = Run({"import", (dir_ / "in.jsonl").string()});
  release.join();
  EXPECT_EQ(r.code, 0) << r.err;
}

// Whether a process holds the writer lock on the ledger at `db` (RocksDB's
// lock on db/LOCK), asked without taking it.
bool WriterLockHeld(const std::string& db) {
  const int fd = ::open((db + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lk {};
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_OFD_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

// A report folds on a read-only view: a writer started meanwhile never waits
// for it (and would fail after kWriterLockWaitMsDefault if it did). It takes
// the writer lock only to store a checkpoint after a long catch-up
// (limits::kReportCheckpointEventsMin), never for a short one.
TEST_F(LedgerctlErrorsTest, AReportNeedsNoWriterLockToFold) {
  ASSERT_EQ(Run({"-q", "import", Workload("w.jsonl", 20, 365)}).code, 0);
  ASSERT_LT(Lines(Snapshot()).size(), limits::kReportCheckpointEventsMin);
  for (const char* report : {"burn", "margin", "balance", "escalations"}) {
    std::atomic<bool> done{false};
    RunResult r;
    std::thread run([&] {
      r = Run({report});
      done = true;
    });
    int samples = 0, held = 0;
    while (!done) {
      ++samples;
      held += WriterLockHeld(db_) ? 1 : 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    run.join();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_GT(samples, 10) << report;
    EXPECT_EQ(held, 0) << report << ": the writer lock was held in " << held << " of " << samples
                       << " samples";
  }
}

// After a long catch-up, with the lock free, the report stores its
// checkpoint: the next run starts from it.
TEST_F(LedgerctlErrorsTest, AReportStoresItsCheckpointAfterALongCatchUp) {
  ASSERT_EQ(Run({"-q", "import", Workload("w.jsonl", 80, 365)}).code, 0);
  ASSERT_GE(Lines(Snapshot()).size(), limits::kReportCheckpointEventsMin);
  RunResult r = Run({"--log-level", "debug", "margin"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("from snapshot"), std::string::npos) << r.err;
  r = Run({"--log-level", "debug", "margin"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("from snapshot"), std::string::npos) << r.err;
}

// The library's message names the rejected event; the front end adds the
// file and line, never the event a second time.
TEST_F(LedgerctlErrorsTest, RejectedEventIsNamedOnce) {
  const std::string id = "00000000-0000-4000-8000-000000000009";
  auto count = [](const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  RunResult r = Run({"append", "--json", Booking(id, 600)});  // over a reject line
  ExpectOneLine(r, 1, {id, "(rule "});
  EXPECT_EQ(count(r.err, id), 1u) << r.err;
  // The same id as the stored booking, with other content: a conflict.
  const std::string used = "00000000-0000-4000-8000-000000000001";
  r = Run({"append", "--json", Booking(used, 31)});
  ExpectOneLine(r, 1, {used, "already used by seq 2"});
  EXPECT_EQ(count(r.err, used), 1u) << r.err;
  WriteFile(dir_ / "bad.jsonl", Booking(id, 600) + "\n");
  r = Run({"import", (dir_ / "bad.jsonl").string()});
  ExpectOneLine(r, 1, {"bad.jsonl:1", id});
  EXPECT_EQ(count(r.err, id), 1u) << r.err;
}

// A re-sent event stating another currency than its contract's is refused
// as a new event would be (R-LIFE-05), not taken for a duplicate; the
// contract's own currency stated, it is a duplicate.
TEST_F(LedgerctlErrorsTest, AResentEventStatingAnotherCurrencyIsRefused) {
  InitWithOneBooking();
  const std::string id = "00000000-0000-4000-8000-000000000001";
  std::string resent = Booking(id, 30);
  resent.insert(resent.size() - 1, R"(,"currency":"JPY")");
  WriteFile(dir_ / "again.jsonl", resent + "\n");
  RunResult r = Run({"import", (dir_ / "again.jsonl").string()});
  ExpectOneLine(r, 1, {"again.jsonl:1", id, "currency 'JPY' stated", "(rule R-LIFE-05)"});
  r = Run({"append", "--json", resent});
  ExpectOneLine(r, 1, {id, "currency 'JPY' stated", "(rule R-LIFE-05)"});
  std::string same = Booking(id, 30);
  same.insert(same.size() - 1, R"(,"currency":"USD")");
  r = Run({"append", "--json", same});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(LedgerctlErrorsTest, VersionNamesTheBuild) {
  RunResult r = Run({"--version"}, "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0], std::string("ledgerctl ") + CCL_VERSION);
  EXPECT_EQ(lines[1], "ledger format " + std::to_string(ledger::kFormatVersion));
  EXPECT_TRUE(
      std::regex_match(lines[2], std::regex("git revision ([0-9a-f]{12}(-dirty)?|unknown)")))
      << lines[2];
  EXPECT_EQ(lines[3], "RocksDB " + std::to_string(ROCKSDB_MAJOR) + "." +
                          std::to_string(ROCKSDB_MINOR) + "." + std::to_string(ROCKSDB_PATCH));
  EXPECT_TRUE(std::regex_match(
      lines[4], std::regex(R"(allocator (jemalloc \(transparent huge pages\)|system malloc))")))
      << lines[4];
  EXPECT_EQ(Run({"log", "--version"}).out, r.out);
}

}  // namespace
}  // namespace ccl::tools

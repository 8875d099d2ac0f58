// ledgerctl end to end: what `import` takes. "-" is standard input (a pipe or
// a redirected file), the format comes from --format or the content (not the
// name), a multi-file import that stops says which files went in and which
// did not, and an input without events is refused.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools {
namespace {

using namespace ccl::tools::testing;  // NOLINT: the fixture and its helpers

class LedgerctlImportTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    Init();
    jsonl_ = std::string(kOpened) + "\n" + Booking("00000000-0000-4000-8000-000000000001", 30) +
             "\n" + Booking("00000000-0000-4000-8000-000000000002", 45) + "\n";
  }

  // Starts `import --batch 1` of a large file, sends `signo` once a batch is
  // committed, and checks what the import reported, saved and left.
  void CheckInterruptedImport(int signo);

  // The events of jsonl_ as CSV, written by ledgerctl itself from a ledger
  // that holds them (a second one, so this test's ledger stays empty).
  std::string Csv() {
    const std::string db = db_;
    db_ = (dir_ / "source-db").string();
    Init();
    WriteFile(dir_ / "src.jsonl", jsonl_);
    EXPECT_EQ(Run({"import", (dir_ / "src.jsonl").string()}).code, 0);
    RunResult r = Run({"export", "events", "--format", "csv"});
    EXPECT_EQ(r.code, 0) << r.err;
    db_ = db;
    return r.out;
  }

  size_t EventCount() { return Lines(Snapshot()).size(); }

  std::string jsonl_;
};

TEST_F(LedgerctlImportTest, DashReadsStandardInputFromAPipeOrAFile) {
  RunResult r = Run({"import", "-"}, jsonl_, true, Stdin::kPipe);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 events, 3 appended"), std::string::npos) << r.out;
  EXPECT_EQ(EventCount(), 3u);
  r = Run({"import", "-"}, jsonl_, true, Stdin::kFile);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 duplicates"), std::string::npos) << r.out;
  r = Run({"import", "--batch", "1", "-"}, jsonl_, true, Stdin::kPipe);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 duplicates"), std::string::npos) << r.out;
  // A bad line is named in the input it came from.
  r = Run({"import", "-"}, "{\"type\":\"Nope\"}\n", true, Stdin::kPipe);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/dev/stdin:1:"), std::string::npos) << r.err;
}

// A named pipe, /dev/stdin on a pipe or a process substitution (<(zcat ...))
// can be read once only; the import used to read its first bytes for the
// format, then the rest as if it were the whole input ("line 1: invalid JSON").
TEST_F(LedgerctlImportTest, APipeGivenByNameIsReadWhole) {
  RunResult r = Run({"import", "/dev/stdin"}, jsonl_, true, Stdin::kPipe);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 events, 3 appended"), std::string::npos) << r.out;
  EXPECT_EQ(EventCount(), 3u);

  const fs::path fifo = dir_ / "events.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  // The writer opens the FIFO once the import has opened it for reading, and
  // writes in small parts, as a decompressor would.
  const std::string text = jsonl_ + Booking("00000000-0000-4000-8000-000000000003", 15) + "\n";
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    for (size_t at = 0; at < text.size(); at += 7) {
      const std::string_view part = std::string_view(text).substr(at, 7);
      if (::write(fd, part.data(), part.size()) != static_cast<ssize_t>(part.size())) break;
    }
    ::close(fd);
  });
  r = Run({"import", fifo.string()});
  writer.join();
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("4 events, 1 appended, 3 duplicates"), std::string::npos) << r.out;
  EXPECT_EQ(EventCount(), 4u);
  // A bad line is named in the input as it was given.
  r = Run({"import", "/dev/stdin"}, "\n{\"type\":\"Nope\"}\n", true, Stdin::kPipe);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/dev/stdin:2:"), std::string::npos) << r.err;
}

// An endless stream without line ends is refused at its first over-long
// line, not copied into memory forever; `append` reads one event's worth.
TEST_F(LedgerctlImportTest, AnEndlessStreamWithoutLineEndsEndsAtOnce) {
  RunResult r = Run({"import", "/dev/zero"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("/dev/zero:1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("65536"), std::string::npos) << r.err;
  r = Run({"import", "/dev/urandom"});  // short lines, but no text
  EXPECT_EQ(r.code, 1) << r.err;
  r = Run({"append"}, std::string(200'000, '{'), true, Stdin::kFile);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("more than one event"), std::string::npos) << r.err;
  EXPECT_EQ(EventCount(), 0u);
}

TEST_F(LedgerctlImportTest, CsvIsRecognisedByContentOrFormatNotOnlyByName) {
  const std::string csv = Csv();
  ASSERT_NE(csv.find("event_id"), std::string::npos) << csv;
  WriteFile(dir_ / "export.txt", csv);
  RunResult r = Run({"import", (dir_ / "export.txt").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(EventCount(), 3u);
  r = Run({"import", "--format", "csv", "-"}, csv, true, Stdin::kPipe);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 duplicates"), std::string::npos) << r.out;
  // JSON Lines in a file named .csv is JSON Lines.
  WriteFile(dir_ / "really-jsonl.csv", jsonl_);
  r = Run({"import", (dir_ / "really-jsonl.csv").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 duplicates"), std::string::npos) << r.out;
  // --format wins over the content, and says so through the parser's error.
  r = Run({"import", "--format", "jsonl", (dir_ / "export.txt").string()});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(Run({"import", "--format", "xml", (dir_ / "export.txt").string()}).code, 2);
}

TEST_F(LedgerctlImportTest, StopAtABadFileSaysWhatWasAndWasNotImported) {
  WriteFile(dir_ / "a.jsonl", jsonl_);
  WriteFile(dir_ / "bad.jsonl", "{\"event_id\":1}\n");
  WriteFile(dir_ / "c.jsonl", Booking("00000000-0000-4000-8000-000000000003", 15) + "\n");
  RunResult r = Run({"import", (dir_ / "a.jsonl").string(), (dir_ / "bad.jsonl").string(),
                     (dir_ / "c.jsonl").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.jsonl:1:"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("imported: " + (dir_ / "a.jsonl").string() + "\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("not imported: " + (dir_ / "bad.jsonl").string() + ", " +
                       (dir_ / "c.jsonl").string()),
            std::string::npos)
      << r.out;
  EXPECT_EQ(EventCount(), 3u) << "a.jsonl only";
}

TEST_F(LedgerctlImportTest, AnInputWithoutEventsIsRefused) {
  WriteFile(dir_ / "empty.jsonl", "");
  WriteFile(dir_ / "blank.jsonl", "\n  \n\r\n");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"import", (dir_ / "empty.jsonl").string()},
           {"import", "--batch", "10", (dir_ / "empty.jsonl").string()},
           {"import", (dir_ / "blank.jsonl").string()},
           {"import", "-"}}) {
    RunResult r = Run(args, "", true, Stdin::kPipe);
    EXPECT_EQ(r.code, 1) << args.back();
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("no events"), std::string::npos) << r.err;
  }
  const std::string header = Lines(Csv())[0] + "\n";
  WriteFile(dir_ / "header-only.csv", header);
  RunResult r = Run({"import", (dir_ / "header-only.csv").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no events"), std::string::npos) << r.err;
  EXPECT_EQ(EventCount(), 0u);
}

TEST_F(LedgerctlImportTest, Utf16InputIsRefusedNamingTheEncoding) {
  for (const char* bom : {"\xFF\xFE", "\xFE\xFF"}) {
    for (const char* name : {"utf16.jsonl", "utf16.csv"}) {
      WriteFile(dir_ / name, std::string(bom) + jsonl_);
      RunResult r = Run({"import", (dir_ / name).string()});
      EXPECT_EQ(r.code, 1) << r.err;
      EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
      EXPECT_NE(r.err.find("UTF-16"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("UTF-8 only"), std::string::npos) << r.err;
    }
  }
  EXPECT_EQ(EventCount(), 0u);
}

// Ctrl-C or SIGTERM during `import --batch N` stops at a batch boundary: the
// batches committed stay, are reported and get their checkpoint, and the exit
// code says it was interrupted (128 + the signal, as a shell reports it).
TEST_F(LedgerctlImportTest, InterruptStopsAtABatchBoundaryAndReportsWhatWasCommitted) {
  CheckInterruptedImport(SIGINT);
}

TEST_F(LedgerctlImportTest, SigtermStopsAtABatchBoundaryAndReportsWhatWasCommitted) {
  CheckInterruptedImport(SIGTERM);
}

void LedgerctlImportTest::CheckInterruptedImport(int signo) {
  const std::string path = Workload("big.jsonl", 40, 365);
  const size_t total = Lines(ReadFile(path)).size();
  Started import = Start({"import", "--batch", "1", path}, "", true, Stdin::kFile, ".import");
  ASSERT_GT(import.pid, 0);
  // Interrupt once something is committed (so the handler is in place).
  for (int i = 0; i < 400 && Lines(Run({"log", "--limit", "1", "--json"}).out).empty(); ++i) {
    ::usleep(10'000);
  }
  ::kill(import.pid, signo);
  RunResult r = Finish(import);
  ASSERT_EQ(r.code, 128 + signo) << r.out << r.err;
  EXPECT_NE(r.err.find(signo == SIGTERM ? "interrupted (SIGTERM)" : "interrupted (SIGINT)"),
            std::string::npos)
      << r.err;
  // "<path>: N appended, 0 duplicates in earlier batches before the interruption"
  const std::string prefix = path + ": ";
  ASSERT_TRUE(r.out.starts_with(prefix)) << r.out;
  EXPECT_NE(r.out.find("before the interruption"), std::string::npos) << r.out;
  const uint64_t appended = std::stoull(r.out.substr(prefix.size()));
  EXPECT_GT(appended, 0u);
  EXPECT_LT(appended, total) << "the import ended before the interrupt: use a larger workload";
  EXPECT_EQ(EventCount(), appended);
  // What the normal path saves: a checkpoint of exactly what was committed.
  char name[64];
  std::snprintf(name, sizeof(name), "checkpoint-%020llu.txt",
                static_cast<unsigned long long>(appended));
  EXPECT_TRUE(fs::exists(fs::path(fs::canonical(db_).string() + ".checkpoints") / name)) << name;
  RunResult verify = Run({"verify"});
  EXPECT_EQ(verify.code, 0) << verify.err;
  // The rest imports on a re-run; the committed part comes back as duplicates.
  RunResult rest = Run({"import", "--batch", "1000", path});
  EXPECT_EQ(rest.code, 0) << rest.err;
  EXPECT_NE(rest.out.find(std::to_string(appended) + " duplicates"), std::string::npos) << rest.out;
}

// Ctrl-C or SIGTERM during a whole-file import (no --batch) abandons its
// one append: nothing of the file is committed, the scratch files it was
// writing in the ledger's folder are removed before it exits (not left for
// the next open), and the exit code says it was interrupted.
TEST_F(LedgerctlImportTest, AnInterruptedWholeFileImportCommitsNothingAndLeavesNoScratch) {
  const std::string big = Workload("big.jsonl", 400, 365);
  const fs::path scratch = fs::path(db_) / "ccl-ingest";
  for (const int signo : {SIGINT, SIGTERM}) {
    Started import = Start({"import", big}, "", true, Stdin::kFile, ".import");
    ASSERT_GT(import.pid, 0);
    // Once the append is writing its scratch files (at most 2 minutes).
    for (int i = 0; i < 12000 && !fs::exists(scratch); ++i) ::usleep(10'000);
    EXPECT_TRUE(fs::exists(scratch)) << "the import wrote no scratch files";
    subprocess::Signal(import.pid, signo);
    RunResult r = Finish(import);
    EXPECT_EQ(r.code, 128 + signo) << r.out << r.err;
    EXPECT_NE(r.err.find(signo == SIGTERM ? "interrupted (SIGTERM)" : "interrupted (SIGINT)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("nothing of " + big + " was committed"), std::string::npos)
        << "the import ended before the signal: use a larger workload; " << r.err;
    EXPECT_FALSE(fs::exists(scratch)) << "signal " << signo;
    EXPECT_EQ(EventCount(), 0u) << "signal " << signo;
    RunResult verify = Run({"verify"});
    EXPECT_EQ(verify.code, 0) << verify.err;
  }
}

// A signal between two files (the second, standard input, not yet sent) is
// reported with the file committed before it, which gets its checkpoint: the
// process does not die of it. The import stops at the second file's first
// part, nothing of it committed.
TEST_F(LedgerctlImportTest, ASignalBetweenTwoFilesReportsTheFileCommittedBeforeIt) {
  const std::string first = (dir_ / "first.jsonl").string();
  WriteFile(first, jsonl_);
  Started import = Start({"import", first, "-"}, "", true, Stdin::kPipe, ".two");
  ASSERT_GT(import.pid, 0);
  // Once the first file is committed, the import waits for standard input.
  for (int i = 0; i < 1200 && EventCount() < 3; ++i) ::usleep(100'000);
  ASSERT_EQ(EventCount(), 3u);
  subprocess::Signal(import.pid, SIGINT);
  RunResult r = Finish(import, Booking("00000000-0000-4000-8000-000000000003", 15) + "\n");
  EXPECT_EQ(r.code, 128 + SIGINT) << r.out << r.err;
  EXPECT_NE(r.err.find("interrupted (SIGINT); nothing of - was committed"), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find(first + ": 3 events, 3 appended"), std::string::npos) << r.out;
  EXPECT_EQ(EventCount(), 3u);
  EXPECT_EQ(Run({"verify"}).code, 0);  // against the checkpoint published for the first file
}

// A whole-file import large enough to be appended in parts (parsed, checked
// and written into ingestion files part by part, ingested at the end),
// killed at moments spread over its run: each ledger holds all of the file
// or none of it, verifies, and keeps no ingestion file after the next open
// for writing.
TEST_F(LedgerctlImportTest, AKilledWholeFileImportLeavesAllOrNothing) {
  const std::string big = Workload("big.jsonl", 150, 365);
  const size_t events = Lines(ReadFile(big)).size();
  ASSERT_GT(events, 60000u);  // past the bulk path's 32 MiB of events
  for (const int delay_ms : {100, 300, 700, 1500, 3000}) {
    const std::string db = (dir_ / ("killed-" + std::to_string(delay_ms))).string();
    ASSERT_EQ(Run({"--db", db, "init"}, "", false).code, 0);
    Started started = Start({"--db", db, "--quiet", "import", big}, "", false);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    subprocess::Signal(started.pid, SIGKILL);
    const RunResult killed = Finish(started);
    RunResult r = Run({"--db", db, "verify"}, "", false);
    EXPECT_EQ(r.code, 0) << delay_ms << " ms: " << r.err;
    r = Run({"--db", db, "init"}, "", false);  // opens it for writing
    EXPECT_EQ(r.code, 0) << delay_ms << " ms: " << r.err;
    EXPECT_FALSE(fs::exists(fs::path(db) / "ccl-ingest")) << delay_ms << " ms";
    r = Run({"--db", db, "log", "--json"}, "", false);
    const size_t held = Lines(r.out).size();
    EXPECT_TRUE(held == 0 || held == events) << delay_ms << " ms: " << held << " of " << events
                                             << " events; import exit " << killed.code;
  }
}

}  // namespace
}  // namespace ccl::tools

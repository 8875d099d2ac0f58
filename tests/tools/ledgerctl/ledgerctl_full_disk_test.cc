// ledgerctl on a full disk: a small tmpfs that a command fills. Each command
// fails with exit 4 and says what to do; nothing acknowledged is lost.
// Mounting needs root (as in CI); each test that cannot mount skips with the
// reason.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools::testing {
namespace {

// The events an import's summary says were appended before its error
// ("<file>: N appended, ..."); 0 when it says none.
uint64_t AcknowledgedIn(const std::string& summary) {
  const size_t said = summary.find(" appended, ");
  if (said == std::string::npos) return 0;
  const size_t start = summary.rfind(": ", said) + 2;
  return std::stoull(summary.substr(start, said - start));
}

// kOpened effective after the months the workload's generator closed.
std::string OpenedAfterTheClosedMonths() {
  const std::string january = "\"effective_at\":\"2025-01-01\"";
  std::string opened = kOpened;
  opened.replace(opened.find(january), january.size(), "\"effective_at\":\"2025-06-01\"");
  return opened;
}

// Writes `filler` until its file system is full (at most 256 MiB).
void FillUp(const fs::path& filler) {
  std::ofstream fill(filler, std::ios::binary);
  const std::string block(64 << 10, 'x');
  for (int i = 0; i < 4096 && fill.write(block.data(), block.size()).flush(); ++i) {
  }
}

// A full disk: a small tmpfs that an import fills, by batches through the
// WAL and whole through SST ingestion. Each command fails with exit 4 and a
// line that says so (RocksDB's own logger aborted the process here, exit
// 134); what was acknowledged is there and verifies once space is freed.
TEST_F(LedgerctlTest, FullDiskIsExitFourAndLosesNothingAcknowledged) {
  const std::string big = Workload("big.jsonl", 200, 90);
  const fs::path mnt = dir_ / "small";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=10m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
  }
  Unmount unmount{mnt.string()};
  for (const bool batches : {true, false}) {
    const std::string db = (mnt / (batches ? "batches" : "whole")).string();
    ASSERT_EQ(Run({"--db", db, "init"}, "", false).code, 0);
    std::vector<std::string> import = {"--db", db, "import", big};
    if (batches) import.insert(import.begin() + 3, {"--batch", "1000"});
    RunResult r = Run(import, "", false);
    const std::string import_err = r.err;
    // "<file>: N appended, ... before the error": the acknowledged events.
    const std::string summary = r.out;
    EXPECT_EQ(r.code, 4) << r.err;
    EXPECT_NE(r.err.find("no space left on device"), std::string::npos) << r.err;
    // What to do, and nothing of the state the process leaves behind.
    EXPECT_NE(r.err.find("(free space and run it again: nothing acknowledged was lost)"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("reopen"), std::string::npos) << r.err;
    if (batches) {
      EXPECT_NE(r.err.find("no space left on device: append to " + db + " (free space"),
                std::string::npos)
          << r.err;
    }
    const uint64_t acknowledged = AcknowledgedIn(summary);
    if (batches) {
      EXPECT_GT(acknowledged, 0u) << summary;
    }
    r = Run({"--db", db, "append", "--json", OpenedAfterTheClosedMonths()}, "", false);
    EXPECT_TRUE(r.code == 0 || r.code == 4) << r.err;
    const uint64_t appended_one = r.code == 0 ? 1 : 0;
    // A full disk is when an operator copies the ledger away: the read
    // commands, backup included, still work (a backup opened the ledger for
    // writing and failed with "no space left"). The last free blocks taken
    // first: the failed import may have left some.
    const fs::path filler = mnt / "filler";
    FillUp(filler);
    const std::string backup = (dir_ / (batches ? "bk-batches" : "bk-whole")).string();
    for (const std::vector<std::string>& c : std::vector<std::vector<std::string>>{
             {"verify"}, {"balance"}, {"log", "--limit", "1"}, {"backup", "--dir", backup}}) {
      std::vector<std::string> args = {"--db", db};
      args.insert(args.end(), c.begin(), c.end());
      r = Run(args, "", false);
      EXPECT_EQ(r.code, 0) << c[0] << " on a full disk: " << r.err;
    }
    const std::string restored =
        (dir_ / (batches ? "restored-batches" : "restored-whole")).string();
    r = Run({"restore", backup, "--db", restored}, "", false);
    EXPECT_EQ(r.code, 0) << r.err;
    r = Run({"--db", restored, "log", "--json"}, "", false);
    EXPECT_EQ(Lines(r.out).size(), acknowledged + appended_one)
        << "the backup taken on a full disk";
    fs::remove(filler);
    ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, "size=256m"), 0)
        << std::strerror(errno);
    r = Run({"--db", db, "verify"}, "", false);
    EXPECT_EQ(r.code, 0) << r.err;
    r = Run({"--db", db, "log", "--json"}, "", false);
    EXPECT_EQ(Lines(r.out).size(), acknowledged + appended_one) << import_err << summary;
    ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, "size=10m"), 0)
        << std::strerror(errno);
  }
}

// `generate --out` is written like every --out: a regular file is replaced
// only once the whole workload is durable (a new inode; another hard link
// keeps the old bytes), so a write that fails leaves the old file whole and
// nothing new. The same for the demo's workload, which a re-run then finds
// absent.
TEST_F(LedgerctlTest, GenerateReplacesItsOutputAtomicallyAndAFullDiskLeavesNoPartFile) {
  const fs::path out = dir_ / "ev.jsonl";
  WriteFile(out, "old\n");
  fs::create_hard_link(out, dir_ / "ev-link.jsonl");
  RunResult r = Run({"generate", "--contracts", "1", "--days", "5", "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir_ / "ev-link.jsonl"), "old\n") << "the file was written in place";
  EXPECT_NE(ReadFile(out).find("\"ContractOpened\""), std::string::npos);

  const fs::path mnt = dir_ / "small";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
  }
  Unmount unmount{mnt.string()};
  const fs::path previous = mnt / "previous.jsonl";
  WriteFile(previous, "the previous workload\n");
  for (const fs::path& target : {previous, mnt / "new.jsonl"}) {
    r = Run({"generate", "--contracts", "20", "--days", "365", "--out", target.string()});
    EXPECT_EQ(r.code, 4) << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find(target.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  }
  EXPECT_EQ(ReadFile(previous), "the previous workload\n");
  r = Run({"demo", "--dir", (mnt / "demo").string()}, "", false);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(mnt)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"previous.jsonl"}) << "a partial file was left";
}

// A whole-file import that fills the disk at different points: while it
// spills the `streams` copies, while it writes the tables, while it seals.
// Each says the disk is full (the write that failed, not a later read of the
// short spill file it left: "unexpected end of file" was said for small
// disks), exit 4, and appends nothing.
TEST_F(LedgerctlTest, AWholeImportThatFillsTheDiskSaysSoWhereverItStops) {
  const std::string big = Workload("big.jsonl", 50, 365);
  for (const char* size : {"1m", "2m", "3m", "4m", "6m"}) {
    const fs::path mnt = dir_ / (std::string("small-") + size);
    fs::create_directories(mnt);
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
    }
    Unmount unmount{mnt.string()};
    const std::string db = (mnt / "l").string();
    ASSERT_EQ(Run({"--db", db, "init"}, "", false).code, 0) << size;
    RunResult r = Run({"--db", db, "import", big}, "", false);
    std::string err = r.err;
    for (char& c : err) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(r.code, 4) << size << ": " << r.err;
    EXPECT_NE(err.find("no space left on device"), std::string::npos) << size << ": " << r.err;
    EXPECT_EQ(err.find("unexpected end of file"), std::string::npos) << size << ": " << r.err;
    EXPECT_EQ(err.find("reopen"), std::string::npos) << size << ": " << r.err;
    ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, "size=256m"), 0)
        << std::strerror(errno);
    r = Run({"--db", db, "verify"}, "", false);
    EXPECT_EQ(r.code, 0) << size << ": " << r.err;
    r = Run({"--db", db, "log", "--json"}, "", false);
    EXPECT_EQ(r.out, "") << size;
  }
}

}  // namespace
}  // namespace ccl::tools::testing

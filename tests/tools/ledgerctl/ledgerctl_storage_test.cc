// ledgerctl and the storage under it: read-only mounts, a folder that holds
// a damaged ledger (a full disk: ledgerctl_full_disk_test.cc). Mounting needs root (as in CI); each
// test that cannot mount skips with the reason.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools::testing {
namespace {

// Every file of a folder (recursively) with its size.
std::map<std::string, uintmax_t> Listing(const fs::path& dir) {
  std::map<std::string, uintmax_t> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    out[e.path().string()] = e.is_regular_file() ? e.file_size() : 0;
  }
  return out;
}

// Mounts `from` at `mnt` read-only (a bind mount remounted read-only); false
// with the reason in *why when this process may not (not root). On true the
// caller unmounts it (Unmount).
bool MountReadOnlyView(const std::string& from, const fs::path& mnt, std::string* why) {
  fs::create_directories(mnt);
  if (::mount(from.c_str(), mnt.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    *why = std::string("cannot bind-mount (needs root): ") + std::strerror(errno);
    return false;
  }
  if (::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    *why = std::string("cannot remount read-only: ") + std::strerror(errno);
    ::umount2(mnt.c_str(), MNT_DETACH);
    return false;
  }
  return true;
}

// Every read command on a ledger behind a read-only bind mount (root, as the
// tests run in CI, is stopped by a read-only mount, not by permission bits):
// each works, and nothing is written, there or in the temporary folder, even
// when the reader of a pipe goes away early (SIGPIPE).
TEST_F(LedgerctlTest, ReadCommandsWorkOnAReadOnlyMountAndLeaveNothing) {
  Init();
  ASSERT_EQ(Run({"--quiet", "import", Workload("w.jsonl", 3, 30)}).code, 0);
  const fs::path mnt = dir_ / "ro";
  std::string why;
  if (!MountReadOnlyView(db_, mnt, &why)) GTEST_SKIP() << why;
  Unmount unmount{mnt.string()};
  const fs::path tmp = dir_ / "tmp";
  fs::create_directories(tmp);
  const char* old_tmpdir = std::getenv("TMPDIR");
  const std::string saved = old_tmpdir != nullptr ? old_tmpdir : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  const auto before = Listing(db_);
  const std::string ro = mnt.string();
  const std::vector<std::vector<std::string>> commands = {
      {"balance"},
      {"margin"},
      {"escalations"},
      {"burn"},
      {"stats"},
      {"log", "--limit", "3"},
      {"show", "1"},
      {"verify"},
      {"digest"},
      {"tail", "-n", "2"},
      {"replay", "--projection", "balances"},
      {"export", "events"},
      {"backup", "--dir", (dir_ / "bk").string()}};
  for (std::vector<std::string> c : commands) {
    c.insert(c.begin(), {"--db", ro});
    RunResult r = Run(c, "", false);
    EXPECT_EQ(r.code, 0) << c[2] << ": " << r.err;
  }
  // `log | head -1`: ledgerctl dies of SIGPIPE with most of the log unread.
  const std::string pipe = std::string(LEDGERCTL_PATH) + " --db " + ro + " log | head -1";
  const fs::path head_out = dir_ / "head.out";
  const int status = std::system((pipe + " > " + head_out.string()).c_str());
  if (saved.empty()) {
    ::unsetenv("TMPDIR");
  } else {
    ::setenv("TMPDIR", saved.c_str(), 1);
  }
  EXPECT_EQ(status, 0);
  EXPECT_EQ(Lines(ReadFile(head_out)).size(), 1u);
  EXPECT_EQ(Listing(db_), before);
  EXPECT_TRUE(fs::is_empty(tmp)) << "left in TMPDIR: " << fs::directory_iterator(tmp)->path();
}

// A write on a ledger whose folder cannot be written says so, naming the
// folder and the system's reason, exit 4: not "in use by another process",
// not the store's own words; and nothing is written.
TEST_F(LedgerctlTest, WriteToAReadOnlyFolderSaysItIsNotWritable) {
  InitWithOneBooking();
  const fs::path mnt = dir_ / "ro";
  std::string why;
  if (!MountReadOnlyView(db_, mnt, &why)) GTEST_SKIP() << why;
  Unmount unmount{mnt.string()};
  const std::string ro = mnt.string();
  const auto before = Listing(db_);
  const std::string next = Booking("00000000-0000-4000-8000-000000000002", 30);
  WriteFile(dir_ / "next.jsonl", next + "\n");
  const std::vector<std::vector<std::string>> writes = {
      {"append", "--json", next}, {"import", (dir_ / "next.jsonl").string()}, {"rebuild"}};
  for (std::vector<std::string> c : writes) {
    c.insert(c.begin(), {"--db", ro});
    RunResult r = Run(c, "", false);
    EXPECT_EQ(r.code, 4) << c[2] << ": " << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << c[2] << ": " << r.err;
    EXPECT_NE(r.err.find(ro + " is not writable"), std::string::npos) << c[2] << ": " << r.err;
    EXPECT_NE(r.err.find(std::strerror(EROFS)), std::string::npos) << c[2] << ": " << r.err;
    EXPECT_EQ(r.err.find("in use"), std::string::npos) << c[2] << ": " << r.err;
    EXPECT_EQ(r.err.find("IO error"), std::string::npos) << "the store's words: " << r.err;
  }
  EXPECT_EQ(Listing(db_), before);
}

// A checkpoint folder the writer cannot write: a write's checkpoint could not
// be published, so nothing is written (exit 4, naming the folder). Root writes
// through permission bits: a read-only bind mount of the folder stands in.
TEST_F(LedgerctlTest, AWriteWhoseCheckpointCannotBePublishedWritesNothing) {
  InitWithOneBooking();
  const std::string folder = db_ + ".checkpoints";
  ASSERT_TRUE(fs::is_directory(folder));
  std::string why;
  if (!MountReadOnlyView(folder, folder, &why)) GTEST_SKIP() << why;
  Unmount unmount{folder};
  const size_t before = Lines(Run({"log", "--json"}).out).size();
  RunResult r = Run({"append", "--json", Booking("00000000-0000-4000-8000-000000000002", 30)});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find(folder + ": " + std::strerror(EROFS)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(nothing was written)"), std::string::npos) << r.err;
  EXPECT_EQ(Lines(Run({"log", "--json"}).out).size(), before);
}

// A restore into a read-only file system says so (it said RocksDB's "No such
// file or directory: While open directory"), exit 4, and leaves nothing.
TEST_F(LedgerctlTest, ARestoreOntoAReadOnlyFileSystemSaysSo) {
  InitWithOneBooking();
  const std::string backups = (dir_ / "bk").string();
  ASSERT_EQ(Run({"backup", "--dir", backups}).code, 0);
  const fs::path mnt = dir_ / "rofs";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", MS_RDONLY, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
  }
  Unmount unmount{mnt.string()};
  const std::string target = (mnt / "restored").string();
  RunResult r = Run({"restore", backups, "--db", target}, "", false);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find(std::strerror(EROFS)), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("No such file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(target));
}

// A copied ledger without CURRENT and its empty WALs: read commands say the
// folder holds a ledger that cannot be opened (not "create one with init"),
// and init refuses it, naming what it found; no file changes.
TEST_F(LedgerctlTest, InitRefusesAFolderHoldingALedgerWithoutCurrent) {
  Init();
  ASSERT_EQ(Run({"--quiet", "import", Workload("w.jsonl", 40, 120)}).code, 0);
  fs::remove(db_ + "/CURRENT");
  for (const auto& e : fs::directory_iterator(db_)) {
    if (e.path().extension() == ".log" && e.file_size() == 0) fs::remove(e.path());
  }
  const auto before = Listing(db_);
  ASSERT_NE(before.size(), 0u);
  for (const char* command : {"stats", "log", "balance", "init", "import"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "import") args.push_back((dir_ / "w.jsonl").string());
    RunResult r = Run(args);
    EXPECT_EQ(r.code, 3) << command << ": " << r.err;
    EXPECT_NE(r.err.find("cannot be opened"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find(".sst"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find("restore"), std::string::npos) << command << ": " << r.err;
    EXPECT_EQ(r.err.find("init"), std::string::npos) << command << ": " << r.err;
    EXPECT_EQ(Listing(db_), before) << command;
  }
}

// Files of RocksDB's names that init did not write are the user's: init
// refuses the folder, naming them, and leaves each byte for byte (RocksDB
// would replace LOG and IDENTITY).
TEST_F(LedgerctlTest, InitRefusesAFolderHoldingFilesItDidNotCreate) {
  for (const char* name : {"LOG", "IDENTITY", "LOCK", "notes.txt"}) {
    fs::remove_all(db_);
    fs::create_directories(db_);
    WriteFile(fs::path(db_) / name, "my own file\n");
    RunResult r = Run({"init"});
    EXPECT_EQ(r.code, 1) << name << ": " << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
    EXPECT_EQ(ReadFile(fs::path(db_) / name), "my own file\n") << name;
    EXPECT_EQ(Listing(db_).size(), 1u) << name;
  }
}

// A file of the user's named like a database's (a table, a MANIFEST, an
// options file, a WAL, CURRENT) is told from a database's by its content:
// commands refuse the folder as not a ledger's (exit 1, naming the file), not
// as a damaged ledger (exit 3), and leave it. A ledger whose CURRENT was
// written over is still damaged (exit 3).
TEST_F(LedgerctlTest, FilesNamedLikeADatabasesAreTheUsersUnlessADatabaseWroteThem) {
  for (const char* name : {"data.sst", "000012.sst", "MANIFEST-000003", "CURRENT", "OPTIONS-000007",
                           "000009.log", "OPTIONS-000005.dbtmp"}) {
    fs::remove_all(db_);
    fs::create_directories(db_);
    WriteFile(fs::path(db_) / name, "my own file\n");
    for (const char* command : {"init", "stats"}) {
      RunResult r = Run({command});
      EXPECT_EQ(r.code, 1) << name << " " << command << ": " << r.err;
      EXPECT_NE(r.err.find("not a ledger's (" + std::string(name) + ")"), std::string::npos)
          << name << " " << command << ": " << r.err;
      EXPECT_EQ(ReadFile(fs::path(db_) / name), "my own file\n") << name;
      EXPECT_EQ(Listing(db_).size(), 1u) << name << " " << command;
    }
  }
  fs::remove_all(db_);
  Init();
  ASSERT_EQ(Run({"--quiet", "import", Workload("w.jsonl", 3, 20)}).code, 0);
  WriteFile(db_ + "/CURRENT", "my own file\n");
  const auto before = Listing(db_);
  for (const char* command : {"init", "stats"}) {
    RunResult r = Run({command});
    EXPECT_EQ(r.code, 3) << command << ": " << r.err;
    EXPECT_NE(r.err.find("cannot be opened: its CURRENT file names no MANIFEST"), std::string::npos)
        << command << ": " << r.err;
    EXPECT_EQ(Listing(db_), before) << command;
  }
}

// What RocksDB writes as it begins creating a database, without the marker
// (an init of a build before the marker stopped there): init refuses the
// folder, naming the files and what to do (exit 1), and changes nothing.
TEST_F(LedgerctlTest, InitRefusesWhatAnInitWithoutItsMarkerLeftAndSaysWhatToDo) {
  fs::create_directories(db_);
  for (const char* name : {"IDENTITY", "LOCK", "LOG", "MANIFEST-000001"}) {
    WriteFile(fs::path(db_) / name, std::string(name) + "\n");
  }
  const auto before = Listing(db_);
  RunResult r = Run({"init"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("IDENTITY, LOCK, LOG, MANIFEST-000001"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("move the folder aside (or remove it) and run init again"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Listing(db_), before);
  EXPECT_EQ(ReadFile(fs::path(db_) / "LOG"), "LOG\n");
}

// An init that a full disk stopped part-way leaves its marker: other
// commands say the creation did not finish, and init, once there is space,
// finishes it.
TEST_F(LedgerctlTest, InitFinishesWhatAnInitStoppedByAFullDiskBegan) {
  const fs::path mnt = dir_ / "small";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=150k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
  }
  Unmount unmount{mnt.string()};
  const std::string db = (mnt / "l").string();
  const std::string checkpoints = (dir_ / "l.checkpoints").string();
  RunResult r = Run({"--db", db, "--checkpoints", checkpoints, "init"}, "", false);
  ASSERT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("no space left on device"), std::string::npos) << r.err;
  // RocksDB's temporary files (an options file it could not finish) are the
  // creation's own beside its marker: the init that finishes it removes them.
  const auto temp_files = [&db] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(db)) {
      if (e.path().extension() == ".dbtmp") names.push_back(e.path().filename().string());
    }
    return names;
  };
  EXPECT_FALSE(temp_files().empty()) << "the full disk stopped the init elsewhere";
  ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, "size=4m"), 0)
      << std::strerror(errno);
  for (const char* command : {"stats", "import"}) {
    std::vector<std::string> args = {"--db", db, "--checkpoints", checkpoints, command};
    if (std::string(command) == "import") args.push_back(Workload("w.jsonl", 1, 5));
    r = Run(args, "", false);
    EXPECT_EQ(r.code, 1) << command << ": " << r.err;
    EXPECT_NE(r.err.find("did not finish"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find(db), std::string::npos) << command << ": " << r.err;
  }
  r = Run({"--db", db, "--checkpoints", checkpoints, "init"}, "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("created ledger"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(mnt / "l" / "ccl-creation-unfinished"));
  EXPECT_EQ(temp_files(), std::vector<std::string>());
  EXPECT_EQ(Run({"--db", db, "--checkpoints", checkpoints, "verify"}, "", false).code, 0);
}

// A table file the MANIFEST lists that is missing (the events' here, which
// reads otherwise report as "last stored event is 0 but head is N"), or
// another in its place: read commands, verify and writers name it (exit 3).
TEST_F(LedgerctlTest, AMissingOrSwappedTableFileIsNamed) {
  Init();
  // Large enough to be ingested as table files.
  ASSERT_EQ(Run({"--quiet", "import", Workload("w.jsonl", 50, 365)}).code, 0);
  std::vector<fs::path> tables;
  for (const auto& e : fs::directory_iterator(db_)) {
    if (e.path().extension() == ".sst") tables.push_back(e.path());
  }
  // The largest table holds the events (their bytes dwarf every index's).
  std::sort(tables.begin(), tables.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) > fs::file_size(b);
  });
  ASSERT_GE(tables.size(), 2u);
  const std::string name = tables[0].filename().string();
  fs::rename(tables[0], dir_ / "kept.sst");
  for (const char* command : {"stats", "log", "verify", "balance", "import"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "import") args.push_back((dir_ / "w.jsonl").string());
    RunResult r = Run(args);
    EXPECT_EQ(r.code, 3) << command << ": " << r.err;
    EXPECT_NE(r.err.find(name + " is missing"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find("restore"), std::string::npos) << command << ": " << r.err;
  }
  // Put back, then two tables swapped.
  fs::rename(dir_ / "kept.sst", tables[0]);
  fs::rename(tables[0], dir_ / "swap.sst");
  fs::rename(tables[1], tables[0]);
  fs::rename(dir_ / "swap.sst", tables[1]);
  for (const char* command : {"stats", "verify", "import"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "import") args.push_back((dir_ / "w.jsonl").string());
    RunResult r = Run(args);
    EXPECT_EQ(r.code, 3) << command << ": " << r.err;
    EXPECT_NE(r.err.find("is not the file the MANIFEST lists"), std::string::npos)
        << command << ": " << r.err;
  }
}

// A CURRENT that names a MANIFEST that is not there (the MANIFEST deleted,
// or CURRENT edited) is the same damage as a missing CURRENT: every command,
// init included, says the folder holds a ledger that cannot be opened and
// what to do (exit 3), not RocksDB's I/O error (exit 4); no file changes.
TEST_F(LedgerctlTest, ACurrentNamingAMissingManifestIsADamagedLedger) {
  Init();
  ASSERT_EQ(Run({"--quiet", "import", Workload("w.jsonl", 3, 20)}).code, 0);
  const std::string current = ReadFile(db_ + "/CURRENT");
  ASSERT_TRUE(current.starts_with("MANIFEST-") && current.ends_with("\n")) << current;
  const std::string manifest = db_ + "/" + current.substr(0, current.size() - 1);
  ASSERT_TRUE(fs::exists(manifest));
  for (const std::string damage : {"rm", "edit"}) {
    if (damage == "rm") {
      fs::rename(manifest, dir_ / "manifest.saved");
    } else {
      fs::rename(dir_ / "manifest.saved", manifest);
      WriteFile(db_ + "/CURRENT", "MANIFEST-000099\n");
    }
    const auto before = Listing(db_);
    for (const char* command : {"stats", "log", "verify", "init", "import"}) {
      std::vector<std::string> args = {command};
      if (std::string(command) == "import") args.push_back((dir_ / "w.jsonl").string());
      RunResult r = Run(args);
      EXPECT_EQ(r.code, 3) << damage << " " << command << ": " << r.err;
      EXPECT_NE(r.err.find("cannot be opened: its CURRENT file names MANIFEST-"), std::string::npos)
          << damage << " " << command << ": " << r.err;
      EXPECT_NE(r.err.find("which is missing"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("restore"), std::string::npos)
          << damage << " " << command << ": " << r.err;
      EXPECT_EQ(r.err.find("IO error"), std::string::npos)
          << damage << " " << command << ": " << r.err;
      EXPECT_EQ(Listing(db_), before) << damage << " " << command;
    }
  }
  // Put back, the ledger opens as before.
  WriteFile(db_ + "/CURRENT", current);
  EXPECT_EQ(Run({"verify"}).code, 0);
}

}  // namespace
// Started with a standard stream closed, ledgerctl must not let a file of
// the ledger take its descriptor number: its messages would be written into
// that file (a WAL, the LOG) and "standard input" read from it.
TEST_F(LedgerctlTest, AClosedStandardStreamNeverLendsItsNumberToALedgerFile) {
  InitWithOneBooking();
  const std::string before = Snapshot();
  const std::string bad = (dir_ / "bad.jsonl").string();
  WriteFile(bad, "{\"type\":\"NoSuchType\"}\n");
  const std::string cmd = std::string(LEDGERCTL_PATH) + " --db " + db_;
  // stderr closed: the rejection's message goes nowhere, never into a file.
  EXPECT_EQ(WEXITSTATUS(std::system((cmd + " import " + bad + " 2>&-").c_str())), 1);
  // stdin closed: an empty input, never a ledger file read as events.
  const std::string err = (dir_ / "stdin.err").string();
  EXPECT_EQ(WEXITSTATUS(std::system((cmd + " import - <&- 2>" + err).c_str())), 1);
  EXPECT_NE(ReadFile(err).find("no events in the input"), std::string::npos) << ReadFile(err);
  // stdout closed: the table cannot be written, which is said (exit 4).
  EXPECT_EQ(WEXITSTATUS(std::system((cmd + " log >&- 2>" + err).c_str())), 4);
  EXPECT_NE(ReadFile(err).find("stdout"), std::string::npos) << ReadFile(err);
  for (const auto& e : fs::recursive_directory_iterator(db_)) {
    if (!e.is_regular_file()) continue;
    EXPECT_EQ(ReadFile(e.path().string()).find("NoSuchType"), std::string::npos) << e.path();
  }
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(Run({"verify"}).code, 0);
}

// An import whose summary cannot reach stdout (closed) has still committed
// its events: stderr says so, rather than only "write stdout" (exit 4 for the
// lost output), so nobody re-runs or undoes an import that is in.
TEST_F(LedgerctlTest, AnImportWhoseSummaryCannotBeWrittenSaysItsEventsWereCommitted) {
  ASSERT_EQ(Run({"--quiet", "init"}).code, 0);
  const std::string events = Workload("w.jsonl", 1, 5);
  const size_t lines = Lines(ReadFile(events)).size();
  const std::string err = (dir_ / "import.err").string();
  const std::string cmd =
      std::string(LEDGERCTL_PATH) + " --db " + db_ + " import " + events + " >&- 2>" + err;
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 4) << ReadFile(err);
  EXPECT_NE(ReadFile(err).find("the events were committed (" + std::to_string(lines) +
                               " appended, 0 duplicates)"),
            std::string::npos)
      << ReadFile(err);
  EXPECT_EQ(Lines(Run({"log", "--json"}).out).size(), lines);
}

// The tokens file line is printed only once the token itself was written:
// a line granting a token that never reached its holder grants access
// nobody received, waiting to be guessed.
TEST_F(LedgerctlTest, TokenNewPrintsNoTokensFileLineWhenTheTokenCannotBeWritten) {
  const std::string err = (dir_ / "tokens").string();
  const std::string cmd =
      std::string(LEDGERCTL_PATH) + " token new --principal x >/dev/full 2>>" + err;
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 4) << ReadFile(err);
  EXPECT_EQ(ReadFile(err).find("sha256:"), std::string::npos) << ReadFile(err);
  EXPECT_NE(ReadFile(err).find("the token was not given out"), std::string::npos) << ReadFile(err);
  // Written: the token on stdout, then its line on stderr.
  RunResult r = Run({"token", "new", "--principal", "x"}, "", false);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 1u) << r.out;
  EXPECT_NE(r.err.find("x sha256:"), std::string::npos) << r.err;
}

}  // namespace ccl::tools::testing

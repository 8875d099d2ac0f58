// ledgerctl end to end: where `--out` writes. A regular file is replaced
// atomically, a device or FIFO is written in place and stays what it is, a
// symbolic link's target is replaced (never the link), "-" is stdout, and a
// path that cannot be written gives one clear line, exit 4, and leaves
// nothing behind.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

#include "tests/tools/ledgerctl/ledgerctl_fixture.h"

namespace ccl::tools {
namespace {

using namespace ccl::tools::testing;  // NOLINT: the fixture and its helpers

class LedgerctlOutputTest : public LedgerctlTest {
 protected:
  void SetUp() override {
    LedgerctlTest::SetUp();
    InitWithOneBooking();
    if (HasFatalFailure()) return;
    expected_ = Run({"export", "events"}).out;
    ASSERT_EQ(Lines(expected_).size(), 2u) << expected_;
    out_dir_ = dir_ / "out";
    fs::create_directories(out_dir_);
  }

  // The names in out_dir_: what a command left behind.
  std::vector<std::string> Leftovers() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(out_dir_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static bool IsCharDevice(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
  }

  std::string expected_;  // `export events` of the ledger
  fs::path out_dir_;
};

TEST_F(LedgerctlOutputTest, CharacterDeviceIsWrittenInPlaceNotReplaced) {
  const fs::path dev = out_dir_ / "null";
  if (::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    GTEST_SKIP() << "mknod not permitted here (" << std::strerror(errno)
                 << "); CI runs as root and creates the device";
  }
  RunResult r = Run({"export", "events", "--out", dev.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(IsCharDevice(dev)) << "the device was replaced by a regular file";
  r = Run({"--quiet", "report", "--no-verify", "--out", dev.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(IsCharDevice(dev));
  r = Run({"export", "balances", "--out", dev.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(IsCharDevice(dev));
  EXPECT_EQ(Leftovers(), std::vector<std::string>{"null"});
}

TEST_F(LedgerctlOutputTest, DevNullStaysTheSystemsDevice) {
  ASSERT_TRUE(IsCharDevice("/dev/null"));
  RunResult r = Run({"export", "events", "--out", "/dev/null"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(IsCharDevice("/dev/null"));
}

TEST_F(LedgerctlOutputTest, FifoIsWrittenInPlace) {
  const fs::path fifo = out_dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  // The read end is open before ledgerctl runs, so its open for writing does
  // not wait; the bytes (well under a pipe's buffer) wait in the pipe.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0) << std::strerror(errno);
  RunResult r = Run({"export", "events", "--out", fifo.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  std::string got(1 << 16, '\0');
  const ssize_t n = ::read(reader, got.data(), got.size());
  ::close(reader);
  got.resize(n > 0 ? static_cast<size_t>(n) : 0);
  EXPECT_EQ(got, expected_);
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
  EXPECT_EQ(Leftovers(), std::vector<std::string>{"pipe"});
}

TEST_F(LedgerctlOutputTest, SymlinkTargetIsReplacedAndTheLinkKept) {
  const fs::path target = dir_ / "elsewhere" / "events.jsonl";
  fs::create_directories(target.parent_path());
  WriteFile(target, "old\n");
  ::chmod(target.c_str(), 0640);
  const fs::path link = out_dir_ / "link.jsonl";
  fs::create_symlink(target, link);
  RunResult r = Run({"export", "events", "--out", link.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(link)) << "the link was replaced by a file";
  EXPECT_EQ(ReadFile(target), expected_);
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u) << "a replaced file keeps its permissions";
  EXPECT_EQ(Leftovers(), std::vector<std::string>{"link.jsonl"});
  EXPECT_EQ(fs::directory_iterator(target.parent_path())->path(), target) << "a temporary remains";
}

TEST_F(LedgerctlOutputTest, DanglingSymlinkIsRefusedAndNothingCreated) {
  const fs::path missing = dir_ / "nowhere" / "x.jsonl";
  const fs::path link = out_dir_ / "dangling";
  fs::create_symlink(missing, link);
  RunResult r = Run({"export", "events", "--out", link.string()});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("symbolic link to a missing file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "nowhere"));
  EXPECT_EQ(Leftovers(), std::vector<std::string>{"dangling"});
}

TEST_F(LedgerctlOutputTest, DashIsStdout) {
  RunResult r = Run({"export", "events", "--out", "-"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, expected_);
  EXPECT_FALSE(fs::exists(dir_ / "-"));  // the working directory of the run
  r = Run({"export", "balances", "--out", "-"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("C-1"), std::string::npos) << r.out;
}

// /dev/stdout and its other names are the descriptor the shell gave, written
// where it stands: a file opened for append keeps what it held, a file
// written by a group of commands keeps what came before, and a pipe (which
// has no path to resolve) works.
TEST_F(LedgerctlOutputTest, StandardStreamNamesAreWrittenInPlace) {
  const std::string ledgerctl = std::string(LEDGERCTL_PATH) + " --db '" + db_ + "'";
  for (const std::string name : {"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"}) {
    SCOPED_TRACE(name);
    const std::string export_cmd = ledgerctl + " export events --out " + name;
    RunResult r = RunProgram(
        {"/bin/sh", "-c", "printf 'line1\\n' > app.log && " + export_cmd + " >> app.log"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ReadFile(dir_ / "app.log"), "line1\n" + expected_);
    r = RunProgram({"/bin/sh", "-c", "{ echo HEADER; " + export_cmd + "; echo FOOTER; } > c.txt"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ReadFile(dir_ / "c.txt"), "HEADER\n" + expected_ + "FOOTER\n");
    r = RunProgram({"/bin/sh", "-c", "{ " + export_cmd + "; echo $? > rc; } | cat > piped.txt"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ReadFile(dir_ / "rc"), "0\n") << r.err;
    EXPECT_EQ(ReadFile(dir_ / "piped.txt"), expected_);
  }
  RunResult r = RunProgram(
      {"/bin/sh", "-c", ledgerctl + " --quiet export events --out /dev/stderr 2>> err.log"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir_ / "err.log"), expected_);
  // A closed stdout stays closed: exit 4, one line, nothing written anywhere.
  r = RunProgram({"/bin/sh", "-c", ledgerctl + " export events --out /dev/stdout >&-"});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("/dev/stdout: descriptor 1 is not open for writing"), std::string::npos)
      << r.err;
  EXPECT_EQ(Leftovers(), std::vector<std::string>{});
}

TEST_F(LedgerctlOutputTest, RegularFileIsReplacedWhole) {
  const fs::path file = out_dir_ / "events.jsonl";
  WriteFile(file, std::string(100000, 'x'));
  RunResult r = Run({"export", "events", "--out", file.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadFile(file), expected_);
  EXPECT_EQ(Leftovers(), std::vector<std::string>{"events.jsonl"});
}

TEST_F(LedgerctlOutputTest, UnwritablePlacesGiveOneLineExitFourAndLeaveNothing) {
  struct Case {
    fs::path out;
    const char* says;
  };
  const Case cases[] = {
      {out_dir_ / "missing" / "x.jsonl", "does not exist"},
      {out_dir_, "is a directory"},
      // A folder that takes no new file answers ENOENT: it exists all the same.
      {"/proc/ccl-test-x.jsonl", "cannot create a file in /proc"},
  };
  for (const Case& c : cases) {
    for (const char* what : {"events", "balances"}) {
      RunResult r = Run({"export", what, "--out", c.out.string()});
      EXPECT_EQ(r.code, 4) << c.out << ": " << r.err;
      EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
      EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    }
    RunResult r = Run({"--quiet", "report", "--no-verify", "--out", c.out.string()});
    EXPECT_EQ(r.code, 4) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(LedgerctlOutputTest, ReadOnlyDirectoryGivesExitFourAndLeavesNothing) {
  const fs::path ro = out_dir_ / "ro";
  fs::create_directories(ro);
  bool mounted = false;
  if (::geteuid() == 0) {
    // Root writes through directory permissions: a read-only file system
    // is what stops it.
    if (::mount("tmpfs", ro.c_str(), "tmpfs", MS_RDONLY, "size=64k") != 0) {
      GTEST_SKIP() << "as root, a read-only directory needs a read-only mount: "
                   << std::strerror(errno);
    }
    mounted = true;
  } else {
    ::chmod(ro.c_str(), 0555);
  }
  RunResult r = Run({"export", "events", "--out", (ro / "x.jsonl").string()});
  const bool empty = fs::is_empty(ro);
  if (mounted) ::umount(ro.c_str());
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find(ro.string()), std::string::npos) << r.err;
  EXPECT_TRUE(empty);
}

// Every output path is refused (exit 1, nothing written) in any ledger's
// folder or checkpoint folder, not only in the --db ledger's: another
// ledger's CURRENT or private checkpoint key is no less its own.
TEST_F(LedgerctlOutputTest, NoOutputLandsInAnyLedgersFolderOrCheckpointFolder) {
  const fs::path other = dir_ / "other";
  const fs::path other_checkpoints = dir_ / "other.checkpoints";
  ASSERT_EQ(Run({"--db", other.string(), "--quiet", "init"}, "", false).code, 0);
  ASSERT_EQ(Run({"--db", other.string(), "--quiet", "append", "--json", kOpened}, "", false).code,
            0);
  ASSERT_TRUE(fs::exists(other_checkpoints / "log.key"));
  fs::create_directory_symlink(other, dir_ / "other-link");
  // A checkpoint folder of its own name, kept with --checkpoints.
  const fs::path moved = dir_ / "evidence";
  fs::create_directories(moved);
  fs::copy(other_checkpoints, moved);
  auto snapshot = [&] {
    std::map<std::string, std::string> files;
    for (const fs::path& d : {other, other_checkpoints, moved}) {
      for (const auto& e : fs::directory_iterator(d)) {
        const std::string name = e.path().filename().string();
        if (name == "LOCK" || name.starts_with("LOG")) continue;
        files[e.path().string()] = ReadFile(e.path());
      }
    }
    return files;
  };
  const auto before = snapshot();
  const std::string current = (other / "CURRENT").string();
  const std::string key = (other_checkpoints / "log.key").string();
  const std::vector<std::vector<std::string>> cases = {
      {"generate", "--contracts", "1", "--days", "5", "--out", current},
      {"--quiet", "report", "--no-verify", "--out", key},
      {"digest", "--out", (other_checkpoints / "d2.json").string()},
      {"digest", "--out", (moved / "d2.json").string()},
      {"keygen", "--out", (other / "k2").string()},
      {"export", "events", "--out", (dir_ / "other-link" / "x.jsonl").string()},
      {"export", "events", "--checkpoint", (other_checkpoints / "feed.cp").string()},
      {"witness", "cp.txt", "--key", "k", "--name", "w", "--log-key", "v", "--state",
       other.string()},
      {"witness", "cp.txt", "--key", "k", "--name", "w", "--log-key", "v", "--state",
       other_checkpoints.string()},
      {"audit-package", "--period", "2025-01", "--key", "k", "--out", other.string()},
  };
  for (const auto& args : cases) {
    RunResult r = Run(args);
    EXPECT_EQ(r.code, 1) << args[0] << " " << args.back() << ": " << r.err;
    EXPECT_NE(r.err.find("which that ledger owns"), std::string::npos) << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  }
  EXPECT_EQ(snapshot(), before);
  // Beside a ledger (not in it) is where outputs belong.
  RunResult r = Run({"digest", "--out", (dir_ / "other.digest.json").string()});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(LedgerctlOutputTest, DigestOutNeverReplacesAFileButWritesADevice) {
  const fs::path file = out_dir_ / "digest.json";
  WriteFile(file, "published\n");
  RunResult r = Run({"digest", "--out", file.string()});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("refusing to overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(file), "published\n");
  r = Run({"digest", "--out", "/dev/null"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(IsCharDevice("/dev/null"));
  r = Run({"digest", "--out", (out_dir_ / "new.json").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(ReadFile(out_dir_ / "new.json").find("\"tree_size\""), std::string::npos);
  EXPECT_EQ(Leftovers(), (std::vector<std::string>{"digest.json", "new.json"}));
}

// Text from the ledger reaches a terminal: an ESC or C1 sequence in it must
// not rewrite the user's terminal (its title, colours, the screen), so every
// table shows control characters escaped.
TEST_F(LedgerctlOutputTest, TablesShowControlCharactersEscaped) {
  const std::string id = "00000000-0000-4000-8000-000000000002";
  std::string booking = Booking(id, 30);
  const std::string plain = R"("engineer":"A B")";
  ASSERT_NE(booking.find(plain), std::string::npos);
  booking.replace(booking.find(plain), plain.size(),
                  R"("engineer":"Eve\u001b]0;owned\u0007 \u009b2J")");
  ASSERT_EQ(Run({"append", "--json", booking}).code, 0);
  const RunResult r = Run({"log"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* raw : {"\x1b", "\x07", "\xc2\x9b"}) {
    EXPECT_EQ(r.out.find(raw), std::string::npos) << r.out;
  }
  EXPECT_NE(r.out.find(R"(Eve\u001b]0;owned\u0007 \u009b2J)"), std::string::npos) << r.out;
}

// The log table's DETAIL joins several free-text values (a customer, an
// engineer and a reference...): each is escaped on its own, as every table
// escapes each cell, so a control character in one never changes how another
// is shown.
TEST_F(LedgerctlOutputTest, LogTableEscapesEachFreeTextValueOnItsOwn) {
  std::string opened = kOpened;
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"6f1c2a1e", "7f1c2a1e"},
                                 {R"("C-1")", R"("C-2")"},
                                 {"Test Agency", R"(Acme \"Q\"\u0007 Corp)"}}) {
    ASSERT_NE(opened.find(from), std::string::npos) << from;
    opened.replace(opened.find(from), from.size(), to);
  }
  std::string booking = Booking("00000000-0000-4000-8000-000000000003", 30);
  const std::string plain = R"("engineer":"A B")";
  ASSERT_NE(booking.find(plain), std::string::npos);
  booking.replace(booking.find(plain), plain.size(),
                  R"("engineer":"Eve \"E\" Smith","reference":"REF\u00071")");
  ASSERT_EQ(Run({"append", "--json", opened}).code, 0);
  ASSERT_EQ(Run({"append", "--json", booking}).code, 0);
  const RunResult r = Run({"log"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("\x07"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"(  Acme \"Q\"\u0007 Corp, USD, 2025-01-01..2025-12-31, reactive 10:00)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(std::string(R"(  reactive 0:30 Eve "E" Smith ref REF\u00071)") + "\n"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace ccl::tools

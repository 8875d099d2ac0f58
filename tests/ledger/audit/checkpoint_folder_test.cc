// The ledger's own checkpoint folder on a real ledger: one file per size, the
// newest N kept and nothing else deleted, a roll-back refused, and a read-only
// view that opened before a writer published catching up instead of failing.
#include "ledger/audit/checkpoint_folder.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/ledger/audit/audit_test_util.h"

namespace ccl::ledger {
namespace {

class CheckpointFolderTest : public testing::AuditLedgerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AuditLedgerTest::SetUp());
    options_.folder = outside_.Sub("anchors");
    options_.keep_newest = 2;
  }
  PublishResult Publish() {
    PublishResult r;
    Status s = PublishCheckpoint(ledger_.get(), options_, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }
  size_t CheckpointFiles() {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(options_.folder)) {
      n += e.path().filename().string().rfind("checkpoint-0", 0) == 0;
    }
    return n;
  }
  // `ledger`, which is not the one the folder's checkpoints are of (or not
  // as far), fails the check with Corruption naming `what`, and publishing
  // from it is refused, writing nothing.
  void ExpectRefused(Ledger* ledger, const std::string& what) {
    OwnCheckpointReport report;
    Status s = CheckLedgerExtendsCheckpoint(ledger, options_.folder, &report);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find(what), std::string::npos) << s.ToString();
    const size_t files = CheckpointFiles();
    PublishResult r;
    EXPECT_TRUE(PublishCheckpoint(ledger, options_, &r).IsCorruption());
    EXPECT_EQ(CheckpointFiles(), files);
  }
  testing::TempDir outside_;  // the folder lives outside the database
  CheckpointFolderOptions options_;
};

TEST_F(CheckpointFolderTest, OneFilePerSizeNewestKeptOthersUntouched) {
  ledger_.Append(5);
  EXPECT_TRUE(Publish().written);
  EXPECT_FALSE(Publish().written);  // same size: nothing new
  std::ofstream(options_.folder + "/checkpoint-1.txt") << "not ours\n";
  std::ofstream(options_.folder + "/notes.txt") << "the operator's\n";
  ledger_.Append(3);
  EXPECT_EQ(Publish().tree_size, 8u);
  ledger_.Append(2);
  EXPECT_EQ(Publish().tree_size, 10u);
  EXPECT_EQ(CheckpointFiles(), 2u);
  EXPECT_TRUE(std::filesystem::exists(options_.folder + "/checkpoint-1.txt"));
  EXPECT_TRUE(std::filesystem::exists(options_.folder + "/notes.txt"));
  EXPECT_TRUE(std::filesystem::exists(options_.folder + "/log.vkey"));
  OwnCheckpointReport report;
  ASSERT_TRUE(CheckLedgerExtendsCheckpoint(ledger_.get(), options_.folder, &report).ok());
  EXPECT_TRUE(report.found);
  EXPECT_EQ(report.checkpoint_size, 10u);
}

TEST_F(CheckpointFolderTest, AnOlderCopyIsBehindAndGetsNoCheckpoint) {
  ledger_.Append(4);
  Publish();
  // An older copy of the ledger: the same ledger with its tail gone.
  ledger_.Close();
  std::filesystem::copy(ledger_.path(), outside_.Sub("old"),
                        std::filesystem::copy_options::recursive);
  ASSERT_TRUE(ledger_.Open().ok());
  ledger_.Append(3);
  Publish();
  ledger_.Close();
  Options o;
  std::unique_ptr<Ledger> old;
  ASSERT_TRUE(Ledger::Open(o, outside_.Sub("old"), &old).ok());
  EXPECT_EQ(CheckpointFiles(), 2u);
  ExpectRefused(old.get(), "ledger is behind its own checkpoint: size 4, checkpoint 7");
}

// Another ledger at the same path (a replaced one, or a new one where an old
// one was deleted) is told as such, not as a key mismatch; and before a
// ledger is created the folder is checked for any checkpoint at all.
TEST_F(CheckpointFolderTest, AnotherLedgersFolderIsNamedAsSuch) {
  EXPECT_TRUE(CheckFolderHoldsNoCheckpoint(options_.folder).ok()) << "no folder yet";
  ledger_.Append(4);
  Publish();
  Status s = CheckFolderHoldsNoCheckpoint(options_.folder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("holds checkpoints of another ledger (the newest of 4 events)"),
            std::string::npos)
      << s.message();
  std::unique_ptr<Ledger> other = testing::OpenLedgerAt(outside_.Sub("other"), false);
  ASSERT_NE(other, nullptr);
  // A restore of a ledger is held to its own checkpoints, not another's.
  EXPECT_TRUE(CheckFolderHoldsNoCheckpoint(options_.folder, LedgerOrigin(*ledger_.get())).ok());
  s = CheckFolderHoldsNoCheckpoint(options_.folder, LedgerOrigin(*other));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(CheckpointFiles(), 1u);
  ExpectRefused(other.get(), "is a checkpoint of another ledger (" + LedgerOrigin(*ledger_.get()) +
                                 "), not of this one (" + LedgerOrigin(*other) + ")");
}

TEST_F(CheckpointFolderTest, ReadOnlyViewCatchesUpWithANewerCheckpoint) {
  ledger_.Append(4);
  Publish();
  std::unique_ptr<Ledger> reader = testing::OpenLedgerAt(ledger_.path(), /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  ASSERT_EQ(reader->head().seq, 4u);
  ledger_.Append(3);  // the writer appends and publishes after the reader opened
  Publish();
  OwnCheckpointReport report;
  Status s = CheckLedgerExtendsCheckpoint(reader.get(), options_.folder, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.checkpoint_size, 7u);
}

TEST_F(CheckpointFolderTest, ACrashBetweenTheTwoKeyFilesLeavesAUsableFolder) {
  ledger_.Append(2);
  Publish();
  std::filesystem::remove(options_.folder + "/log.key.pub");
  OwnCheckpointReport report;
  Status s = CheckLedgerExtendsCheckpoint(ledger_.get(), options_.folder, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  ledger_.Append(1);
  EXPECT_TRUE(Publish().written);
}

// A folder that lost its private key cannot sign the next checkpoint: a
// writer is told so before it writes (not after, as a failed publish).
TEST_F(CheckpointFolderTest, AFolderThatLostItsKeyTakesNoWrite) {
  EXPECT_TRUE(CheckFolderTakesCheckpoints(options_.folder).ok());  // not made yet
  ledger_.Append(2);
  Publish();
  EXPECT_TRUE(CheckFolderTakesCheckpoints(options_.folder).ok());
  std::filesystem::rename(options_.folder + "/log.key", outside_.Sub("log.key"));
  Status s = CheckFolderTakesCheckpoints(options_.folder);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("private key is missing"), std::string::npos) << s.ToString();
  // Only the public key left (no checkpoint yet): the same.
  for (const auto& e : std::filesystem::directory_iterator(options_.folder)) {
    if (e.path().filename().string().rfind("checkpoint-", 0) == 0) std::filesystem::remove(e);
  }
  EXPECT_TRUE(CheckFolderTakesCheckpoints(options_.folder).IsCorruption());
  std::filesystem::rename(outside_.Sub("log.key"), options_.folder + "/log.key");
  EXPECT_TRUE(CheckFolderTakesCheckpoints(options_.folder).ok());
}

// A log.key that is not the key the folder publishes (log.vkey,
// log.key.pub), as one copied from another ledger's folder, would sign a
// checkpoint that every later check refuses: a writer is told before it
// writes, naming both files.
TEST_F(CheckpointFolderTest, AFolderWhoseKeyIsNotItsPublishedKeyTakesNoWrite) {
  ledger_.Append(2);
  Publish();
  SigningKey other;
  ASSERT_TRUE(GenerateSigningKey(&other).ok());
  ASSERT_TRUE(WriteKeyFiles(outside_.Sub("other"), other).ok());
  const std::string key = options_.folder + "/log.key";
  std::filesystem::rename(key, outside_.Sub("own"));
  std::filesystem::copy_file(outside_.Sub("other"), key);
  Status s = CheckFolderTakesCheckpoints(options_.folder);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(key + ": its public key is not the one in " + options_.folder +
                             "/log.vkey: the keys do not match"),
            std::string::npos)
      << s.ToString();
  // log.vkey gone (it is rewritten when missing): log.key.pub still tells.
  std::filesystem::rename(options_.folder + "/log.vkey", outside_.Sub("own.vkey"));
  s = CheckFolderTakesCheckpoints(options_.folder);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("not the one in " + key + ".pub"), std::string::npos) << s.ToString();
  std::filesystem::rename(outside_.Sub("own.vkey"), options_.folder + "/log.vkey");
  std::filesystem::remove(key);
  std::filesystem::rename(outside_.Sub("own"), key);
  EXPECT_TRUE(CheckFolderTakesCheckpoints(options_.folder).ok());
  ledger_.Append(1);
  EXPECT_TRUE(Publish().written);
}

// A folder given as --checkpoints whose log.key is no key, or a link to a
// folder that is not there, cannot take a write's checkpoint: said before the
// write (init then creates no ledger either: AuditCliTest).
TEST_F(CheckpointFolderTest, AFolderWhoseKeyIsNoKeyOrALinkToNothingTakesNoWrite) {
  std::filesystem::create_directories(options_.folder);
  { std::ofstream(options_.folder + "/log.key") << "my own notes\n"; }
  Status s = CheckFolderTakesCheckpoints(options_.folder);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("could not be signed"), std::string::npos) << s.ToString();
  const std::string link = outside_.Sub("link");
  std::filesystem::create_directory_symlink(outside_.Sub("nowhere"), link);
  s = CheckFolderTakesCheckpoints(link);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("symbolic link to a missing folder"), std::string::npos)
      << s.ToString();
}

// A full disk fails the publish and leaves no temporary file behind: the
// folder holds only what it held before.
TEST_F(CheckpointFolderTest, AFullDiskLeavesNoTemporaryFile) {
  options_.folder = outside_.Sub("full");
  std::filesystem::create_directories(options_.folder);
  if (::mount("tmpfs", options_.folder.c_str(), "tmpfs", 0, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{options_.folder};
  ledger_.Append(2);
  ASSERT_TRUE(Publish().written);
  const auto listing = [&] {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(options_.folder)) {
      names.insert(e.path().filename().string());
    }
    return names;
  };
  // Fill the file system up to its last byte.
  {
    std::ofstream fill(options_.folder + "/fill", std::ios::binary);
    const std::string block(4096, 'x');
    while (fill.write(block.data(), block.size())) {
    }
  }
  const std::set<std::string> before = listing();
  ledger_.Append(3);
  PublishResult r;
  Status s = PublishCheckpoint(ledger_.get(), options_, &r);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_EQ(listing(), before);
}

}  // namespace
}  // namespace ccl::ledger

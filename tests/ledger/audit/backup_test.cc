// Backup -> restore -> verify, and restores that must refuse: a target that
// exists, a damaged backup, a digest the copy does not extend, a signature by
// another key.
#include "ledger/audit/backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "ledger/audit/checkpoint_folder.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/audit/merkle_verify.h"
#include "tests/ledger/audit/audit_test_util.h"

namespace ccl::ledger {
namespace {

using testing::AuditLedger;
using testing::kDigestTimeNs;

class BackupTest : public testing::AuditLedgerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(AuditLedgerTest::SetUp());
    ledger_.Append(30);
    backups_ = outside_.Sub("backups");
  }
  std::string Target(const std::string& name) { return outside_.Sub(name); }

  testing::TempDir outside_;  // not inside the ledger's folder
  std::string backups_;
};

TEST_F(BackupTest, BackupRestoreVerify) {
  BackupResult b;
  Status s = BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(b.backup_id, 1u);
  EXPECT_EQ(b.digest.tree_size, 30u);
  EXPECT_GT(b.backup_bytes, 0u);
  Digest on_disk;
  ASSERT_TRUE(ReadDigestFile(b.digest_path, &on_disk).ok());
  EXPECT_EQ(on_disk, b.digest);

  // More events, a second (incremental) backup; restore takes the latest.
  ledger_.Append(10);
  BackupResult b2;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b2).ok());
  EXPECT_EQ(b2.backup_id, 2u);
  RestoreResult r;
  s = RestoreLedger(backups_, Target("restored"), "", 0, &b.digest, nullptr, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.backup_id, 2u);
  EXPECT_EQ(r.events, 40u);
  EXPECT_EQ(r.head_hash, ledger_.get()->head().hash);
  EXPECT_EQ(r.root_hash, b2.digest.root_hash);

  // The copy is a working ledger that extends both digests.
  Options o;
  std::unique_ptr<Ledger> copy;
  ASSERT_TRUE(Ledger::Open(o, Target("restored"), &copy).ok());
  AnchorReport a;
  EXPECT_TRUE(VerifyAgainstDigest(copy.get(), b.digest, &a).ok());
  EXPECT_TRUE(VerifyAgainstDigest(copy.get(), b2.digest, &a).ok());
  copy.reset();

  // An older backup by id.
  s = RestoreLedger(backups_, Target("restored-1"), "", 1, nullptr, nullptr, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.events, 30u);
}

TEST_F(BackupTest, RestoreNeverOverwrites) {
  BackupResult b;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b).ok());
  RestoreResult r;
  EXPECT_TRUE(
      RestoreLedger(backups_, ledger_.path(), "", 0, nullptr, nullptr, &r).IsInvalidArgument());
  // A file given as the backup folder is the caller's mistake.
  const std::string file = Target("a-file");
  { std::ofstream(file) << "x"; }
  BackupResult b2;
  Status fs = BackupLedger(ledger_.get(), file, kDigestTimeNs, nullptr, &b2);
  EXPECT_TRUE(fs.IsInvalidArgument()) << fs.ToString();
  EXPECT_TRUE(
      BackupLedger(ledger_.get(), file + "/x", kDigestTimeNs, nullptr, &b2).IsInvalidArgument());
  EXPECT_EQ(std::filesystem::file_size(file), 1u);
  // Nor into a new folder inside a ledger's, which goes wherever that goes.
  const std::string inner = ledger_.path() + "/restored";
  Status s = RestoreLedger(backups_, inner, "", 0, nullptr, nullptr, &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("is inside the ledger folder"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(inner));
  // Nor inside the backup folder, by any name of it: the ledger would live
  // among its own backups (and its next backup would go into itself).
  for (const std::string& backups : {backups_, backups_ + "/", backups_ + "/./"}) {
    const std::string among = backups_ + "/restored";
    s = RestoreLedger(backups, among, "", 0, nullptr, nullptr, &r);
    EXPECT_TRUE(s.IsInvalidArgument()) << backups << ": " << s.ToString();
    EXPECT_NE(s.message().find("is inside the backup folder"), std::string::npos) << s.message();
    EXPECT_FALSE(std::filesystem::exists(among));
  }
  std::filesystem::create_directories(Target("empty"));
  EXPECT_TRUE(RestoreLedger(backups_, Target("empty"), "", 0, nullptr, nullptr, &r).ok());
  EXPECT_TRUE(RestoreLedger(Target("no-such-backups"), Target("x"), "", 0, nullptr, nullptr, &r)
                  .IsNotFound());
  EXPECT_TRUE(RestoreLedger(backups_, Target("y"), "", 7, nullptr, nullptr, &r).IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(Target("y")));
  // A failed restore into an empty folder the user made leaves the folder.
  std::filesystem::create_directories(Target("mine"));
  EXPECT_TRUE(RestoreLedger(backups_, Target("mine"), "", 7, nullptr, nullptr, &r).IsNotFound());
  EXPECT_TRUE(std::filesystem::is_directory(Target("mine")));
  EXPECT_TRUE(std::filesystem::is_empty(Target("mine")));
}

// The restored ledger is held to the checkpoints of its folder: another
// ledger's there are refused before anything is written, as init refuses
// them; the backed-up ledger's own are kept.
TEST_F(BackupTest, RestoreRefusesAnotherLedgersCheckpointFolder) {
  BackupResult b;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b).ok());
  AuditLedger other;
  ASSERT_TRUE(other.Open().ok());
  other.Append(3);
  CheckpointFolderOptions options;
  options.folder = DefaultCheckpointFolder(Target("t1"));
  PublishResult published;
  ASSERT_TRUE(PublishCheckpoint(other.get(), options, &published).ok());
  RestoreResult r;
  for (const auto& [db, folder] :
       {std::pair<std::string, std::string>{Target("t1"), ""}, {Target("t2"), options.folder}}) {
    const Status s = RestoreLedger(backups_, db, folder, 0, nullptr, nullptr, &r);
    EXPECT_TRUE(s.IsInvalidArgument()) << db << ": " << s.ToString();
    EXPECT_NE(s.message().find("holds checkpoints of another ledger"), std::string::npos)
        << s.message();
    EXPECT_FALSE(std::filesystem::exists(db));
  }
  options.folder = DefaultCheckpointFolder(Target("t3"));
  ASSERT_TRUE(PublishCheckpoint(ledger_.get(), options, &published).ok());
  const Status s = RestoreLedger(backups_, Target("t3"), "", 0, nullptr, nullptr, &r);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(BackupTest, DamagedBackupIsRefusedAndLeavesNothing) {
  BackupResult b;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b).ok());
  // Flip a byte in the middle of every backed-up table or log file.
  int damaged = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(backups_)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file()) continue;
    if (name.find(".sst") == std::string::npos && name.find(".log") == std::string::npos) continue;
    const auto size = entry.file_size();
    if (size == 0) continue;
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 2));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.put(static_cast<char>(c ^ 0x40));
    ++damaged;
  }
  ASSERT_GT(damaged, 0);
  RestoreResult r;
  Status s = RestoreLedger(backups_, Target("restored"), "", 0, nullptr, nullptr, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(std::filesystem::exists(Target("restored"))) << s.ToString();
}

// A backup folder whose backup lost a file, or its description, or whose
// description is damaged, is a damaged backup (Corruption naming the file),
// not "no backup"; a folder that is no backup folder, or an empty one, is
// NotFound. A backup into a damaged folder is refused before it writes.
TEST_F(BackupTest, ADamagedBackupFolderIsNamedNotCalledEmpty) {
  namespace fs = std::filesystem;
  BackupResult b;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b).ok());
  std::string table;
  std::string private_file;
  for (const auto& e : fs::recursive_directory_iterator(backups_)) {
    const std::string rel = fs::relative(e.path(), backups_).string();
    if (rel.starts_with("shared_checksum/")) table = rel;
    if (rel.starts_with("private/1/MANIFEST")) private_file = rel;
  }
  ASSERT_FALSE(table.empty());
  ASSERT_FALSE(private_file.empty());
  // Each damage, then what the error must name.
  const auto damaged = [&](const std::function<void(const std::string&)>& damage,
                           const std::string& named) {
    const std::string copy = outside_.Sub("damaged");
    fs::remove_all(copy);
    fs::copy(backups_, copy, fs::copy_options::recursive);
    damage(copy);
    RestoreResult r;
    Status s = RestoreLedger(copy, Target("restored"), "", 0, nullptr, nullptr, &r);
    EXPECT_TRUE(s.IsCorruption()) << named << ": " << s.ToString();
    EXPECT_NE(s.message().find(copy + "/" + named), std::string::npos) << s.message();
    EXPECT_FALSE(fs::exists(Target("restored")));
    s = RestoreLedger(copy, Target("restored"), "", 1, nullptr, nullptr, &r);
    EXPECT_TRUE(s.IsCorruption()) << named << ": " << s.ToString();
    const auto before = fs::last_write_time(copy);
    BackupResult again;
    s = BackupLedger(ledger_.get(), copy, kDigestTimeNs, nullptr, &again);
    EXPECT_TRUE(s.IsCorruption()) << named << ": " << s.ToString();
    EXPECT_FALSE(fs::exists(copy + "/meta/2")) << named;
    EXPECT_EQ(fs::last_write_time(copy), before);
  };
  damaged([&](const std::string& d) { fs::remove(d + "/" + table); }, table);
  damaged([&](const std::string& d) { fs::remove(d + "/" + private_file); }, private_file);
  damaged([&](const std::string& d) { std::ofstream(d + "/meta/1") << "garbage\n"; }, "meta/1");
  damaged([&](const std::string& d) { fs::resize_file(d + "/meta/1", 60); }, "meta/1");
  damaged([&](const std::string& d) { fs::remove(d + "/meta/1"); }, "meta/N");
  // Not a backup folder, or an empty one: NotFound, exit 1.
  RestoreResult r;
  fs::create_directories(outside_.Sub("empty"));
  Status s = RestoreLedger(outside_.Sub("empty"), Target("restored"), "", 0, nullptr, nullptr, &r);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("no backup in"), std::string::npos) << s.message();
  std::ofstream(outside_.Sub("empty") + "/notes.txt") << "x";
  s = RestoreLedger(outside_.Sub("empty"), Target("restored"), "", 0, nullptr, nullptr, &r);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

// A damaged block of a table file is refused at the backup, not carried into
// a backup that only the restore would find damaged.
TEST_F(BackupTest, ALedgerWithADamagedTableFileIsNotBackedUp) {
  ledger_.Close();
  ASSERT_TRUE(ledger_.Open().ok());  // its log replayed into table files
  ledger_.Close();
  std::filesystem::path largest;
  for (const auto& entry : std::filesystem::directory_iterator(ledger_.path())) {
    if (entry.path().extension() != ".sst") continue;
    if (largest.empty() || entry.file_size() > std::filesystem::file_size(largest)) {
      largest = entry.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  {
    const auto size = std::filesystem::file_size(largest);
    std::fstream f(largest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 4));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(size / 4));
    f.put(static_cast<char>(c ^ 0x40));
  }
  ASSERT_TRUE(ledger_.Open().ok());
  BackupResult b;
  Status s = BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(largest.filename().string()), std::string::npos) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(backups_)) << "the folder it made is removed again";
  RestoreResult r;
  EXPECT_TRUE(
      RestoreLedger(backups_, Target("restored"), "", 0, nullptr, nullptr, &r).IsNotFound());
}

// Two restores into one new folder at once: one restores, the other is
// refused before it writes (in use, or the folder no longer empty); never two
// writers in one folder, where the one that failed removed the other's copy.
TEST_F(BackupTest, TwoRestoresIntoOneFolderAtOnceLeaveOneVerifiedCopy) {
  BackupResult b;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b).ok());
  for (int round = 0; round < 3; ++round) {
    const std::string target = Target("twice-" + std::to_string(round));
    Status results[2];
    RestoreResult r[2];
    std::thread other(
        [&] { results[1] = RestoreLedger(backups_, target, "", 0, nullptr, nullptr, &r[1]); });
    results[0] = RestoreLedger(backups_, target, "", 0, nullptr, nullptr, &r[0]);
    other.join();
    const int ok = results[0].ok() + results[1].ok();
    EXPECT_EQ(ok, 1) << results[0].ToString() << " / " << results[1].ToString();
    for (const Status& s : results) {
      if (!s.ok()) {
        EXPECT_TRUE(s.IsBusy() || s.IsInvalidArgument()) << s.ToString();
      }
    }
    EXPECT_FALSE(std::filesystem::exists(target + ".restoring"));
    std::unique_ptr<Ledger> restored;
    Options o;
    o.read_only = true;
    ASSERT_TRUE(Ledger::Open(o, target, &restored).ok());
    VerifyReport report;
    EXPECT_TRUE(restored->Verify(VerifyProgress(), &report).ok());
  }
}

TEST_F(BackupTest, RestoreChecksTheTrustedDigestAndKey) {
  SigningKey key, other;
  ASSERT_TRUE(GenerateSigningKey(&key).ok());
  ASSERT_TRUE(GenerateSigningKey(&other).ok());
  BackupResult b;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, &key, &b).ok());
  ASSERT_TRUE(b.digest.signature.has_value());
  RestoreResult r;
  const VerifyingKey key_public = VerifyingKeyOf(key), other_public = VerifyingKeyOf(other);
  EXPECT_TRUE(RestoreLedger(backups_, Target("ok"), "", 0, nullptr, &key_public, &r).ok());
  Status s = RestoreLedger(backups_, Target("wrong-key"), "", 0, nullptr, &other_public, &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(Target("wrong-key")));
  // A digest of a later state (more events than the backup has) is not extended.
  ledger_.Append(5);
  std::unique_ptr<MerkleStore> tree;
  ASSERT_TRUE(OpenLedgerTree(ledger_.get(), &tree).ok());
  Digest later;
  ASSERT_TRUE(MakeDigest(ledger_.get(), *tree, kDigestTimeNs, &later).ok());
  s = RestoreLedger(backups_, Target("stale"), "", 0, &later, nullptr, &r);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("trusted digest"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(Target("stale")));
}

// One folder holds the backups of one ledger: restore takes the latest, so
// another ledger's backup there would bring back the wrong ledger.
TEST_F(BackupTest, AFolderWithAnotherLedgersBackupsIsRefused) {
  BackupResult b;
  ASSERT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b).ok());
  AuditLedger other;
  ASSERT_TRUE(other.Open().ok());
  other.Append(3);
  BackupResult ob;
  Status s = BackupLedger(other.get(), backups_, kDigestTimeNs, nullptr, &ob);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find(b.digest.ledger_id), std::string::npos) << s.message();
  // Nothing was added: the folder still restores the first ledger.
  RestoreResult r;
  s = RestoreLedger(backups_, Target("restored"), "", 0, nullptr, nullptr, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.backup_id, 1u);
  EXPECT_EQ(r.digest.ledger_id, b.digest.ledger_id);
  // The same ledger may still add its next backup.
  ledger_.Append(2);
  EXPECT_TRUE(BackupLedger(ledger_.get(), backups_, kDigestTimeNs, nullptr, &b).ok());
}

// A backup inside the ledger's own folder or its checkpoint folder goes
// when that folder goes; both are refused, however the path is spelled.
TEST_F(BackupTest, AFolderInsideTheLedgerOrItsCheckpointsIsRefused) {
  const std::string checkpoints = DefaultCheckpointFolder(ledger_.path());
  const std::vector<std::string> inside = {
      ledger_.path(),
      ledger_.path() + "/",
      ledger_.dir().Sub("backups"),
      ledger_.path() + "/../" + std::filesystem::path(ledger_.path()).filename().string() +
          "/sub/bk",
      checkpoints,
      checkpoints + "/bk"};
  for (const std::string& dir : inside) {
    BackupResult b;
    Status s = BackupLedger(ledger_.get(), dir, kDigestTimeNs, nullptr, &b);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << dir << ": " << s.ToString();
  }
  EXPECT_FALSE(std::filesystem::exists(ledger_.dir().Sub("backups")));
  EXPECT_FALSE(std::filesystem::exists(checkpoints));
  // A sibling whose name merely starts with the ledger's is another folder.
  BackupResult b;
  Status s = BackupLedger(ledger_.get(), ledger_.path() + "-backups", kDigestTimeNs, nullptr, &b);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::filesystem::remove_all(ledger_.path() + "-backups");
}

}  // namespace
}  // namespace ccl::ledger

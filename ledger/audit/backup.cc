#include "ledger/audit/backup.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/backup_engine.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "events/base/durable_file.h"
#include "ledger/audit/backup_damage.h"
#include "ledger/audit/checkpoint_folder.h"
#include "ledger/audit/merkle_ledger.h"
#include "ledger/audit/merkle_verify.h"

namespace ccl::ledger {
namespace {

std::string Num(uint64_t n) { return std::to_string(n); }

Status FromIo(const rocksdb::IOStatus& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

// A backup must survive the loss of the ledger's folder and of its
// checkpoint folder, so it lives in neither.
Status CheckBackupPlace(const std::string& db_path, const std::string& dir) {
  for (const std::string& folder : {db_path, DefaultCheckpointFolder(db_path)}) {
    if (events::IsSameOrInside(dir, folder)) {
      return Status::InvalidArgument("backup folder " + dir + " is inside " + folder +
                                     ", which a backup must outlive: choose a folder outside it");
    }
  }
  return Status::OK();
}

// The intact backups of `engine` (ascending), and the newest corrupt one (0: none).
std::vector<uint32_t> IntactBackups(const rocksdb::BackupEngineReadOnlyBase& engine,
                                    uint32_t* newest_corrupt) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  std::vector<uint32_t> intact;
  for (const auto& i : infos) intact.push_back(i.backup_id);
  std::sort(intact.begin(), intact.end());
  std::vector<rocksdb::BackupID> corrupt;
  engine.GetCorruptedBackups(&corrupt);
  *newest_corrupt = corrupt.empty() ? 0 : *std::max_element(corrupt.begin(), corrupt.end());
  return intact;
}

// One folder holds the backups of one ledger (restore takes the latest
// there): every backup's digest must name `ledger_id`.
Status CheckBackupsAreOf(rocksdb::BackupEngine* engine, const std::string& dir,
                         const std::string& ledger_id) {
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  for (const rocksdb::BackupInfo& info : infos) {
    Digest d;
    const Status s = ParseDigestJson(info.app_metadata, &d);
    const std::string found = s.ok() ? "of ledger " + d.ledger_id : "without a ledger digest";
    if (!s.ok() || d.ledger_id != ledger_id) {
      return Status::InvalidArgument("backup folder " + dir + " holds backup " +
                                     Num(info.backup_id) + " " + found + "; this ledger is " +
                                     ledger_id + ": back up each ledger into its own folder");
    }
  }
  return Status::OK();
}

// A backup writes only into a folder whose backups are intact: RocksDB's
// engine may collect a damaged backup's files (and backup files no
// description lists) when it writes, and they are not ours to delete.
// Checked read-only, before the engine that writes opens the folder.
Status CheckBackupFolderIntact(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return Status::OK();
  Status s;
  if (!std::filesystem::is_directory(std::filesystem::path(dir) / "meta", ec)) {
    s = NoBackupIn(dir);
  } else {
    rocksdb::BackupEngineReadOnly* raw = nullptr;
    CCL_RETURN_IF_ERROR(
        FromIo(rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(dir),
                                                   rocksdb::Env::Default(), &raw),
               "open backup folder " + dir));
    std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
    uint32_t corrupt = 0;
    const std::vector<uint32_t> intact = IntactBackups(*engine, &corrupt);
    if (corrupt != 0) {
      s = DamagedBackup(dir, corrupt, intact);
    } else if (intact.empty()) {
      s = NoBackupIn(dir);
    }
  }
  if (!s.IsCorruption()) return Status::OK();
  return s.WithDetail("(back up into another folder; keep this one as it is for repair)");
}

struct EngineDeleter {
  void operator()(rocksdb::BackupEngineReadOnlyBase* e) const { delete e; }
};

}  // namespace

Status BackupLedger(Ledger* ledger, const std::string& dir, int64_t time_ns,
                    const SigningKey* sign_with, BackupResult* out) {
  assert(ledger != nullptr && out != nullptr);
  CCL_RETURN_IF_ERROR(CheckBackupPlace(ledger->path(), dir));
  // A file given as the folder (or above it) is the caller's mistake.
  CCL_RETURN_IF_ERROR(events::CheckFolderPath(dir).WithContext("backup folder"));
  std::error_code ec;
  // A folder this run makes is removed again when the backup fails (a
  // damaged ledger is refused): no empty backup folder is left behind.
  struct MadeHere {
    std::string path;
    bool keep = false;
    ~MadeHere() {
      std::error_code ignored;
      if (!path.empty() && !keep) std::filesystem::remove_all(path, ignored);
    }
  } made;
  CCL_RETURN_IF_ERROR(CheckBackupFolderIntact(dir));
  if (!std::filesystem::exists(dir, ec)) made.path = dir;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir + ": " + ec.message());

  // The digest first: the copy, taken after, holds at least these events.
  std::unique_ptr<MerkleStore> tree;
  CCL_RETURN_IF_ERROR(OpenLedgerTree(ledger, &tree));
  BackupResult r;
  CCL_RETURN_IF_ERROR(MakeDigest(ledger, *tree, time_ns, &r.digest));
  if (sign_with != nullptr) CCL_RETURN_IF_ERROR(SignDigest(*sign_with, &r.digest));
  const std::string digest_json = DigestToJson(r.digest);

  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::BackupEngineOptions options(dir);
  options.sync = true;
  CCL_RETURN_IF_ERROR(FromIo(rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &raw),
                             "open backup folder " + dir));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  CCL_RETURN_IF_ERROR(CheckBackupsAreOf(engine.get(), dir, r.digest.ledger_id));
  uint32_t id = 0;
  Status s = ledger->CreateBackup(engine.get(), digest_json, &id);
  if (!s.ok()) return s.WithContext("back up to " + dir);
  CCL_RETURN_IF_ERROR(FromIo(engine->VerifyBackup(id, /*verify_with_checksum=*/true),
                             "verify backup " + Num(id) + " in " + dir));
  rocksdb::BackupInfo info;
  rocksdb::Status is = engine->GetBackupInfo(id, &info);
  if (!is.ok()) return Status::IOError("backup " + Num(id) + " info: " + is.ToString());
  r.backup_id = id;
  r.backup_bytes = info.size;
  r.digest_path = (std::filesystem::path(dir) / ("digest-" + Num(id) + ".json")).string();
  CCL_RETURN_IF_ERROR(events::WriteFileDurably(r.digest_path, digest_json));
  made.keep = true;
  *out = std::move(r);
  return Status::OK();
}

namespace {

// The backup to restore, checked before anything is written: its files'
// checksums and the digest stored with it (signed by the trusted key when
// one is given).
struct ChosenBackup {
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine;
  uint32_t id = 0;
  Digest stored;
};

// The backup to restore: `*backup_id`, else the newest. A damaged one is
// Corruption naming what is wrong, never passed over for an older one
// silently; a folder without any backup is NoBackupIn's.
Status ChooseBackupId(const rocksdb::BackupEngineReadOnlyBase* engine, const std::string& dir,
                      uint32_t* backup_id) {
  uint32_t newest_corrupt = 0;
  const std::vector<uint32_t> intact = IntactBackups(*engine, &newest_corrupt);
  if (*backup_id == 0) {
    const uint32_t newest = intact.empty() ? 0 : intact.back();
    if (newest_corrupt > newest) return DamagedBackup(dir, newest_corrupt, intact);
    if (intact.empty()) return NoBackupIn(dir);
    *backup_id = newest;
    return Status::OK();
  }
  std::vector<rocksdb::BackupID> corrupt;
  engine->GetCorruptedBackups(&corrupt);
  if (std::find(corrupt.begin(), corrupt.end(), *backup_id) != corrupt.end()) {
    return DamagedBackup(dir, *backup_id, intact);
  }
  // Backup files without a description are a damage, not an unknown id.
  if (intact.empty()) return NoBackupIn(dir);
  return Status::OK();
}

Status ChooseBackup(const std::string& dir, uint32_t backup_id, const VerifyingKey* trusted_key,
                    ChosenBackup* out) {
  std::error_code ec;
  // RocksDB's "DIR/meta is missing": a folder that holds no backup, or
  // backup files without their descriptions.
  if (!std::filesystem::is_directory(std::filesystem::path(dir) / "meta", ec)) {
    return NoBackupIn(dir);
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::BackupEngineOptions options(dir);
  CCL_RETURN_IF_ERROR(
      FromIo(rocksdb::BackupEngineReadOnly::Open(options, rocksdb::Env::Default(), &raw),
             "open backup folder " + dir));
  out->engine.reset(raw);
  rocksdb::BackupEngineReadOnly* engine = out->engine.get();
  CCL_RETURN_IF_ERROR(ChooseBackupId(engine, dir, &backup_id));
  rocksdb::BackupInfo info;
  rocksdb::Status is = engine->GetBackupInfo(backup_id, &info);
  if (!is.ok())
    return Status::NotFound("backup " + Num(backup_id) + " in " + dir + ": " + is.ToString());
  CCL_RETURN_IF_ERROR(FromIo(engine->VerifyBackup(backup_id, /*verify_with_checksum=*/true),
                             "backup " + Num(backup_id) + " in " + dir));
  // The backup's own metadata: unparsable there is a damaged backup.
  Status s = ParseDigestJson(info.app_metadata, &out->stored).WithCode(Status::Code::kCorruption);
  if (!s.ok()) return s.WithContext("the digest stored with backup " + Num(backup_id));
  s = CheckDigestSignatureBy(out->stored, trusted_key);
  if (!s.ok()) return s.WithContext("the digest stored with backup " + Num(backup_id));
  out->id = backup_id;
  return Status::OK();
}

// Restores and proves; the caller removes the copy on failure.
Status RestoreAndProve(const ChosenBackup& backup, const std::string& db_path,
                       const Digest* trusted, RestoreResult* out) {
  const uint32_t backup_id = backup.id;
  const Digest& stored = backup.stored;
  CCL_RETURN_IF_ERROR(FromIo(
      backup.engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), backup_id, db_path, db_path),
      "restore backup " + Num(backup_id) + " into " + db_path));

  Options open;
  std::unique_ptr<Ledger> ledger;
  Status s = Ledger::Open(open, db_path, &ledger);
  if (!s.ok()) return s.WithContext("the restored ledger");
  VerifyReport report;
  s = ledger->Verify(VerifyProgress(), &report);
  if (!s.ok()) return s.WithContext("the restored ledger does not verify");
  AnchorReport anchor;
  s = VerifyAgainstDigest(ledger.get(), stored, &anchor);
  if (!s.ok()) return s.WithContext("the restored ledger against its backup's digest");
  if (trusted != nullptr) {
    s = VerifyAgainstDigest(ledger.get(), *trusted, &anchor);
    if (!s.ok()) return s.WithContext("the restored ledger against the trusted digest");
  }
  out->backup_id = backup_id;
  out->digest = stored;
  out->events = anchor.events;
  out->head_hash = anchor.head_hash;
  out->root_hash = anchor.root_at_head;
  return Status::OK();
}

// A restore goes into a folder that does not exist or is empty.
Status CheckRestoreTarget(const std::string& db_path) {
  std::error_code ec;
  if (std::filesystem::exists(db_path, ec) &&
      !(std::filesystem::is_directory(db_path, ec) && std::filesystem::is_empty(db_path, ec))) {
    return Status::InvalidArgument(db_path +
                                   " exists and is not an empty folder: restore "
                                   "never overwrites; choose a new --db path");
  }
  return Status::OK();
}

}  // namespace

Status RestoreLedger(const std::string& dir, const std::string& db_path,
                     const std::string& checkpoint_folder, uint32_t backup_id,
                     const Digest* trusted, const VerifyingKey* trusted_key, RestoreResult* out) {
  std::error_code ec;
  CCL_RETURN_IF_ERROR(CheckRestoreTarget(db_path));
  CCL_RETURN_IF_ERROR(Ledger::CheckNewFolder(db_path));
  if (!std::filesystem::exists(dir, ec)) return Status::NotFound("no backup folder " + dir);
  if (events::IsSameOrInside(db_path, dir)) {
    return Status::InvalidArgument(db_path + " is inside the backup folder " + dir +
                                   ", which is the backups' own: choose a folder outside it");
  }
  ChosenBackup backup;
  CCL_RETURN_IF_ERROR(ChooseBackup(dir, backup_id, trusted_key, &backup));
  // The restored ledger is held to the checkpoints of its folder from its
  // first open: another ledger's there would leave it unusable.
  const std::string folder =
      checkpoint_folder.empty() ? DefaultCheckpointFolder(db_path) : checkpoint_folder;
  CCL_RETURN_IF_ERROR(
      CheckFolderHoldsNoCheckpoint(folder, LedgerOriginOf(backup.stored.ledger_id)));
  // The target is claimed first, by a file beside it made only if absent:
  // a second restore into the same folder is refused before it writes (two
  // used to write one folder, and the one that failed removed both).
  // Named after the folder resolved, so that two names of one folder (a
  // link, a trailing slash) claim the same file.
  std::filesystem::path resolved =
      std::filesystem::weakly_canonical(std::filesystem::absolute(db_path, ec), ec);
  if (ec) return Status::IOError(db_path + ": " + ec.message());
  if (!resolved.has_filename()) resolved = resolved.parent_path();
  const std::string claim = resolved.string() + ".restoring";
  const int claimed = ::open(claim.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (claimed < 0 && errno == EEXIST) {
    return Status::Busy(db_path + " is being restored into by another process (" + claim +
                        " exists; if no restore runs, one was interrupted: remove " + claim +
                        " and the folder's contents, then run it again)");
  }
  if (claimed < 0) return Status::IOError(claim + ": " + std::strerror(errno));
  ::close(claimed);
  struct Unclaim {
    std::string path;
    ~Unclaim() { ::unlink(path.c_str()); }
  } unclaim{claim};
  // An empty folder the user made stays; everything in it is this run's.
  // Again once claimed: another restore may have filled it meanwhile.
  CCL_RETURN_IF_ERROR(CheckRestoreTarget(db_path));
  const bool folder_was_there = std::filesystem::exists(db_path, ec);
  // Made here, so that a place that takes no folder (a read-only file
  // system) is named as such, not as RocksDB's "No such file or directory".
  if (!folder_was_there) {
    std::filesystem::create_directories(db_path, ec);
    if (ec) return Status::IOError(db_path + ": cannot create the folder: " + ec.message());
  }
  RestoreResult r;
  Status s = RestoreAndProve(backup, db_path, trusted, &r);
  if (s.ok()) {
    // The lost ledger's own checkpoints, kept as evidence, hold the copy to
    // them: an older backup would be a ledger every command refuses.
    OwnCheckpointReport own;
    s = CheckStoredLedgerExtendsCheckpoint(db_path, folder, &own);
    if (!s.ok()) {
      s = s.WithDetail(
          "(the backup is older than the ledger's own checkpoints: restore a newer "
          "backup; to keep this copy as a ledger of its own, give it a new "
          "--checkpoints folder)");
    }
  }
  if (!s.ok()) {
    // An unproven copy must not be mistaken for the ledger later.
    if (folder_was_there) {
      for (const auto& entry : std::filesystem::directory_iterator(db_path, ec)) {
        std::filesystem::remove_all(entry.path(), ec);
      }
    } else {
      std::filesystem::remove_all(db_path, ec);
    }
    return s.WithContext("restore failed, nothing left at " + db_path);
  }
  *out = std::move(r);
  return Status::OK();
}

}  // namespace ccl::ledger

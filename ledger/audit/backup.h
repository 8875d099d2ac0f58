// Backup and restore of a ledger with RocksDB's BackupEngine: incremental,
// checksummed copies in a backup folder, each carrying the digest of the
// ledger it copied, and a restore that proves the copy before calling it done.
#pragma once

#include <cstdint>
#include <string>

#include "events/base/status.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/signing.h"
#include "ledger/store/ledger.h"

namespace ccl::ledger {

struct BackupResult {
  uint32_t backup_id = 0;
  uint64_t backup_bytes = 0;  // this backup's files (shared ones included)
  Digest digest;              // of the ledger as the backup began
  std::string digest_path;    // DIR/digest-<backup_id>.json
};

// Backs `ledger` up into `dir` (created if missing; earlier backups there are
// kept and share unchanged files). The WAL is copied with the tables, so the
// copy is one consistent state even if appends go on; it holds at least the
// events of `out->digest`, which is stored in the backup's metadata and in
// DIR/digest-<id>.json, signed when `sign_with` is non-null. The backup's
// checksums are verified before returning. InvalidArgument when `ledger` has no
// files to back up (Ledger::CreateBackup); IOError from the file system.
[[nodiscard]] Status BackupLedger(Ledger* ledger, const std::string& dir, int64_t time_ns,
                                  const SigningKey* sign_with, BackupResult* out);

struct RestoreResult {
  uint32_t backup_id = 0;
  Digest digest;        // the one stored with the backup
  uint64_t events = 0;  // in the restored ledger
  Hash head_hash{};
  Hash root_hash{};  // of all the restored events, recomputed from them
};

// Restores backup `backup_id` (0: the latest) from `dir` into `db_path`, which
// must not exist or be an empty folder (InvalidArgument otherwise: a restore
// never overwrites a ledger). `checkpoint_folder` is the restored ledger's
// checkpoint folder (empty: DefaultCheckpointFolder(db_path)): when it holds
// another ledger's checkpoints the restore is refused as `init` refuses it
// (CheckFolderHoldsNoCheckpoint), InvalidArgument with nothing written; the
// backup's own ledger's are kept. Then opens the copy and proves it: the ledger's
// full Verify, the backup's own digest (its signature checked, under
// `trusted_key` when non-null), and `trusted` when non-null (a digest kept
// elsewhere, e.g. the last one published), each via VerifyAgainstDigest.
// Anything short of that removes the copy and returns the reason (Corruption
// for a copy that does not verify, exit code 3).
[[nodiscard]] Status RestoreLedger(const std::string& dir, const std::string& db_path,
                                   const std::string& checkpoint_folder, uint32_t backup_id,
                                   const Digest* trusted, const VerifyingKey* trusted_key,
                                   RestoreResult* out);

}  // namespace ccl::ledger

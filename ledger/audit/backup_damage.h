// Telling a damaged backup folder from one that holds no backup: what
// restore and backup report when RocksDB's BackupEngine lists no backup, or
// lists one as corrupt (ledger/audit/backup.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/base/status.h"

namespace ccl::ledger {

// Why backup `id` of the backup folder `dir`, which RocksDB's BackupEngine
// found corrupt, is damaged: Corruption "DIR: backup N is damaged: <the first
// file it lists that is missing or of another size than its name says, or its
// description DIR/meta/N unreadable, cut short or malformed>"; `intact`: the
// ids of the folder's intact backups, named as the ones that can be restored
// instead (restore --backup-id).
Status DamagedBackup(const std::string& dir, uint32_t id, const std::vector<uint32_t>& intact);

// For a folder `dir` in which the BackupEngine finds no backup at all:
// Corruption naming the backup files it holds without a description
// (DIR/meta/N) to restore them by (a damaged backup folder); NotFound "no
// backup in DIR" when it holds none (not a backup folder, or an empty one).
Status NoBackupIn(const std::string& dir);

}  // namespace ccl::ledger

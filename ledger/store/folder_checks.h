// Checks of a ledger's folder around RocksDB's open: the creation marker,
// a folder without CURRENT, whether it is writable, who holds its lock
// (ledger/store/folder.cc). Internal header.
#pragma once

#include <string>
#include <vector>

#include "events/base/status.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace ccl::ledger {

// Whether `path` holds the creation marker, with the content only
// WriteCreationMarker gives it (a file of that name with any other is not ours).
bool CreationMarkerPresent(const std::string& path);
// Writes the creation marker into `path` (made if missing) through `env`,
// synced with its folder entry; on failure removes what it wrote.
Status WriteCreationMarker(rocksdb::Env* env, const std::string& path);
// The temporary files (*.dbtmp) RocksDB left in the folder `path` beside the
// creation marker (a creation a full disk stopped); none without the marker.
std::vector<std::string> CreationTempFiles(const std::string& path);
// Removes `temp_files` (CreationTempFiles, listed before this process took
// the folder's lock), then the creation marker, if there; OK when none is.
Status RemoveCreationMarker(rocksdb::Env* env, const std::string& path,
                            const std::vector<std::string>& temp_files);
// NotFound "no ledger at PATH: the init that began creating one there did
// not finish (...)", with what to do: a marked folder opened without
// create_if_missing.
Status UnfinishedCreation(const std::string& path);

// Checks a folder that has no CURRENT file (no database) before anything
// opens it. OK when a ledger may be created there (`creating`): the folder is
// missing, empty, or holds only the creation marker and what RocksDB writes
// before CURRENT (ledger/store/folder.cc). Corruption naming what was found
// when it holds ledger data (table files, WALs, MANIFESTs) that a database
// wrote (told by content) or that lies beside the marker: a damaged ledger,
// never to be created over; InvalidArgument naming them when the folder
// holds any other file (a LOG, an IDENTITY, files that only have a database's
// names: RocksDB would write over them), when a missing `path` can never be a
// folder (a symbolic link to nothing, or a path under a file), or when
// creating inside another database's folder; NotFound when not creating and
// the folder holds nothing of ours (UnfinishedCreation's when it holds the
// marker).
Status CheckFolderWithoutCurrent(const std::string& path, bool creating);

// After RocksDB failed to read the database at `path` through `env`:
// Corruption naming the MANIFEST and the ledger data found, with
// DamagedLedgerAdvice, when CURRENT names a MANIFEST that is not there (a
// MANIFEST deleted, a CURRENT edited or copied without it): the same damage
// as a missing CURRENT. OK otherwise (CURRENT unreadable or not a plain
// MANIFEST name, or its MANIFEST there, e.g. one a writer replaced between
// RocksDB's read and this one): the caller reports RocksDB's error.
Status CheckCurrentNamesAManifest(rocksdb::Env* env, const std::string& path);

// What to do with a damaged ledger folder: keep it, restore the latest
// backup into a new folder, verify that. Appended to every Corruption that
// stops an open.
std::string DamagedLedgerAdvice();

// OK when this process may write the ledger folder at `path` (and its LOCK
// file, when there is one), or when the folder does not exist yet. Otherwise
// IOError "the ledger folder PATH is not writable: <the system's reason>",
// decided from errno (a read-only mount, permission bits), before RocksDB
// reports the same only in the text of its lock error.
Status CheckFolderWritable(const std::string& path);

// Who holds a ledger's write lock, as far as it can be told.
struct LockHolder {
  std::string text;     // "pid N: <command line>", or "" when unknown
  bool server = false;  // the holder's program is ledgerd
};

// Whether someone holds the write lock RocksDB takes on PATH/LOCK: another
// process, or another Ledger object of this one (asked with F_OFD_GETLK,
// which, unlike F_GETLK, also sees this process's own lock). False when
// nobody holds it or the LOCK file cannot be read.
bool LedgerLockHeld(const std::string& path, LockHolder* holder);

}  // namespace ccl::ledger

// The ledger's own checkpoint folder: after every write the ledger publishes a
// signed checkpoint (checkpoint.h) into a folder outside its RocksDB
// directory, and `verify` checks that the ledger still extends the newest one
// there. A hash chain cannot see its own tail cut off (a truncated write-ahead
// log rolls the head back to an earlier, self-consistent state); a checkpoint
// kept elsewhere can. What this catches and what it does not: README
// "Guarantees"; the files: schemas/MERKLE.md "The checkpoint folder".
//
// Files in the folder (nothing else is ever written or deleted there):
//   log.key, log.key.pub       the folder's Ed25519 key pair (keygen format),
//                              made by the first publication
//   log.vkey                   its verifier key under the ledger's origin
//   checkpoint-<20 digits>.txt a signed checkpoint of that many events
#pragma once

#include <cstdint>
#include <string>

#include "events/base/status.h"
#include "ledger/merkle/checkpoint.h"
#include "ledger/store/ledger.h"

namespace ccl::ledger {

// Where and how often checkpoints are published. One struct for every
// writer: ledgerctl publishes after each write command; a long-running writer
// publishes when either of the two intervals has passed.
struct CheckpointFolderOptions {
  // The folder; empty: DefaultCheckpointFolder(<the ledger's path>).
  std::string folder;
  // How many of the newest checkpoints are kept; older ones (of our own
  // file-name pattern only) are deleted after a publication. At least 1.
  uint32_t keep_newest = 64;
  // A long-running writer publishes after this many seconds with new events...
  uint32_t publish_every_seconds = 60;
  // ...or after this many new events, whichever comes first.
  uint64_t publish_every_events = 10000;
};

inline constexpr uint32_t kCheckpointsKeptMax = 1000000;
// A checkpoint file is a few hundred bytes; anything larger is not one.
inline constexpr size_t kCheckpointFileBytesMax = 16 * 1024;

// "<the ledger's resolved path>.checkpoints": symlinks, "." and a trailing '/'
// resolved, so every name of one ledger finds one folder.
std::string DefaultCheckpointFolder(const std::string& db_path);

// InvalidArgument when `folder`, resolved (symlinks, "..", "."), is the
// ledger's folder at `db_path` or inside it: its keys and checkpoints would
// live among the ledger's own files, be copied with them and be lost with
// them, which is what a checkpoint kept elsewhere is for. OK otherwise,
// and when either path cannot be resolved (opening it then says why).
[[nodiscard]] Status CheckFolderOutsideLedger(const std::string& folder,
                                              const std::string& db_path);

// InvalidArgument "<path> is inside <folder>, which the ledger owns; write
// elsewhere" when an output file (or folder) `path`, resolved as
// CheckFolderOutsideLedger resolves it, is the ledger's folder `db_path` or
// its checkpoint folder `checkpoint_folder`, or inside either (either may be
// empty); likewise, naming the folder as a ledger's or a checkpoint folder,
// when it is or lies inside any ledger's folder (ledger/store/ledger_folder.h) or is
// or lies directly in any checkpoint folder (IsCheckpointFolder): a report
// written there would replace a ledger's own files (CURRENT, a MANIFEST, a
// checkpoint, the folder's private key). OK for "-" (stdout) and an empty
// path. Every front end checks each file it is told to write with this before
// writing anything. Changes nothing.
[[nodiscard]] Status CheckOutputOutsideLedger(const std::string& path, const std::string& db_path,
                                              const std::string& checkpoint_folder);

// Whether `folder` is a ledger's checkpoint folder: it holds a checkpoint
// file (checkpoint-<20 digits>.txt), or the folder key with its verifier key
// (log.key and log.vkey, written by the first publication), or it is named
// <ledger>.checkpoints beside a ledger's folder (the default's name, which a
// ledger may publish into at its next write).
bool IsCheckpointFolder(const std::string& folder);

// Before a writer appends: IOError naming `folder` and the system's reason
// when it exists and this process cannot create a file in it (a folder it
// may only read, a read-only file system): a write's checkpoint could not be
// published, and the write would be acknowledged without the folder's
// protection. Corruption when the folder has published (it holds
// checkpoints, or the public key) but its private key log.key is gone: the
// write's checkpoint could not be signed, or when log.key's public key is not
// the one log.vkey or log.key.pub publish (naming both files): a checkpoint
// it signed would fail every later check. OK when it does not exist yet
// (publishing makes it).
[[nodiscard]] Status CheckFolderTakesCheckpoints(const std::string& folder);

// Before a ledger is created or restored at a path whose checkpoint folder
// is `folder`: InvalidArgument naming the folder when it already holds
// checkpoints of another ledger than the one of `own_origin` (LedgerOrigin),
// since the ledger would be held to them and refused by every later open.
// An empty `own_origin` (a new ledger, `init`) counts every checkpoint as
// another ledger's (e.g. of one deleted from the same path); a restore
// passes its backup's origin, so its own ledger's checkpoints are kept. OK
// when the folder is missing or holds none. Nothing is written.
[[nodiscard]] Status CheckFolderHoldsNoCheckpoint(const std::string& folder,
                                                  const std::string& own_origin = "");

// The origin (and key name) of a ledger's checkpoints: "ccl.ledger/<id>".
std::string LedgerOrigin(const Ledger& ledger);
// The same of the ledger whose id (events::FormatUuid) is `ledger_id`, as a
// digest names it.
std::string LedgerOriginOf(const std::string& ledger_id);

struct PublishResult {
  bool written = false;    // false: the newest checkpoint already had this size
  uint64_t tree_size = 0;  // the newest checkpoint's size afterwards
  std::string path;        // its file
};

// Publishes a checkpoint of the ledger's head into the folder (creating the
// folder and its key on first use), unless the newest one already has the
// head's size. Before writing it checks that the ledger extends the newest
// checkpoint there (CheckLedgerExtendsCheckpoint) and refuses (Corruption)
// when it does not, so a rolled-back ledger never gets a checkpoint that
// hides the roll-back. IOError for the files.
[[nodiscard]] Status PublishCheckpoint(Ledger* ledger, const CheckpointFolderOptions& options,
                                       PublishResult* result);

struct OwnCheckpointReport {
  bool found = false;  // false: the folder has no checkpoint (nothing checked)
  uint64_t checkpoint_size = 0;
  std::string path;
};

// Checks the ledger against the newest checkpoint in `folder`: its signature
// by the folder's key, the same ledger, and that the ledger extends it: the
// stored chain hash and the stored tree's root at the checkpoint's size equal
// the checkpoint's. Those stored values are what Ledger::Verify proves from the
// events, so after a Verify this proves the events extend the checkpoint.
// Corruption "ledger is behind its own checkpoint: size 12, checkpoint 13"
// when the ledger is shorter, also after a Refresh (a read-only view opened
// before a writer appended and published is caught up first; the events it
// then sees beyond the ones a preceding Verify read are taken as stored). A folder that does not
// exist or holds no checkpoint: OK with report->found false.
[[nodiscard]] Status CheckLedgerExtendsCheckpoint(Ledger* ledger, const std::string& folder,
                                                  OwnCheckpointReport* report);

// CheckLedgerExtendsCheckpoint on the ledger at `db_path`, opened read-only
// for the check and closed again: a writer calls it before its own open,
// whose recovery rewrites files (a log replayed into a table file, a new
// MANIFEST), so that a ledger it refuses is left exactly as it was found, as
// evidence. A ledger that does not exist, or that a read-only open cannot
// open, is OK here: the writer's own open reports it.
[[nodiscard]] Status CheckStoredLedgerExtendsCheckpoint(const std::string& db_path,
                                                        const std::string& folder,
                                                        OwnCheckpointReport* report);

}  // namespace ccl::ledger

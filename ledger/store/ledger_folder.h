// Recognising a ledger's folder from outside it, without opening it: for
// checks that keep other files out of every ledger's folder (an output file,
// a new ledger inside another).
#pragma once

#include <string>
#include <string_view>

namespace ccl::ledger {

// The folder at or above `path` that holds a ledger (RocksDB's CURRENT and
// IDENTITY, as every ledger's folder does), or "" when none does. `path` is
// resolved first (made absolute; symlinks, "." and ".." resolved as far as it
// exists), so no other name of a ledger's folder hides it. Looks only at
// those two names in each folder; opens nothing.
std::string LedgerFolderAtOrAbove(const std::string& path);

// Whether the folder `path` holds a database: a CURRENT file as RocksDB
// writes it, naming a MANIFEST ("MANIFEST-<number>"), or one that cannot be
// read (RocksDB then says why). A CURRENT of any other content is a file of
// someone else's that has RocksDB's name: the folder is judged by its other
// files then, as one without CURRENT. Opens nothing.
bool HoldsDatabase(const std::string& path);

// The file an Open that creates a ledger writes durably into its folder
// before RocksDB writes anything there, and removes once the ledger's meta
// is written: beside it, the folder's other files are that creation's own
// (it began in a new or empty folder), which a later creation finishes.
// Errors about an unfinished creation name it.
inline constexpr std::string_view kCreationMarker = "ccl-creation-unfinished";

}  // namespace ccl::ledger

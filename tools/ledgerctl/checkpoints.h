// ledgerctl's side of the ledger's checkpoints: publishing one after every
// write command into the ledger's own checkpoint folder, and the checks of
// `verify` against that folder and against a witnessed checkpoint
// (ledger/audit/checkpoint_folder.h, ledger/merkle/witness.h). Internal to ledgerctl.
#pragma once

#include <string>
#include <string_view>

#include "events/base/status.h"
#include "ledger/store/ledger.h"
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

// The ledger's own checkpoint folder: --checkpoints, else <db>.checkpoints.
std::string CheckpointFolder(const GlobalOptions& g);

// After a write command: publishes a signed checkpoint of the ledger's head
// into CheckpointFolder(g) (ledger/audit/checkpoint_folder.h). Corruption when the
// ledger no longer extends the newest checkpoint there.
Status PublishOwnCheckpoint(ledger::Ledger* ledger, const GlobalOptions& g);

// Before a write command appends: Corruption when the ledger no longer
// extends the newest checkpoint of its folder (a rolled-back or forked copy),
// IOError when that folder cannot take the checkpoint the write will publish.
// Either way the caller writes nothing.
Status CheckCheckpointBeforeWrite(ledger::Ledger* ledger, const GlobalOptions& g);

// `verify`, anchored by default: whether the ledger extends the newest
// checkpoint of its folder. Corruption when it does not; on success *summary is
// the line to print once every other check has passed too.
Status VerifyOwnCheckpoint(ledger::Ledger* ledger, const GlobalOptions& g, std::string* summary);

// Input files of the checkpoint commands (`witness`, `verify --against
// CHECKPOINT`): a file that is not a signed note holding a checkpoint, or not
// a list of verifier keys, is rejected input (InvalidArgument, exit 1) naming
// `path`, not a failed check: only a note that parses and does not check is
// Corruption (exit 3).
Status CheckCheckpointFileParses(const std::string& path, std::string_view text);
// `s`, a parse of an input file `what` names, as rejected input: OK stays OK,
// any failure becomes InvalidArgument (exit 1) naming `what`.
Status AsRejectedInput(const Status& s, const std::string& what);

// `verify --against CHECKPOINT --trusted-keys FILE --quorum N`: the log's
// signature and N witness cosignatures, then the events, recomputed, extend
// the checkpoint (ledger::VerifyAgainstDigest). Prints nothing: on success
// *summary is the line to print; on failure *first_bad_seq names the first
// event that differs, if one does.
Status VerifyAgainstCheckpoint(ledger::Ledger* ledger, const po::variables_map& vm,
                               std::string* summary, uint64_t* first_bad_seq);

}  // namespace ccl::tools

#include "tools/ledgerctl/checkpoints.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ledger/audit/checkpoint_folder.h"
#include "ledger/audit/merkle_verify.h"
#include "ledger/merkle/merkle_json.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/witness.h"

namespace ccl::tools {

std::string CheckpointFolder(const GlobalOptions& g) {
  return g.checkpoint_dir.empty() ? ledger::DefaultCheckpointFolder(g.db_path) : g.checkpoint_dir;
}

Status PublishOwnCheckpoint(ledger::Ledger* ledger, const GlobalOptions& g) {
  ledger::CheckpointFolderOptions options;
  options.folder = CheckpointFolder(g);
  ledger::PublishResult result;
  Status s = ledger::PublishCheckpoint(ledger, options, &result);
  if (!s.ok()) return s.WithContext("publishing the ledger's checkpoint");
  return Status::OK();
}

Status CheckCheckpointBeforeWrite(ledger::Ledger* ledger, const GlobalOptions& g) {
  const std::string folder = CheckpointFolder(g);
  ledger::OwnCheckpointReport own;
  Status s = ledger::CheckLedgerExtendsCheckpoint(ledger, folder, &own);
  if (!s.ok()) return s.WithDetail("(nothing was written)");
  // The checkpoint of this write must be publishable, or the write would be
  // committed and then reported as failed.
  return ledger::CheckFolderTakesCheckpoints(folder).WithDetail("(nothing was written)");
}

// Anchored by default: the ledger must extend the newest checkpoint it
// published (a verified ledger's stored chain and tree are its events').
Status VerifyOwnCheckpoint(ledger::Ledger* ledger, const GlobalOptions& g, std::string* summary) {
  ledger::OwnCheckpointReport own;
  const std::string folder = CheckpointFolder(g);
  CCL_RETURN_IF_ERROR(ledger::CheckLedgerExtendsCheckpoint(ledger, folder, &own));
  if (!own.found) {
    *summary = "note: no checkpoint in " + folder + ": the ledger was checked against itself only";
  } else {
    *summary = "OK: extends its own checkpoint of " + std::to_string(own.checkpoint_size) +
               " events (" + own.path + ")";
  }
  return Status::OK();
}

Status CheckCheckpointFileParses(const std::string& path, std::string_view text) {
  ledger::SignedNote note;
  ledger::Checkpoint cp;
  Status s = ledger::ParseSignedNote(text, &note);
  if (s.ok()) s = ledger::ParseCheckpointText(note.text, &cp);
  return AsRejectedInput(s, path);
}

Status AsRejectedInput(const Status& s, const std::string& what) {
  if (s.ok()) return s;
  return s.WithCode(Status::Code::kInvalidArgument).WithContext(what);
}

// `verify --against CHECKPOINT --trusted-keys FILE --quorum N`: the
// checkpoint's log signature and N witness cosignatures, then the events,
// recomputed, extend it (ledger::VerifyAgainstDigest).
Status VerifyAgainstCheckpoint(ledger::Ledger* ledger, const po::variables_map& vm,
                               std::string* summary, uint64_t* first_bad_seq) {
  const std::string path = vm["against"].as<std::string>();
  const std::string keys_path = vm["trusted-keys"].as<std::string>();
  std::string note, keys_text;
  std::vector<ledger::NoteVerifierKey> keys;
  ledger::Checkpoint cp;
  ledger::QuorumReport quorum;
  ledger::Digest digest;
  ledger::AnchorReport anchor;
  Status s = ledger::internal::ReadFileBounded(path, ledger::kNoteBytesMax, &note);
  if (s.ok()) {
    s = ledger::internal::ReadFileBounded(keys_path, ledger::kTrustedKeysFileBytesMax, &keys_text);
  }
  if (s.ok()) s = AsRejectedInput(ledger::ParseTrustedKeys(keys_text, &keys), keys_path);
  if (s.ok()) s = CheckCheckpointFileParses(path, note);
  if (s.ok()) {
    s = ledger::CheckCheckpointQuorum(note, keys, vm["quorum"].as<uint32_t>(), &cp, &quorum)
            .WithContext(path);
  }
  if (s.ok()) s = ledger::DigestOfCheckpoint(cp, &digest).WithContext(path);
  if (s.ok()) s = ledger::VerifyAgainstDigest(ledger, digest, &anchor);
  *first_bad_seq = anchor.first_bad_seq;
  CCL_RETURN_IF_ERROR(s);
  std::string by;
  for (const std::string& name : quorum.cosigners) by += (by.empty() ? "" : ", ") + name;
  *summary = "OK: extends the checkpoint of " + std::to_string(cp.tree_size) +
             " events signed by " + quorum.log_key_name + " and cosigned by " +
             std::to_string(quorum.cosigners.size()) + " trusted witness(es)" +
             (by.empty() ? "" : ": ") + by;
  return Status::OK();
}

}  // namespace ccl::tools

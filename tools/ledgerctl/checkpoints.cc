#include "tools/ledgerctl/checkpoints.h"

#include <cstdio>
#include <string>
#include <vector>

#include "ledger/checkpoint_folder.h"
#include "ledger/merkle_json.h"
#include "ledger/merkle_verify.h"
#include "ledger/witness.h"

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

// Anchored by default: the ledger must extend the newest checkpoint it
// published (a verified ledger's stored chain and tree are its events').
int VerifyOwnCheckpoint(ledger::Ledger* ledger, const GlobalOptions& g) {
  ledger::OwnCheckpointReport own;
  const std::string folder = CheckpointFolder(g);
  Status s = ledger::CheckLedgerExtendsCheckpoint(ledger, folder, &own);
  if (!s.ok()) {
    std::fprintf(stderr, "ledgerctl: verification failed: %s\n", s.message().c_str());
    return ExitCodeFor(s);
  }
  if (!own.found) {
    std::printf("note: no checkpoint in %s: the ledger was checked against itself only\n",
                folder.c_str());
  } else {
    std::printf("OK: extends its own checkpoint of %llu events (%s)\n",
                static_cast<unsigned long long>(own.checkpoint_size), own.path.c_str());
  }
  return kExitOk;
}

// `verify --against CHECKPOINT --trusted-keys FILE --quorum N`: the
// checkpoint's log signature and N witness cosignatures, then the events,
// recomputed, extend it (ledger::VerifyAgainstDigest).
int VerifyAgainstCheckpoint(ledger::Ledger* ledger, const po::variables_map& vm) {
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
  if (s.ok()) s = ledger::ParseTrustedKeys(keys_text, &keys).WithContext(keys_path);
  if (s.ok()) {
    s = ledger::CheckCheckpointQuorum(note, keys, vm["quorum"].as<uint32_t>(), &cp, &quorum)
            .WithContext(path);
  }
  if (s.ok()) s = ledger::DigestOfCheckpoint(cp, &digest).WithContext(path);
  if (s.ok()) s = ledger::VerifyAgainstDigest(ledger, digest, &anchor);
  if (!s.ok()) {
    std::fprintf(stderr, "ledgerctl: verification failed: %s\n", s.message().c_str());
    return s.IsCorruption() ? kExitCorruption : ExitCodeFor(s);
  }
  std::string by;
  for (const std::string& name : quorum.cosigners) by += (by.empty() ? "" : ", ") + name;
  std::printf(
      "OK: extends the checkpoint of %llu events signed by %s and cosigned by %zu trusted "
      "witness(es)%s%s\n",
      static_cast<unsigned long long>(cp.tree_size), quorum.log_key_name.c_str(),
      quorum.cosigners.size(), by.empty() ? "" : ": ", by.c_str());
  return kExitOk;
}

}  // namespace ccl::tools

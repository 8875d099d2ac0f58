// The backup commands: backup, restore (ledger/audit/backup.h). A backup
// writes only into its folder; a restore only into a new ledger folder, which
// it verifies before it reports success.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "events/base/display.h"
#include "ledger/audit/backup.h"
#include "ledger/audit/checkpoint_folder.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/signing.h"
#include "ledger/store/ledger.h"
#include "tools/ledgerctl/checkpoints.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"

namespace ccl::tools {

using ledger::Digest;
using ledger::Ledger;

namespace {

std::string Num(uint64_t n) { return std::to_string(n); }

int RunBackup(const po::variables_map& vm, const GlobalOptions& g) {
  std::optional<ledger::SigningKey> key;
  if (Status s = SigningKeyOption(vm, &key); !s.ok()) return Fail(s);
  // A backup reads the ledger; it writes only into DIR. A read-only open
  // changes no file of the ledger's folder (a writer's would replay its log
  // into new files, also of a damaged ledger the backup then refuses), works
  // on a folder it may only read, on a full disk, and while another writer
  // (ledgerd) appends: the copy is of the ledger as the open found it, and
  // the digest, made first, says how far.
  std::unique_ptr<Ledger> ledger;
  Status s =
      ledger::CheckOutputOutsideLedger(vm["dir"].as<std::string>(), g.db_path, CheckpointFolder(g));
  if (s.ok()) s = OpenLedger(g, OpenMode::kReadOnly, &ledger);
  if (!s.ok()) return Fail(s);
  ledger::BackupResult r;
  s = ledger::BackupLedger(ledger.get(), vm["dir"].as<std::string>(), NowSecondsNs(),
                           key ? &*key : nullptr, &r);
  if (!s.ok()) return Fail(s);
  if (g.quiet) return kExitOk;
  std::printf("backup %u of ledger %s: %s events, root %s, %s bytes; digest in %s\n", r.backup_id,
              r.digest.ledger_id.c_str(), Num(r.digest.tree_size).c_str(),
              ledger::HexEncode(r.digest.root_hash).c_str(),
              events::FormatThousands(r.backup_bytes).c_str(), r.digest_path.c_str());
  return kExitOk;
}

int RunRestore(const po::variables_map& vm, const GlobalOptions& g) {
  std::optional<ledger::VerifyingKey> key;
  Status s = TrustedKey(vm, &key);
  if (!s.ok()) return Fail(s);
  std::optional<Digest> trusted;
  if (vm.count("digest")) {
    Digest d;
    s = ReadTrustedDigest(vm["digest"].as<std::string>(), key, &d);
    if (!s.ok()) return FailedCheck(s);
    trusted = d;
  }
  // Never into another ledger's folder or checkpoint folder.
  s = ledger::CheckOutputOutsideLedger(g.db_path, "", "");
  if (!s.ok()) return Fail(s);
  ledger::RestoreResult r;
  s = ledger::RestoreLedger(vm["dir"].as<std::string>(), g.db_path, CheckpointFolder(g),
                            vm["backup-id"].as<uint32_t>(), trusted ? &*trusted : nullptr,
                            key ? &*key : nullptr, &r);
  if (!s.ok()) return s.IsCorruption() ? FailedCheck(s) : Fail(s);
  if (g.quiet) return kExitOk;
  std::printf(
      "restored backup %u into %s and verified it: %s events, head %s, root %s; it "
      "extends the backup's digest (%s events)%s\n",
      r.backup_id, g.db_path.c_str(), Num(r.events).c_str(), ledger::HexEncode(r.head_hash).c_str(),
      ledger::HexEncode(r.root_hash).c_str(), Num(r.digest.tree_size).c_str(),
      trusted ? (" and the trusted digest (" + Num(trusted->tree_size) + " events)").c_str() : "");
  return kExitOk;
}

}  // namespace

// clang-format off
// backup, restore.
void RegisterBackupCommands(CommandTable* table) {
  table->push_back(
      {"backup", "backup DIR [--sign PREFIX]",
       "back the ledger up into DIR (incremental, checksummed), with its digest",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "dir", "DIR", "backup folder");
         DefineSignOption(d, "sign the backup's digest with this private key file");
       },
       RunBackup});
  table->push_back(
      {"restore", "restore DIR --db PATH [--backup-id N] [--digest FILE] [--pubkey KEY]",
       "restore a backup into a new ledger at --db and verify it before reporting success",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "dir", "DIR", "backup folder");
         d->add_options()
             ("backup-id", po::value<uint32_t>()->default_value(0)->value_name("N"),
              "which backup (default: the latest)")
             ("digest", po::value<std::string>()->value_name("FILE"),
              "also prove the copy extends this trusted digest");
         DefinePubkeyOption(d, "require the digests signed by this public key");
       },
       RunRestore});
}
// clang-format on

}  // namespace ccl::tools

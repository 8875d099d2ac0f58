// ledgerctl's command table. Each group of commands lives in its own file and
// registers itself here; main.cc parses global options, finds the command and
// runs it. Commands print results on stdout, one clear line per error on
// stderr, and return the exit code (ExitCodeFor).
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "tools/app/exit_codes.h"

namespace ccl::tools {

namespace po = boost::program_options;

// Documented exit codes (README "Exit codes"), shared with ledgerd.
using app::kExitCorruption;
using app::kExitIO;
using app::kExitOk;
using app::kExitRejected;
using app::kExitUsage;

// Options every command sees.
// A report or backup holds the writer's lock for a moment; a writer started
// meanwhile waits this long for it rather than failing at once.
inline constexpr uint32_t kWriterLockWaitMsDefault = 3000;
inline constexpr uint32_t kWriterLockPollMs = 20;

struct GlobalOptions {
  std::string db_path;    // --db (default: $CCL_DB or ./ledger-db)
  bool db_given = false;  // --db was on the command line (not $CCL_DB or the default)
  bool quiet = false;     // --quiet: no progress output
  std::string log_level;  // --log-level for spdlog (default "warn")
  // --checkpoints: the ledger's own checkpoint folder (empty: <db>.checkpoints)
  std::string checkpoint_dir;
  // How long a command that writes waits for another process (a report
  // saving its checkpoints, a backup) to release the ledger before exit 4.
  uint32_t writer_lock_wait_ms = kWriterLockWaitMsDefault;
  // --server URL and its TLS files: when server_url is set, the command runs
  // against that ledgerd (cmd_remote.cc) instead of the ledger at db_path.
  std::string server_url;
  std::string cert_file;    // --cert: this client's certificate (PEM)
  std::string key_file;     // --key: its private key (PEM)
  std::string cacert_file;  // --cacert: the CA the server's certificate must chain to
};

// The signature of Command::run (and of a command's remote variant).
using RunSignature = int(const po::variables_map& vm, const GlobalOptions& g);

struct Command {
  std::string name;     // "import"
  std::string usage;    // "import FILE... [--batch N]"
  std::string summary;  // one line for `ledgerctl --help`
  // Declares the command's own options and positional arguments.
  std::function<void(po::options_description*, po::positional_options_description*)> define;
  // Runs it; returns an exit code. Never throws out (main catches as a last resort).
  std::function<RunSignature> run;
};

using CommandTable = std::vector<Command>;

// One per file; main.cc calls them all but RegisterWorkloadCommands, which
// RegisterLedgerCommands calls so that generate and demo follow its own.
// cmd_ledger.cc: init import append log show verify
void RegisterLedgerCommands(CommandTable* table);
// cmd_workload.cc: generate demo
void RegisterWorkloadCommands(CommandTable* table);
// cmd_reports.cc: balance margin retention pending periods escalations burn
// replay rebuild
void RegisterReportCommands(CommandTable* table);
// cmd_audit.cc: digest keygen prove consistency check-proof checkpoint vkey
// witness
void RegisterAuditCommands(CommandTable* table);
// cmd_backup.cc: backup restore
void RegisterBackupCommands(CommandTable* table);
// cmd_package.cc: audit-package
void RegisterPackageCommands(CommandTable* table);
// cmd_feed.cc: export tail stats report
void RegisterFeedCommands(CommandTable* table);
// cmd_sink.cc: sink
void RegisterSinkCommands(CommandTable* table);
// cmd_access.cc: access-log
void RegisterAccessCommands(CommandTable* table);
// cmd_token.cc: token
void RegisterTokenCommands(CommandTable* table);

// The remote variant of command `name` (cmd_remote.cc): it runs the command
// against the server of --server with the local command's output and exit
// codes. nullptr when the command cannot run remotely.
using RunFunction = RunSignature*;
RunFunction RemoteVariant(std::string_view name);

// A whole-number option with an upper bound below its type's (a limit of
// events/base/limits.h): RunCommand refuses a larger value as a usage error, as it
// refuses any number out of its type's range, before the command runs.
class BoundedNumber final : public po::typed_value<uint64_t> {
 public:
  explicit BoundedNumber(uint64_t max) : po::typed_value<uint64_t>(nullptr), max_(max) {}
  uint64_t max() const { return max_; }

 private:
  uint64_t max_;
};

// Declares the command's one positional argument: the required string option
// `name` (shown as `--name VALUE_NAME` in the command's --help), which the
// first word after the command name also sets.
void DefineArgument(po::options_description* d, po::positional_options_description* p,
                    const char* name, const char* value_name, const char* help);

// The command named `name`, or nullptr when none is registered.
const Command* FindCommand(const CommandTable& table, std::string_view name);

// Parses `args` (the words after the command name) against the global options
// plus the command's own, and runs the command. Global options given in `args`
// override `defaults`. Usage errors print one line on stderr and return
// kExitUsage; `--help` prints the command's usage and returns kExitOk. Used by
// main() and by commands that run other commands (e.g. `demo` runs `balance`).
int RunCommand(const CommandTable& table, std::string_view name,
               const std::vector<std::string>& args, const GlobalOptions& defaults);

// Why `path`, a file a command writes, may not be written beside `g`'s ledger
// (it is inside the ledger's folder or its checkpoint folder, by any name),
// or "" when it may (main.cc; every --out and --proof-out is checked so).
std::string OutputInsideTheLedger(const std::string& path, const GlobalOptions& g);

// `ledgerctl --version`: "ledgerctl X.Y.Z", the ledger format version, the
// git revision of the build ("unknown" outside a git checkout) and the
// RocksDB version, one per line (version.cc).
std::string VersionText();

// Maps a Status to the documented exit code.
using app::ExitCodeFor;
// Prints "ledgerctl: <message>" on stderr (one line) and returns ExitCodeFor(s).
int Fail(const Status& s);

}  // namespace ccl::tools

// ledgerctl's command table. Each group of commands lives in its own file and
// registers itself here; main.cc parses global options, finds the command and
// runs it. Commands print results on stdout, one clear line per error on
// stderr, and return the exit code (ExitCodeFor).
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <vector>

#include "events/status.h"

namespace ccl::tools {

namespace po = boost::program_options;

// Documented exit codes (README "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;     // rejected input or rule
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitCorruption = 3;   // verification failure or corruption
inline constexpr int kExitIO = 4;           // I/O, lock

// Options every command sees.
struct GlobalOptions {
  std::string db_path;   // --db (default: $CCL_DB or ./ledger-db)
  bool quiet = false;    // --quiet: no progress output
  std::string log_level; // --log-level for spdlog (default "warn")
};

struct Command {
  std::string name;     // "import"
  std::string usage;    // "import FILE... [--batch N]"
  std::string summary;  // one line for `ledgerctl --help`
  // Declares the command's own options and positional arguments.
  std::function<void(po::options_description*, po::positional_options_description*)> define;
  // Runs it; returns an exit code. Never throws out (main catches as a last resort).
  std::function<int(const po::variables_map&, const GlobalOptions&)> run;
};

using CommandTable = std::vector<Command>;

// One per file; main.cc calls them all.
void RegisterLedgerCommands(CommandTable* table);  // cmd_ledger.cc: init import append log show verify generate demo
void RegisterReportCommands(CommandTable* table);  // cmd_reports.cc: balance margin escalations burn replay rebuild
void RegisterAuditCommands(CommandTable* table);   // cmd_audit.cc: digest keygen prove consistency check-proof backup restore
void RegisterFeedCommands(CommandTable* table);    // cmd_feed.cc: export tail stats report

// Maps a Status to the documented exit code.
int ExitCodeFor(const Status& s);
// Prints "ledgerctl: <message>" on stderr (one line) and returns ExitCodeFor(s).
int Fail(const Status& s);

}  // namespace ccl::tools

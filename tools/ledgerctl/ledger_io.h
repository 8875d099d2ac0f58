// Shared plumbing of the ledger commands (cmd_ledger.cc): opening a ledger
// with CLI-friendly errors and the text forms of events and hashes.
// Internal to ledgerctl.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"
#include "ledger/ledger.h"
#include "projections/view.h"
#include "tools/app/import.h"
#include "tools/app/report_options.h"
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

enum class OpenMode {
  kReadOnly,  // inspect (log, show, verify): works while a writer has it open
  kWrite,     // the ledger must exist
  kCreate,    // create if missing (init, demo)
};

// Opens the ledger at g.db_path. A missing ledger is NotFound with a hint to
// run `ledgerctl init`; other failures keep the ledger's Status.
Status OpenLedger(const GlobalOptions& g, OpenMode mode, std::unique_ptr<ledger::Ledger>* out);

// True when this process may create files in the ledger folder at `path`
// (write and search permission, on a file system mounted read-write). A
// command that reads, and writes only to save work (checkpoints), opens
// read-only otherwise: reading needs no write access.
bool LedgerFolderWritable(const std::string& path);

// NotFound "no contract 'C' in the ledger" unless `contract` has events in
// it: a filter naming one contract that is not there is an error (exit 1),
// not an empty report. OK for an empty `contract` (no filter).
Status CheckContractExists(ledger::Ledger* ledger, const std::string& contract);

// Lower-case hex of bytes.
std::string HexOf(const uint8_t* bytes, size_t n);
inline std::string HexOf(const ledger::Hash& h) { return HexOf(h.data(), h.size()); }

// Today's date by the system clock (tools/app/report_options.h).
using app::TodayDay;

// --as-of DATE, --known-at INSTANT and --contract C (those the command
// defines) into *view; a bad value is InvalidArgument "option '--as-of': ...".
Status ParseViewOptions(const po::variables_map& vm, projections::View* view);

// Seconds since `start` (steady clock).
double SecondsSince(std::chrono::steady_clock::time_point start);
// "1.23 s, 456,789 events/s": n events in `seconds`.
std::string Rate(uint64_t n, double seconds);

// True when progress output is wanted: stderr is a terminal and not --quiet
// (tools/progress.h draws only then anyway).
bool ShowProgress(const GlobalOptions& g);

// `ledgerctl import` (cmd_import.cc).
int RunImport(const po::variables_map& vm, const GlobalOptions& g);

// app::ImportFile of one file with a progress bar on stderr (a terminal only,
// erased before the caller prints anything).
Status ImportWithProgress(ledger::Ledger* ledger, const std::string& path,
                          app::ImportOptions options, const GlobalOptions& g,
                          app::ImportResult* result);

// Indents the compact JSON of AppendEventJson for people (2 spaces).
std::string PrettyJson(std::string_view compact);

// One line describing an event's payload for the `log` table, its control
// characters escaped (events::TerminalText).
std::string EventDetail(const events::Event& e);

}  // namespace ccl::tools

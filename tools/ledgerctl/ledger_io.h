// Shared plumbing of the ledger commands (cmd_ledger.cc): opening a ledger
// with CLI-friendly errors, importing one file as atomic batches, and the
// text forms of events and hashes. Internal to ledgerctl.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"
#include "ledger/ledger.h"
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

// Today's date (UTC, days since 1970-01-01) by the system clock: the default
// evaluation day of burn forecasts, which the folds never read themselves.
int32_t TodayDay();

// True when progress output is wanted: stderr is a terminal and not --quiet
// (tools/progress.h draws only then anyway).
bool ShowProgress(const GlobalOptions& g);

struct ImportCounts {
  uint64_t events = 0;  // read from the file and committed (appended + duplicates)
  uint64_t appended = 0;
  uint64_t duplicates = 0;
};

// Imports one file ("-": standard input, named /dev/stdin in messages):
// JSON Lines or CSV, as --format says, else by content (a first non-blank
// byte '{' is JSON Lines, anything else CSV), with a progress bar on stderr
// when `progress` (and stderr is a terminal). An input without any event is
// InvalidArgument (nothing imported). Events
// are appended in atomic batches of `batch_events` (0: the whole file is one
// batch, up to limits::kEventsPerBatchMax). On a rejected event returns its
// Status with the message "FILE:LINE: field ...: ..." or "FILE:LINE: event
// <id>: <rule>" and nothing of that batch is written; batches before it stay
// committed and are counted in *counts.
Status ImportFile(ledger::Ledger* ledger, const std::string& path, const po::variables_map& vm,
                  uint64_t batch_events, bool progress, ImportCounts* counts);

// Indents the compact JSON of AppendEventJson for people (2 spaces).
std::string PrettyJson(std::string_view compact);

// One line describing an event's payload for the `log` table, its control
// characters escaped (events::TerminalText).
std::string EventDetail(const events::Event& e);

}  // namespace ccl::tools

// Shared plumbing of the ledger commands (cmd_ledger.cc): opening a ledger
// with CLI-friendly errors and the text forms of events and hashes.
// Internal to ledgerctl.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "events/model/uuid.h"
#include "ledger/merkle/digest.h"
#include "ledger/merkle/signing.h"
#include "ledger/store/ledger.h"
#include "projections/folds/format.h"
#include "projections/folds/view.h"
#include "tools/app/import.h"
#include "tools/app/report_options.h"
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

enum class OpenMode {
  kReadOnly,  // inspect (log, show, verify): works while a writer has it open
  kWrite,     // the ledger must exist
  kCreate,    // create if missing (init, demo)
};

// What an open does about the ledger's own checkpoint folder (checkpoints.h).
enum class OwnCheckpoint {
  // Refuse (Corruption, exit 3) a ledger that no longer extends the newest
  // checkpoint it published (cut back, rolled back, forked): no figure,
  // statement, copy or write is made of it. A writer is checked on a
  // read-only open before its own, which would rewrite files.
  kRequire,
  // The same check, as a warning on stderr: the commands that show what the
  // ledger holds (log, show, stats), to look into a damaged one.
  kWarn,
  // No check: the caller makes its own (verify, report) or opens a ledger it
  // just created or already checked.
  kSkip,
};

// Opens the ledger at g.db_path. A missing ledger is NotFound with a hint to
// run `ledgerctl init`; other failures keep the ledger's Status.
Status OpenLedger(const GlobalOptions& g, OpenMode mode, std::unique_ptr<ledger::Ledger>* out,
                  OwnCheckpoint check = OwnCheckpoint::kRequire);

// True when this process may create files in the ledger folder at `path`
// (write and search permission, on a file system mounted read-write). A
// command that reads, and writes only to save work (checkpoints), opens
// read-only otherwise: reading needs no write access.
bool LedgerFolderWritable(const std::string& path);

// NotFound "no contract 'C' in the ledger" unless `contract` has events in
// it: a filter naming one contract that is not there is an error (exit 1),
// not an empty report. OK for an empty `contract` (no filter).
Status CheckContractExists(ledger::Ledger* ledger, const std::string& contract);

// Today's date by the system clock (tools/app/report_options.h).
using app::TodayDay;

// --as-of DATE, --known-at INSTANT and --contract C (those the command
// defines) into *view; a bad value is InvalidArgument "option '--as-of': ...".
Status ParseViewOptions(const po::variables_map& vm, projections::View* view);

// margin's --period YYYY-MM into *month (unset without it): the month fixes
// the view (app::ViewOfPeriod), so --as-of and --known-at with it are
// InvalidArgument, and so is a malformed month ("option '--period': ...").
Status ParsePeriodOption(const po::variables_map& vm, std::optional<int32_t>* month);

// --json, the same as --format json, beside a command's --format (pending,
// periods and access-log take both).
void DefineJsonOption(po::options_description* d);

// The format asked for by --format (its default when not given) and, when the
// command defines it, --json: InvalidArgument "--json and --format F ask for
// two formats: give one" when --format names another, or a bad --format's.
Status ParseFormatOptions(const po::variables_map& vm, projections::OutputFormat* format);

// Seconds since `start` (steady clock).
double SecondsSince(std::chrono::steady_clock::time_point start);
// "1.23 s, 456,789 events/s": n events in `seconds`.
std::string Rate(uint64_t n, double seconds);

// True when progress output is wanted: stderr is a terminal and not --quiet
// (tools/progress/progress.h draws only then anyway).
bool ShowProgress(const GlobalOptions& g);

// Makes SIGINT and SIGTERM only raise a flag, and returns the predicate that
// reads it: a long-running command (tail --follow, sink) polls it and ends
// at its next safe point, with what it has done kept.
std::function<bool()> StopOnInterruptOrTerm();

// The same, and also true once the reader of `fd` (a pipe) has gone:
// `tail --follow | head -2` ends when head does, not at the next event.
std::function<bool()> StopOnInterruptOrTermOrReaderGone(int fd);

// True when `fd` is the write end of a pipe whose reader has closed it (it
// polls as POLLERR); a terminal or a file never is. Does not block.
bool PipeReaderGone(int fd);

// `ledgerctl import` (cmd_import.cc).
int RunImport(const po::variables_map& vm, const GlobalOptions& g);

// app::ImportFile of one file with a progress bar on stderr (a terminal only,
// erased before the caller prints anything).
Status ImportWithProgress(ledger::Ledger* ledger, const std::string& path,
                          app::ImportOptions options, const GlobalOptions& g,
                          app::ImportResult* result);

// Indents the compact JSON of AppendEventJson for people (2 spaces).
std::string PrettyJson(std::string_view compact);

// One line describing an event's payload for the `log` table: fixed words and
// the event's free-text values (customer, engineer, reason...), each value
// escaped on its own (events::TerminalText), cut to 100 bytes.
std::string EventDetail(const events::Event& e);

// The `log` table: its header line, and one event's line (seq, effective_at,
// type, contract, stream version, EventDetail), each ending in "\n".
inline constexpr std::string_view kLogTableHeader =
    "     SEQ  EFFECTIVE_AT          TYPE                       CONTRACT         VER  DETAIL\n";
void AppendLogTableLine(const events::Event& e, std::string* out);

// The options of `log`.
struct LogOptions {
  uint64_t from = 1;                      // --from, at least 1
  uint64_t limit = UINT64_MAX;            // --limit
  bool json = false;                      // --json
  bool with_hash = false;                 // --json without --no-hash
  std::optional<events::EventType> type;  // --type
  std::string contract;                   // --contract ("" for none)
};
// False (after printing the usage error) when --type names no event type.
bool ParseLogOptions(const po::variables_map& vm, LogOptions* o);

// The string option `name`, or `absent` when it was not given.
std::string OptString(const po::variables_map& vm, const char* name, std::string_view absent = {});

// Writes `text` to stdout (empty path), or to a new file `path` (never
// replacing one: a published digest or a proof handed out must not be
// replaced by accident; events/base/durable_file.h says what happens with
// devices, FIFOs and links).
Status EmitOutput(const std::string& text, const std::string& path);

// `show`'s SEQ|EVENT_ID: digits are a seq (*seq set; more digits than any
// seq has: *not_found is NotFound "no event with seq KEY"), else an event id
// (*id set). False, after printing the usage error, when it is neither.
bool ParseShowKey(const std::string& key, std::optional<uint64_t>* seq, events::Uuid* id,
                  Status* not_found);

// `append`'s event: --json TEXT, else standard input, read as import reads
// a line (app::ParseJsonEvent: a UTF-8 byte order mark skipped) (cmd_ledger.cc).
// `default_actor`: the actor of an event that names none (over a server, the
// principal it will be taken for); empty: `actor` is required.
Status ParseAppendEvent(const po::variables_map& vm, events::Event* e,
                        std::string_view default_actor = {});

// A check's outcome (cmd_audit.cc): a Corruption is a verification failure
// (exit 3, said so); anything else (a missing or malformed input file, an I/O
// error) is reported like every other command's error, under its own exit
// code.
int FailedCheck(const Status& s);
// Now, in whole seconds (as ns since the epoch): the canonical time of a
// digest has no fraction then (cmd_audit.cc).
int64_t NowSecondsNs();
// The options several commands declare alike, each declared here once and
// read by one function (cmd_audit.cc): --out FILE, written by EmitOutput;
// --pubkey KEY, read by TrustedKey; --sign PREFIX, read by SigningKeyOption;
// --key PREFIX (required), read by KeyOption; --origin NAME, a signed note's
// origin (default: the ledger's). `help` says what each is for in that command.
void DefineOutFileOption(po::options_description* d,
                         const char* help = "write to a new FILE instead of stdout");
void DefinePubkeyOption(po::options_description* d, const char* help);
void DefineSignOption(po::options_description* d, const char* help);
void DefineKeyOption(po::options_description* d, const char* help);
void DefineOriginOption(po::options_description* d, const char* help);
// The private key of --key PREFIX; an unreadable one is the reader's error
// under "option '--key'" (cmd_audit.cc).
Status KeyOption(const po::variables_map& vm, ledger::SigningKey* out);
// The trusted public key of --pubkey, if given (cmd_audit.cc).
Status TrustedKey(const po::variables_map& vm, std::optional<ledger::VerifyingKey>* out);
// The private key of --sign PREFIX, if given; an unreadable one is the
// reader's error under "option '--sign'" (cmd_audit.cc).
Status SigningKeyOption(const po::variables_map& vm, std::optional<ledger::SigningKey>* out);
// Reads a digest the user trusts: strict parse, then its signature (pinned to
// --pubkey when given) (cmd_audit.cc).
Status ReadTrustedDigest(const std::string& path, const std::optional<ledger::VerifyingKey>& key,
                         ledger::Digest* out);
// The digests of the options named in `digests` (--digest; --old and --new),
// each read by ReadTrustedDigest with the key of --pubkey (cmd_audit.cc).
// Returns kExitOk, or the exit code of the failure it printed: an unreadable
// key as Fail, a digest that fails as FailedCheck.
int ReadTrustedDigestOptions(
    const po::variables_map& vm,
    std::initializer_list<std::pair<const char*, ledger::Digest*>> digests);

// After a file of several failed or was interrupted (`import`): which were
// imported and which were not, so the rest can be re-run (files already
// imported re-import as duplicates). `why` is "error" or "interruption".
void PrintImportStop(const std::vector<std::string>& files, size_t failed,
                     const app::ImportResult& partial, const char* why);
// After every file of `import`: adds `r` to *total; with more than one file,
// prints the total line (nothing when --quiet).
void AddImported(const app::ImportResult& r, app::ImportResult* total);
void PrintImportTotal(size_t files, const app::ImportResult& total, const GlobalOptions& g);
// The summary line of one imported file (nothing when --quiet).
void PrintImported(const std::string& path, const app::ImportResult& r, double seconds,
                   const GlobalOptions& g);

}  // namespace ccl::tools

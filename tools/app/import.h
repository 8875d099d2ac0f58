// Import: events in their import form (JSON Lines, a JSON array, CSV) from a
// file or from memory (a request body), appended to a ledger in atomic
// batches. The one implementation every front end calls: `ledgerctl import`
// and the network service's `POST /v1/events` both come here.
//
// Errors are data: a rejected input returns a Status whose code() decides the
// outcome (InvalidArgument: malformed; RuleViolation: a rule; Conflict: an
// event id or expected version; IOError, Busy, Corruption), whose source()
// and line() say where (the file or request name and the 1-based line; 0
// when the error is about the whole input), whose field() names the bad
// field when there is one and whose rule() names the published check. The
// message is built from them: "SOURCE:LINE: field 'minutes': must be
// 1..1440, got 0". Callers never need to read the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "ledger/store/ledger.h"

namespace ccl::app {

// The syntax of an import's input.
enum class InputFormat {
  kAuto,       // by content (see ImportFile, ImportBody)
  kJsonLines,  // one JSON object per line
  kJsonArray,  // one JSON array of objects (bodies only)
  kCsv,        // events/model/csv.h
};
// "jsonl" | "csv" (the formats of a file) and "json" (an array); false else.
bool ParseInputFormat(std::string_view text, InputFormat* format);

// How far an import is, for a progress display; both may be empty.
struct ImportProgress {
  // A new phase of the input `source`: "reading", "parsing" or "appending",
  // with the events it expects in all (0: unknown).
  std::function<void(std::string_view source, std::string_view phase, uint64_t total)> on_phase;
  // Events done so far (counting from the start of the input). Called up to
  // once per event: keep it cheap.
  std::function<void(uint64_t done)> on_progress;
};

struct ImportOptions {
  InputFormat format = InputFormat::kAuto;
  // CSV without a `type` column: the type of every record, by name
  // ("HoursBooked"). An unknown name is InvalidArgument when a CSV input is
  // opened. Empty: the input must have a `type` column.
  std::string csv_type;
  // Events per atomic append. 0: the whole input is one atomic append (at
  // most events_max events).
  uint64_t batch_events = 0;
  // A whole input (batch_events 0) of more events than this is refused,
  // nothing written: InvalidArgument tagged rules::kBatchEventsMax. 0:
  // limits::kEventsPerBatchMax, the most one append holds. A front end may
  // set less (a request's events, limited by the network service).
  uint64_t events_max = 0;
  // Passed to every Append (e.g. expected stream versions).
  ledger::AppendOptions append;
  // JSON input (ImportBody): an event without `actor` gets this one (a
  // server fills in the authenticated principal). Empty: `actor` is required.
  std::string default_actor;
  // Asked with every batch before it is appended (a whole file: with each
  // part of it as it is read), with the input line of each event; a non-OK
  // status refuses the batch (nothing of it, or of the whole file, is
  // written) and ends the import with that status. Empty: every batch is
  // appended.
  std::function<Status(std::span<const events::Event> batch, std::span<const uint64_t> lines)>
      check_batch;
  // Asked after every committed batch when there is more input: true stops
  // the import there (ImportResult::stopped), with everything before it
  // committed and nothing after it read. A whole input (batch_events 0) asks
  // it as each part of the input is handed to its one append, the first part
  // included: true abandons that append, nothing of the input written (and
  // ImportResult::stopped). Empty: never stops early.
  std::function<bool()> should_stop;
  ImportProgress progress;
};

struct ImportResult {
  uint64_t events = 0;      // committed: appended + duplicates
  uint64_t appended = 0;    // new events written
  uint64_t duplicates = 0;  // identical to events already in the ledger
  // Seqs of the events this import appended: first_seq..last_seq, both 0
  // when it appended none (all duplicates).
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  // The lowest and highest seq of every event committed, a duplicate at the
  // seq it already has (a retried input answers the seqs of its first run);
  // both 0 when none was committed.
  uint64_t lowest_seq = 0;
  uint64_t highest_seq = 0;
  uint64_t batches = 0;  // atomic appends committed
  // The ledger's head after the last committed batch (unset when none).
  ledger::Head head;
  // True when should_stop ended the import before the end of the input.
  bool stopped = false;
};

// The error of an input without a single event (InvalidArgument naming
// `source`): such an input is refused, as ImportFile and ImportBody refuse it.
Status NoEvents(std::string_view source);

// One event in its JSON import form (`append`'s input), read as ImportFile
// reads a line of JSON Lines: a UTF-16 byte order mark is refused naming the
// encoding, a UTF-8 one skipped, trailing line ends and spaces dropped, at
// most limits::kJsonLineBytesMax bytes. Text without an event is the JSON
// parser's error. `default_actor`: as ImportOptions::default_actor.
// REQUIRES: e not null.
Status ParseJsonEvent(std::string_view text, std::string_view default_actor, events::Event* e);

// Imports the file at `path` ("-": standard input, named /dev/stdin; an input
// that is not a regular file, such as a pipe, a FIFO or <(zcat ...), is first
// copied into memory, so it is one input like any file). The
// format is options.format, else by content: a first non-blank byte '{' is
// JSON Lines; anything else is CSV unless the name ends in .jsonl, .ndjson
// or .json (then JSON Lines, so the JSON parser names what is wrong); a file
// of blanks goes by a ".csv" name. A UTF-8 byte order mark is skipped; a
// UTF-16 one (FF FE or FE FF) is refused as InvalidArgument naming the
// encoding. An input without any event is InvalidArgument (nothing written).
// A whole file (batch_events 0) is one atomic append parsed and appended in
// parts (Ledger::AppendFrom, a thread parsing ahead): its parsed events are
// never all in memory. Else events are appended in atomic batches
// (options.batch_events); a rejected
// event fails its whole batch, the batches before it stay committed and are
// counted in *result. REQUIRES: ledger, result not null.
Status ImportFile(ledger::Ledger* ledger, const std::string& path, const ImportOptions& options,
                  ImportResult* result);

// Imports `body`, an input held in memory (an HTTP request's), exactly as
// ImportFile imports a file: same parsers, rules, batching and errors, with
// `source` (e.g. "request") as the name in errors; an empty `source` names
// the line alone ("line 3: ...", Status::WithLocation). kAuto: a first non-blank
// '[' is a JSON array, '{' (or none at all) JSON Lines, else CSV. In a JSON array, line()
// of an error is the line where the element starts. REQUIRES: ledger,
// result not null.
Status ImportBody(ledger::Ledger* ledger, std::string_view body, std::string_view source,
                  const ImportOptions& options, ImportResult* result);

// The events of a body for one atomic append, read but not appended
// (ReadBodyBatch), each with its input line.
struct BodyBatch {
  std::vector<events::Event> events;
  std::vector<uint64_t> lines;  // lines[i]: the line of events[i]
};

// Reads `body` as ImportBody reads it with options.batch_events 0 (formats,
// events_max, default_actor, check_batch, the errors located in `source`)
// into *out, appending nothing: for a caller that appends it itself
// (Ledger::AppendAsync). An input without events is refused (NoEvents).
// REQUIRES: options.batch_events == 0, out not null.
Status ReadBodyBatch(std::string_view body, std::string_view source, const ImportOptions& options,
                     BodyBatch* out);
// The outcome of the append of a BodyBatch whose lines are `lines` (the
// ledger's status `s` and result), as ImportBody reports it: a rejection
// located at its input line, or *result (events, seqs, batches) counted.
// result->head is left as it was.
Status AddBodyAppended(const Status& s, const ledger::AppendResult& appended,
                       std::span<const uint64_t> lines, std::string_view source,
                       ImportResult* result);

// The events of the CSV input `text` (events/model/csv.h; `csv_type` as
// ImportOptions::csv_type) in the JSON Lines import form, each object on the
// line where its record starts in `text` (blank lines between), so that a
// JSON Lines reader of *out names the CSV's own lines: what a front end sends
// to a server that takes JSON only. A bad record fails as ImportFile fails it,
// located at `source` and its line; nothing is appended to *out then. A
// record without an actor gets `default_actor` (empty: it is required).
// REQUIRES: out not null.
Status CsvAsJsonLines(std::string_view text, const std::string& csv_type, std::string_view source,
                      std::string_view default_actor, std::string* out);

}  // namespace ccl::app

// The parts of import.cc that the whole-input import (whole_file_import.cc)
// shares. Not for front ends: they call tools/app/import.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/status.h"
#include "tools/app/event_readers.h"
#include "tools/app/import.h"

namespace ccl::app {

// The most events a whole-input import holds (ImportOptions::events_max).
uint64_t EventsMax(const ImportOptions& options);

// A whole input of more than `events_max` events: refused, nothing written
// (InvalidArgument tagged rules::kBatchEventsMax, located at `source`).
Status TooManyEvents(std::string_view source, uint64_t events_max);

// The outcome `given` of an append of n events (lines[i] the line of input
// event i) added to *result; a rejected event is named by its source and
// line. REQUIRES: lines holds n lines, result not null.
Status AddAppended(const Status& given, const ledger::AppendResult& appended, size_t n,
                   const uint64_t* lines, std::string_view source, ImportResult* result);

// Reads up to `batch_max` events into (*batch)[0..*n), their lines into
// *lines; *done at the end of the input. progress.on_progress is told
// done_before + the events read. Errors are located in `source`.
Status ReadBatch(EventReader* reader, std::string_view source, uint64_t batch_max,
                 uint64_t done_before, const ImportProgress& progress,
                 std::vector<events::Event>* batch, std::vector<uint64_t>* lines, size_t* n,
                 bool* done);

// The whole input of `reader` (named `path`) as one atomic append, parsed
// and appended part by part (Ledger::AppendFrom): ImportFile with
// options.batch_events 0. options.should_stop is asked as each part is
// handed to the append; true abandons the append (nothing written) and sets
// result->stopped. REQUIRES: options.batch_events == 0, result not null.
Status ImportWholeFile(ledger::Ledger* ledger, const std::string& path, EventReader* reader,
                       const ImportOptions& options, ImportResult* result);

}  // namespace ccl::app

// Helpers shared by the crash and fault tests: a temporary folder, the intent
// and acknowledgement logs of a writer, and the checks every reopened ledger
// must pass (every acknowledged event present, no batch partly present, seq
// gap-free, Verify OK, projections after catch-up equal to a rebuild).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "tests/testing/files.h"

namespace ccl::reliability {

using test_files::TempDir;

// Event ids as 16-byte strings, hashable.
std::string IdKey(const events::Uuid& id);
using IdSet = std::unordered_set<std::string>;
using IdSeqs = std::unordered_map<std::string, uint64_t>;  // id -> seq

// One appended batch as the writer recorded it: the ids of its events.
using BatchIds = std::vector<events::Uuid>;

// Log lines, one batch per line: "<tag> <uuid> <uuid> ...\n". Only complete
// lines count: a writer killed mid-write leaves at most a partial last line,
// which (for the intent log) means its Append never started and (for the ack
// log) that the ack was not recorded.
std::string FormatBatchLine(char tag, const BatchIds& ids);
// Reads every complete line of `path` (a missing file is empty). False when a
// complete line is malformed.
bool ReadBatchLog(const std::string& path, char tag, std::vector<BatchIds>* out);

struct LedgerCheck {
  uint64_t events = 0;  // head seq == events in the log
  IdSeqs ids;           // every event id present, with its seq
};

// Scans the log from seq 1: seq gap-free up to the head, every event decodes;
// runs Verify. Fills *out. Corruption (with the reason) otherwise.
Status CheckLedgerIntegrity(ledger::Ledger* ledger, LedgerCheck* out);

// Checks the batches a writer logged (in order) against the ledger:
//  - every id of every batch in `acked` is present (through GetByEventId),
//    and each acknowledged batch holds consecutive seqs in its order (one
//    Append, one contiguous run, whatever else was in its group commit);
//  - each Append was all or nothing: a batch in `intents` that is partly
//    present is allowed only when each present event was sent again by a
//    later intent (a writer killed before or during an Append re-sends its
//    unacknowledged events after restart, possibly in other batches);
//  - every present event was in some intent (nothing appeared that nobody
//    wrote).
// Corruption naming the first failure.
Status CheckBatches(ledger::Ledger* ledger, const LedgerCheck& check,
                    const std::vector<BatchIds>& intents, const std::vector<BatchIds>& acked);

// Runs the projections runner's CatchUp (from stored snapshots, saving new
// ones when `save`) and a Rebuild (from zero, not saved), and compares the
// state digests of every projection. Corruption naming the projection when
// they differ.
Status CheckProjections(ledger::Ledger* ledger, bool save);

}  // namespace ccl::reliability

// Helpers shared by the crash and fault tests: a temporary folder, the intent
// and acknowledgement logs of a writer, and the checks every reopened ledger
// must pass (every acknowledged event present, no batch partly present, seq
// gap-free, Verify OK, projections after catch-up equal to a rebuild).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "ledger/ledger.h"

namespace ccl::reliability {

// A fresh folder under $TMPDIR, removed with the object.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "ccl-reliability");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// Event ids as 16-byte strings, hashable.
std::string IdKey(const events::Uuid& id);
using IdSet = std::unordered_set<std::string>;

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
  IdSet ids;            // every event id present
};

// Scans the log from seq 1: seq gap-free up to the head, every event decodes;
// runs Verify. Fills *out. Corruption (with the reason) otherwise.
Status CheckLedgerIntegrity(ledger::Ledger* ledger, LedgerCheck* out);

// Every id of every batch in `acked` must be present, and looked up through
// GetByEventId. Each batch in `intents` must be all present or all absent;
// every present event must belong to some intent batch (nothing appeared
// that nobody wrote). RuleViolation-free message naming the first failure.
Status CheckBatches(ledger::Ledger* ledger, const LedgerCheck& check,
                    const std::vector<BatchIds>& intents, const std::vector<BatchIds>& acked);

// Runs the projections runner's CatchUp (from stored snapshots, saving new
// ones when `save`) and a Rebuild (from zero, not saved), and compares the
// state digests of every projection. Corruption naming the projection when
// they differ.
Status CheckProjections(ledger::Ledger* ledger, bool save);

}  // namespace ccl::reliability

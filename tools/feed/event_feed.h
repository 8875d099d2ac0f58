// The event feed: `ledgerctl export events` (a batch from a checkpoint) and
// `ledgerctl tail` (follow the ledger as a writer appends). Both write the
// events in seq order with their assigned fields and chain hash, as JSON
// Lines (the canonical JSON of events/model/json.h, one object per line) or CSV
// (events/model/csv.h's writer: every column, the chain hash last), and both recompute the chain
// hash of every event from the one before it, so what they deliver is proven to extend the
// consumer's checkpoint (tools/feed/FEED.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "events/model/csv.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "tools/feed/contract_currency.h"
#include "tools/feed/output.h"

namespace ccl::feed {

enum class EventFormat { kJsonLines, kCsv };
// "jsonl" | "csv"; InvalidArgument otherwise.
Status ParseEventFormat(std::string_view text, EventFormat* format);

// The CSV form of the feed's rows: the assigned fields and the chain hash
// last; the caller sets contract_currency per row.
events::CsvOutputOptions FeedCsvOptions();

// Encodes events of `ledger` in one format; keeps its buffers between events.
// Every event carrying money gets its contract's currency (a `currency` key
// or cell; ContractOpened has its own), looked up in `ledger`
// (tools/feed/contract_currency.h).
class EventEncoder {
 public:
  // `ledger` is not owned and must outlive the encoder.
  EventEncoder(EventFormat format, ledger::Ledger* ledger) : format_(format), currencies_(ledger) {}
  // The CSV header row; nothing for JSON Lines.
  void AppendHeader(std::string* out) const;
  // One line (JSON Lines) or row (CSV), "\n" included. `hash` is h_seq.
  // Errors: those of the currency lookup (Corruption, the ledger's reads).
  Status Append(const events::Event& e, const ledger::Hash& hash, std::string* out);

 private:
  EventFormat format_;
  ContractCurrencies currencies_;
};

struct EventExportOptions {
  EventFormat format = EventFormat::kJsonLines;
  // Feed file (tools/feed/checkpoint.h); empty: none. With one, the export
  // starts after the checkpoint's seq and advances it when the output is
  // committed. REQUIRES: after_seq == 0 when set.
  std::string checkpoint_path;
  // Without a checkpoint: export events with seq > after_seq (NotFound when
  // after_seq is past the head; at the head, nothing to export).
  uint64_t after_seq = 0;
  // At most this many events (0: up to the head).
  uint64_t limit = 0;

  // Called now and then with (events written, events to write).
  std::function<void(uint64_t, uint64_t)> on_progress;
  // Fault injection for tests. after_event(seq) runs after each event is
  // appended to the output; before_checkpoint after the output is committed
  // and before the checkpoint is replaced: a non-OK Status there stops the
  // export with that Status and the checkpoint untouched.
  std::function<void(uint64_t)> after_event;
  std::function<Status()> before_checkpoint;
};

struct EventExportResult {
  uint64_t events = 0;     // events written
  uint64_t first_seq = 0;  // 0 when none
  uint64_t last_seq = 0;   // the new checkpoint position (= start when none)
  uint64_t head_seq = 0;   // the ledger head seen by this run
  bool checkpoint_saved = false;
};

// Writes the events after the start point (the checkpoint, else after_seq)
// up to the head (or `limit` events) to `out` and commits it; then, with a
// checkpoint, saves it at the last event written. Errors:
// - NotFound: after_seq is past the head (nothing written);
// - Conflict: the checkpoint belongs to another ledger;
// - Corruption: the ledger no longer holds the checkpoint's events as they
//   were (rewritten, or restored from an older backup), a malformed
//   checkpoint, or a stored event failing its checks;
// - IOError: writing the output or the checkpoint failed.
// On any error the checkpoint is unchanged (the output may be partial: it was
// not acknowledged, so the next run writes those events again).
Status ExportEvents(ledger::Ledger* ledger, const EventExportOptions& options, FeedOutput* out,
                    EventExportResult* result);

struct TailOptions {
  EventFormat format = EventFormat::kJsonLines;
  // First seq to write; 0: the last `last_events` events before the head.
  uint64_t from_seq = 0;
  uint64_t last_events = 10;
  // Keep waiting for new events (Refresh() every poll_interval_ms).
  bool follow = false;
  int64_t poll_interval_ms = 200;
  // Stop after this many events (0: no limit).
  uint64_t limit = 0;
  // With follow: stop once nothing new arrived for this long (0: never).
  int64_t idle_timeout_ms = 0;
  // Polled between rounds and while sleeping; true stops the tail cleanly
  // (e.g. set by a SIGINT handler). May be empty.
  std::function<bool()> should_stop;
};

// Writes events to `out` from the start point, flushing after every round so
// a reader of a pipe sees each event as soon as it is read; with follow,
// keeps polling `ledger` (opened read-only while a writer holds the lock)
// for new events until should_stop, limit or idle timeout. *count is the
// number of events written. Errors: Corruption from the ledger's checks or
// a chain that does not link, IOError from the output or the ledger.
Status TailEvents(ledger::Ledger* ledger, const TailOptions& options, FeedOutput* out,
                  uint64_t* count);

}  // namespace ccl::feed

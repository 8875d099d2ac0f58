// Event feed: batch export from a checkpoint, and tail (tools/feed/event_feed.h).
#include "tools/feed/event_feed.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "events/base/quote.h"
#include "events/model/csv.h"
#include "events/model/json.h"
#include "ledger/store/range_iterator.h"
#include "tools/feed/checkpoint.h"

namespace ccl::feed {

namespace {

// Progress callbacks this often (events): cheap, and frequent enough for a
// bar that redraws ten times a second at a million events per second.
constexpr uint64_t kProgressEveryEvents = 4096;
// tail sleeps in slices this long, so a stop request is seen quickly.
constexpr int64_t kSleepSliceMs = 50;

std::string SeqText(uint64_t seq) { return "seq " + std::to_string(seq); }

// Reads events (after_seq, last_seq] from `ledger`, chaining their hashes
// from *hash (h_after_seq), and appends each encoded event to *buffer,
// handing the buffer to `out` when it grows. On return *hash is the hash of
// the last event read and *next the seq after it.
class ChainReader {
 public:
  ChainReader(ledger::Ledger* ledger, EventEncoder* encoder, FeedOutput* out)
      : ledger_(ledger), encoder_(encoder), out_(out) {}

  // Calls on_event(seq) after each event. Stops early (OK) after `max` events
  // when max > 0.
  Status Run(uint64_t next, uint64_t last_seq, ledger::Hash* hash, uint64_t* written,
             const std::function<void(uint64_t)>& on_event) {
    *written = 0;
    if (next > last_seq) return Drain();  // a CSV header may be waiting
    std::unique_ptr<ledger::EventIterator> it = ledger::NewRangeIterator(ledger_, next, last_seq);
    for (; it->Valid() && it->seq() <= last_seq; it->Next()) {
      if (it->seq() != next) {
        return Status::Corruption(SeqText(next) + ": missing (the ledger's next event is " +
                                  SeqText(it->seq()) + ")");
      }
      *hash = ledger::ChainHash(*hash, next, it->bytes());
      CCL_RETURN_IF_ERROR(encoder_->Append(it->event(), *hash, &buffer_));
      if (buffer_.size() >= (1u << 16)) CCL_RETURN_IF_ERROR(Drain());
      ++*written;
      if (on_event) on_event(next);
      ++next;
    }
    CCL_RETURN_IF_ERROR(it->status());
    CCL_RETURN_IF_ERROR(Drain());
    if (next <= last_seq) {
      return Status::Corruption(SeqText(next) + ": missing (the ledger's head is " +
                                SeqText(last_seq) + ")");
    }
    return Status::OK();
  }

  Status Drain() {
    Status s = out_->Append(buffer_);
    buffer_.clear();
    return s;
  }

  std::string* buffer() { return &buffer_; }

 private:
  ledger::Ledger* ledger_;
  EventEncoder* encoder_;
  FeedOutput* out_;
  std::string buffer_;
};

// The stored hash of `seq` must equal the one recomputed through the chain:
// the events just delivered are exactly the stored ones.
Status CheckChainEnd(ledger::Ledger* ledger, uint64_t seq, const ledger::Hash& computed) {
  ledger::Hash stored;
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(seq, &stored));
  if (stored != computed) {
    return Status::Corruption(SeqText(seq) +
                              ": the chain hash recomputed from the events differs from the "
                              "stored one (run `ledgerctl verify`)");
  }
  return Status::OK();
}

}  // namespace

Status ParseEventFormat(std::string_view text, EventFormat* format) {
  if (text == "jsonl") {
    *format = EventFormat::kJsonLines;
  } else if (text == "csv") {
    *format = EventFormat::kCsv;
  } else {
    return Status::InvalidArgument("format must be jsonl or csv, got " +
                                   events::QuoteForMessage(text));
  }
  return Status::OK();
}

events::CsvOutputOptions FeedCsvOptions() {
  events::CsvOutputOptions o;
  o.assigned_fields = true;
  o.hash_column = true;
  return o;
}

void EventEncoder::AppendHeader(std::string* out) const {
  if (format_ == EventFormat::kCsv) events::AppendCsvHeader(FeedCsvOptions(), out);
}

Status EventEncoder::Append(const events::Event& e, const ledger::Hash& hash, std::string* out) {
  std::string_view currency;
  CCL_RETURN_IF_ERROR(currencies_.CurrencyFor(e, &currency));
  if (format_ == EventFormat::kCsv) {
    events::CsvOutputOptions options = FeedCsvOptions();
    options.contract_currency = currency;
    events::AppendEventCsv(e, options, hash.data(), out);
    return Status::OK();
  }
  events::JsonOutputOptions options;
  options.assigned_fields = true;
  options.hash = hash.data();
  options.contract_currency = currency;
  events::AppendEventJson(e, options, out);
  out->push_back('\n');
  return Status::OK();
}

Status ExportEvents(ledger::Ledger* ledger, const EventExportOptions& options, FeedOutput* out,
                    EventExportResult* result) {
  *result = EventExportResult();
  const ledger::Head head = ledger->head();
  result->head_seq = head.seq;

  // Where this run starts: right after what the consumer acknowledged.
  FeedCheckpoint start;
  start.ledger_id = ledger->ledger_id();
  bool have_checkpoint_file = false;
  if (!options.checkpoint_path.empty()) {
    if (options.after_seq != 0) {
      return Status::InvalidArgument("--after and --checkpoint exclude each other");
    }
    const std::string what = "checkpoint " + options.checkpoint_path;
    CCL_RETURN_IF_ERROR(LoadCheckpoint(options.checkpoint_path, &start, &have_checkpoint_file));
    if (have_checkpoint_file) {
      CCL_RETURN_IF_ERROR(CheckCheckpointAgainst(ledger, start, what));
    } else {
      start.seq = 0;
      start.hash = ledger::GenesisHash(ledger->ledger_id());
    }
  } else {
    // A start past the head names an event the ledger does not have: not an
    // empty export (which means "up to date"), but not found.
    if (options.after_seq > head.seq) {
      return Status::NotFound("no events after seq " + std::to_string(options.after_seq) +
                              ": the ledger's head is seq " + std::to_string(head.seq));
    }
    start.seq = options.after_seq;
    CCL_RETURN_IF_ERROR(ledger->GetChainHash(start.seq, &start.hash));
  }

  uint64_t last = head.seq;
  if (options.limit > 0 && last - start.seq > options.limit) last = start.seq + options.limit;
  const uint64_t total = last - start.seq;

  EventEncoder encoder(options.format, ledger);
  ChainReader reader(ledger, &encoder, out);
  encoder.AppendHeader(reader.buffer());
  ledger::Hash hash = start.hash;
  uint64_t written = 0;
  uint64_t done = 0;
  auto on_event = [&](uint64_t seq) {
    ++done;
    if (options.after_event) options.after_event(seq);
    if (options.on_progress && done % kProgressEveryEvents == 0) options.on_progress(done, total);
  };
  CCL_RETURN_IF_ERROR(reader.Run(start.seq + 1, last, &hash, &written, on_event));
  if (written > 0) CCL_RETURN_IF_ERROR(CheckChainEnd(ledger, last, hash));
  if (options.on_progress) options.on_progress(written, total);

  // The output is complete and durable (or handed to its reader) before the
  // consumer's place moves: a crash before this line re-delivers, never skips.
  CCL_RETURN_IF_ERROR(out->Commit());
  result->events = written;
  result->first_seq = written > 0 ? start.seq + 1 : 0;
  result->last_seq = last;

  if (options.checkpoint_path.empty()) return Status::OK();
  if (written == 0 && have_checkpoint_file) return Status::OK();  // nothing moved
  if (options.before_checkpoint) CCL_RETURN_IF_ERROR(options.before_checkpoint());
  FeedCheckpoint next = start;
  next.seq = last;
  next.hash = hash;
  CCL_RETURN_IF_ERROR(SaveCheckpoint(options.checkpoint_path, next));
  result->checkpoint_saved = true;
  return Status::OK();
}

Status TailEvents(ledger::Ledger* ledger, const TailOptions& options, FeedOutput* out,
                  uint64_t* count) {
  *count = 0;
  auto stop = [&] { return options.should_stop && options.should_stop(); };
  const int64_t poll_ms = std::clamp<int64_t>(options.poll_interval_ms, 10, 60'000);
  // Sleeps one poll interval (in slices, to notice a stop) and catches up
  // with the writer. Returns false when asked to stop.
  auto wait_and_refresh = [&](Status* s) {
    for (int64_t slept = 0; slept < poll_ms; slept += kSleepSliceMs) {
      if (stop()) return false;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min(kSleepSliceMs, poll_ms - slept)));
    }
    *s = ledger->Refresh();
    return s->ok();
  };
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };

  uint64_t next = options.from_seq;
  if (next == 0) {
    const uint64_t head = ledger->head().seq;
    next = head > options.last_events ? head - options.last_events + 1 : 1;
  }
  EventEncoder encoder(options.format, ledger);
  ChainReader reader(ledger, &encoder, out);
  encoder.AppendHeader(reader.buffer());
  CCL_RETURN_IF_ERROR(reader.Drain());
  CCL_RETURN_IF_ERROR(out->Flush());

  // The hash before the first event: the start may lie beyond the head, in
  // which case (following) we wait for the writer to get there.
  ledger::Hash hash;
  int64_t last_news_ms = now_ms();
  while (ledger->head().seq < next - 1) {
    if (!options.follow) return Status::OK();
    if (options.idle_timeout_ms > 0 && now_ms() - last_news_ms >= options.idle_timeout_ms) {
      return Status::OK();
    }
    Status s;
    if (!wait_and_refresh(&s)) return s;
  }
  CCL_RETURN_IF_ERROR(ledger->GetChainHash(next - 1, &hash));

  for (;;) {
    uint64_t last = ledger->head().seq;
    if (options.limit > 0) last = std::min(last, next - 1 + (options.limit - *count));
    uint64_t written = 0;
    CCL_RETURN_IF_ERROR(reader.Run(next, last, &hash, &written, nullptr));
    CCL_RETURN_IF_ERROR(out->Flush());
    next += written;
    *count += written;
    if (written > 0) last_news_ms = now_ms();
    if (options.limit > 0 && *count >= options.limit) return Status::OK();
    if (!options.follow || stop()) return Status::OK();
    if (options.idle_timeout_ms > 0 && now_ms() - last_news_ms >= options.idle_timeout_ms) {
      return Status::OK();
    }
    Status s;
    if (!wait_and_refresh(&s)) return s;
  }
}

}  // namespace ccl::feed

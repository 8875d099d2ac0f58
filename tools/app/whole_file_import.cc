// The whole-input import: one atomic append of a whole file, parsed on a
// second thread while the ledger appends (tools/app/import_internal.h).
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tools/app/import_internal.h"

namespace ccl::app {
namespace {

using events::Event;

// The parts of a whole input appended as one (Ledger::AppendFrom): a thread
// parses ahead of the append, kPartEvents events a part, at most
// kPartsAhead parts ahead, so that parsing and appending share the cores and
// only those parts of parsed events are in memory. Progress, check_batch and
// the events_max limit are applied as parts are handed over, on the
// appending thread, after options.should_stop: a stop abandons the append.
class PartSource final : public ledger::EventSource {
 public:
  static constexpr size_t kPartEvents = 16384;
  static constexpr size_t kPartsAhead = 2;

  PartSource(EventReader* reader, std::string_view source, const ImportOptions& options)
      : reader_(reader), source_(source), options_(options) {
    for (size_t i = 0; i < kPartsAhead + 1; ++i) free_.push_back(std::make_unique<Part>());
    thread_ = std::thread([this] { Produce(); });
  }
  ~PartSource() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Status Next(std::span<const Event>* part) override {
    failure_ = Take(part);
    return failure_;
  }
  // The lines of the events handed over, in input order.
  const std::vector<uint64_t>& lines() const { return lines_; }
  uint64_t events() const { return events_; }
  // The error the last Next returned (the append returns it as it is).
  const Status& failure() const { return failure_; }
  // True when options.should_stop abandoned the append (failure() says so).
  bool stopped() const { return stopped_; }

 private:
  struct Part {
    std::vector<Event> events;  // reused from part to part, capacity included
    std::vector<uint64_t> lines;
    size_t n = 0;
    Status status;  // a read or parse error: the input ends there
  };

  Status Take(std::span<const Event>* part) {
    std::unique_lock<std::mutex> lock(mu_);
    if (current_) free_.push_back(std::move(current_));
    cv_.notify_all();
    cv_.wait(lock, [&] { return !ready_.empty(); });
    current_ = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    *part = {};
    if (options_.should_stop && options_.should_stop()) {
      stopped_ = true;
      return Status::Busy("import stopped before its end; nothing of it was written");
    }
    if (!current_->status.ok()) return current_->status;
    const size_t n = current_->n;
    if (events_ + n > EventsMax(options_)) return TooManyEvents(source_, EventsMax(options_));
    const std::span<const Event> events(current_->events.data(), n);
    const std::span<const uint64_t> lines(current_->lines.data(), n);
    if (options_.check_batch && n != 0) CCL_RETURN_IF_ERROR(options_.check_batch(events, lines));
    lines_.insert(lines_.end(), lines.begin(), lines.end());
    events_ += n;
    if (options_.progress.on_progress && n != 0) options_.progress.on_progress(events_);
    *part = events;
    return Status::OK();
  }

  // Fills free parts until the input ends or fails (an empty part, or one
  // with its error, is the last), or until stopped.
  void Produce() {
    for (bool done = false; !done;) {
      std::unique_ptr<Part> p;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !free_.empty(); });
        if (stop_) return;
        p = std::move(free_.front());
        free_.pop_front();
      }
      p->status = ReadBatch(reader_, source_, kPartEvents, 0, ImportProgress{}, &p->events,
                            &p->lines, &p->n, &done);
      done = done || !p->status.ok();
      if (done && p->n != 0 && p->status.ok()) {
        Push(std::move(p));
        p = std::make_unique<Part>();  // the end
      }
      Push(std::move(p));
    }
  }
  void Push(std::unique_ptr<Part> p) {
    {
      std::lock_guard<std::mutex> l(mu_);
      ready_.push_back(std::move(p));
    }
    cv_.notify_all();
  }

  EventReader* const reader_;
  const std::string_view source_;
  const ImportOptions& options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Part>> free_;   // guarded by mu_
  std::deque<std::unique_ptr<Part>> ready_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::unique_ptr<Part> current_;            // handed over by the last Next
  std::vector<uint64_t> lines_;
  uint64_t events_ = 0;
  Status failure_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace

// One atomic append of a whole file, parsed and appended part by part
// (PartSource): the ledger holds only what the rules and indexes need of the
// parts before.
Status ImportWholeFile(ledger::Ledger* ledger, const std::string& path, EventReader* reader,
                       const ImportOptions& options, ImportResult* result) {
  const auto read_start = std::chrono::steady_clock::now();
  if (options.progress.on_phase) options.progress.on_phase(path, "appending", 0);
  ledger::AppendResult appended;
  Status s;
  uint64_t n = 0;
  {
    PartSource parts(reader, path, options);
    s = ledger->AppendFrom(&parts, options.append, &appended);
    if (parts.stopped()) {
      result->stopped = true;
      return Status::OK();
    }
    if (!parts.failure().ok()) return parts.failure();  // located already
    n = parts.events();
    if (s.ok() && n == 0) return NoEvents(path);
    s = AddAppended(s, appended, n, parts.lines().data(), path, result);
  }
  CCL_RETURN_IF_ERROR(s);
  result->head = ledger->head();
  using Seconds = std::chrono::duration<double>;
  spdlog::info("{}: {} events read and appended in {:.3f} s", path, n,
               Seconds(std::chrono::steady_clock::now() - read_start).count());
  return Status::OK();
}

}  // namespace ccl::app

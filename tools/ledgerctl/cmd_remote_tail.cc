// The remote variant of tail: the events from --from (or the last -n) up to
// the server's head as it was when asked, read page by page as `log` reads
// them (GET /v1/events); with --follow, the server's feed (GET /v1/feed) from
// there on. Both carry one `log --json` line per event, printed as the local
// command prints the ledger's events: the lines as sent, or CSV rows written
// by the feed's CSV writer from the event each line carries (its assigned
// fields, the chain hash and the contract's currency beside every amount, as
// sent). A principal with a scope gets the events of its scope among them.
// --idle-timeout ends a follow that heard of no new event for that long, as
// locally, and a follow ends when the reader of its pipe does.
#include <signal.h>
#include <stdio_ext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include "events/base/limits.h"
#include "tools/feed/event_feed.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/ledgerctl/remote.h"
#include "tools/sink/feed_event.h"

namespace ccl::tools {
namespace {

struct RemoteTailOptions {
  bool csv = false;
  uint64_t from = 0;  // 0: the last `lines` events
  uint64_t lines = 10;
  bool follow = false;
  uint64_t limit = 0;           // 0: no limit
  int64_t idle_timeout_ms = 0;  // with follow; 0: never
};

// The options as the local command checks them (same usage errors); exit code.
int ParseRemoteTail(const po::variables_map& vm, RemoteTailOptions* o) {
  const std::string format = vm["format"].as<std::string>();
  if (format != "jsonl" && format != "csv") {
    return RemoteUsage("tail", "option '--format': jsonl or csv", /*see_help=*/true);
  }
  o->csv = format == "csv";
  if (vm.count("from")) {
    o->from = vm["from"].as<uint64_t>();
    if (o->from == 0)
      return RemoteUsage("tail", "option '--from': seqs start at 1", /*see_help=*/true);
    if (!vm["lines"].defaulted()) {
      return RemoteUsage("tail", "--from and -n exclude each other (each says where to start)",
                         /*see_help=*/true);
    }
  }
  const int64_t poll_ms = vm["poll-ms"].as<int64_t>();
  if (poll_ms < 10 || poll_ms > 60'000) {
    return RemoteUsage("tail", "option '--poll-ms': must be 10..60000", /*see_help=*/true);
  }
  o->lines = vm["lines"].as<uint64_t>();
  o->follow = vm["follow"].as<bool>();
  o->limit = vm.count("limit") ? vm["limit"].as<uint64_t>() : 0;
  if (vm.count("limit") && o->limit == 0) {
    return RemoteUsage("tail", "option '--limit': at least 1 (leave it out for no limit)",
                       /*see_help=*/true);
  }
  if (vm.count("idle-timeout")) {
    // RunCommand bounds it (kTailIdleTimeoutSecondsMax), so the product fits.
    const uint64_t seconds = vm["idle-timeout"].as<uint64_t>();
    assert(seconds <= limits::kTailIdleTimeoutSecondsMax);
    o->idle_timeout_ms = static_cast<int64_t>(seconds) * 1000;
  }
  return kExitOk;
}

// Ends a followed stream's read from another thread (Client::Cancel): once
// no event was noted for `idle_ms` (0: never; fired() then says so), once
// stdout's reader is gone, or once Ctrl-C or SIGTERM came (reader_gone(),
// stopped()). A quiet stream waits in its read, and only a write would learn
// that `| head` has exited, so the pipe and the signals' flag are polled every
// kReaderPollMs.
class FollowWatch {
 public:
  FollowWatch(client::Client* c, bool follow, int64_t idle_ms) : client_(c), idle_ms_(idle_ms) {
    if (!follow) return;
    stop_requested_ = StopOnInterruptOrTerm();
    thread_ = std::thread([this] { Watch(); });
  }
  ~FollowWatch() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void Noted() {
    std::lock_guard<std::mutex> lock(mu_);
    last_ = std::chrono::steady_clock::now();
  }
  bool fired() const { return fired_.load(); }
  bool reader_gone() const { return reader_gone_.load(); }
  bool stopped() const { return stopped_.load(); }

 private:
  static constexpr std::chrono::milliseconds kReaderPollMs{200};

  void Watch() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      auto next = std::chrono::steady_clock::now() + kReaderPollMs;
      if (idle_ms_ > 0) next = std::min(next, last_ + std::chrono::milliseconds(idle_ms_));
      if (wake_.wait_until(lock, next, [&] { return done_; })) return;
      if (PipeReaderGone(STDOUT_FILENO)) {
        reader_gone_.store(true);
        client_->Cancel();
        return;
      }
      if (stop_requested_()) {
        stopped_.store(true);
        client_->Cancel();
        return;
      }
      if (idle_ms_ > 0 &&
          std::chrono::steady_clock::now() >= last_ + std::chrono::milliseconds(idle_ms_)) {
        fired_.store(true);
        client_->Cancel();
        return;
      }
    }
  }

  client::Client* client_;
  const int64_t idle_ms_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::atomic<bool> reader_gone_{false};
  std::atomic<bool> stopped_{false};
  std::function<bool()> stop_requested_;
  std::thread thread_;
};

// One feed event as the local tail prints it, appended to *out.
Status AppendTailEvent(const client::Client& c, bool csv, std::string_view line,
                       sink::FeedEventReader* reader, std::string* out) {
  if (!csv) {
    out->append(line);
    out->push_back('\n');
    return Status::OK();
  }
  sink::FeedEvent e;
  Status s = reader->ReadUnchained(line, &e);
  if (!s.ok()) return Status::IOError(c.server() + ": an event the server sent: " + s.message());
  const std::string currency = JsonString(line, "currency");
  events::CsvOutputOptions options = feed::FeedCsvOptions();
  options.contract_currency = currency;
  events::AppendEventCsv(e.event, options, e.hash.data(), out);
  return Status::OK();
}

// Without --follow: the events of from..head, read as `log` reads them (the
// server answers at most its row limit per request: page on from the last
// seq seen until a page is empty or passes the head). Not the feed, which
// is endless: it shows a scoped principal none of the events outside its
// scope, so an end at the head's seq would never come when the head is one
// of those. Events appended since the head was read are not shown.
Status PrintWindow(client::Client* c, const RemoteTailOptions& o, uint64_t from, uint64_t head) {
  sink::FeedEventReader reader;
  std::string out;
  uint64_t after = from - 1, count = 0;
  for (bool more = true; more;) {
    more = false;
    QueryString q;
    q.Add("after", std::to_string(after));
    const Status s = c->GetLines("/v1/events" + q.str(), [&](std::string_view line) -> Status {
      uint64_t seq = 0;
      CCL_RETURN_IF_ERROR(JsonUnsigned(*c, line, "seq", &seq));
      if (seq > head || (o.limit > 0 && count == o.limit)) return Status::OK();  // the page's rest
      CCL_RETURN_IF_ERROR(AppendTailEvent(*c, o.csv, line, &reader, &out));
      after = seq;
      more = true;
      ++count;
      FlushOver(&out, 1 << 20);
      return Status::OK();
    });
    if (!s.ok()) {
      // As `log`: the events read before a failure are printed.
      std::fwrite(out.data(), 1, out.size(), stdout);
      return s;
    }
    if (after >= head || (o.limit > 0 && count == o.limit)) break;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return Status::OK();
}

}  // namespace

int RemoteTail(const po::variables_map& vm, const GlobalOptions& g) {
  RemoteTailOptions o;
  if (int rc = ParseRemoteTail(vm, &o); rc != kExitOk) return rc;
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "tail", &c); rc != kExitOk) return rc;
  client::Response ready;
  uint64_t head = 0;
  Status s = c->Get("/readyz", limits::kClientWholeBodyBytesMax, &ready);
  if (s.ok()) s = JsonUnsigned(*c, ready.body, "head_seq", &head);
  if (!s.ok()) return Fail(s);
  uint64_t from = o.from;
  if (from == 0) from = head > o.lines ? head - o.lines + 1 : 1;
  std::string out;
  if (o.csv) events::AppendCsvHeader(feed::FeedCsvOptions(), &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!o.follow && from > head) return kExitOk;
  if (!o.follow) {
    s = PrintWindow(c.get(), o, from, head);
    return s.ok() ? kExitOk : Fail(s);
  }

  // Every event is flushed as it comes. A follow ends cleanly (exit 0) on
  // Ctrl-C or SIGTERM (FollowWatch), and when stdout's reader is gone: a
  // write into the closed pipe fails with EPIPE rather than ending the
  // process by SIGPIPE.
  if (o.follow) ::signal(SIGPIPE, SIG_IGN);
  sink::FeedEventReader reader;
  FollowWatch watch(c.get(), o.follow, o.idle_timeout_ms);
  uint64_t count = 0;
  bool finished = false;  // the callback's own stop, not a failure
  int output_errno = 0;   // a write to stdout failed (EPIPE: nobody reads it)
  s = c->GetEvents("/v1/feed?after=" + std::to_string(from - 1), "",
                   [&](const client::SseEvent& e) -> Status {
                     watch.Noted();
                     out.clear();
                     CCL_RETURN_IF_ERROR(AppendTailEvent(*c, o.csv, e.data, &reader, &out));
                     std::fwrite(out.data(), 1, out.size(), stdout);
                     ++count;
                     uint64_t seq = 0;
                     CCL_RETURN_IF_ERROR(JsonUnsigned(*c, e.data, "seq", &seq));
                     finished = (o.limit > 0 && count >= o.limit) || (!o.follow && seq >= head);
                     if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
                       output_errno = errno != 0 ? errno : EIO;
                     }
                     if (!finished && output_errno == 0) return Status::OK();
                     return Status::Busy("tail: done");  // ends the stream; never printed
                   });
  // The reader gone, nothing more can be shown: done, as the local tail.
  if (output_errno == EPIPE) {
    // Nobody will read what stdout still holds: dropped, and the stream's
    // error flag with it, so that the end of main does not report it.
    __fpurge(stdout);
    std::clearerr(stdout);
    return kExitOk;
  }
  if (output_errno != 0)
    return Fail(Status::IOError("stdout: " + std::string(std::strerror(output_errno))));
  if (finished || watch.fired() || watch.reader_gone() || watch.stopped()) return kExitOk;
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

}  // namespace ccl::tools

// GET /v1/feed: Server-Sent Events, one per ledger event (`id:` its seq,
// `data:` its `log --json` line), from `after` or the Last-Event-ID header,
// heartbeat comments while nothing happens. A subscriber holds at most one
// chunk (limits::kServerFeedChunkBytesMax) read from the ledger and not yet
// written; a client that does not take a chunk within limits.feed_write_ms is
// disconnected, so a slow consumer never grows the server's memory; so is one
// whose host vanished, once the data sent to it stays unacknowledged that
// long (socket_options.h).
#include <cassert>
#include <deque>
#include <memory>
#include <mutex>

#include "events/base/display.h"
#include "events/base/limits.h"
#include "events/model/json.h"
#include "tools/access/auth.h"
#include "tools/access/scope.h"
#include "tools/feed/contract_currency.h"
#include "tools/server/server_impl.h"
#include "tools/server/socket_options.h"

namespace ccl::ledgerd {
namespace {

constexpr std::string_view kFeedHeader =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-store\r\n"
    "Connection: close\r\n"
    "\r\n";
constexpr std::string_view kHeartbeat = ": heartbeat\n\n";

// Up to one chunk of the in-scope events from `next_seq` on, looking at no
// more than limits::kServerFeedChunkEventsScannedMax events; *next_seq moves
// past every event looked at, shown or not.
Status ReadChunk(ledger::Ledger* ledger, const Scope& scope, uint64_t* next_seq, std::string* out) {
  std::unique_ptr<ledger::EventIterator> it = ledger->NewIterator(*next_seq);
  events::JsonOutputOptions options;
  feed::ContractCurrencies currencies(ledger);  // every amount with its currency
  ScopeCheck check(scope, ledger);
  ledger::Hash hash;
  for (size_t scanned = 0; it->Valid() && out->size() < limits::kServerFeedChunkBytesMax &&
                           scanned < limits::kServerFeedChunkEventsScannedMax;
       it->Next(), ++scanned) {
    bool in_scope = true;
    CCL_RETURN_IF_ERROR(check.EventInScope(it->event(), &in_scope));
    if (!in_scope) {
      *next_seq = it->seq() + 1;
      continue;
    }
    CCL_RETURN_IF_ERROR(it->chain_hash(&hash));
    options.hash = hash.data();
    CCL_RETURN_IF_ERROR(currencies.CurrencyFor(it->event(), &options.contract_currency));
    *out += "id: " + std::to_string(it->seq()) + "\ndata: ";
    events::AppendEventJson(it->event(), options, out);
    *out += "\n\n";
    *next_seq = it->seq() + 1;
  }
  return it->status();
}

// The chunks read most recently, by their first seq: subscribers at the same
// place (a dashboard's 16 tabs reading from seq 0, every subscriber waiting
// at the head) share one read, decode and formatting of each chunk instead of
// each making its own. A chunk holds stored events, which never change, so it
// stays true; one read near the head may hold fewer events than a later read
// would, and its readers simply ask for the next chunk sooner. Bounded:
// kChunksCachedMax chunks of at most limits::kServerFeedChunkBytesMax.
class ChunkCache {
 public:
  struct Chunk {
    std::shared_ptr<const std::string> text;
    uint64_t next_seq = 0;
  };

  // The chunk of `ledger` from `seq` on, read (ReadChunk) unless cached. An
  // empty chunk (nothing after `seq` yet) is never cached.
  Status Get(ledger::Ledger* ledger, uint64_t seq, Chunk* out) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const Entry& e : entries_) {
        if (e.ledger == ledger && e.ledger_id == ledger->ledger_id() && e.seq == seq) {
          *out = e.chunk;
          return Status::OK();
        }
      }
    }
    auto text = std::make_shared<std::string>();
    out->next_seq = seq;
    CCL_RETURN_IF_ERROR(ReadChunk(ledger, Scope{}, &out->next_seq, text.get()));
    out->text = std::move(text);
    if (out->text->empty()) return Status::OK();
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() == kChunksCachedMax) entries_.pop_front();
    entries_.push_back(Entry{ledger, ledger->ledger_id(), seq, *out});
    return Status::OK();
  }

 private:
  static constexpr size_t kChunksCachedMax = 32;
  struct Entry {
    const ledger::Ledger* ledger;  // with its id: another ledger at the same address is not it
    events::Uuid ledger_id;
    uint64_t seq;
    Chunk chunk;
  };
  std::mutex mu_;
  std::deque<Entry> entries_;  // oldest first
};

ChunkCache& Chunks() {
  static ChunkCache* cache = new ChunkCache();  // never destroyed: workers may outlive main
  return *cache;
}

}  // namespace

void Session::StartFeed(const Query& query) {
  uint64_t after = 0;
  if (auto e = query.Number("after", 0, UINT64_MAX - 1, &after))
    return Send(Reply::Error(*e), false);
  const auto last_id = parser_->get()["Last-Event-ID"];
  const bool resumed = !last_id.empty();
  if (resumed) {
    // A reconnecting EventSource resumes after the last event it received.
    if (!ParseDecimal(std::string_view(last_id.data(), last_id.size()), &after) ||
        after == UINT64_MAX) {
      ApiError e = HttpError(400, "invalid_argument", "Last-Event-ID must be a seq");
      e.field = "Last-Event-ID";
      return Send(Reply::Error(e), false);
    }
  }
  if (!server_->AddSubscriber(shared_from_this())) {
    return Send(Reply::Error(HttpError(
                    503, "limit_exceeded",
                    "the feed has " + std::to_string(server_->options().limits.feed_subscribers) +
                        " subscribers already (limit feed subscribers)")),
                false);
  }
  feed_counted_ = true;
  state_ = State::kFeed;
  // A subscriber whose host vanished (no FIN, no reset) takes the heartbeats
  // into its socket's buffer, and would keep its slot while the kernel
  // retransmits for many minutes: data unacknowledged past the write limit
  // ends the connection, and the next write then ends the subscription.
  const Status so = EndWhenDataUnacknowledged(stream_.next_layer().socket().native_handle(),
                                              server_->options().limits.feed_write_ms);
  if (!so.ok()) server_->Log(spdlog::level::warn, "feed of " + peer_ip_ + ": " + so.message());
  feed_next_seq_ = after + 1;
  LogRequest(200, 0);
  if (server_->service().access_log == nullptr) {
    return FeedWrite(std::string(kFeedHeader), feed_next_seq_);
  }
  // The subscription is recorded before its first byte; the events it
  // streams are not counted.
  ledger::AccessRecord record = RequestAccessRecord(Facts());
  record.status = 200;
  // Where it starts, whichever way the client named it.
  if (resumed) SetAccessParam("after", std::to_string(after), &record);
  RecordThen(std::move(record), [self = shared_from_this()](const Status& s) {
    if (!s.ok()) return self->FeedEnd("the access log could not record it");
    self->FeedWrite(std::string(kFeedHeader), self->feed_next_seq_);
  });
}

void Session::FeedFill() {
  if (state_ != State::kFeed) return;
  if (server_->draining()) return FeedEnd("the server is shutting down");
  // Nothing more is sent under rules a reload replaced: a subscriber whose
  // principal lost its token or role is closed, one whose scope changed
  // reads in its new scope.
  if (!FeedReauthorize()) return;
  if (!context_.scope().everything) {
    // A scoped subscriber's chunks are its own: the shared ones hold every
    // event. The worker reads with the scope in force now (`rules` holds
    // it); context_ is the strand's.
    net::post(server_->workers(), [self = shared_from_this(), next = feed_next_seq_,
                                   rules = context_.rules, scope = &context_.scope()]() mutable {
      std::string chunk;
      Status s = ReadChunk(self->server_->service().ledger, *scope, &next, &chunk);
      rules.reset();
      net::post(self->stream_.get_executor(), [self, s, next, chunk = std::move(chunk)]() mutable {
        if (!s.ok()) return self->FeedEnd(("reading the ledger: " + s.message()).c_str());
        // Read under rules a reload has replaced since: read again under the new ones.
        if (!self->FeedRulesCurrent()) return self->FeedFill();
        if (chunk.empty()) {
          self->feed_next_seq_ = next;  // past the events out of scope
          return self->FeedWait();
        }
        self->FeedWrite(std::move(chunk), next);
      });
    });
    return;
  }
  net::post(server_->workers(), [self = shared_from_this(), seq = feed_next_seq_]() {
    ChunkCache::Chunk chunk;
    Status s = Chunks().Get(self->server_->service().ledger, seq, &chunk);
    net::post(self->stream_.get_executor(), [self, s, chunk = std::move(chunk)]() mutable {
      if (!s.ok()) return self->FeedEnd(("reading the ledger: " + s.message()).c_str());
      if (!self->FeedRulesCurrent()) return self->FeedFill();  // perhaps scoped now
      if (chunk.text->empty()) return self->FeedWait();
      // A copy per subscriber (a memcpy of at most one chunk): the formatting
      // it shares is what costs.
      self->FeedWrite(*chunk.text, chunk.next_seq);
    });
  });
}

void Session::FeedWrite(std::string chunk, uint64_t next_seq) {
  if (state_ != State::kFeed) return;
  auto data = std::make_shared<std::string>(std::move(chunk));
  stream_.next_layer().expires_after(
      std::chrono::milliseconds(server_->options().limits.feed_write_ms));
  net::async_write(stream_, net::buffer(*data),
                   [self = shared_from_this(), data, next_seq](beast::error_code ec, size_t) {
                     if (ec == beast::error::timeout) {
                       self->server_->metrics().SlowSubscriberClosed();
                       return self->FeedEnd("a slow subscriber: a chunk not taken in time");
                     }
                     if (ec) return self->FeedEnd("the client went away");
                     self->feed_next_seq_ = next_seq;
                     self->FeedFill();
                   });
}

void Session::FeedWait() {
  if (state_ != State::kFeed) return;
  // An append may have come between the read and now; WakeFeed only
  // cancels a wait that has begun.
  if (server_->service().ledger->head().seq >= feed_next_seq_) return FeedFill();
  feed_timer_.expires_after(std::chrono::milliseconds(server_->options().limits.feed_heartbeat_ms));
  feed_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (self->state_ != State::kFeed) return;
    if (ec) return self->FeedFill();  // woken: new events, or a reload
    if (!self->FeedReauthorize()) return;
    self->FeedWrite(std::string(kHeartbeat), self->feed_next_seq_);
  });
}

void Session::WakeFeed() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->state_ == State::kFeed) self->feed_timer_.cancel();
  });
}

bool Session::FeedRulesCurrent() const { return server_->policy().Rules() == context_.rules; }

bool Session::FeedReauthorize() {
  assert(state_ == State::kFeed);
  if (FeedRulesCurrent()) return true;
  const auto authorization = parser_->get()[http::field::authorization];
  RequestContext now;
  std::optional<ApiError> refusal;
  if (auto failure =
          Reauthenticate(context_, std::string_view(authorization.data(), authorization.size()),
                         server_->policy(), &now)) {
    refusal = failure->error;
  } else {
    refusal = Authorize(now, route_->roles,
                        std::string(route_->method) + " " + std::string(route_->pattern));
  }
  if (!refusal) {
    context_ = std::move(now);
    return true;
  }
  // Told why, as an event an EventSource can listen for (`closed`), with
  // the body the same request would now get; then closed, whether or not
  // the client takes it in time.
  auto last = std::make_shared<std::string>("event: closed\ndata: " + refusal->ToJson() + "\n\n");
  stream_.next_layer().expires_after(
      std::chrono::milliseconds(server_->options().limits.feed_write_ms));
  net::async_write(stream_, net::buffer(*last),
                   [self = shared_from_this(), last](beast::error_code, size_t) {
                     self->FeedEnd("the policy or tokens reloaded no longer grant it the feed");
                   });
  return false;
}

void Session::FeedEnd(const char* why) {
  if (state_ != State::kFeed) return;
  server_->Log(spdlog::level::info,
               "feed of " + events::LineField(context_.principal) + " at " + peer_ip_ +
                   " ended before seq " + std::to_string(feed_next_seq_) + ": " + why,
               "\"peer\":" + JsonQuoted(peer_ip_) + ",\"event\":\"feed_end\",\"next_seq\":" +
                   std::to_string(feed_next_seq_) + ",\"why\":" + JsonQuoted(why));
  Close();
}

}  // namespace ccl::ledgerd

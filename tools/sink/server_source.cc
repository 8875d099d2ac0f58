// The sink's events read from a ledgerd server's feed (tools/sink/server_source.h).
#include "tools/sink/server_source.h"

#include <cassert>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "events/base/limits.h"
#include "events/base/quote.h"
#include "events/model/fields.h"
#include "events/model/uuid.h"
#include "ledger/merkle/digest.h"
#include "projections/folds/target_cache.h"
#include "tools/sink/feed_event.h"

namespace ccl::sink {

namespace {

// What the feed's reading thread and the sink share (under mu).
struct FeedQueue {
  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::string> lines;  // event data not taken yet
  uint64_t last_seq = 0;          // the seq of the last line queued
  uint64_t stop_after = UINT64_MAX;
  bool stop = false;
  bool done = false;  // the reading thread has returned
  Status failure;     // why it returned, when not stopped
};

// Reads the feed from `after` on into q, resuming after a dropped stream
// with Last-Event-ID, until q->stop or q->stop_after is reached; gives up
// after limits::kSinkFeedReconnectsMax consecutive failures.
void ReadFeed(FeedQueue* q, client::Client* client) {
  uint32_t failures = 0;
  Status s;
  while (true) {
    std::string last_id;
    {
      std::lock_guard<std::mutex> lock(q->mu);
      if (q->stop || q->last_seq >= q->stop_after) break;
      if (q->last_seq > 0) last_id = std::to_string(q->last_seq);
    }
    const uint64_t before = q->last_seq;
    s = client->GetEvents("/v1/feed?after=0", last_id, [&](const client::SseEvent& e) {
      uint64_t seq = 0;
      const auto [end, ec] = std::from_chars(e.id.data(), e.id.data() + e.id.size(), seq);
      if (ec != std::errc() || end != e.id.data() + e.id.size()) {
        return Status::Corruption(client->server() + ": feed event id '" + e.id + "' is not a seq");
      }
      std::unique_lock<std::mutex> lock(q->mu);
      q->changed.wait(lock,
                      [&] { return q->stop || q->lines.size() < limits::kSinkFeedQueueEventsMax; });
      if (q->stop) return Status::Busy("stopped");
      q->lines.push_back(e.data);
      q->last_seq = seq;
      q->changed.notify_all();
      return q->last_seq >= q->stop_after ? Status::Busy("stopped") : Status::OK();
    });
    if (s.IsCorruption()) break;
    // Refused (401, 403, 404): asking again gets the same answer. A 429 or
    // a 5xx may pass, and is asked again.
    if (const unsigned status = client->LastServerError().http_status;
        status == 401 || status == 403 || status == 404) {
      break;
    }
    {
      std::lock_guard<std::mutex> lock(q->mu);
      if (q->stop || q->last_seq >= q->stop_after) break;
    }
    failures = q->last_seq > before ? 0 : failures + 1;
    if (failures >= limits::kSinkFeedReconnectsMax) break;
    std::unique_lock<std::mutex> lock(q->mu);
    q->changed.wait_for(lock, std::chrono::milliseconds(limits::kSinkFeedReconnectMs),
                        [&] { return q->stop; });
  }
  std::lock_guard<std::mutex> lock(q->mu);
  if (!q->stop && q->last_seq < q->stop_after) q->failure = s;
  q->done = true;
  q->changed.notify_all();
}

class ServerSource : public SinkSource {
 public:
  // Starts the thread that reads the feed with `feed` into the queue.
  ServerSource(std::string name, std::string id, std::unique_ptr<client::Client> feed,
               uint64_t head, bool follow)
      : name_(std::move(name)),
        id_(std::move(id)),
        feed_(std::move(feed)),
        queue_(std::make_unique<FeedQueue>()),
        digest_head_(head),
        follow_(follow) {
    if (!follow_) queue_->stop_after = head;
    reader_thread_ = std::thread(ReadFeed, queue_.get(), feed_.get());
  }
  // Stops the reading thread, also one blocked on a quiet feed or a
  // connection, and waits for it: nothing of it outlives the source.
  ~ServerSource() override {
    {
      std::lock_guard<std::mutex> lock(queue_->mu);
      queue_->stop = true;
      queue_->changed.notify_all();
    }
    feed_->Cancel();
    reader_thread_.join();
  }

  const std::string& name() const override { return name_; }
  const std::string& ledger_id() const override { return id_; }
  // Without follow, the head the digest named at the start; with it, also
  // whatever the feed has sent since.
  uint64_t head() const override {
    if (!follow_) return digest_head_;
    std::lock_guard<std::mutex> lock(queue_->mu);
    return std::max(digest_head_, queue_->last_seq);
  }

  Status Start(uint64_t seq, projections::ProjectionSet* set, ledger::Hash* hash) override {
    events::Uuid id{};
    if (!events::ParseUuid(id_, &id)) return Status::Corruption(name_ + ": bad ledger id");
    previous_ = ledger::GenesisHash(id);
    for (uint64_t s = 1; s <= seq; ++s) CCL_RETURN_IF_ERROR(Next(set));
    *hash = previous_;
    return Status::OK();
  }

  Status Batch(uint64_t first, uint64_t last, projections::ProjectionSet* set,
               const SourceRowFn& row) override {
    assert(first == previous_seq_ + 1 && first <= last);
    for (uint64_t s = first; s <= last; ++s) {
      CCL_RETURN_IF_ERROR(Next(set));
      const events::Event& e = event_.event;
      std::string_view currency;
      if (e.type != events::EventType::kContractOpened && events::CarriesMoney(e)) {
        const auto it = currencies_.find(e.contract);
        if (it == currencies_.end()) {
          return Status::Corruption(name_ + ": seq " + std::to_string(e.seq) + " names contract " +
                                    e.contract + " before its opening");
        }
        currency = it->second;
      }
      CCL_RETURN_IF_ERROR(row({&e, currency, event_.bytes, &event_.hash}));
    }
    return Status::OK();
  }

  Status Wait(uint32_t ms) override {
    std::unique_lock<std::mutex> lock(queue_->mu);
    queue_->changed.wait_for(lock, std::chrono::milliseconds(ms),
                             [&] { return queue_->last_seq > previous_seq_ || queue_->done; });
    if (queue_->done && !queue_->failure.ok()) return queue_->failure;
    return Status::OK();
  }

 private:
  // Takes the next line (waiting for it), checks it, folds it into `set`.
  Status Next(projections::ProjectionSet* set);
  Status Fold(projections::ProjectionSet* set);

  const std::string name_;
  const std::string id_;
  const std::unique_ptr<client::Client> feed_;  // used by reader_thread_ only
  const std::unique_ptr<FeedQueue> queue_;
  std::thread reader_thread_;
  const uint64_t digest_head_;  // the head when the sink started
  const bool follow_;
  FeedEventReader reader_;
  FeedEvent event_;
  uint64_t previous_seq_ = 0;
  ledger::Hash previous_{};
  std::map<std::string, std::string> currencies_;  // contract -> its currency
  // The valuation fields of every consumption event, what a reversal of it
  // takes back (projections/folds/target_cache.h).
  std::map<events::Uuid, projections::TargetFields> targets_;
  events::Event target_;
  // Events awaiting approval, by id: an Approved applies one where it stands
  // (as the ledger's runner does), a Rejected drops it.
  std::map<events::Uuid, events::Event> pending_;
  events::Event approved_;
};

Status ServerSource::Next(projections::ProjectionSet* set) {
  std::string line;
  {
    std::unique_lock<std::mutex> lock(queue_->mu);
    queue_->changed.wait(lock, [&] { return !queue_->lines.empty() || queue_->done; });
    if (queue_->lines.empty()) {
      if (!queue_->failure.ok()) return queue_->failure;
      return Status::IOError(name_ + ": the feed ended before seq " +
                             std::to_string(previous_seq_ + 1));
    }
    line = std::move(queue_->lines.front());
    queue_->lines.pop_front();
    queue_->changed.notify_all();
  }
  Status s = reader_.Read(line, previous_seq_, previous_, &event_);
  if (!s.ok()) {
    return Status::Corruption(name_ + ": feed event after seq " + std::to_string(previous_seq_) +
                              ": " + s.message());
  }
  previous_seq_ = event_.event.seq;
  previous_ = event_.hash;
  return Fold(set);
}

Status ServerSource::Fold(projections::ProjectionSet* set) {
  const events::Event& e = event_.event;
  if (e.type == events::EventType::kContractOpened) currencies_[e.contract] = e.currency;
  if (e.IsConsumption()) targets_[e.event_id].From(e);
  const events::Event* subject = &e;
  switch (events::FigureStepOf(e)) {
    case events::FigureStep::kNothing:
      pending_.insert_or_assign(e.event_id, e);
      return Status::OK();
    case events::FigureStep::kApprovedTarget: {
      const auto it = pending_.find(e.target_event_id);
      if (it == pending_.end()) {
        return Status::Corruption(name_ + ": seq " + std::to_string(e.seq) +
                                  " approves an event the feed did not send as pending before it");
      }
      approved_ = std::move(it->second);
      pending_.erase(it);
      subject = &approved_;
      break;
    }
    case events::FigureStep::kSelf:
      if (e.type == events::EventType::kRejected) pending_.erase(e.target_event_id);
      break;
  }
  const events::Event* target = nullptr;
  if (subject->type == events::EventType::kEntryReversed) {
    const auto it = targets_.find(subject->target_event_id);
    if (it == targets_.end()) {
      return Status::Corruption(name_ + ": seq " + std::to_string(e.seq) +
                                " reverses an event the feed did not send before it");
    }
    it->second.To(&target_);
    target = &target_;
  }
  for (projections::Projection* p : set->All()) p->Apply(*subject, target);
  return Status::OK();
}

}  // namespace

Status NewServerSource(const client::ClientOptions& options, bool follow,
                       std::unique_ptr<SinkSource>* out) {
  std::unique_ptr<client::Client> digest_client, feed_client;
  CCL_RETURN_IF_ERROR(client::Client::Open(options, &digest_client));
  CCL_RETURN_IF_ERROR(client::Client::Open(options, &feed_client));
  client::Response r;
  CCL_RETURN_IF_ERROR(digest_client->Get("/v1/digest", limits::kClientWholeBodyBytesMax, &r));
  ledger::Digest d;
  Status s = ledger::ParseDigestJson(r.body, &d);
  if (!s.ok()) {
    return Status::Corruption(digest_client->server() + ": GET /v1/digest: " + s.message());
  }
  // The sink copies every event: a principal that may not read events, or
  // sees only some (a scope), is refused before anything is written.
  CCL_RETURN_IF_ERROR(
      digest_client->Get("/v1/events?after=0&limit=1", limits::kClientWholeBodyBytesMax, &r));
  if (r.Header("ledger-scope") != "all") {
    return Status::IOError(digest_client->server() +
                           ": GET /v1/events: the server shows this principal only the events "
                           "of its scope (Ledger-Scope: " +
                           events::QuoteForMessage(r.Header("ledger-scope")) +
                           "); the sink copies the whole ledger: use a principal whose policy "
                           "line has scope *");
  }
  *out = std::make_unique<ServerSource>("server " + digest_client->server(), d.ledger_id,
                                        std::move(feed_client), d.head_seq, follow);
  return Status::OK();
}

}  // namespace ccl::sink

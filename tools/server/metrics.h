// ledgerd's Prometheus metrics (prometheus-cpp), served as text by
// GET /metrics. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
class Gauge;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace ccl::ledgerd {

// The stages of a request handled on a worker, in order (their sum is about
// ledgerd_request_seconds): what a profile of the service reads first.
enum class RequestStage {
  kRead,          // its first bytes read -> header and body read and parsed
  kWorkerWait,    // parsed on its strand -> its handler starts (on a worker; 0 on the strand)
  kHandler,       // the handler until its reply (for POST /v1/events: parse, group commit, sync)
  kToStrand,      // handler done -> its reply back on the connection's strand
  kAccessRecord,  // a reply's own access record synced (reads; writes carry theirs)
  kWrite,         // the response written to the socket (TLS)
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One request answered: `route` is the route's pattern ("/v1/events/{seq}")
  // or "unmatched", never the raw path (bounded label values).
  void CountRequest(std::string_view route, unsigned status, double seconds);
  // One POST /v1/events batch acknowledged: the events in it, how many were
  // new, and how long its append took (its group commit and WAL sync).
  void CountAppend(size_t events, size_t appended, double append_seconds);
  // One group commit (one WAL sync) acknowledged, of `events` events in all
  // (every append of the group): counted once per group, by its first
  // append with events (AppendResult::first_of_group).
  void CountGroup(size_t events);
  // One request spent `seconds` in `stage`.
  void CountStage(RequestStage stage, double seconds);
  void ConnectionOpened();
  void ConnectionClosed();
  void SubscriberAdded();
  void SubscriberRemoved();
  void SlowSubscriberClosed();

  // The Prometheus text exposition format.
  std::string Text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* latency_;
  prometheus::Counter* appends_;
  prometheus::Counter* events_;
  prometheus::Counter* events_appended_;
  prometheus::Histogram* group_events_;
  prometheus::Histogram* append_seconds_;
  prometheus::Histogram* stage_seconds_[6];  // by RequestStage
  prometheus::Gauge* connections_;
  prometheus::Gauge* subscribers_;
  prometheus::Counter* slow_subscribers_;
};

}  // namespace ccl::ledgerd

#include "tools/server/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cassert>
#include <iterator>

namespace ccl::ledgerd {
namespace {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return b;
}

// Finer than LatencyBuckets at the low end: a stage takes microseconds.
const prometheus::Histogram::BucketBoundaries& StageBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 1};
  return b;
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("ledgerd_requests_total")
                   .Help("Requests answered, by route pattern and HTTP status")
                   .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("ledgerd_request_seconds")
                  .Help("Time from a request's last byte read to its response written, by route")
                  .Register(*registry_);
  appends_ = &prometheus::BuildCounter()
                  .Name("ledgerd_appends_total")
                  .Help("POST /v1/events batches acknowledged (synced)")
                  .Register(*registry_)
                  .Add({});
  auto& events = prometheus::BuildCounter()
                     .Name("ledgerd_events_total")
                     .Help("Events in acknowledged batches, new or duplicate")
                     .Register(*registry_);
  events_ = &events.Add({{"outcome", "any"}});
  events_appended_ = &events.Add({{"outcome", "appended"}});
  group_events_ =
      &prometheus::BuildHistogram()
           .Name("ledgerd_append_batch_events")
           .Help("Events per group commit (one WAL sync) of acknowledged POST /v1/events appends")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 100, 1000, 10000, 100000});
  append_seconds_ = &prometheus::BuildHistogram()
                         .Name("ledgerd_append_sync_seconds")
                         .Help("One POST /v1/events append: its group commit and the WAL fsync")
                         .Register(*registry_)
                         .Add({}, LatencyBuckets());
  auto& stages = prometheus::BuildHistogram()
                     .Name("ledgerd_request_stage_seconds")
                     .Help(
                         "Time a request handled on a worker spent in each stage: worker_wait, "
                         "handler, to_strand, access_record, write")
                     .Register(*registry_);
  static constexpr const char* kStageNames[] = {"read",      "worker_wait",   "handler",
                                                "to_strand", "access_record", "write"};
  static_assert(std::size(kStageNames) == std::size(decltype(stage_seconds_){}));
  for (size_t i = 0; i < std::size(kStageNames); ++i) {
    stage_seconds_[i] = &stages.Add({{"stage", kStageNames[i]}}, StageBuckets());
  }
  connections_ = &prometheus::BuildGauge()
                      .Name("ledgerd_open_connections")
                      .Help("TCP connections open")
                      .Register(*registry_)
                      .Add({});
  subscribers_ = &prometheus::BuildGauge()
                      .Name("ledgerd_feed_subscribers")
                      .Help("GET /v1/feed streams open")
                      .Register(*registry_)
                      .Add({});
  slow_subscribers_ = &prometheus::BuildCounter()
                           .Name("ledgerd_feed_slow_subscribers_closed_total")
                           .Help("Feed streams closed because the client did not read in time")
                           .Register(*registry_)
                           .Add({});
}

Metrics::~Metrics() = default;

void Metrics::CountRequest(std::string_view route, unsigned status, double seconds) {
  requests_->Add({{"route", std::string(route)}, {"status", std::to_string(status)}}).Increment();
  latency_->Add({{"route", std::string(route)}}, LatencyBuckets()).Observe(seconds);
}

void Metrics::CountAppend(size_t events, size_t appended, double append_seconds) {
  appends_->Increment();
  events_->Increment(static_cast<double>(events));
  events_appended_->Increment(static_cast<double>(appended));
  append_seconds_->Observe(append_seconds);
}

void Metrics::CountGroup(size_t events) { group_events_->Observe(static_cast<double>(events)); }

void Metrics::CountStage(RequestStage stage, double seconds) {
  const auto i = static_cast<size_t>(stage);
  assert(i < std::size(stage_seconds_));
  stage_seconds_[i]->Observe(seconds);
}

void Metrics::ConnectionOpened() { connections_->Increment(); }
void Metrics::ConnectionClosed() { connections_->Decrement(); }
void Metrics::SubscriberAdded() { subscribers_->Increment(); }
void Metrics::SubscriberRemoved() { subscribers_->Decrement(); }
void Metrics::SlowSubscriberClosed() { slow_subscribers_->Increment(); }

std::string Metrics::Text() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace ccl::ledgerd

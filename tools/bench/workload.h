// The events every system is measured on: a prefix of the deterministic
// generator's workload (tools/generator/generator.h), streamed in chunks so that no
// phase ever holds the whole run in memory (peak RSS must not grow with the
// number of events), plus what the peers need to store them as our ledger
// would: the assigned fields and the FlatBuffers bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/base/status.h"
#include "events/model/event.h"
#include "tools/bench/config.h"
#include "tools/generator/generator.h"

namespace ccl::bench {

// Generator options for a run of `events` events: enough contracts and days
// that the first `events` events are about a year of a realistic book of
// business (roughly 900 events per contract-year). The number of contracts
// grows with the run, as in a real ledger; projection state grows with it,
// the per-event working set does not.
tools::GeneratorOptions WorkloadOptions(uint64_t events, uint64_t seed);

using ChunkFn = std::function<Status(std::span<const events::Event>)>;

// Calls `fn` with the first `count` events of the workload, in order, in
// chunks of at most `chunk_events`. The events carry only writer-supplied
// fields. Returns the first non-OK status of `fn`, InvalidArgument when the
// workload has fewer than `count` events, else OK.
Status ForEachChunk(uint64_t events, uint64_t seed, uint64_t count, size_t chunk_events,
                    const ChunkFn& fn);

// What a batch-1 phase measured: one latency per write, and the time spent in
// the writes alone.
struct SingleWriteTimes {
  std::vector<double> latencies_us;
  TimedSections timed;
};

// A batch-1 phase's loop over the first `count` events of the workload, in
// chunks as ForEachChunk: `prepare` (untimed; may be empty) sees each chunk,
// then `write(chunk, i)` writes its event i alone, each call timed into
// *times. Stops, OK, once the phase has run config.b1_seconds_max; returns
// the first error of `write` or of the workload otherwise.
Status TimeSingleWrites(const BenchConfig& config, uint64_t count, const ChunkFn& prepare,
                        const std::function<Status(std::span<const events::Event>, size_t)>& write,
                        SingleWriteTimes* times);

// One event as the peers store it: the envelope columns and the stored bytes.
struct PeerRow {
  uint64_t seq = 0;
  events::Uuid event_id{};
  std::string_view contract;  // points into the stamped event
  uint64_t stream_version = 0;
  int type = 0;  // events::EventType value
  int64_t effective_at_ns = 0;
  int64_t recorded_at_ns = 0;
  std::string_view bytes;  // FlatBuffers, exactly as our ledger would store it
};

// Assigns what a ledger assigns (seq, stream_version, recorded_at, the applied
// bill rate of consumption) and encodes each event, so the peers write the
// same bytes as ours. Memory: one entry per contract.
class Stamper {
 public:
  // Replaces *rows with the stamped form of `in`. The rows point into this
  // Stamper's buffers and stay valid until the next call.
  void Stamp(std::span<const events::Event> in, std::vector<PeerRow>* rows);

 private:
  struct ContractInfo {
    uint64_t version = 0;
    int64_t rate_minor[events::kServiceLineCount + 1] = {};
  };
  uint64_t next_seq_ = 1;
  int64_t last_recorded_ns_ = 0;
  std::unordered_map<std::string, ContractInfo> contracts_;
  std::vector<events::Event> stamped_;
  std::vector<std::string> bytes_;
};

}  // namespace ccl::bench

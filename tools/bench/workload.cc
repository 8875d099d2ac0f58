#include "tools/bench/workload.h"

#include <algorithm>

#include "events/model/codec.h"
#include "tools/bench/config.h"

namespace ccl::bench {

tools::GeneratorOptions WorkloadOptions(uint64_t events, uint64_t seed) {
  tools::GeneratorOptions o;
  // ~900 events per contract-year (generator: 3..8 engineers booking on 60%
  // of weekdays, plus deliveries, escalations and amendments). Two years of
  // days leave slack so the prefix never runs out.
  const uint64_t contracts =
      std::clamp<uint64_t>(events / 900 + 1, 20, tools::kGeneratorContractsMax);
  o.contracts = static_cast<uint32_t>(contracts);
  o.days = 730;
  o.seed = seed;
  // Concurrent appenders split the workload: no ledger-wide closes, which
  // would refuse the other threads' earlier-dated events.
  o.close_periods = false;
  o.approvals = false;
  return o;
}

Status ForEachChunk(uint64_t events, uint64_t seed, uint64_t count, size_t chunk_events,
                    const ChunkFn& fn) {
  std::vector<events::Event> buffer(std::max<size_t>(chunk_events, 1));
  size_t used = 0;
  uint64_t produced = 0;
  bool stopped = false;
  Status fn_status;
  // The generator has no "stop" of its own: the sink ends it with a status
  // that only this function produces, recognized by `stopped`.
  auto sink = [&](const events::Event& e) -> Status {
    if (produced == count) {
      stopped = true;
      return Status::InvalidArgument("stop");
    }
    buffer[used++] = e;  // copy-assign: reuses the strings' capacity
    ++produced;
    if (used == buffer.size() || produced == count) {
      fn_status = fn(std::span<const events::Event>(buffer.data(), used));
      used = 0;
      if (!fn_status.ok()) return fn_status;
    }
    return Status::OK();
  };
  if (count == 0) return Status::OK();
  Status s = tools::GenerateEvents(WorkloadOptions(events, seed), sink, nullptr);
  if (!fn_status.ok()) return fn_status;
  if (!s.ok() && !stopped) return s;
  if (produced < count) {
    return Status::InvalidArgument("the workload has only " + std::to_string(produced) +
                                   " events, " + std::to_string(count) + " asked for");
  }
  return Status::OK();
}

void Stamper::Stamp(std::span<const events::Event> in, std::vector<PeerRow>* rows) {
  if (stamped_.size() < in.size()) {
    stamped_.resize(in.size());
    bytes_.resize(in.size());
  }
  rows->clear();
  const int64_t now = WallNowNs();
  for (size_t i = 0; i < in.size(); ++i) {
    events::Event& e = stamped_[i];
    e = in[i];
    ContractInfo& c = contracts_[e.contract];
    e.seq = next_seq_++;
    e.stream_version = ++c.version;
    last_recorded_ns_ = std::max(last_recorded_ns_, now);
    e.recorded_at_ns = last_recorded_ns_;
    if (e.type == events::EventType::kContractOpened ||
        e.type == events::EventType::kContractAmended) {
      for (const events::ContractLine& l : e.lines) {
        const int line = static_cast<int>(l.service_line);
        if (l.bill_rate_minor.has_value() && line >= 0 && line <= events::kServiceLineCount) {
          c.rate_minor[line] = *l.bill_rate_minor;
        }
      }
    }
    if (e.IsConsumption()) {
      const int line = static_cast<int>(e.service_line);
      e.applied_bill_rate_minor =
          line >= 0 && line <= events::kServiceLineCount ? c.rate_minor[line] : 0;
    }
    events::EncodeEvent(e, &bytes_[i]);
    PeerRow row;
    row.seq = e.seq;
    row.event_id = e.event_id;
    row.contract = e.contract;
    row.stream_version = e.stream_version;
    row.type = static_cast<int>(e.type);
    row.effective_at_ns = e.effective_at_ns;
    row.recorded_at_ns = e.recorded_at_ns;
    row.bytes = bytes_[i];
    rows->push_back(row);
  }
}

Status TimeSingleWrites(const BenchConfig& config, uint64_t count, const ChunkFn& prepare,
                        const std::function<Status(std::span<const events::Event>, size_t)>& write,
                        SingleWriteTimes* times) {
  Stopwatch phase;
  bool out_of_time = false;
  Status s = ForEachChunk(config.events, config.seed, count, 1000,
                          [&](std::span<const events::Event> chunk) -> Status {
                            if (prepare) CCL_RETURN_IF_ERROR(prepare(chunk));
                            for (size_t i = 0; i < chunk.size(); ++i) {
                              Stopwatch w;
                              CCL_RETURN_IF_ERROR(write(chunk, i));
                              const int64_t ns = w.ElapsedNs();
                              times->timed.Add(ns);
                              times->latencies_us.push_back(static_cast<double>(ns) / 1e3);
                              if (phase.ElapsedSeconds() > config.b1_seconds_max) {
                                out_of_time = true;
                                return Status::Busy("time is up");
                              }
                            }
                            return Status::OK();
                          });
  return out_of_time ? Status::OK() : s;
}

}  // namespace ccl::bench

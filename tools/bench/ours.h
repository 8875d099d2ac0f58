// The phases that measure our ledger (ledger/store/ledger.h) and its projections
// (projections/folds/runner.h) on the workload of tools/bench/workload.h. Each runs
// on a fresh ledger in its own folder under BenchConfig::dir; only the
// ledger's own calls are timed.
#pragma once

#include "tools/bench/config.h"
#include "tools/bench/report.h"

namespace ccl::bench {

// append_b1_eps, append_b1_p50_us, append_b1_p99_us: the first
// min(events, b1_events) events, one synced Append each (early stop after
// b1_seconds_max).
void RunOursB1Phase(const BenchConfig& config, Report* report);

// append_concurrent8_eps: 8 threads, each appending single events of its own
// contracts (the workload's prefix split by contract), so the ledger can group
// their commits. Measured until the first thread runs out of events.
void RunOursConcurrentPhase(const BenchConfig& config, Report* report);

// append_b100_eps: the first min(events, b100_events) events in batches of 100.
void RunOursB100Phase(const BenchConfig& config, Report* report);

// append_b1000_eps over all events; then, closed, fully compacted and
// reopened: disk_bytes_per_event, replay_eps, verify_eps, rebuild_eps,
// contract_balance_p50_us; and peak_rss_mb of this phase's process.
void RunOursFullPhase(const BenchConfig& config, Report* report);

}  // namespace ccl::bench

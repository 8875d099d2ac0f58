// A deterministic generator of realistic ledger workloads: contracts with
// several service lines, daily bookings by engineers, proactive deliveries,
// escalations opened / re-rated / resolved, amendments (rate changes, top-ups,
// renewals), reversals with their approvals, legal holds, month closes and
// closings. Every event obeys every rule of
// schemas/EVENTS.md, so importing the stream into an empty ledger succeeds.
//
// Determinism: the output depends only on GeneratorOptions. The PRNG is
// self-contained (splitmix64 seeding xoshiro256**) and all draws are integer
// arithmetic, so the same options give the same bytes on every platform and
// standard library version. The demo, the tests and the benchmarks rely on it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "events/base/durable_file.h"
#include "events/base/status.h"
#include "events/model/event.h"

namespace ccl::tools {

// 2025-01-01 as days since 1970-01-01: the default first day, fixed (not
// "today") so that a given seed always gives the same workload.
inline constexpr int32_t kGeneratorDefaultStartDay = 20089;

inline constexpr uint32_t kGeneratorContractsMax = 1'000'000;
inline constexpr uint32_t kGeneratorDaysMax = 36'500;

struct GeneratorOptions {
  uint32_t contracts = 20;  // 1..kGeneratorContractsMax
  uint32_t days = 365;      // days of activity, 1..kGeneratorDaysMax
  uint64_t seed = 1;
  int32_t start_day = kGeneratorDefaultStartDay;  // first day, days since 1970-01-01
  // A PeriodClosed on the first day of each new month. A ledger-wide close
  // refuses every later event effective before it, so a workload split among
  // concurrent writers (whose events interleave out of date order) turns it off.
  bool close_periods = true;
  // An ApprovalPolicySet listing EntryReversed on the first day, so every
  // reversal waits for a reviewer's Approved (now and then a Rejected) the
  // same day, or, when asked in a month's last 3 days, at midnight of the
  // next month's first day (before its close); a few of the last days'
  // reversals stay pending. Off for the same reason as close_periods: the
  // policy is ledger-wide.
  bool approvals = true;
};

struct GeneratorStats {
  uint64_t events = 0;
  // Days on which a contract was open (term started, not yet closed): the
  // unit to size runs by, events / contract_days.
  uint64_t contract_days = 0;
  uint64_t events_by_type[events::kEventTypeCount + 1] = {};  // index: EventType value
};

// Checks ranges (counts, and that the whole run plus a renewed term stays
// inside the years the ledger accepts). InvalidArgument naming the option.
Status ValidateGeneratorOptions(const GeneratorOptions& options);

// Receives each generated event in order; the reference is valid only during
// the call. A non-OK return stops generation and is returned by GenerateEvents.
using EventSink = std::function<Status(const events::Event&)>;

// Generates the workload, calling `sink` once per event in effective_at order
// (ties: contract, then causal order). Only writer-supplied fields are set
// (seq, stream_version, recorded_at and the applied rate are left at zero).
// `stats` may be null. Returns InvalidArgument for bad options, else the first
// non-OK sink status, else OK.
Status GenerateEvents(const GeneratorOptions& options, const EventSink& sink,
                      GeneratorStats* stats);

// Generates the workload as JSON Lines (events/model/json.h canonical form without
// assigned fields, one event per line) appended to `out` through a large
// buffer; the caller commits `out`. Returns the writer's IOError (naming the
// output and the system's reason) when a write fails.
Status GenerateJsonl(const GeneratorOptions& options, events::DurableFileWriter* out,
                     GeneratorStats* stats);

// The workload into `path` ("-": stdout) as every output file is written
// (events/base/durable_file.h, `file_options`): a regular file is replaced
// atomically once the whole workload is durable, so a failed write (a full
// disk) leaves the old file as it was and no new or partial one.
Status WriteGeneratedJsonl(const GeneratorOptions& options, const std::string& path,
                           const events::FileWriteOptions& file_options, GeneratorStats* stats);

// The PRNG, exposed for tests and benchmarks that need the same stream.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, n) by Lemire's multiply-shift (bias < 2^-32 for small n,
  // deterministic). REQUIRES: n > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi);
  // True with probability per_mille / 1000.
  bool Chance(uint32_t per_mille);

 private:
  uint64_t s_[4];
};

}  // namespace ccl::tools

// A seeded generator of random but valid event sequences for the projection
// tests: contracts with several lines and currencies, amendments with rate
// and funding changes (some negative) and term extensions, bookings (some
// against escalations, some back-dated), deliveries, reversals, escalations
// with severity changes, closures. Every event obeys the write-model rules,
// so the same sequence can be appended to a real ledger.
#pragma once

#include <cstdint>
#include <vector>

#include "events/model/event.h"

namespace ccl::projections::testing {

struct WorkloadOptions {
  uint64_t seed = 1;
  int contracts = 4;
  int events = 2000;
  int32_t start_day = 20'000;  // 2024-10-04
  // Fill seq, recorded_at_ns and applied_bill_rate_minor as the ledger would,
  // for tests that fold the events without a ledger.
  bool assign = true;
};

std::vector<events::Event> GenerateWorkload(const WorkloadOptions& options);

}  // namespace ccl::projections::testing

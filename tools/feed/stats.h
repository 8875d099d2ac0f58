// `ledgerctl stats`: what a ledger holds, in one pass over its events.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"

namespace ccl::feed {

struct LedgerStats {
  events::Uuid ledger_id{};
  ledger::Head head;
  uint64_t events = 0;
  std::array<uint64_t, events::kEventTypeCount> events_by_type{};  // by type number - 1
  // Every contract starts with exactly one ContractOpened (write model), so
  // contracts = ContractOpened events; closed = ContractClosed events.
  uint64_t contracts = 0;
  uint64_t contracts_closed = 0;
  uint64_t customers = 0;  // distinct ContractOpened.customer values
  // Time span; 0 when the ledger is empty.
  int64_t effective_min_ns = 0;
  int64_t effective_max_ns = 0;
  int64_t recorded_first_ns = 0;  // recorded_at of seq 1
  int64_t recorded_last_ns = 0;   // recorded_at of the head
  uint64_t disk_bytes = 0;        // Ledger::DiskBytes()
};

// Reads every event up to the head seen at the start. `on_progress` (may be
// empty) gets (events read, head seq) now and then. Corruption or IOError
// from the ledger's reads.
Status ComputeStats(ledger::Ledger* ledger,
                    const std::function<void(uint64_t, uint64_t)>& on_progress, LedgerStats* stats);

// For people: aligned "name  value" lines, counts with thousands separators.
std::string FormatStatsText(const LedgerStats& stats);
// One JSON object (and "\n"): ledger_id, head_seq, head_hash, events,
// events_by_type {name: count} (every type, zeros included), contracts,
// contracts_closed, customers, effective_first, effective_last,
// recorded_first, recorded_last (RFC 3339, null when empty), disk_bytes.
std::string FormatStatsJson(const LedgerStats& stats);

}  // namespace ccl::feed

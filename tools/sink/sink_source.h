// Where the PostgreSQL sink's events come from: the ledger itself
// (NewLedgerSource), or a ledgerd server's feed (NewServerSource). The sink
// (postgres_sink.cc) asks a source for the same things either way: the
// ledger's id, how far it reaches, the projections folded to a seq, and the
// events of a batch with their stored bytes and chain hashes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "projections/folds/registry.h"

namespace ccl::sink {

// One event of a batch: its currency (of its contract, "" when it carries no
// money or is the ContractOpened naming it), its stored bytes and h_seq.
struct SourceEvent {
  const events::Event* event;
  std::string_view currency;
  std::string_view bytes;
  const ledger::Hash* hash;
};
using SourceRowFn = std::function<Status(const SourceEvent&)>;

class SinkSource {
 public:
  virtual ~SinkSource() = default;
  // "ledger at PATH", "server https://HOST:PORT" (for messages).
  virtual const std::string& name() const = 0;
  // The ledger's id, canonical text (events::FormatUuid).
  virtual const std::string& ledger_id() const = 0;
  // The last seq the source can hand out now.
  virtual uint64_t head() const = 0;
  // Folds events 1..seq into `set` (fresh), seq <= head(); afterwards
  // *hash is h_seq (h_0 for seq 0). Called once, before any Batch.
  virtual Status Start(uint64_t seq, projections::ProjectionSet* set, ledger::Hash* hash) = 0;
  // Hands events first..last (first = the seq after the last one handed
  // out or folded by Start; last <= head()) to `row` in seq order and folds
  // them into `set`, on as many threads as the source likes; returns once
  // both are done. Corruption when the events fail their checks.
  virtual Status Batch(uint64_t first, uint64_t last, projections::ProjectionSet* set,
                       const SourceRowFn& row) = 0;
  // Follow mode: waits up to `ms` for head() to move on.
  virtual Status Wait(uint32_t ms) = 0;
};

// The ledger itself (not owned; typically opened read-only beside a writer).
std::unique_ptr<SinkSource> NewLedgerSource(ledger::Ledger* ledger);

}  // namespace ccl::sink

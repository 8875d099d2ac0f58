// Which seq-order iterator a reader of a range of the log should use
// (ledger/store/ledger.h): the read-ahead one for a long range, where a
// second thread reading and decoding ahead pays for itself, the plain one
// otherwise. Header-only over the Ledger interface, like stored_event.h.
#pragma once

#include <cstdint>
#include <memory>

#include "ledger/store/ledger.h"

namespace ccl::ledger {

// Ranges at least this long read ahead (below it the thread's start and
// hand-offs cost more than they save).
inline constexpr uint64_t kReadAheadEventsMin = 20'000;

// The events from from_seq in seq order for a reader of from_seq..last_seq
// (UINT64_MAX: to the head): Ledger::NewReadAheadIterator when the range
// holds kReadAheadEventsMin events or more, which ends after last_seq;
// otherwise Ledger::NewIterator, which goes on to the head. Either way the
// caller stops at last_seq itself.
inline std::unique_ptr<EventIterator> NewRangeIterator(Ledger* ledger, uint64_t from_seq,
                                                       uint64_t last_seq) {
  const uint64_t first = from_seq == 0 ? 1 : from_seq;
  const uint64_t head = ledger->head().seq;
  const uint64_t end = last_seq < head ? last_seq : head;
  if (end >= first && end - first + 1 >= kReadAheadEventsMin) {
    return ledger->NewReadAheadIterator(first, end);
  }
  return ledger->NewIterator(from_seq);
}

}  // namespace ccl::ledger

// The one check of an event read back from the log. Every reader of stored
// events goes through it (the ledger's iterators and point reads, and a
// read-ahead iterator that decodes on two threads), so a
// stored event is accepted or refused one way, with one message.
//
// Header-only: the projections use it through the Ledger interface and link
// no store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "events/model/codec.h"
#include "events/model/event.h"

namespace ccl::ledger {

// "seq N": how every message about a stored event names it.
inline std::string SeqLabel(uint64_t seq) { return "seq " + std::to_string(seq); }

// Decodes `bytes`, stored as the event at `seq`: the FlatBuffers Verifier and
// field checks of events::DecodeEvent, then the seq the event carries must be
// `seq`. Corruption "seq N: <what>" otherwise (a stored event that fails is
// damage, not bad input). Thread-safe; *out is overwritten, keeping its
// strings' capacity for reuse.
[[nodiscard]] inline Status DecodeStoredEvent(uint64_t seq, std::string_view bytes,
                                              events::Event* out) {
  const Status s = events::DecodeEvent(bytes, out);
  if (!s.ok()) return Status::Corruption(SeqLabel(seq) + ": " + s.message());
  if (out->seq != seq) {
    return Status::Corruption(SeqLabel(seq) + ": stored event carries seq " +
                              std::to_string(out->seq));
  }
  return Status::OK();
}

}  // namespace ccl::ledger

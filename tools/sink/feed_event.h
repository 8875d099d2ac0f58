// An event as a ledgerd server sends it (the data of a GET /v1/feed event,
// the body of GET /v1/events/{seq}): its `log --json` line with the chain
// hash at its seq. FeedEventReader turns that line back into the event the
// ledger stores and proves it did so exactly: the writer's fields go
// through events::JsonEventParser (every check of an import); the fields the
// ledger assigned (seq, stream_version, recorded_at, applied_bill_rate_minor,
// a PeriodClosed's sealed figures) and the hash are read here; EncodeEvent
// (deterministic) gives the stored bytes; and the chain step from the
// previous seq's hash over those bytes must give the hash the server sent.
// One field read wrongly, or an event the server changed, breaks the chain,
// so a sink reading a server stores the bytes and hashes the ledger holds and
// can check them against its own checkpoint.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "events/model/event.h"
#include "events/model/json.h"
#include "ledger/store/ledger.h"

namespace ccl::sink {

struct FeedEvent {
  events::Event event;  // every field, the assigned ones included
  std::string bytes;    // the stored FlatBuffers bytes (EncodeEvent)
  ledger::Hash hash{};  // h_seq, checked
};

// Thread-compatible: one reader per thread (it reuses parser buffers).
class FeedEventReader {
 public:
  FeedEventReader();
  ~FeedEventReader();
  FeedEventReader(const FeedEventReader&) = delete;
  FeedEventReader& operator=(const FeedEventReader&) = delete;

  // Reads `line`, whose event must be at seq `previous_seq` + 1 and whose
  // hash must chain from `previous` (h_0, ledger::GenesisHash, before seq 1).
  // InvalidArgument naming the field for a line that is not such an event
  // (a key missing or malformed); Corruption naming the seq when the seq is
  // not the next one or the hash does not chain.
  Status Read(std::string_view line, uint64_t previous_seq, const ledger::Hash& previous,
              FeedEvent* out);
  // Reads `line` as Read does, without the chain check: the event and the
  // hash as sent, for a reader that does not hold the hash before it (a
  // scoped principal's feed skips the events outside its scope).
  Status ReadUnchained(std::string_view line, FeedEvent* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccl::sink

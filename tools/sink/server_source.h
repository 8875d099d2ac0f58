// The sink's events from a ledgerd server (`ledgerctl sink postgres
// --server URL`): the ledger's id and head from GET /v1/digest (the
// certificate's principal needs the reader role), the events from GET
// /v1/feed, read from seq 1 on a thread of its own up to
// limits::kSinkFeedQueueEventsMax events ahead of the sink, a dropped stream
// resumed with Last-Event-ID (limits::kSinkFeedReconnectMs apart, failing
// after limits::kSinkFeedReconnectsMax attempts in a row that brought no
// event). Every event is read back into the bytes the ledger stores and its
// chain hash checked from h_0 on (tools/sink/feed_event.h), so the
// checkpoint's hash is checked against the server's history as against a
// ledger's; the projections are folded from the events as they arrive,
// keeping the valuation fields of each consumption event for a reversal of
// it (about 150 bytes per consumption event).
#pragma once

#include <memory>

#include "events/base/status.h"
#include "tools/client/client.h"
#include "tools/sink/sink_source.h"

namespace ccl::sink {

// Connects (GET /v1/digest) and starts reading the feed. Without `follow`,
// the source ends at the head the digest names; with it, head() grows as the
// feed sends events. Errors: the client's (IOError for the connection or
// access refused), Corruption for a digest that does not parse.
Status NewServerSource(const client::ClientOptions& options, bool follow,
                       std::unique_ptr<SinkSource>* out);

}  // namespace ccl::sink

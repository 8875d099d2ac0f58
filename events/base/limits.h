// Every limit of the ledger in one place. Input over a limit is an error naming
// the field and the limit, never a truncation. Units are the last word of a name.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ccl::limits {

// Strings are counted in UTF-8 bytes. Required strings must be non-empty;
// optional strings are absent or non-empty ("" in input is rejected).
inline constexpr size_t kContractBytesMax = 64;  // [A-Za-z0-9._-]{1,64}
inline constexpr size_t kActorBytesMax = 128;
inline constexpr size_t kSourceBytesMax = 256;
inline constexpr size_t kNoteBytesMax = 1024;
inline constexpr size_t kCustomerBytesMax = 256;
inline constexpr size_t kReasonBytesMax = 1024;
inline constexpr size_t kEngineerBytesMax = 128;
inline constexpr size_t kReferenceBytesMax = 128;
inline constexpr size_t kDeliveryBytesMax = 128;
inline constexpr size_t kOfferingBytesMax = 256;
inline constexpr size_t kEscalationBytesMax = 128;
inline constexpr size_t kSummaryBytesMax = 1024;
inline constexpr size_t kResolutionBytesMax = 1024;
inline constexpr size_t kCaseBytesMax = 128;  // a legal hold's case

// Lists.
inline constexpr size_t kLinesPerEventMax = 4;          // one entry per service line at most
inline constexpr size_t kRateChangesPerLineMax = 1024;  // bill rate history of one line
// Currencies in one PeriodClosed's sealed totals: ISO 4217 List One has fewer
// codes with a minor unit, so every ledger fits.
inline constexpr size_t kSealedCurrenciesMax = 200;
inline constexpr size_t kLegalHoldsPerContractMax = 64;  // holds in force at once
// Events awaiting approval at once, ledger-wide: they are listed in the
// ledger stream's write-model state, read by every approval.
inline constexpr size_t kPendingApprovalsMax = 1024;
inline constexpr uint32_t kRetentionYearsMax = 100;  // ledgerctl retention --years

// Numbers. Money is in minor units of the contract currency; rates per hour.
inline constexpr int32_t kBookingMinutesMin = 1;
inline constexpr int32_t kBookingMinutesMax = 1440;
inline constexpr int32_t kDeliveryMinutesMin = 1;
inline constexpr int32_t kDeliveryMinutesMax = 100'000;
inline constexpr int64_t kFundedMinutesMax = 1'000'000'000;  // ~16.7 million hours
inline constexpr int64_t kRateMinorMax = 1'000'000'000;      // per hour
inline constexpr int64_t kCostMinorMax = 1'000'000'000'000;  // one delivery's cost

// Time. effective_at and term dates must fall in [kYearMin-01-01, kYearMax-12-31].
inline constexpr int kYearMin = 1970;
inline constexpr int kYearMax = 2199;

// Input.
inline constexpr size_t kJsonLineBytesMax = 64 * 1024;
inline constexpr size_t kCsvRecordBytesMax = 64 * 1024;
inline constexpr size_t kEventsPerBatchMax = 5'000'000;  // one atomic append
inline constexpr size_t kEventBytesMax = 16 * 1024;      // one stored event

// The PostgreSQL sink (tools/sink).
inline constexpr uint64_t kSinkEventsPerBatchMax = 1'000'000;  // one PostgreSQL transaction
inline constexpr size_t kSinkSchemaNameBytesMax = 63;          // PostgreSQL's identifier limit
inline constexpr uint32_t kSinkPollIntervalMsMax = 60'000;     // --follow's wait between looks
inline constexpr size_t kSinkCopyChunkBytes = 1 << 20;         // one PQputCopyData call
// `sink postgres --server`: feed events read ahead of the sink at most (the
// reading thread waits beyond), and how a dropped feed is resumed.
inline constexpr size_t kSinkFeedQueueEventsMax = 10'000;
inline constexpr uint32_t kSinkFeedReconnectMs = 1'000;  // wait before resuming
inline constexpr uint32_t kSinkFeedReconnectsMax = 10;   // in a row without an event

// The access log (ledger/store/access_log.h): one record's strings (principal,
// client address, method, route, parameter names and values) and its
// parameter list. A service shortens what it records to these (the route
// of an unmatched path); the ledger refuses a record over them.
inline constexpr size_t kAccessFieldBytesMax = 512;
inline constexpr size_t kAccessParamsMax = 16;
// ledgerd's access log writer appends at most this many queued records at
// once (one append, one fsync shared with concurrent event appends); the
// queue itself is bounded by the connections, each waiting for one record.
inline constexpr size_t kAccessRecordsPerAppendMax = 4096;

// Messages: input echoed in an error (events/base/quote.h) is cut after this many
// bytes, followed by "... (N bytes)".
inline constexpr size_t kEchoedInputBytesMax = 200;

// Event outputs (tools/feed/contract_currency.h): contracts whose currency
// one export or tail keeps in memory; past it the cache starts over.
inline constexpr size_t kCurrencyCacheContractsMax = 1 << 16;

// Reports (ledgerctl balance, margin, escalations, burn) store the checkpoint
// they caught up to only after folding at least this many events: storing
// needs the writer lock and a writable open of the ledger (0.2-0.6 s measured
// on 16k-65k event ledgers), which costs more than folding fewer events again.
inline constexpr uint64_t kReportCheckpointEventsMin = 50'000;

// ledgerctl tail --follow.
inline constexpr uint64_t kTailIdleTimeoutSecondsMax = 366 * 24 * 3600;  // --idle-timeout

// ledgerd (tools/ledgerd): the defaults of its named limits; each can be set by
// an option of the same name (README "Running the service").
inline constexpr size_t kServerBodyBytesDefault = 16u << 20;       // --limit-body-bytes
inline constexpr size_t kServerEventsPerRequestDefault = 10'000;   // --limit-events-per-request
inline constexpr size_t kServerHeaderBytesDefault = 16 * 1024;     // --limit-header-bytes
inline constexpr uint32_t kServerHeaderReadMsDefault = 10'000;     // --limit-header-read-ms
inline constexpr uint32_t kServerBodyReadMsDefault = 60'000;       // --limit-body-read-ms
inline constexpr uint32_t kServerIdleKeepAliveMsDefault = 60'000;  // --limit-idle-ms
inline constexpr size_t kServerConnectionsDefault = 512;           // --limit-connections
inline constexpr size_t kServerConnectionsPerClientDefault = 64;   // --limit-connections-per-client
inline constexpr size_t kServerFeedSubscribersDefault = 64;        // --limit-feed-subscribers
inline constexpr size_t kServerResponseRowsDefault = 10'000;       // --limit-response-rows
inline constexpr uint32_t kServerShutdownDrainMsDefault = 10'000;  // --limit-shutdown-drain-ms
inline constexpr uint32_t kServerFeedHeartbeatMsDefault = 15'000;  // --feed-heartbeat-ms
inline constexpr uint32_t kServerFeedWriteMsDefault = 10'000;      // --limit-feed-write-ms
// What one feed subscriber may have read from the ledger and not yet written.
inline constexpr size_t kServerFeedChunkBytesMax = 256 * 1024;
// The worker threads that run ledger calls (appends wait for their fsync there,
// and concurrent appends form one group commit).
inline constexpr size_t kServerWorkerThreadsDefault = 16;
inline constexpr size_t kServerWorkerThreadsMax = 256;
// A policy file is a few lines per principal.
inline constexpr size_t kServerPolicyBytesMax = 1u << 20;
inline constexpr size_t kServerPrincipalBytesMax = 256;
// Scopes of one policy line (customer:, contract: and types: fields).
inline constexpr size_t kServerScopesPerPrincipalMax = 1024;
// A tokens file holds one line per service token.
inline constexpr size_t kServerTokensBytesMax = 1u << 20;
// Failed authentications (no or a wrong credential) one client address may
// make within kServerAuthFailureWindowMs before every further request from it
// is 429 until the window ends (--limit-auth-failures).
inline constexpr uint32_t kServerAuthFailuresDefault = 20;
inline constexpr uint32_t kServerAuthFailureWindowMs = 60'000;
// Client addresses whose failures are counted at once; past it the oldest
// window is forgotten, so a flood of addresses cannot grow the server's memory.
inline constexpr size_t kServerAuthFailureClientsMax = 4096;
// A feed subscriber's read of the ledger looks at most this many events per
// chunk, so a reader whose scope matches few events does not hold a worker.
inline constexpr size_t kServerFeedChunkEventsScannedMax = 65'536;

// The HTTPS client of ledgerd (tools/client, ledgerctl --server). A server's
// response is untrusted input like any other: over a limit, the request fails
// with an IOError naming the limit, and a silent server ends a read after its
// timeout, never a hang.
inline constexpr size_t kClientResponseHeaderBytesMax = 64 * 1024;  // status line and headers
// One line of a streamed body (a JSON Lines row, a CSV row, one SSE field):
// an event's `log --json` line is far below it.
inline constexpr size_t kClientLineBytesMax = 1u << 20;
// A body read whole (an event, a digest, a proof, an error).
inline constexpr size_t kClientWholeBodyBytesMax = 16u << 20;
inline constexpr uint32_t kClientConnectMsDefault = 10'000;  // TCP connect and TLS handshake
// One read or write with no progress. Above the feed's heartbeat
// (kServerFeedHeartbeatMsDefault), so an idle feed is not taken for a dead one.
inline constexpr uint32_t kClientReadMsDefault = 60'000;

}  // namespace ccl::limits

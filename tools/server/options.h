// ledgerd's settings: what `ledgerd` parses from its command line and
// --config file, and the ccl_server library runs with. Every limit has a named
// default in events/base/limits.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "events/base/limits.h"

namespace ccl::ledgerd {

struct ServerLimits {
  size_t body_bytes = limits::kServerBodyBytesDefault;  // a request body (413 past it)
  size_t events_per_request = limits::kServerEventsPerRequestDefault;  // one POST (413)
  size_t header_bytes = limits::kServerHeaderBytesDefault;       // request line + headers (431)
  uint32_t header_read_ms = limits::kServerHeaderReadMsDefault;  // from the first byte (close)
  uint32_t body_read_ms = limits::kServerBodyReadMsDefault;      // the whole body (close)
  uint32_t idle_ms = limits::kServerIdleKeepAliveMsDefault;      // between requests, TLS handshake
  size_t connections = limits::kServerConnectionsDefault;        // open at once (closed past it)
  size_t connections_per_client = limits::kServerConnectionsPerClientDefault;  // per peer IP
  size_t feed_subscribers = limits::kServerFeedSubscribersDefault;             // GET /v1/feed (503)
  size_t response_rows = limits::kServerResponseRowsDefault;  // GET /v1/events rows (limit=)
  uint32_t shutdown_drain_ms = limits::kServerShutdownDrainMsDefault;  // SIGTERM's wait
  uint32_t feed_heartbeat_ms = limits::kServerFeedHeartbeatMsDefault;  // comment when idle
  uint32_t feed_write_ms = limits::kServerFeedWriteMsDefault;   // a slow subscriber is closed
  uint32_t auth_failures = limits::kServerAuthFailuresDefault;  // per client address (429)
};

struct ServerOptions {
  std::string db_path;                    // the ledger (must exist: `ledgerctl init`)
  std::string checkpoint_dir;             // empty: <db>.checkpoints, as ledgerctl
  std::string listen = "127.0.0.1:8443";  // HOST:PORT; port 0 picks a free one
  std::string port_file;                  // when set, "PORT\n" is written there once listening
  std::string tls_cert;                   // server certificate chain (PEM)
  std::string tls_key;                    // its private key (PEM)
  std::string client_ca;                  // CA certificates that client certificates must chain to
  std::string policy_path;                // principal -> roles and scopes (policy.h)
  std::string tokens_path;                // service token hashes (tokens.h); empty: none
  std::string digest_key;                 // signing key prefix for GET /v1/digest; empty: unsigned
  bool log_json = false;                  // --log-format json
  bool access_log = true;                 // --access-log on|off (tools/server/access.h)
  size_t worker_threads = limits::kServerWorkerThreadsDefault;
  ServerLimits limits;
};

}  // namespace ccl::ledgerd

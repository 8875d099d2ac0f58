// ledgerd's server: one process that owns the ledger and serves it over
// HTTP/1.1 + TLS (Boost.Beast, Asio, OpenSSL) to clients authenticated by
// certificate. README "Running the service" describes the protocol.
#pragma once

#include <cstdint>
#include <memory>

#include "events/base/status.h"
#include "tools/server/options.h"

namespace ccl::ledgerd {

// TLS: 1.2 and 1.3 only (1.3 preferred by OpenSSL's negotiation); for 1.2 only
// ECDHE key exchange with AEAD ciphers (forward secrecy, no CBC, no RSA key
// transport); client certificates required and verified against the client CA.
inline constexpr const char* kTls12CipherList =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
inline constexpr const char* kTls13CipherSuites =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

class Server {
 public:
  // Opens the ledger (writer; Busy when another process holds it), checks it
  // extends its own checkpoint, loads the policy, the TLS files and the digest
  // key, and binds the listening socket (InvalidArgument for a bad --listen,
  // IOError when the address cannot be bound). Nothing is served yet.
  [[nodiscard]] static Status Create(const ServerOptions& options, std::unique_ptr<Server>* out);
  virtual ~Server() = default;

  // Serves until SIGTERM or SIGINT, then stops accepting, lets requests in
  // flight finish (at most limits.shutdown_drain_ms), publishes the ledger's
  // checkpoint and closes the ledger. SIGHUP re-reads the policy. Returns the
  // Status of that shutdown.
  [[nodiscard]] virtual Status Run() = 0;

  // The port listened on (the one picked when --listen gave port 0).
  virtual uint16_t port() const = 0;

 protected:
  Server() = default;
};

}  // namespace ccl::ledgerd

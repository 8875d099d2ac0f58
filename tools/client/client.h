// An HTTPS/1.1 client of ledgerd: one keep-alive connection over TLS 1.2+
// (mutual TLS: the server verified against a CA file, its name checked; this
// client's certificate and key presented), synchronous calls, every read and
// write bounded by a timeout and every response by named limits
// (events/base/limits.h, kClient*).
//
// Errors are Status values:
// - the connection (resolve, connect, TLS handshake, a timeout, a response
//   that breaks HTTP or a limit) fails with IOError naming the server;
// - a response with an error body {"error": {"code", "message", "field",
//   "line", "seq"}} fails with the Status code the same failure has in the
//   library (invalid_argument -> InvalidArgument, rule_violation ->
//   RuleViolation, conflict, not_found, corruption, io_error -> IOError,
//   busy -> Busy) and the server's message as is, which is the message the
//   local command prints; ServerError() keeps every field of the body as
//   data. Other codes go by HTTP status: 401/403 IOError (access refused, as
//   a file the user may not read), 413/431 InvalidArgument (a request over a
//   limit), 429/503 Busy, anything else IOError.
// Streamed bodies (JSON Lines, CSV, Server-Sent Events) are handed over one
// line or one event at a time and never held whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/base/limits.h"
#include "events/base/status.h"

namespace ccl::client {

struct ClientOptions {
  // "https://HOST[:PORT]" (port 443 by default); the certificate of HOST is
  // checked against ca_file (name and chain). Nothing after the authority
  // but an optional "/".
  std::string url;
  std::string ca_file;    // PEM: the CA(s) the server's certificate must chain to
  std::string cert_file;  // PEM: this client's certificate (chain)
  std::string key_file;   // PEM: its private key
  // When non-empty, sent as "Authorization: Bearer <token>" on every request.
  std::string bearer_token;
  uint32_t connect_timeout_ms = limits::kClientConnectMsDefault;  // connect + TLS handshake
  uint32_t read_timeout_ms = limits::kClientReadMsDefault;        // one read or write
  size_t response_header_bytes_max = limits::kClientResponseHeaderBytesMax;
  size_t line_bytes_max = limits::kClientLineBytesMax;
};

// The error body of a failed response, field by field.
struct ServerError {
  unsigned http_status = 0;
  std::string code;              // "rule_violation", "forbidden", ... ("" when no JSON body)
  std::string message;           // the server's message (or a description of the status)
  std::string field;             // "" when null
  std::optional<uint64_t> line;  // the request body's line or element
  std::optional<uint64_t> seq;
};

struct Response {
  unsigned status = 0;       // 2xx (an error status is a failed call)
  std::string content_type;  // as sent, e.g. "application/x-ndjson"
  std::string body;          // whole bodies only
  // Every header (name lower-cased, value), in order; whole bodies only.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of header `lower_case_name`; "" when absent.
  std::string Header(std::string_view lower_case_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_case_name) return value;
    }
    return "";
  }
};

// One Server-Sent Event: its id (the `id:` field; "" when none) and data
// (its `data:` lines joined by "\n").
struct SseEvent {
  std::string id;
  std::string data;
};

// Returns OK to go on; any other Status stops the call, which returns it
// (the connection is then closed: the rest of the body is not read).
using LineCallback = std::function<Status(std::string_view line)>;
using SseCallback = std::function<Status(const SseEvent& event)>;

class Client {
 public:
  // Checks `options` (URL, files readable, a usable certificate and key)
  // without connecting: a bad URL is InvalidArgument, an unreadable or
  // unusable file IOError naming it. REQUIRES: out not null.
  static Status Open(const ClientOptions& options, std::unique_ptr<Client>* out);

  virtual ~Client() = default;

  // GET `target` ("/v1/digest?x=1", already percent-encoded), the body held
  // whole; a body over body_bytes_max fails (IOError naming the limit).
  virtual Status Get(std::string_view target, size_t body_bytes_max, Response* out) = 0;

  // GET `target`, its body handed to on_line one line at a time ("\n" or
  // "\r\n" removed; a last line without "\n" too).
  virtual Status GetLines(std::string_view target, const LineCallback& on_line) = 0;

  // POST `body` as `content_type` to `target`, the response held whole.
  virtual Status Post(std::string_view target, std::string_view content_type, std::string_view body,
                      size_t body_bytes_max, Response* out) = 0;

  // GET `target` as an event stream (text/event-stream), each event handed to
  // on_event as it arrives; comments (heartbeats) are skipped. With a
  // non-empty last_event_id the request carries Last-Event-ID to resume
  // after it. Returns when on_event stops it, or the server ends the stream
  // (OK when it ended between events).
  virtual Status GetEvents(std::string_view target, std::string_view last_event_id,
                           const SseCallback& on_event) = 0;

  // The error body of the last call that failed with one; http_status 0
  // when the last call failed otherwise or did not fail.
  virtual const ServerError& LastServerError() const = 0;

  // "https://host:port", as errors name the server.
  virtual const std::string& server() const = 0;

  // The one call safe from another thread: the call in progress (a read
  // waiting on a quiet stream, a connect, a handshake) ends soon with an
  // IOError, and every later call fails at once. For a thread that must stop
  // the thread using this client; the client must outlive both.
  virtual void Cancel() = 0;
};

// The message of an error at a line of the request body without the
// "line N: " ledgerd puts before it (N is e.line): the library's own message,
// for a front end that names the line its own way (a file and its line). The
// whole message when e.line is unset or the message does not start so.
std::string_view MessageAfterLine(const ServerError& e);

// Appends `text` to *out percent-encoded for a query value or a path
// segment (RFC 3986 unreserved characters kept).
void AppendPercentEncoded(std::string_view text, std::string* out);

}  // namespace ccl::client

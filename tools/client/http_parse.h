// The client's parsers of what a server sends, apart from any socket so
// tests can feed them any bytes in any pieces: the HTTP/1.1 response (status
// line, headers, a body by Content-Length, chunked or up to the close), its
// body cut into lines, lines into Server-Sent Events, and the error body.
// Every parser has a named limit; past it, or on malformed input, it returns
// an IOError saying which (a server that breaks the protocol is a failed
// connection, not a rejected input).
#pragma once

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/base/status.h"
#include "tools/client/client.h"

namespace ccl::client {

// Receives body bytes in order, in pieces of any size.
using BodySink = std::function<Status(std::string_view bytes)>;

// One HTTP/1.1 response.
class ResponseReader {
 public:
  explicit ResponseReader(size_t header_bytes_max);

  // Parses `bytes`, the next ones read from the connection; body bytes go to
  // `sink` as they are parsed. A sink's error is returned as is.
  Status Feed(std::string_view bytes, const BodySink& sink);
  // The connection ended: completes a body that runs to the close, else
  // IOError when the response is not complete.
  Status FeedEof();

  bool header_done() const { return parser_.is_header_done(); }
  bool done() const { return parser_.is_done(); }
  // REQUIRES: header_done()
  unsigned status() const;
  std::string header(std::string_view name) const;  // "" when absent
  // REQUIRES: header_done(). Every header (name lower-cased, value), in order.
  std::vector<std::pair<std::string, std::string>> headers() const;
  // The response is complete, said the connection stays open, and nothing
  // followed it: the connection may carry another request.
  bool keep_alive() const;

 private:
  Status Parse(const BodySink& sink);
  Status Malformed(const boost::system::error_code& ec) const;

  size_t header_bytes_max_;

  boost::beast::http::response_parser<boost::beast::http::buffer_body> parser_;
  std::string pending_;  // bytes read and not yet consumed by the parser
};

// Cuts a body into lines: "\n" ends a line, a "\r" before it is dropped.
class LineSplitter {
 public:
  explicit LineSplitter(size_t line_bytes_max) : line_bytes_max_(line_bytes_max) {}
  Status Feed(std::string_view bytes, const LineCallback& on_line);
  // The body ended: a last line without "\n" is handed over too.
  Status Finish(const LineCallback& on_line);

 private:
  size_t line_bytes_max_;
  std::string partial_;
};

// Lines of a text/event-stream into events (the WHATWG EventSource rules
// this server's stream needs: `id`, `data` (several joined by "\n"), `event`
// and `retry` accepted and ignored, ":" comments skipped, a blank line ends
// an event; a field without ":" is a name with an empty value).
class SseParser {
 public:
  explicit SseParser(size_t event_bytes_max) : event_bytes_max_(event_bytes_max) {}
  Status Line(std::string_view line, const SseCallback& on_event);
  // True when the stream ended at an event boundary (no event half read).
  bool between_events() const { return !has_data_ && event_.id.empty(); }

 private:
  size_t event_bytes_max_;
  SseEvent event_;
  bool has_data_ = false;
};

// The error body of a response with status `http_status` (any body: one
// that is not the documented JSON leaves code "" and a message saying the
// status).
ServerError ParseServerError(unsigned http_status, std::string_view body);

// The Status of a failed response (the mapping of client.h).
Status StatusOfServerError(const ServerError& e);

}  // namespace ccl::client

#include "tools/client/http_parse.h"

#include <simdjson.h>

#include <array>
#include <cassert>
#include <cctype>
#include <limits>

#include "events/base/quote.h"

namespace ccl::client {
namespace http = boost::beast::http;

ResponseReader::ResponseReader(size_t header_bytes_max) : header_bytes_max_(header_bytes_max) {
  assert(header_bytes_max > 0 && header_bytes_max <= UINT32_MAX);
  parser_.header_limit(static_cast<std::uint32_t>(header_bytes_max));
  // Bodies are streamed; the caller's sink holds its own limit.
  parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser_.eager(true);
}

unsigned ResponseReader::status() const {
  assert(header_done());
  return parser_.get().result_int();
}

std::string ResponseReader::header(std::string_view name) const {
  const auto& fields = parser_.get().base();
  auto it = fields.find(boost::beast::string_view(name.data(), name.size()));
  if (it == fields.end()) return "";
  return std::string(it->value());
}

std::vector<std::pair<std::string, std::string>> ResponseReader::headers() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& field : parser_.get().base()) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace_back(std::move(name), std::string(field.value()));
  }
  return out;
}

bool ResponseReader::keep_alive() const {
  return done() && pending_.empty() && parser_.get().keep_alive();
}

Status ResponseReader::Malformed(const boost::system::error_code& ec) const {
  if (ec == http::error::header_limit) {
    return Status::IOError("the response's status line and headers are over " +
                           std::to_string(header_bytes_max_) + " bytes (limit response header)");
  }
  return Status::IOError("malformed HTTP response: " + ec.message());
}

Status ResponseReader::Parse(const BodySink& sink) {
  std::array<char, 64 * 1024> chunk;
  while (!parser_.is_done()) {
    parser_.get().body().data = chunk.data();
    parser_.get().body().size = chunk.size();
    boost::system::error_code ec;
    const size_t used =
        pending_.empty() ? 0
                         : parser_.put(boost::asio::buffer(pending_.data(), pending_.size()), ec);
    pending_.erase(0, used);
    const size_t got = chunk.size() - parser_.get().body().size;
    if (got > 0) CCL_RETURN_IF_ERROR(sink(std::string_view(chunk.data(), got)));
    if (ec == http::error::need_buffer) continue;
    if (ec == http::error::need_more) return Status::OK();
    if (ec) return Malformed(ec);
    if (used == 0 && got == 0) return Status::OK();  // nothing pending: wait for more
  }
  return Status::OK();
}

Status ResponseReader::Feed(std::string_view bytes, const BodySink& sink) {
  // Anything after a complete response is not ours to read: this client sends
  // one request at a time.
  if (parser_.is_done()) return Status::IOError("the server sent bytes after its response");
  pending_.append(bytes);
  CCL_RETURN_IF_ERROR(Parse(sink));
  // What is left of an unfinished header waits for more bytes: never more
  // than the limit of them.
  if (!parser_.is_header_done() && pending_.size() > header_bytes_max_) {
    return Malformed(http::error::header_limit);
  }
  return Status::OK();
}

Status ResponseReader::FeedEof() {
  if (parser_.is_done()) return Status::OK();
  if (!parser_.is_header_done()) {
    return Status::IOError(pending_.empty() ? "the server closed the connection without a response"
                                            : "the server closed the connection mid-header");
  }
  std::array<char, 1> none;
  parser_.get().body().data = none.data();
  parser_.get().body().size = 0;
  boost::system::error_code ec;
  parser_.put_eof(ec);
  if (ec == http::error::partial_message) {
    return Status::IOError("the server closed the connection mid-body");
  }
  if (ec) return Malformed(ec);
  return Status::OK();
}

// ---------------------------------------------------------------- lines

namespace {

Status LineTooLong(size_t line_bytes_max) {
  return Status::IOError("a line of the response is longer than " + std::to_string(line_bytes_max) +
                         " bytes (limit response line)");
}

std::string_view WithoutCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Status LineSplitter::Feed(std::string_view bytes, const LineCallback& on_line) {
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, nl);
    if (nl == std::string_view::npos) {
      // One byte more may be the "\r" of "\r\n", which is not part of the line.
      if (partial_.size() + piece.size() > line_bytes_max_ + 1) return LineTooLong(line_bytes_max_);
      partial_.append(piece);
      return Status::OK();
    }
    const std::string_view last = piece.empty() ? std::string_view(partial_) : piece;
    const bool cr = !last.empty() && last.back() == '\r';
    if (partial_.size() + piece.size() - (cr ? 1 : 0) > line_bytes_max_) {
      return LineTooLong(line_bytes_max_);
    }
    bytes.remove_prefix(nl + 1);
    Status s;
    if (partial_.empty()) {
      s = on_line(WithoutCr(piece));
    } else {
      partial_.append(piece);
      s = on_line(WithoutCr(partial_));
      partial_.clear();
    }
    CCL_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

Status LineSplitter::Finish(const LineCallback& on_line) {
  if (partial_.empty()) return Status::OK();
  if (partial_.size() > line_bytes_max_) return LineTooLong(line_bytes_max_);
  std::string last = std::move(partial_);
  partial_.clear();
  return on_line(last);
}

// ---------------------------------------------------------------- SSE

Status SseParser::Line(std::string_view line, const SseCallback& on_event) {
  if (line.empty()) {
    // A blank line dispatches; an event without data is none (EventSource).
    Status s;
    if (has_data_) s = on_event(event_);
    event_ = SseEvent();
    has_data_ = false;
    return s;
  }
  if (line[0] == ':') return Status::OK();  // a comment: the heartbeat
  const size_t colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  if (name == "data") {
    if (event_.data.size() + value.size() + 1 > event_bytes_max_) {
      return Status::IOError("an event of the stream is longer than " +
                             std::to_string(event_bytes_max_) + " bytes (limit response line)");
    }
    if (has_data_) event_.data += '\n';
    event_.data.append(value);
    has_data_ = true;
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) event_.id.assign(value);
  } else if (name != "event" && name != "retry") {
    return Status::IOError("the event stream has an unknown field " +
                           events::QuoteForMessage(name));
  }
  return Status::OK();
}

// ---------------------------------------------------------------- errors

namespace {

std::string StatusText(unsigned status) {
  return "the server answered HTTP " + std::to_string(status);
}

}  // namespace

ServerError ParseServerError(unsigned http_status, std::string_view body) {
  ServerError e;
  e.http_status = http_status;
  e.message = StatusText(http_status);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (body.size() > limits::kClientWholeBodyBytesMax || parser.parse(body).get(root)) return e;
  simdjson::dom::object err;
  if (root["error"].get(err)) return e;
  std::string_view code, message, field;
  if (err["code"].get(code) || err["message"].get(message)) return e;
  e.code = code;
  e.message = message;
  if (!err["field"].get(field)) e.field = field;
  uint64_t n = 0;
  if (!err["line"].get(n)) e.line = n;
  if (!err["seq"].get(n)) e.seq = n;
  return e;
}

Status StatusOfServerError(const ServerError& e) {
  const std::string& m = e.message;
  if (e.code == "invalid_argument") return Status::InvalidArgument(m);
  if (e.code == "rule_violation") return Status::RuleViolation(m);
  if (e.code == "conflict") return Status::Conflict(m);
  if (e.code == "not_found") return Status::NotFound(m);
  if (e.code == "corruption") return Status::Corruption(m);
  if (e.code == "io_error") return Status::IOError(m);
  if (e.code == "busy") return Status::Busy(m);
  switch (e.http_status) {
    case 413:
    case 431:
      return Status::InvalidArgument(m);
    case 429:
    case 503:
      return Status::Busy(m);
    default:
      return Status::IOError(m);
  }
}

}  // namespace ccl::client

// One client connection of ledgerd: TLS handshake, then HTTP/1.1 requests
// read within the named limits, each routed, authenticated and authorized on
// its header before its body is read, handled on a worker thread (an
// append with a small body: on the strand, answered when its group commit
// is synced) and answered. Every step runs on the connection's strand.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/algorithm/string/predicate.hpp>
#include <charconv>

#include "events/base/display.h"
#include "events/base/quote.h"
#include "tools/net/certificate.h"
#include "tools/server/framing.h"
#include "tools/server/server_impl.h"

namespace ccl::ledgerd {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(1);
constexpr size_t kFirstReadBytes = 4096;
// An append whose body is at most this size is parsed and queued on the
// connection's strand: that costs less than handing it to a worker thread
// and back (a few events take microseconds to parse); a larger body is
// parsed on a worker, so as not to hold the I/O thread's other connections.
constexpr size_t kStrandBodyBytesMax = 64 << 10;

// What DrainThenClose reads at most of the body an authenticated client
// declared for a request refused unread, and per read.
constexpr uint64_t kRefusedBodyDrainBytesMax = 256ull << 20;
constexpr size_t kReadChunkBytes = 64 << 10;
// How a chunked body without trailers ends: the last chunk after the CRLF
// that ends the header or the chunk before it (RFC 9112 7.1).
constexpr std::string_view kLastChunk = "\r\n0\r\n\r\n";

// The principal of the verified client certificate (ccl::net::CertificatePrincipal).
std::string PrincipalOf(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  std::string out = ccl::net::CertificatePrincipal(cert);
  X509_free(cert);
  return out;
}

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Session::Session(tcp::socket socket, ServerImpl* server, std::string peer_ip)
    : server_(server),
      stream_(std::move(socket), server->tls()),
      peer_ip_(std::move(peer_ip)),
      feed_timer_(stream_.get_executor()) {}

Session::~Session() {
  if (feed_counted_) server_->RemoveSubscriber(this);
  server_->Release(peer_ip_);
}

void Session::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    // The handshake gets the idle time: a client that connects and says
    // nothing is closed then.
    self->stream_.next_layer().expires_after(
        std::chrono::milliseconds(self->server_->options().limits.idle_ms));
    self->stream_.async_handshake(ssl::stream_base::server,
                                  [self](beast::error_code ec) { self->OnHandshake(ec); });
  });
}

void Session::OnHandshake(beast::error_code ec) {
  if (ec) {
    server_->Log(spdlog::level::info, "TLS handshake with " + peer_ip_ + " failed: " + ec.message(),
                 "\"peer\":" + JsonQuoted(peer_ip_) + ",\"event\":\"tls_handshake_failed\"");
    state_ = State::kClosed;
    stream_.next_layer().close();
    return;
  }
  principal_ = PrincipalOf(stream_.native_handle());
  ReadNext();
}

void Session::ReadNext() {
  if (server_->draining()) return Close();
  state_ = State::kIdle;
  route_ = nullptr;
  request_ = nullptr;
  context_ = RequestContext();
  route_label_ = "unmatched";
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_->options().limits.header_bytes));
  parser_->body_limit(server_->options().limits.body_bytes);
  if (buffer_.size() > 0) return ReadHeader();
  stream_.next_layer().expires_after(std::chrono::milliseconds(server_->options().limits.idle_ms));
  stream_.async_read_some(
      buffer_.prepare(kFirstReadBytes),
      [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
}

void Session::OnFirstBytes(beast::error_code ec, size_t n) {
  if (ec) return Close();  // idle time over, the client left, or shutdown
  buffer_.commit(n);
  ReadHeader();
}

void Session::ReadHeader() {
  state_ = State::kRequest;
  request_start_ = std::chrono::steady_clock::now();
  request_time_ns_ = ledger::SystemClock()->NowNs();
  // The whole header within this time from its first byte (slow clients).
  stream_.next_layer().expires_after(
      std::chrono::milliseconds(server_->options().limits.header_read_ms));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (ec) return FailRead(ec, true);
  RouteRequestLine();
  const auto& req = parser_->get();
  if (auto e = FramingError(req)) return RefuseUnread(*e);
  if (auto e = HostError(req)) return RefuseUnread(*e);
  if (auto refusal = DecideOnHeader()) return RefuseOnHeader(std::move(*refusal));
  if (ExpectsContinue() && !parser_->is_done()) {
    stream_.next_layer().expires_after(
        std::chrono::milliseconds(server_->options().limits.body_read_ms));
    net::async_write(
        stream_, net::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](beast::error_code ec2, size_t) { self->OnContinueSent(ec2); });
    return;
  }
  ReadBody();
}

bool Session::RequestLineRead() const {
  // The parser sets the method as soon as it has read the whole request
  // line, before the fields: a request refused for its fields or over the
  // header limit may still name it.
  return parser_ && !parser_->get().method_string().empty();
}

bool Session::ExpectsContinue() const {
  return boost::iequals(parser_->get()[http::field::expect], "100-continue");
}

bool Session::KeepAlive() const { return parser_->get().keep_alive() && !server_->draining(); }

void Session::RouteRequestLine() {
  if (!RequestLineRead()) return;
  const auto& req = parser_->get();
  const std::string_view target(req.target().data(), req.target().size());
  request_ = std::make_shared<Request>();
  request_->method = std::string_view(req.method_string().data(), req.method_string().size());
  request_->path = target.substr(0, target.find('?'));
  unsigned status = 404;
  route_ = MatchRoute(request_->method, request_->path, &request_->path_params, &status);
  if (route_ != nullptr) {
    route_label_ = route_->pattern;
  } else if (status == 405) {
    // A route's path under another method: counted and logged under that
    // route's pattern, as its access record names it ("unmatched" is for
    // paths no route has).
    if (const Route* of_path = RouteOfPath(request_->path)) route_label_ = of_path->pattern;
  }
}

std::optional<Reply> Session::DecideOnHeader() {
  if (route_ == nullptr) return UnroutedReply();
  if (auto e = AuthenticateRequest()) return Reply::Error(*e);
  if (auto e = Authorize(context_, route_->roles,
                         std::string(route_->method) + " " + std::string(route_->pattern))) {
    return Reply::Error(*e);
  }
  const std::string_view target(parser_->get().target().data(), parser_->get().target().size());
  const size_t q = target.find('?');
  if (auto e = Query::Parse(q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
                            route_->params, &request_->query)) {
    return Reply::Error(*e);
  }
  const auto ct = parser_->get()[http::field::content_type];
  request_->content_type = MediaType(std::string_view(ct.data(), ct.size()));
  if (route_->check_header != nullptr) {
    if (auto e = route_->check_header(*request_)) return Reply::Error(*e);
  }
  return std::nullopt;
}

Reply Session::UnroutedReply() {
  // The caller is authenticated all the same: a client blocked for its
  // failures gets 429 here too, and one without a valid credential has
  // this request counted as a failure (it learns which routes exist only
  // as fast as it may guess credentials). Its 401 is not answered: the
  // route's absence is.
  if (auto e = AuthenticateRequest(); e && e->http_status != 401) return Reply::Error(*e);
  unsigned status = 404;
  std::string allow;
  std::vector<std::string> params;
  MatchRoute(request_->method, request_->path, &params, &status, &allow);
  const std::string what = status == 405 ? "method not allowed" : "no such route";
  Reply reply = Reply::Error(HttpError(status, status == 405 ? "method_not_allowed" : "not_found",
                                       what + ": " + std::string(request_->method) + " " +
                                           events::EscapeForMessage(request_->path)));
  if (status == 405) reply.headers.emplace_back("Allow", allow);  // RFC 9110 15.5.6
  return reply;
}

void Session::RefuseOnHeader(Reply reply) {
  const bool body_unread = !parser_->is_done();
  if (body_unread && !ExpectsContinue()) {
    // A client that asked to continue has sent no body, and is told to send
    // none; one that did not may be sending it now: what it declared (at
    // most a body's limit) is dropped after the answer (DrainThenClose), so
    // that closing does not reset the connection before the answer arrives.
    drain_bytes_left_ =
        parser_->content_length_remaining().value_or(server_->options().limits.body_bytes);
    StartDrainTail();
  }
  Send(std::move(reply), KeepAlive() && !body_unread);
}

void Session::OnContinueSent(beast::error_code ec) {
  if (ec) return Close();
  ReadBody();
}

void Session::ReadBody() {
  if (parser_->is_done()) return Dispatch();
  stream_.next_layer().expires_after(
      std::chrono::milliseconds(server_->options().limits.body_read_ms));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec) return FailRead(ec, false);
  Dispatch();
}

void Session::RefuseUnread(const ApiError& e, uint64_t declared_body) {
  // Refused before it was authorized (or while its body was read): its
  // access record names whom the TLS handshake authenticated, if a
  // certificate did and the request was not authenticated already.
  if (!principal_.empty() && context_.auth_method == AuthMethod::kNone) {
    context_.principal = principal_;
    context_.auth_method = AuthMethod::kCertificate;
  }
  if (context_.auth_method == AuthMethod::kNone) {
    // Nobody is authenticated yet: a whole header's token is checked now;
    // without one the refusal counts as a failed authentication. A blocked
    // address is told so and nothing more of its request is read.
    std::optional<ApiError> blocked;
    // Refused for its length, the header's fields are all read.
    if (parser_->is_header_done() || declared_body > 0) {
      if (auto failure = AuthenticateRequest(); failure && failure->http_status == 429) {
        blocked = failure;
      }
    } else {
      blocked = CountUncheckedRefusal(&server_->auth_failures(), peer_ip_);
    }
    if (blocked) return Send(Reply::Error(*blocked), false);
  }
  // The body it declared is read and dropped, so that the answer is not
  // lost to a reset of a client still sending: from an authenticated client
  // up to kRefusedBodyDrainBytesMax, from anyone else at most the body limit.
  const uint64_t cap = context_.auth_method != AuthMethod::kNone
                           ? kRefusedBodyDrainBytesMax
                           : server_->options().limits.body_bytes;
  drain_bytes_left_ = std::min(declared_body, cap);
  StartDrainTail();
  Send(Reply::Error(e), false);
}

void Session::FailRead(beast::error_code ec, bool header) {
  const ServerLimits& l = server_->options().limits;
  if (header) RouteRequestLine();  // the record names the method and route when known
  if (ec == http::error::header_limit) {
    return RefuseUnread(HttpError(431, "limit_exceeded",
                                  "request header larger than " + std::to_string(l.header_bytes) +
                                      " bytes (limit header bytes)"));
  }
  if (ec == http::error::body_limit) {
    // A Content-Length over the limit is refused before the header counts
    // as read, when the parser's content_length() may not be asked: the
    // field's text, which the parser took as a number already. A chunked
    // body declares nothing: it is drained to its last chunk (within the
    // drain's bounds).
    uint64_t declared = parser_->chunked() ? UINT64_MAX : l.body_bytes;
    const auto field = parser_->get()[http::field::content_length];
    uint64_t v = 0;
    if (!field.empty() &&
        std::from_chars(field.data(), field.data() + field.size(), v).ec == std::errc()) {
      declared = v;
    }
    return RefuseUnread(HttpError(413, "limit_exceeded",
                                  "request body larger than " + std::to_string(l.body_bytes) +
                                      " bytes (limit body bytes)"),
                        declared);
  }
  if (ec.category() == beast::error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return RefuseUnread(HttpError(400, "bad_request", "malformed HTTP request: " + ec.message()));
  }
  server_->Log(spdlog::level::info,
               std::string(header ? "reading a request header" : "reading a request body") +
                   " from " + peer_ip_ + ": " + ec.message() + "; connection closed",
               "\"peer\":" + JsonQuoted(peer_ip_) + ",\"event\":\"read_failed\"");
  Close();
}

void Session::Dispatch() {
  auto& req = parser_->get();
  const bool keep_alive = KeepAlive();
  std::shared_ptr<Request> request = std::move(request_);
  if (route_->kind == RouteKind::kFeed) return StartFeed(request->query);
  request->body = req.body();
  request->context = context_;
  if (server_->service().access_log != nullptr) request->access = RequestAccessRecord(Facts());
  server_->metrics().CountStage(RequestStage::kRead, Seconds(Clock::now() - request_start_));
  if (route_->kind == RouteKind::kAsyncReply) return DispatchAsync(std::move(request), keep_alive);
  net::post(server_->workers(), [self = shared_from_this(), request, keep_alive,
                                 handler = route_->handler, queued = Clock::now()] {
    const auto started = Clock::now();
    self->AnswerOnStrand(keep_alive, queued, started)(handler(*request, self->server_->service()));
  });
}

void Session::DispatchAsync(std::shared_ptr<Request> request, bool keep_alive) {
  auto run = [self = shared_from_this(), request, keep_alive, handler = route_->async_handler,
              queued = Clock::now()] {
    const auto started = Clock::now();
    handler(request, self->server_->service(), self->AnswerOnStrand(keep_alive, queued, started));
  };
  if (request->body.size() <= kStrandBodyBytesMax) return run();
  net::post(server_->workers(), std::move(run));
}

ReplyDone Session::AnswerOnStrand(bool keep_alive, Clock::time_point queued,
                                  Clock::time_point started) {
  return [self = shared_from_this(), keep_alive, queued, started](Reply reply) {
    const auto handled = Clock::now();
    net::post(self->stream_.get_executor(),
              [self, keep_alive, reply = std::move(reply), queued, started, handled]() mutable {
                Metrics& m = self->server_->metrics();
                m.CountStage(RequestStage::kWorkerWait, Seconds(started - queued));
                m.CountStage(RequestStage::kHandler, Seconds(handled - started));
                m.CountStage(RequestStage::kToStrand, Seconds(Clock::now() - handled));
                self->Send(std::move(reply), keep_alive);
              });
  };
}

std::optional<ApiError> Session::AuthenticateRequest() {
  const auto& req = parser_->get();
  // Two Authorization headers: which one counts would be a guess.
  if (req.count(http::field::authorization) > 1) {
    return HttpError(400, "bad_request", "more than one Authorization header; send one");
  }
  const auto authorization = req[http::field::authorization];
  auto failure =
      Authenticate(principal_, std::string_view(authorization.data(), authorization.size()),
                   peer_ip_, server_->policy(), &server_->auth_failures(), &context_);
  if (!failure) return std::nullopt;
  server_->Log(spdlog::level::warn,
               "authentication failed from " + peer_ip_ + ": " + failure->reason,
               "\"peer\":" + JsonQuoted(peer_ip_) +
                   ",\"event\":\"auth_failed\",\"why\":" + JsonQuoted(failure->reason));
  return failure->error;
}

bool Session::IsHead() const {
  return RequestLineRead() && parser_->get().method() == http::verb::head;
}

void Session::Send(Reply reply, bool keep_alive) {
  // An answer to HEAD (never a route here: a 405 or 404) carries no content
  // (RFC 9110 9.3.2): a body would be read as the next response. Its record
  // counts the bytes sent: none.
  if (IsHead()) reply.body.clear();
  if (server_->service().access_log == nullptr || reply.access_recorded) {
    return Respond(std::move(reply), keep_alive);
  }
  ledger::AccessRecord record = RequestAccessRecord(Facts());
  record.status = static_cast<uint16_t>(reply.status);
  record.rows = reply.rows;
  record.bytes = reply.body.size();
  stage_at_ = Clock::now();  // also for replies made on the strand, which had no stage before
  RecordThen(std::move(record), [self = shared_from_this(), reply = std::move(reply),
                                 keep_alive](const Status& s) mutable {
    // An answer the log could not record is withheld; a refusal shows
    // nothing, so it goes out as it is (its own cause, e.g. io_error).
    const bool withhold = !s.ok() && reply.status < 400;
    self->CountStageSince(RequestStage::kAccessRecord);
    self->Respond(withhold ? AccessLogFailure(s) : std::move(reply), keep_alive);
  });
}

void Session::RecordThen(ledger::AccessRecord record, std::function<void(const Status&)> then) {
  server_->service().access_log->RecordAsync(
      std::move(record), [self = shared_from_this(), then = std::move(then)](const Status& s) {
        if (!s.ok()) {
          self->server_->Log(spdlog::level::err, "access log: " + s.message());
          if (s.IsIOError()) self->server_->service().writes_failed = true;
        }
        net::post(self->stream_.get_executor(), [s, then]() { then(s); });
      });
}

RequestFacts Session::Facts() const {
  RequestFacts f;
  f.time_ns = request_time_ns_;
  f.principal = context_.principal;
  f.auth = context_.auth_method;
  f.client = peer_ip_;
  f.route = route_;
  if (RequestLineRead()) {
    const auto& req = parser_->get();
    f.method = std::string_view(req.method_string().data(), req.method_string().size());
    f.target = std::string_view(req.target().data(), req.target().size());
  }
  return f;
}

void Session::Respond(Reply reply, bool keep_alive) {
  response_ = {};
  response_.version(11);
  response_.result(reply.status);
  response_.set(http::field::content_type, reply.content_type);
  response_.set(http::field::cache_control, "no-store");
  for (const auto& [name, value] : reply.headers) response_.set(name, value);
  response_.body() = std::move(reply.body);
  if (IsHead()) response_.body().clear();
  response_.keep_alive(keep_alive);
  response_.prepare_payload();
  LogRequest(reply.status, response_.body().size());
  stream_.next_layer().expires_after(
      std::chrono::milliseconds(server_->options().limits.body_read_ms));
  stage_at_ = Clock::now();
  http::async_write(stream_, response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                      self->CountStageSince(RequestStage::kWrite);
                      self->OnWritten(ec, keep_alive);
                    });
}

void Session::CountStageSince(RequestStage stage) {
  const auto now = Clock::now();
  server_->metrics().CountStage(stage, Seconds(now - stage_at_));
  stage_at_ = now;
}

void Session::OnWritten(beast::error_code ec, bool keep_alive) {
  if (ec) return Close();
  if (keep_alive) return ReadNext();
  if (drain_bytes_left_ == 0) return Close();
  // The whole drain within the body read time, however slowly it comes.
  stream_.next_layer().expires_after(
      std::chrono::milliseconds(server_->options().limits.body_read_ms));
  DrainThenClose();
}

void Session::StartDrainTail() {
  drain_chunked_ = parser_->chunked();
  drain_tail_ = "\r\n";  // the header's end: a body of only the last chunk is seen whole
}

bool Session::DropDrained() {
  const std::string_view got(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  const bool ended = got.size() >= drain_bytes_left_;
  drain_bytes_left_ = ended ? 0 : drain_bytes_left_ - got.size();
  buffer_.consume(got.size());
  if (ended || !drain_chunked_) return ended;
  drain_tail_ += got.substr(got.size() - std::min(got.size(), kLastChunk.size()));
  drain_tail_.erase(0, drain_tail_.size() - std::min(drain_tail_.size(), kLastChunk.size()));
  return drain_tail_.ends_with(kLastChunk);
}

void Session::DrainThenClose() {
  if (DropDrained()) return Close();
  stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (ec) return self->Close();
                            self->buffer_.commit(n);
                            self->DrainThenClose();
                          });
}

void Session::LogRequest(unsigned status, size_t bytes) {
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_start_)
          .count();
  server_->metrics().CountRequest(route_label_, status, ms / 1000);
  std::string method, target, logged_target;
  if (RequestLineRead()) {
    const auto& req = parser_->get();
    method = std::string(req.method_string());
    logged_target =
        LoggableTarget(std::string_view(req.target().data(), req.target().size()), route_);
    target = events::EscapeForMessage(logged_target);
  }
  const std::string who =
      context_.principal.empty() ? "-" : events::EscapeForMessage(context_.principal);
  // The text line's fields are separated by spaces: each value a client
  // chose (its CN or token's principal, its method and target) is one field,
  // quoted when it holds a space or a quote (events::LineField).
  const std::string who_field =
      context_.principal.empty() ? "-" : events::LineField(context_.principal);
  char took[32];
  std::snprintf(took, sizeof(took), "%.3f", ms);
  const std::string fields =
      "\"peer\":" + JsonQuoted(peer_ip_) + ",\"principal\":" + JsonQuoted(who) +
      ",\"auth\":" + JsonQuoted(AuthMethodName(context_.auth_method)) +
      ",\"method\":" + JsonQuoted(method) + ",\"target\":" + JsonQuoted(target) +
      ",\"route\":" + JsonQuoted(route_label_) + ",\"status\":" + std::to_string(status) +
      ",\"bytes\":" + std::to_string(bytes) + ",\"ms\":" + took;
  server_->Log(spdlog::level::info,
               peer_ip_ + " " + who_field + " " +
                   (method.empty() ? "-" : events::LineField(method)) + " " +
                   (logged_target.empty() ? "-" : events::LineField(logged_target)) + " " +
                   std::to_string(status) + " " + std::to_string(bytes) + " " + took + "ms",
               fields);
}

void Session::CloseIfIdle() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->state_ == State::kIdle || self->state_ == State::kHandshake) {
      self->stream_.next_layer().cancel();
    } else if (self->state_ == State::kFeed) {
      self->FeedEnd("the server is shutting down");
    }
  });
}

void Session::ForceClose() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->state_ = State::kClosed;
    self->feed_timer_.cancel();
    beast::error_code ignored;
    self->stream_.next_layer().socket().close(ignored);
  });
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  feed_timer_.cancel();
  stream_.next_layer().expires_after(kTlsShutdownTimeout);
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    self->stream_.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    self->stream_.next_layer().close();
  });
}

}  // namespace ccl::ledgerd

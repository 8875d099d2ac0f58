// Internals of ledgerd's server shared by server.cc (listening, connection
// accounting, signals, shutdown), session.cc (one HTTP connection) and
// feed.cc (a Server-Sent Events stream). Internal to ccl_server.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "ledger/store/ledger.h"
#include "tools/access/auth.h"
#include "tools/access/policy.h"
#include "tools/server/metrics.h"
#include "tools/server/routes.h"
#include "tools/server/server.h"
#include "tools/server/service.h"

namespace ccl::ledgerd {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

class ServerImpl;

// One client connection: TLS handshake, then requests one after another
// (keep-alive), each read within the header/body limits, authorized by the
// policy on its header (before its body is read), handled on a worker thread
// and answered; or, for GET /v1/feed, an
// event stream until the client goes (feed.cc).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerImpl* server, std::string peer_ip);
  ~Session();
  void Start();
  // Shutdown: a session waiting for its next request (or streaming the feed)
  // is closed; one in a request finishes it and closes after the response.
  void CloseIfIdle();
  // The feed: new events were appended.
  void WakeFeed();
  // After the drain time: closes the socket whatever the session is doing.
  void ForceClose();

 private:
  void OnHandshake(beast::error_code ec);
  void ReadNext();
  void OnFirstBytes(beast::error_code ec, size_t n);
  void ReadHeader();
  // The header is read: the request is routed, authenticated and
  // authorized, and its query parsed, before a byte of its body is read or
  // `100 Continue` sent; a refusal is answered at once (RefuseOnHeader).
  void OnHeader(beast::error_code ec);
  // True once the parser has read the whole request line (method and
  // target), even when the fields that follow failed to parse.
  bool RequestLineRead() const;
  bool ExpectsContinue() const;  // Expect: 100-continue
  bool IsHead() const;
  // The request asks to keep the connection open, and the server is not
  // shutting down.
  bool KeepAlive() const;
  // When the request line is read: its route into route_ and route_label_,
  // and request_ with its method, path and path segments.
  void RouteRequestLine();
  // The refusal of the request whose header was just read, if it is refused
  // on its header: 404/405, 401/429, 403, a malformed query. REQUIRES:
  // RouteRequestLine ran.
  std::optional<Reply> DecideOnHeader();
  // 404 or 405 for a request no route matches, after authenticating it as
  // any other (a failure counts against its address; 429 when blocked).
  Reply UnroutedReply();
  // Answers a refusal decided on the header alone. The connection is kept
  // only when the request has no body; else it is closed after the answer,
  // the body unread (drained first unless the client waits for `100
  // Continue`, which it is never sent).
  void RefuseOnHeader(Reply reply);
  void OnContinueSent(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void Dispatch();
  // A kAsyncReply route: its handler runs on the strand (a small body) or a
  // worker, and answers through AnswerOnStrand.
  void DispatchAsync(std::shared_ptr<Request> request, bool keep_alive);
  // Takes a handler's reply back to the strand (stage metrics from `queued`,
  // when the request was handed over, and `started`, when its handler
  // began) and sends it.
  ReplyDone AnswerOnStrand(bool keep_alive, std::chrono::steady_clock::time_point queued,
                           std::chrono::steady_clock::time_point started);
  // Authenticates the request just read into context_ (auth.h), logging a
  // failure; the error response when it fails.
  std::optional<ApiError> AuthenticateRequest();
  // Records the request's access (when the log is on and the reply does
  // not say it is recorded), then Respond: the record is durable before a
  // byte of the response is written; a success it could not record becomes
  // 503 access_log_failed.
  void Send(Reply reply, bool keep_alive);
  void Respond(Reply reply, bool keep_alive);
  // What the access record of the current request is built from.
  RequestFacts Facts() const;
  // Appends `record` on a worker, then runs `then` on the strand with the
  // outcome.
  void RecordThen(ledger::AccessRecord record, std::function<void(const Status&)> then);
  void OnWritten(beast::error_code ec, bool keep_alive);
  // After refusing a body over the limit (413), or a request on its header
  // with its body unread: reads and drops what the client still sends of
  // it, at most drain_bytes_left_, and a chunked body up to its last chunk,
  // all within one body read time, then closes; a client cut off mid-body
  // would see a reset connection instead of the answer.
  void DrainThenClose();
  // Notes whether the refused body is chunked, before any of it is dropped.
  void StartDrainTail();
  // Drops what buffer_ holds of the refused body; true when the drain is
  // over: drain_bytes_left_ reached, or a chunked body's last chunk seen.
  bool DropDrained();
  // Counts the time since stage_at_ as `stage` (metrics), and restarts it.
  void CountStageSince(RequestStage stage);
  void FailRead(beast::error_code ec, bool header);
  // Answers `e` to a request refused before it was authorized (malformed,
  // over a limit, ambiguous framing), or while its body was read, and closes
  // the connection after the answer: what follows on it cannot be told apart
  // from the refused request's body.
  // `declared_body`: the length of a body the request declared that is
  // still to come (0: none; a bound is applied).
  void RefuseUnread(const ApiError& e, uint64_t declared_body = 0);
  void Close();
  void LogRequest(unsigned status, size_t bytes);

  // feed.cc
  void StartFeed(const Query& query);
  void FeedFill();
  void FeedWrite(std::string chunk, uint64_t next_seq);
  void FeedWait();
  void FeedEnd(const char* why);
  // After a reload (the rules in force are not context_'s): authenticates
  // the subscriber again with the credential of its request and authorizes
  // it for the feed, so that context_ holds its new grant and scope. False
  // when it lost either: it is then sent a `closed` event saying why, and
  // closed. REQUIRES: on the strand, state_ == State::kFeed.
  bool FeedReauthorize();
  // True while context_ holds the rules in force: what was read for it
  // under them may be sent.
  bool FeedRulesCurrent() const;

  ServerImpl* server_;
  TlsStream stream_;
  std::string peer_ip_;
  std::string principal_;  // subject CN of the client certificate; empty: none
  // The current request's caller (RequestContext), set when it is
  // authenticated; what the log line, the access record and the feed's
  // scope read.
  RequestContext context_;
  int64_t request_time_ns_ = 0;  // wall clock at the request's first byte
  beast::flat_buffer buffer_;
  uint64_t drain_bytes_left_ = 0;  // DrainThenClose's bound; 0: close at once
  bool drain_chunked_ = false;     // the body drained is chunked: it ends at its last chunk
  std::string drain_tail_;         // the last bytes drained, to find that chunk
  std::optional<http::request_parser<http::string_body>> parser_;
  // The request being read, from its request line on (RouteRequestLine);
  // handed to its handler once its body is read.
  std::shared_ptr<Request> request_;
  http::response<http::string_body> response_;
  enum class State { kHandshake, kIdle, kRequest, kFeed, kClosed } state_ = State::kHandshake;
  const Route* route_ = nullptr;
  std::string route_label_;  // the route's pattern, or "unmatched", for logs and metrics
  std::chrono::steady_clock::time_point request_start_;
  std::chrono::steady_clock::time_point stage_at_;  // the current stage's start (metrics)
  // The feed's position and its wait for new events.
  uint64_t feed_next_seq_ = 1;
  bool feed_counted_ = false;
  net::steady_timer feed_timer_;
};

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(const ServerOptions& options);
  ~ServerImpl() override;

  Status Init();
  Status Run() override;
  uint16_t port() const override { return port_; }

  const ServerOptions& options() const { return options_; }
  Service& service() { return service_; }
  Metrics& metrics() { return metrics_; }
  ssl::context& tls() { return tls_; }
  net::thread_pool& workers() { return workers_; }
  AuthFailureLimiter& auth_failures() { return auth_failures_; }
  const PolicyStore& policy() const { return *policy_; }
  bool draining() const { return service_.draining; }
  // One log line: `msg` as text, or with --log-format json the fields
  // "msg" plus `json_fields` (more "key":value pairs, or empty).
  void Log(spdlog::level::level_enum level, std::string_view msg,
           std::string_view json_fields = {}) const;

  // Connection accounting: false when a limit is reached (the connection is
  // then closed without a word).
  bool Admit(const std::string& ip);
  void Release(const std::string& ip);
  void Track(const std::shared_ptr<Session>& s);
  // Feed subscribers: false when limits.feed_subscribers are streaming.
  bool AddSubscriber(const std::shared_ptr<Session>& s);
  void RemoveSubscriber(Session* s);

 private:
  Status InitTls();
  Status Bind();
  void Accept();
  void WaitSignal();
  void BeginShutdown();
  void PollDrain(std::chrono::steady_clock::time_point deadline);
  void ForceCloseSessions();
  void ScheduleCheckpoint();
  // SIGHUP: re-reads the policy and records the reload.
  void ReloadOnSignal();
  // Logs a reload's outcome (Service::on_reload). After a reload that took,
  // wakes the feed's subscribers to be authorized again.
  void LogReload(const Status& outcome, const std::string& trigger);
  // Logs a failure, and returns it.
  Status PublishCheckpoint(const char* why);
  void NotifySubscribers();
  // The sessions of `sessions` (sessions_ or subscribers_) still alive.
  std::vector<std::shared_ptr<Session>> Live(const std::vector<std::weak_ptr<Session>>& sessions);

  const ServerOptions options_;
  // What a Session's destructor touches (Release, RemoveSubscriber) comes
  // before the I/O context and the workers, so that it is destroyed after
  // them: destroying them destroys the handlers they still queue (answers
  // and access records that arrived after the drain time), and with those
  // the last references to their sessions.
  Metrics metrics_;
  std::mutex mu_;  // guards what follows
  size_t connections_ = 0;
  std::map<std::string, size_t> per_client_;
  std::vector<std::weak_ptr<Session>> sessions_;
  std::vector<std::weak_ptr<Session>> subscribers_;
  uint64_t checkpoint_head_ = 0;  // head at the last publication
  std::chrono::steady_clock::time_point checkpoint_at_;
  std::atomic<bool> publishing_{false};
  // What the ledger's and the access log's callbacks reach (on_appended,
  // the appends' replies) outlives their threads, which their destructors
  // join.
  AuthFailureLimiter auth_failures_{options_.limits.auth_failures};
  Service service_;

  net::io_context ioc_;
  // The listening side's handlers (accept, signals, checkpoint and drain
  // timers) run here, one at a time, whichever I/O thread runs them: the
  // acceptor and the timers they share are not safe for concurrent use, and
  // a shutdown closes the acceptor and cancels the timers.
  net::strand<net::io_context::executor_type> control_{net::make_strand(ioc_)};
  ssl::context tls_{ssl::context::tls_server};
  tcp::acceptor acceptor_{ioc_};
  net::signal_set signals_{ioc_};
  net::steady_timer checkpoint_timer_{ioc_};
  net::steady_timer drain_timer_{ioc_};
  net::thread_pool workers_;
  uint16_t port_ = 0;

  // Destroyed first: the access log appends through the ledger, and both
  // post their callbacks' answers to the I/O context.
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<PolicyStore> policy_;
  std::unique_ptr<AccessLog> access_log_;  // null with --access-log off
};

}  // namespace ccl::ledgerd

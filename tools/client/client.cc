// The Client over Boost.Beast: asynchronous operations run to completion one
// at a time on a private io_context, so each one can carry a timeout (Beast's
// tcp_stream expiry) while the calls stay synchronous.
#include "tools/client/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cassert>
#include <chrono>
#include <filesystem>
#include <optional>

#include "events/base/quote.h"
#include "tools/client/http_parse.h"
#include "tools/net/pem_files.h"

namespace ccl::client {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

constexpr size_t kReadChunkBytes = 16 * 1024;

// "https://HOST[:PORT][/]" into host and port.
Status ParseUrl(const std::string& url, std::string* host, std::string* port) {
  constexpr std::string_view kScheme = "https://";
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("option '--server': " + why + ", got " +
                                   events::QuoteForMessage(url));
  };
  if (!url.starts_with(kScheme)) return bad("must start with https://");
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return bad("must be https://HOST[:PORT] with nothing after it");
  }
  size_t colon = rest.rfind(':');
  if (rest.starts_with('[')) {  // an IPv6 literal
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 address needs its ']'");
    *host = rest.substr(1, close - 1);
    colon = close + 1 < rest.size() && rest[close + 1] == ':' ? close + 1 : std::string_view::npos;
    if (close + 1 < rest.size() && colon == std::string_view::npos) return bad("bad port");
  } else {
    *host = rest.substr(0, colon);
  }
  *port = colon == std::string_view::npos ? "443" : std::string(rest.substr(colon + 1));
  if (host->empty()) return bad("no host");
  if (port->empty() || port->size() > 5 ||
      port->find_first_not_of("0123456789") != std::string::npos || std::stoul(*port) == 0 ||
      std::stoul(*port) > 65535) {
    return bad("the port must be 1..65535");
  }
  return Status::OK();
}

class BeastClient final : public Client {
 public:
  BeastClient(ClientOptions o, std::string host, std::string port)
      : o_(std::move(o)),
        host_(std::move(host)),
        port_(std::move(port)),
        server_("https://" + (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) +
                ":" + port_),
        ctx_(ssl::context::tls_client) {}

  Status Init();

  Status Get(std::string_view target, size_t body_bytes_max, Response* out) override {
    return Whole(http::verb::get, target, "", "", body_bytes_max, out);
  }
  Status Post(std::string_view target, std::string_view content_type, std::string_view body,
              size_t body_bytes_max, Response* out) override {
    return Whole(http::verb::post, target, content_type, body, body_bytes_max, out);
  }
  Status GetLines(std::string_view target, const LineCallback& on_line) override;
  Status GetEvents(std::string_view target, std::string_view last_event_id,
                   const SseCallback& on_event) override;
  const ServerError& LastServerError() const override { return last_error_; }
  const std::string& server() const override { return server_; }

  void Cancel() override {
    cancelled_.store(true);
    // Runs on the thread that runs ioc_, at its next Run() at the latest.
    net::post(ioc_, [this] {
      if (stream_) beast::get_lowest_layer(*stream_).close();
    });
  }

 private:
  struct Request {
    http::verb method = http::verb::get;
    std::string_view target;
    std::string_view content_type;
    std::string_view body;
    std::string_view last_event_id;
  };

  Status Whole(http::verb method, std::string_view target, std::string_view content_type,
               std::string_view body, size_t body_bytes_max, Response* out);
  // Sends `r` and reads its response; a 2xx body goes to `sink`, an error
  // body becomes the returned Status (and last_error_). `on_header` (may be
  // empty) sees a 2xx response's header first.
  Status Call(const Request& r, const std::function<Status(const ResponseReader&)>& on_header,
              const BodySink& sink, const std::function<Status()>& on_end);
  Status Exchange(const Request& r, const std::function<Status(const ResponseReader&)>& on_header,
                  const BodySink& sink, const std::function<Status()>& on_end,
                  bool* nothing_received);
  Status Connect();
  Status Send(const Request& r);
  // Runs the io_context until the operation started before completes.
  void Run() {
    ioc_.restart();
    ioc_.run();
  }
  Status Failed(std::string_view what, const error_code& ec) const {
    return Status::IOError(server_ + ": " + std::string(what) + ": " + ec.message());
  }
  void Drop() { stream_.reset(); }

  ClientOptions o_;
  std::string host_, port_, server_;
  net::io_context ioc_;
  ssl::context ctx_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  uint64_t requests_on_connection_ = 0;
  ServerError last_error_;
  std::atomic<bool> cancelled_{false};
};

Status BeastClient::Init() {
  // Every file is checked now, so a typo is named before any connection.
  for (const auto& [option, path] :
       {std::pair{"cacert", &o_.ca_file}, {"cert", &o_.cert_file}, {"key", &o_.key_file}}) {
    std::error_code ec;
    if (path->empty())
      return Status::InvalidArgument(std::string("option '--") + option + "' is required");
    if (!std::filesystem::is_regular_file(*path, ec)) {
      return Status::IOError(*path + ": not a readable file (option '--" + option + "')");
    }
  }
  error_code ec;
  // TLS 1.2 at least; 1.3 when the server has it.
  if (SSL_CTX_set_min_proto_version(ctx_.native_handle(), TLS1_2_VERSION) != 1) {
    return Status::IOError("TLS: cannot require TLS 1.2");
  }
  ctx_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  if (ec) return Status::IOError("TLS: " + ec.message());
  ctx_.load_verify_file(o_.ca_file, ec);
  if (ec) {
    return Status::IOError(ccl::net::PemRefusal(
        "--cacert", o_.ca_file, ccl::net::PemBlock::kCertificate, "a key", ec.message()));
  }
  // The key before the certificate: OpenSSL checks whichever comes second
  // against the first, and a certificate that does not match a loaded key
  // only drops the key, so a key that is fine but belongs to another
  // certificate is named by the check below, not as an unreadable key.
  ccl::net::NeverAskPassphrase(ctx_.native_handle());
  ctx_.use_private_key_file(o_.key_file, ssl::context::pem, ec);
  if (ec) {
    return Status::IOError(ccl::net::PemRefusal(
        "--key", o_.key_file, ccl::net::PemBlock::kPrivateKey, "the certificate", ec.message()));
  }
  ctx_.use_certificate_chain_file(o_.cert_file, ec);
  if (ec) {
    return Status::IOError(ccl::net::PemRefusal(
        "--cert", o_.cert_file, ccl::net::PemBlock::kCertificate, "the key", ec.message()));
  }
  if (SSL_CTX_check_private_key(ctx_.native_handle()) != 1) {
    ERR_clear_error();
    return Status::IOError(o_.key_file + ": not the key of the certificate in " + o_.cert_file);
  }
  return Status::OK();
}

Status BeastClient::Connect() {
  Drop();
  requests_on_connection_ = 0;
  tcp::resolver resolver(ioc_);
  error_code ec = net::error::would_block;
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(host_, port_, [&](const error_code& e, tcp::resolver::results_type r) {
    ec = e;
    endpoints = std::move(r);
  });
  ioc_.restart();
  ioc_.run_for(std::chrono::milliseconds(o_.connect_timeout_ms));
  if (ec == net::error::would_block) {
    resolver.cancel();
    Run();
    return Status::IOError(server_ + ": cannot resolve " + host_ + ": timed out");
  }
  if (ec) return Failed("cannot resolve " + host_, ec);

  stream_.emplace(ioc_, ctx_);
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(*stream_);
  const auto timeout = std::chrono::milliseconds(o_.connect_timeout_ms);
  tcp_layer.expires_after(timeout);
  tcp_layer.async_connect(endpoints, [&](const error_code& e, const tcp::endpoint&) { ec = e; });
  Run();
  if (ec) {
    Drop();
    return Failed("cannot connect", ec);
  }
  // The server's name: SNI, and what its certificate must name.
  SSL_set_tlsext_host_name(stream_->native_handle(), host_.c_str());
  stream_->set_verify_callback(ssl::host_name_verification(host_));
  tcp_layer.expires_after(timeout);
  stream_->async_handshake(ssl::stream_base::client, [&](const error_code& e) { ec = e; });
  Run();
  if (ec) {
    Drop();
    return Failed("TLS handshake failed", ec);
  }
  return Status::OK();
}

Status BeastClient::Send(const Request& r) {
  http::request<http::string_body> req{r.method,
                                       beast::string_view(r.target.data(), r.target.size()), 11};
  req.set(http::field::host, host_);
  req.set(http::field::user_agent, "ledgerctl");
  if (!o_.bearer_token.empty()) req.set(http::field::authorization, "Bearer " + o_.bearer_token);
  if (!r.last_event_id.empty()) {
    req.set("Last-Event-ID", beast::string_view(r.last_event_id.data(), r.last_event_id.size()));
  }
  if (r.method == http::verb::post) {
    req.set(http::field::content_type,
            beast::string_view(r.content_type.data(), r.content_type.size()));
    req.body().assign(r.body);
  }
  req.keep_alive(true);
  req.prepare_payload();
  error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::milliseconds(o_.read_timeout_ms));
  http::async_write(*stream_, req, [&](const error_code& e, size_t) { ec = e; });
  Run();
  if (ec) return Failed("sending the request", ec);
  return Status::OK();
}

Status BeastClient::Exchange(const Request& r,
                             const std::function<Status(const ResponseReader&)>& on_header,
                             const BodySink& sink, const std::function<Status()>& on_end,
                             bool* nothing_received) {
  *nothing_received = true;
  CCL_RETURN_IF_ERROR(Send(r));
  ++requests_on_connection_;
  ResponseReader reader(o_.response_header_bytes_max);
  std::string error_body;
  bool header_seen = false;
  const BodySink route = [&](std::string_view bytes) -> Status {
    if (reader.status() / 100 == 2) return sink(bytes);
    if (error_body.size() + bytes.size() > limits::kClientWholeBodyBytesMax) {
      return Status::IOError("an error body over the limit of " +
                             std::to_string(limits::kClientWholeBodyBytesMax) + " bytes");
    }
    error_body.append(bytes);
    return Status::OK();
  };
  const auto check_header = [&]() -> Status {
    if (header_seen || !reader.header_done()) return Status::OK();
    header_seen = true;
    if (reader.status() / 100 == 2 && on_header) return on_header(reader);
    return Status::OK();
  };
  std::array<char, kReadChunkBytes> buf;
  while (!reader.done()) {
    error_code ec;
    size_t n = 0;
    beast::get_lowest_layer(*stream_).expires_after(std::chrono::milliseconds(o_.read_timeout_ms));
    stream_->async_read_some(net::buffer(buf), [&](const error_code& e, size_t got) {
      ec = e;
      n = got;
    });
    Run();
    if (n > 0) *nothing_received = false;
    bool sink_failed = false;  // the caller's error, passed on as it is
    Status s = reader.Feed(std::string_view(buf.data(), n), [&](std::string_view b) {
      Status h = check_header();
      if (h.ok()) h = route(b);
      sink_failed = !h.ok();
      return h;
    });
    if (s.ok()) s = check_header();
    if (!s.ok()) return sink_failed ? s : s.WithContext(server_);
    if (ec == net::error::eof || ec == ssl::error::stream_truncated) {
      if (Status e = reader.FeedEof(); !e.ok()) return e.WithContext(server_);
      break;
    }
    if (ec == beast::error::timeout) {
      return Status::IOError(server_ + ": no answer within " + std::to_string(o_.read_timeout_ms) +
                             " ms (limit read timeout)");
    }
    if (ec) return Failed("reading the response", ec);
  }
  if (!reader.keep_alive()) Drop();
  if (reader.status() / 100 != 2) {
    last_error_ = ParseServerError(reader.status(), error_body);
    return StatusOfServerError(last_error_);
  }
  return on_end ? on_end() : Status::OK();
}

Status BeastClient::Call(const Request& r,
                         const std::function<Status(const ResponseReader&)>& on_header,
                         const BodySink& sink, const std::function<Status()>& on_end) {
  last_error_ = ServerError();
  for (int attempt = 0;; ++attempt) {
    if (cancelled_.load()) return Status::IOError(server_ + ": cancelled");
    if (!stream_) CCL_RETURN_IF_ERROR(Connect());
    const bool reused = requests_on_connection_ > 0;
    bool nothing_received = true;
    Status s = Exchange(r, on_header, sink, on_end, &nothing_received);
    if (!s.ok() && last_error_.http_status == 0) Drop();
    // A kept-alive connection the server closed meanwhile fails before any
    // byte of an answer: a GET is sent again once, on a new connection.
    if (!s.ok() && reused && nothing_received && attempt == 0 && r.method == http::verb::get) {
      continue;
    }
    return s;
  }
}

Status BeastClient::Whole(http::verb method, std::string_view target, std::string_view content_type,
                          std::string_view body, size_t body_bytes_max, Response* out) {
  assert(out != nullptr);
  *out = Response();
  Request r{method, target, content_type, body, {}};
  return Call(
      r,
      [&](const ResponseReader& reader) {
        out->status = reader.status();
        out->content_type = reader.header("Content-Type");
        out->headers = reader.headers();
        return Status::OK();
      },
      [&](std::string_view bytes) {
        if (out->body.size() + bytes.size() > body_bytes_max) {
          return Status::IOError("a response body over " + std::to_string(body_bytes_max) +
                                 " bytes (limit response body)");
        }
        out->body.append(bytes);
        return Status::OK();
      },
      {});
}

// The splitter's and parser's errors name the server; the caller's own pass
// as they are.
class CallerErrors {
 public:
  explicit CallerErrors(const std::string& server) : server_(server) {}
  template <typename F>
  auto Wrap(const F& f) {
    return [this, &f](const auto& arg) {
      Status s = f(arg);
      caller_failed_ = !s.ok();
      return s;
    };
  }
  Status Named(const Status& s) const {
    return s.ok() || caller_failed_ ? s : s.WithContext(server_);
  }

 private:
  const std::string& server_;
  bool caller_failed_ = false;
};

Status BeastClient::GetLines(std::string_view target, const LineCallback& on_line) {
  LineSplitter lines(o_.line_bytes_max);
  CallerErrors caller(server_);
  const LineCallback cb = caller.Wrap(on_line);
  Request r{http::verb::get, target, {}, {}, {}};
  return Call(
      r, {}, [&](std::string_view bytes) { return caller.Named(lines.Feed(bytes, cb)); },
      [&] { return caller.Named(lines.Finish(cb)); });
}

Status BeastClient::GetEvents(std::string_view target, std::string_view last_event_id,
                              const SseCallback& on_event) {
  LineSplitter lines(o_.line_bytes_max);
  SseParser sse(o_.line_bytes_max);
  CallerErrors caller(server_);
  const SseCallback cb = caller.Wrap(on_event);
  const LineCallback to_sse = [&](std::string_view line) { return sse.Line(line, cb); };
  Request r{http::verb::get, target, {}, {}, last_event_id};
  return Call(
      r,
      [&](const ResponseReader& reader) {
        const std::string type = reader.header("Content-Type");
        if (!type.starts_with("text/event-stream")) {
          return Status::IOError(server_ + ": expected an event stream, got Content-Type " +
                                 events::QuoteForMessage(type));
        }
        return Status::OK();
      },
      [&](std::string_view bytes) { return caller.Named(lines.Feed(bytes, to_sse)); },
      [&] {
        CCL_RETURN_IF_ERROR(caller.Named(lines.Finish(to_sse)));
        if (!sse.between_events()) {
          return Status::IOError(server_ + ": the event stream ended inside an event");
        }
        return Status::OK();
      });
}

}  // namespace

Status Client::Open(const ClientOptions& options, std::unique_ptr<Client>* out) {
  assert(out != nullptr);
  std::string host, port;
  CCL_RETURN_IF_ERROR(ParseUrl(options.url, &host, &port));
  auto client = std::make_unique<BeastClient>(options, std::move(host), std::move(port));
  CCL_RETURN_IF_ERROR(client->Init());
  *out = std::move(client);
  return Status::OK();
}

std::string_view MessageAfterLine(const ServerError& e) {
  std::string_view m = e.message;
  if (!e.line) return m;
  const std::string prefix = "line " + std::to_string(*e.line) + ": ";
  if (m.starts_with(prefix)) m.remove_prefix(prefix.size());
  return m;
}

void AppendPercentEncoded(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      *out += c;
    } else {
      *out += '%';
      *out += kHex[u >> 4];
      *out += kHex[u & 15];
    }
  }
}

}  // namespace ccl::client

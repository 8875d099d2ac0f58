// Load on a running ledgerd (tools/bench/ledgerd_load.h).
#include "tools/bench/ledgerd_load.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "ledger/store/ledger.h"
#include "tools/bench/config.h"

extern char** environ;

namespace ccl::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using Stream = beast::ssl_stream<beast::tcp_stream>;

constexpr double kStartSecondsMax = 20;
constexpr auto kRssSampleEvery = std::chrono::milliseconds(20);

// Starts `argv` with stdout and stderr appended to `log`; -1 on failure.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// The exit code of `pid` once it ends (-1: killed by a signal or not ours).
int WaitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  return out ? Status::OK() : Status::IOError("cannot write " + path);
}

// A TLS client context trusting the bench CA, presenting the bench principal.
Status ClientContext(const std::string& dir, ssl::context* ctx) {
  boost::system::error_code ec;
  ctx->load_verify_file(dir + "/ca.pem", ec);
  if (!ec) ctx->use_certificate_chain_file(dir + "/bench.pem", ec);
  if (!ec) ctx->use_private_key_file(dir + "/bench.key", ssl::context::pem, ec);
  if (ec) return Status::IOError("client certificate in " + dir + ": " + ec.message());
  ctx->set_verify_mode(ssl::verify_peer);
  return Status::OK();
}

awaitable<void> Connect(Stream* stream, uint16_t port) {
  const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port);
  co_await beast::get_lowest_layer(*stream).async_connect(at, use_awaitable);
  beast::get_lowest_layer(*stream).socket().set_option(asio::ip::tcp::no_delay(true));
  co_await stream->async_handshake(ssl::stream_base::client, use_awaitable);
}

// What every client of one load shares (all on one thread: the io_context's).
struct LoadState {
  bool stop = false;
  int running = 0;
  std::string error;  // the first failure
  LoadFigures* figures = nullptr;
};

awaitable<void> PostClient(ssl::context* ctx, uint16_t port, const std::vector<std::string>* bodies,
                           uint64_t events_per_body, LoadState* state) {
  Stream stream(co_await asio::this_coro::executor, *ctx);
  co_await Connect(&stream, port);
  http::request<http::string_body> req{http::verb::post, "/v1/events", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/x-ndjson");
  req.keep_alive(true);
  beast::flat_buffer buffer;
  for (const std::string& body : *bodies) {
    if (state->stop) break;
    req.body() = body;
    req.prepare_payload();
    Stopwatch w;
    co_await http::async_write(stream, req, use_awaitable);
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, use_awaitable);
    if (res.result_int() != 200) {
      throw std::runtime_error("POST /v1/events: " + std::to_string(res.result_int()) + " " +
                               res.body());
    }
    state->figures->latency_us.push_back(static_cast<double>(w.ElapsedNs()) / 1e3);
    state->figures->events += events_per_body;
    ++state->figures->requests;
  }
  // The first client done ends the load: after it fewer clients are left.
  state->stop = true;
}

awaitable<void> GetClient(ssl::context* ctx, uint16_t port, const std::string* target,
                          LoadState* state) {
  Stream stream(co_await asio::this_coro::executor, *ctx);
  co_await Connect(&stream, port);
  http::request<http::empty_body> req{http::verb::get, *target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(true);
  beast::flat_buffer buffer;
  while (!state->stop) {
    Stopwatch w;
    co_await http::async_write(stream, req, use_awaitable);
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, use_awaitable);
    if (res.result_int() != 200) {
      throw std::runtime_error("GET " + *target + ": " + std::to_string(res.result_int()) + " " +
                               res.body());
    }
    state->figures->latency_us.push_back(static_cast<double>(w.ElapsedNs()) / 1e3);
    ++state->figures->requests;
  }
}

// Counts "\ndata: " in an SSE stream read in pieces (a match may straddle two).
class DataLineCounter {
 public:
  uint64_t Add(std::string_view piece) {
    std::string text = carry_;
    text.append(piece);
    uint64_t n = 0;
    for (size_t at = text.find(kMark); at != std::string::npos; at = text.find(kMark, at + 1)) {
      ++n;
    }
    carry_ = text.substr(text.size() > kMark.size() - 1 ? text.size() - (kMark.size() - 1) : 0);
    return n;
  }

 private:
  static constexpr std::string_view kMark = "\ndata: ";
  std::string carry_;
};

awaitable<void> FeedClient(ssl::context* ctx, uint16_t port, uint64_t events, LoadState* state) {
  Stream stream(co_await asio::this_coro::executor, *ctx);
  co_await Connect(&stream, port);
  const std::string request = "GET /v1/feed?after=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  co_await asio::async_write(stream, asio::buffer(request), use_awaitable);
  std::vector<char> buf(256 * 1024);
  DataLineCounter counter;
  uint64_t seen = 0;
  while (seen < events && !state->stop) {
    const size_t n = co_await stream.async_read_some(asio::buffer(buf), use_awaitable);
    seen += counter.Add(std::string_view(buf.data(), n));
  }
  state->figures->events += std::min(seen, events);
  beast::get_lowest_layer(stream).socket().close();
}

awaitable<void> GetOnce(ssl::context* ctx, uint16_t port, std::string target, std::string* out) {
  Stream stream(co_await asio::this_coro::executor, *ctx);
  co_await Connect(&stream, port);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  co_await http::async_write(stream, req, use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buffer, res, use_awaitable);
  if (res.result_int() != 200) {
    throw std::runtime_error("GET " + target + ": " + std::to_string(res.result_int()) + " " +
                             res.body());
  }
  *out = std::move(res.body());
}

// The CPU time of the calling thread (the clients' io_context runs on it).
double ThreadCpuSeconds() {
  timespec t{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Samples the server's RSS until the load stops.
awaitable<void> SampleRss(const LedgerdProcess* server, LoadState* state) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (state->running > 0) {
    state->figures->server_rss_mb_max =
        std::max(state->figures->server_rss_mb_max, server->RssMb());
    timer.expires_after(kRssSampleEvery);
    co_await timer.async_wait(use_awaitable);
  }
}

// Runs `clients` coroutines made by `make` on one io_context until all end
// or `seconds_max` passes; then the figures' seconds.
template <typename MakeClient>
Status RunClients(const LedgerdProcess& server, int clients, double seconds_max,
                  const MakeClient& make, LoadFigures* out) {
  ssl::context ctx(ssl::context::tls_client);
  CCL_RETURN_IF_ERROR(ClientContext(server.dir(), &ctx));
  asio::io_context io;
  LoadState state;
  state.figures = out;
  state.running = clients;
  const double server_cpu0 = server.CpuSeconds();
  const double client_cpu0 = ThreadCpuSeconds();
  Stopwatch w;
  for (int i = 0; i < clients; ++i) {
    asio::co_spawn(io, make(&ctx, i, &state), [&state](std::exception_ptr e) {
      --state.running;
      if (!e) return;
      state.stop = true;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        if (state.error.empty()) state.error = x.what();
      }
    });
  }
  asio::co_spawn(io, SampleRss(&server, &state), asio::detached);
  asio::steady_timer deadline(io);
  deadline.expires_after(std::chrono::milliseconds(static_cast<int64_t>(seconds_max * 1000)));
  deadline.async_wait([&state](boost::system::error_code) { state.stop = true; });
  while (state.running > 0 && io.run_one() > 0) {
  }
  out->seconds = w.ElapsedSeconds();
  out->server_cpu_seconds = server.CpuSeconds() - server_cpu0;
  out->client_cpu_seconds = ThreadCpuSeconds() - client_cpu0;
  deadline.cancel();
  io.run_for(std::chrono::milliseconds(100));
  if (!state.error.empty()) return Status::IOError(state.error);
  return Status::OK();
}

}  // namespace

LedgerdProcess::~LedgerdProcess() { Stop().IgnoreError(); }

Status LedgerdProcess::Start(const std::string& ledgerd_path, const std::string& source_dir,
                             const std::string& dir, size_t workers,
                             const std::vector<std::string>& extra_args) {
  dir_ = dir;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("mkdir " + dir + ": " + std::strerror(errno));
  }
  const std::string log = dir + "/ledgerd.log";
  const pid_t certs = Spawn({"/bin/bash", source_dir + "/tools/ledgerd/make_test_certs.sh", dir,
                             std::string(kBenchPrincipal)},
                            log);
  if (certs < 0 || WaitExit(certs) != 0)
    return Status::IOError("make_test_certs.sh failed: " + log);
  CCL_RETURN_IF_ERROR(
      WriteText(dir + "/policy", std::string(kBenchPrincipal) + " writer,reader,admin\n"));
  {
    ledger::Options options;
    options.create_if_missing = true;
    std::unique_ptr<ledger::Ledger> created;
    CCL_RETURN_IF_ERROR(ledger::Ledger::Open(options, dir + "/db", &created));
  }
  const std::string port_file = dir + "/port";
  std::vector<std::string> args = {
      ledgerd_path,           "--db",        dir + "/db",         "--listen",
      "127.0.0.1:0",          "--port-file", port_file,           "--tls-cert",
      dir + "/server.pem",    "--tls-key",   dir + "/server.key", "--client-ca",
      dir + "/ca.pem",        "--policy",    dir + "/policy",     "--workers",
      std::to_string(workers)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(args, log);
  if (pid_ < 0) return Status::IOError("cannot start " + ledgerd_path);
  Stopwatch w;
  while (w.ElapsedSeconds() < kStartSecondsMax) {
    std::ifstream in(port_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!text.empty() && text.back() == '\n') {
      port_ = static_cast<uint16_t>(std::stoul(text));
      return Status::OK();
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::IOError("ledgerd exited at start; its log: " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::IOError("ledgerd did not start within 20 s; its log: " + log);
}

Status LedgerdProcess::Stop() {
  if (pid_ < 0) return Status::OK();
  ::kill(pid_, SIGTERM);
  const int code = WaitExit(pid_);
  pid_ = -1;
  if (code != 0) return Status::IOError("ledgerd exited " + std::to_string(code));
  return Status::OK();
}

double LedgerdProcess::RssMb() const {
  if (pid_ < 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return 0;
}

double LedgerdProcess::CpuSeconds() const {
  if (pid_ < 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // After the command (in parentheses, which may hold spaces): state is
  // field 3, utime and stime fields 14 and 15, in clock ticks.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Status FetchMetrics(const LedgerdProcess& server, std::string* text) {
  ssl::context ctx(ssl::context::tls_client);
  CCL_RETURN_IF_ERROR(ClientContext(server.dir(), &ctx));
  asio::io_context io;
  std::string error;
  asio::co_spawn(io, GetOnce(&ctx, server.port(), "/metrics", text), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      error = x.what();
    }
  });
  io.run();
  if (!error.empty()) return Status::IOError(error);
  return Status::OK();
}

Status RunPostLoad(const LedgerdProcess& server,
                   const std::vector<std::vector<std::string>>& bodies, uint64_t events_per_body,
                   double seconds_max, LoadFigures* out) {
  *out = LoadFigures();
  // A client without bodies (a tiny run) would end the load at once.
  std::vector<const std::vector<std::string>*> busy;
  for (const std::vector<std::string>& b : bodies) {
    if (!b.empty()) busy.push_back(&b);
  }
  return RunClients(
      server, static_cast<int>(busy.size()), seconds_max,
      [&](ssl::context* ctx, int i, LoadState* state) {
        return PostClient(ctx, server.port(), busy[static_cast<size_t>(i)], events_per_body, state);
      },
      out);
}

Status RunGetLoad(const LedgerdProcess& server, const std::vector<std::string>& targets,
                  double seconds, LoadFigures* out) {
  *out = LoadFigures();
  return RunClients(
      server, static_cast<int>(targets.size()), seconds,
      [&](ssl::context* ctx, int i, LoadState* state) {
        return GetClient(ctx, server.port(), &targets[static_cast<size_t>(i)], state);
      },
      out);
}

Status RunFeedLoad(const LedgerdProcess& server, int subscribers, uint64_t events,
                   double seconds_max, LoadFigures* out) {
  *out = LoadFigures();
  CCL_RETURN_IF_ERROR(RunClients(
      server, subscribers, seconds_max,
      [&](ssl::context* ctx, int, LoadState* state) {
        return FeedClient(ctx, server.port(), events, state);
      },
      out));
  if (out->events < events * static_cast<uint64_t>(subscribers)) {
    return Status::IOError("the feed delivered " + std::to_string(out->events) + " of " +
                           std::to_string(events * static_cast<uint64_t>(subscribers)) +
                           " events within " + std::to_string(seconds_max) + " s");
  }
  return Status::OK();
}

}  // namespace ccl::bench

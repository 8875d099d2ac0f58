// Not a test: a load driver for ledgerd, for the access log's cost
// (access_log_bench.py runs it against ledgerd with --access-log on and off).
// N client threads, each with one keep-alive TLS connection, for S seconds:
//   --load setup    opens N contracts BENCH-<i> and books --bookings hours each
//   --load events   POST /v1/events, one HoursBooked per request
//   --load balance  GET /v1/reports/balance?contract=BENCH-<i>
// Prints one JSON line: requests, errors, seconds, requests/s, p50/p99 ms.
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "events/uuid.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using Clock = std::chrono::steady_clock;

struct Config {
  std::string port;
  std::string certs;  // make_test_certs.sh folder: ca.pem, <principal>.pem/.key
  std::string principal = "allroles";
  std::string load;
  size_t clients = 64;
  double seconds = 5;
  size_t bookings = 20;
};

std::string NewId() {
  std::array<uint8_t, 16> b;
  if (RAND_bytes(b.data(), 16) != 1) std::abort();
  b[6] = static_cast<uint8_t>(0x40 | (b[6] & 0x0f));
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));
  return ccl::events::FormatUuid(b);
}

std::string Contract(size_t i) { return "BENCH-" + std::to_string(i); }

std::string OpenEvent(size_t i) {
  return R"({"event_id":")" + NewId() + R"(","type":"ContractOpened","contract":")" + Contract(i) +
         R"(","effective_at":"2025-01-02T00:00:00Z","actor":"bench","source":"bench",)"
         R"("customer":"Bench","term_start":"2025-01-02","term_end":"2026-01-01",)"
         R"("currency":"USD","lines":[{"service_line":"reactive","funded_minutes":33000,)"
         R"("bill_rate_minor":31200,"overage":"allow"}]})";
}

std::string BookingEvent(size_t i) {
  return R"({"event_id":")" + NewId() + R"(","type":"HoursBooked","contract":")" + Contract(i) +
         R"(","effective_at":"2025-01-03T10:00:00Z","actor":"bench","source":"bench",)"
         R"("engineer":"Bench","service_line":"reactive","minutes":15,"cost_rate_minor":8800})";
}

class Client {
 public:
  Client(const Config& c, net::io_context& ioc, ssl::context& tls)
      : stream_(ioc, tls), host_("127.0.0.1") {
    net::ip::tcp::resolver resolver(ioc);
    beast::get_lowest_layer(stream_).connect(resolver.resolve(host_, c.port));
    stream_.handshake(ssl::stream_base::client);
  }
  unsigned Do(http::verb verb, const std::string& target, std::string body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, host_);
    req.keep_alive(true);
    if (verb == http::verb::post) {
      req.set(http::field::content_type, "application/x-ndjson");
      req.body() = std::move(body);
      req.prepare_payload();
    }
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return res.result_int();
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::string host_;
};

struct ThreadResult {
  std::vector<double> latencies_ms;
  uint64_t errors = 0;
};

void RunClient(const Config& c, size_t i, Clock::time_point until, ThreadResult* out) {
  net::io_context ioc;
  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(c.certs + "/ca.pem");
  tls.use_certificate_chain_file(c.certs + "/" + c.principal + ".pem");
  tls.use_private_key_file(c.certs + "/" + c.principal + ".key", ssl::context::pem);
  tls.set_verify_mode(ssl::verify_peer);
  Client client(c, ioc, tls);
  auto one = [&](http::verb verb, const std::string& target, std::string body) {
    const auto start = Clock::now();
    const unsigned status = client.Do(verb, target, std::move(body));
    out->latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (status != 200) ++out->errors;
  };
  if (c.load == "setup") {
    one(http::verb::post, "/v1/events", OpenEvent(i) + "\n");
    for (size_t b = 0; b < c.bookings; ++b) {
      one(http::verb::post, "/v1/events", BookingEvent(i) + "\n");
    }
    return;
  }
  const std::string report = "/v1/reports/balance?contract=" + Contract(i);
  while (Clock::now() < until) {
    if (c.load == "events") {
      one(http::verb::post, "/v1/events", BookingEvent(i) + "\n");
    } else {
      one(http::verb::get, report, "");
    }
  }
}

bool ParseArgs(int argc, char** argv, Config* c) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      c->port = v;
    else if (k == "--certs")
      c->certs = v;
    else if (k == "--principal")
      c->principal = v;
    else if (k == "--load")
      c->load = v;
    else if (k == "--clients")
      c->clients = std::stoul(v);
    else if (k == "--seconds")
      c->seconds = std::stod(v);
    else if (k == "--bookings")
      c->bookings = std::stoul(v);
    else
      return false;
  }
  return !c->port.empty() && !c->certs.empty() &&
         (c->load == "setup" || c->load == "events" || c->load == "balance") && c->clients > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  if (!ParseArgs(argc, argv, &c)) {
    std::fprintf(stderr,
                 "usage: access_log_bench --port P --certs DIR --load setup|events|balance "
                 "[--clients N] [--seconds S] [--bookings B] [--principal NAME]\n");
    return 2;
  }
  std::vector<ThreadResult> results(c.clients);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  const auto until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(c.seconds));
  for (size_t i = 0; i < c.clients; ++i) {
    threads.emplace_back([&, i] {
      try {
        RunClient(c, i, until, &results[i]);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "client %zu: %s\n", i, e.what());
        ++results[i].errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  uint64_t errors = 0;
  for (const auto& r : results) {
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    errors += r.errors;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "{\"load\":\"%s\",\"clients\":%zu,\"requests\":%zu,\"errors\":%llu,\"seconds\":%.3f,"
      "\"per_second\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
      c.load.c_str(), c.clients, all.size(), static_cast<unsigned long long>(errors), seconds,
      all.size() / seconds, pct(0.50), pct(0.99));
  return errors == 0 ? 0 : 1;
}

// ledgerd: parses its options (command line, then --config), starts the
// server and serves until SIGTERM. Exit codes as ledgerctl's (README):
// 0 after a clean shutdown, 1 a rejected setting or file, 2 usage, 3 a ledger
// that fails its checkpoint, 4 I/O or the ledger held by another process.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>

#include "ledger/merkle/merkle_json.h"
#include "tools/app/exit_codes.h"
#include "tools/app/standard_streams.h"
#include "tools/server/query.h"
#include "tools/server/routes.h"
#include "tools/server/server.h"

namespace po = boost::program_options;
using ccl::Status;
using ccl::ledgerd::ServerOptions;

namespace {

// The largest --config file: a few dozen `name = value` lines.
constexpr size_t kConfigBytesMax = 64 << 10;

// A numeric option: plain decimal digits within its type, so "-1" is refused
// instead of becoming 2^64 - 1 as Boost's own conversion makes it.
template <typename T>
struct WholeNumber {
  T value;
};

template <typename T>
void validate(boost::any& out, const std::vector<std::string>& values, WholeNumber<T>*, int) {
  // Given twice in one source (the command line, or the config file) is an
  // error naming the option, as for every other option: the last value
  // would otherwise win without a word. The command line's value still
  // wins over the config file's (po::store keeps the first source's).
  po::validators::check_first_occurrence(out);
  const std::string& text = po::validators::get_single_string(values);
  uint64_t n = 0;
  if (!ccl::ledgerd::ParseDecimal(text, &n) || n > std::numeric_limits<T>::max()) {
    throw po::invalid_option_value(text + " (a whole number 0.." +
                                   std::to_string(std::numeric_limits<T>::max()) + ")");
  }
  out = WholeNumber<T>{static_cast<T>(n)};
}

// The option's value goes to *field, whose value is the default.
template <typename T>
po::typed_value<WholeNumber<T>>* Number(T* field) {
  return po::value<WholeNumber<T>>()
      ->default_value(WholeNumber<T>{*field}, std::to_string(*field))
      ->notifier([field](const WholeNumber<T>& n) { *field = n.value; });
}

void DefineLimits(po::options_description* d, ccl::ledgerd::ServerLimits* l) {
  d->add_options()("limit-body-bytes", Number(&l->body_bytes),
                   "largest request body (413 past it)")(
      "limit-events-per-request", Number(&l->events_per_request),
      "most events in one POST /v1/events (413)")("limit-header-bytes", Number(&l->header_bytes),
                                                  "largest request line + headers (431)")(
      "limit-header-read-ms", Number(&l->header_read_ms),
      "time to read a request header from its first byte (connection closed)")(
      "limit-body-read-ms", Number(&l->body_read_ms),
      "time to read a request body, and to write a response")(
      "limit-idle-ms", Number(&l->idle_ms),
      "idle keep-alive time between requests, and for the TLS handshake")(
      "limit-connections", Number(&l->connections),
      "connections open at once (more are closed at once)")(
      "limit-connections-per-client", Number(&l->connections_per_client),
      "connections open at once from one IP address")("limit-feed-subscribers",
                                                      Number(&l->feed_subscribers),
                                                      "GET /v1/feed streams at once (503 past it)")(
      "limit-response-rows", Number(&l->response_rows),
      "most rows of one GET /v1/events (its limit= default and maximum)")(
      "limit-shutdown-drain-ms", Number(&l->shutdown_drain_ms),
      "on SIGTERM, how long requests in flight may take to finish")(
      "feed-heartbeat-ms", Number(&l->feed_heartbeat_ms),
      "a heartbeat comment on an idle feed this often")(
      "limit-feed-write-ms", Number(&l->feed_write_ms),
      "a feed subscriber that does not take a chunk in this time is disconnected")(
      "limit-auth-failures", Number(&l->auth_failures),
      "failed authentications one client address may make per minute (429 past it)");
}

void DefineOptions(po::options_description* d, ServerOptions* o, std::string* log_format,
                   std::string* log_level, std::string* access_log) {
  d->add_options()("db", po::value(&o->db_path)->required(),
                   "the ledger directory (created by `ledgerctl init`)")(
      "checkpoints", po::value(&o->checkpoint_dir),
      "the ledger's checkpoint folder (default <db>.checkpoints)")(
      "listen", po::value(&o->listen)->default_value(o->listen),
      "HOST:PORT (an IP address; port 0 picks one)")("port-file", po::value(&o->port_file),
                                                     "write the port listened on to this file")(
      "tls-cert", po::value(&o->tls_cert)->required(), "server certificate chain (PEM)")(
      "tls-key", po::value(&o->tls_key)->required(), "server private key (PEM)")(
      "client-ca", po::value(&o->client_ca)->required(),
      "CA certificate(s) client certificates must chain to (PEM)")(
      "policy", po::value(&o->policy_path)->required(),
      "principal -> roles and scopes file (re-read on SIGHUP)")(
      "tokens", po::value(&o->tokens_path),
      "service token hashes file, `<principal> sha256:<hex>` lines (re-read on SIGHUP)")(
      "digest-key", po::value(&o->digest_key),
      "signing key prefix (`ledgerctl keygen`): GET /v1/digest is signed")(
      "workers", Number(&o->worker_threads),
      "threads that run reads, reports and large bodies (appends hold none while they sync)")(
      "access-log", po::value(access_log)->default_value("on"),
      "on or off: record every request in the ledger's access log (off warns at start-up)")(
      "log-format", po::value(log_format)->default_value("text"),
      "text or json (one object per line)")("log-level",
                                            po::value(log_level)->default_value("info"),
                                            "trace, debug, info, warn, error, off");
  DefineLimits(d, &o->limits);
}

void SetUpLogging(bool json, const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("ledgerd");
  if (json) {
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ ledgerd [%l] %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

// Parses the command line, then --config (command-line values win). Returns
// -1 to go on, else the exit code.
int ParseOptions(int argc, char** argv, ServerOptions* o, std::string* log_format,
                 std::string* log_level) {
  // A config file holds settings only: `config`, `help` or `print-routes`
  // in one is an unrecognised option, not silently nothing.
  po::options_description settings("ledgerd options");
  std::string access_log;
  DefineOptions(&settings, o, log_format, log_level, &access_log);
  po::options_description d("ledgerd options");
  d.add_options()("help", "this help")("config", po::value<std::string>(),
                                       "read options from FILE (`name = value` lines)")(
      "print-routes", "print every route: METHOD PATTERN ROLES (one per line), and exit");
  d.add(settings);
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, d), vm);
    if (vm.count("help")) {
      std::cout << "ledgerd --db PATH --tls-cert PEM --tls-key PEM --client-ca PEM --policy FILE "
                   "[--listen HOST:PORT] [options]\n"
                << d << "\n";
      return ccl::app::kExitOk;
    }
    if (vm.count("print-routes")) {
      for (const auto& r : ccl::ledgerd::Routes()) {
        std::printf("%.*s %.*s %s\n", static_cast<int>(r.method.size()), r.method.data(),
                    static_cast<int>(r.pattern.size()), r.pattern.data(),
                    r.roles == 0 ? "any" : ccl::ledgerd::RoleSetName(r.roles).c_str());
      }
      return ccl::app::kExitOk;
    }
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::string text;
      const Status s = ccl::ledger::internal::ReadFileBounded(path, kConfigBytesMax, &text);
      if (!s.ok()) {
        std::fprintf(stderr, "ledgerd: --config: %s\n", s.message().c_str());
        return ccl::app::kExitUsage;
      }
      std::istringstream in(text);
      po::store(po::parse_config_file(in, settings), vm);
    }
    // An empty value (an unset variable in a unit file) is a mistake, never
    // a way to turn a setting off: `--digest-key ''` would serve unsigned
    // digests without a word.
    for (const auto& [name, value] : vm) {
      const auto* text = boost::any_cast<std::string>(&value.value());
      if (text != nullptr && text->empty() && !value.defaulted()) {
        std::fprintf(stderr, "ledgerd: --%s: empty; leave the option out instead\n", name.c_str());
        return ccl::app::kExitUsage;
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "ledgerd: %s (ledgerd --help)\n", e.what());
    return ccl::app::kExitUsage;
  }
  if (*log_format != "text" && *log_format != "json") {
    std::fprintf(stderr, "ledgerd: --log-format: text or json, got '%s'\n", log_format->c_str());
    return ccl::app::kExitUsage;
  }
  if (access_log != "on" && access_log != "off") {
    std::fprintf(stderr, "ledgerd: --access-log: on or off, got '%s'\n", access_log.c_str());
    return 2;
  }
  o->access_log = access_log == "on";
  if (o->worker_threads == 0 || o->worker_threads > ccl::limits::kServerWorkerThreadsMax) {
    std::fprintf(stderr, "ledgerd: --workers: 1..%zu\n", ccl::limits::kServerWorkerThreadsMax);
    return ccl::app::kExitUsage;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ccl::app::GuardStandardStreams()) {
    std::fprintf(stderr, "ledgerd: a standard stream is closed and /dev/null cannot stand in\n");
    return ccl::app::kExitIO;
  }
  ServerOptions options;
  std::string log_format, log_level;
  const int parsed = ParseOptions(argc, argv, &options, &log_format, &log_level);
  if (parsed >= 0) return parsed;
  options.log_json = log_format == "json";
  SetUpLogging(options.log_json, log_level);
  std::unique_ptr<ccl::ledgerd::Server> server;
  Status s = ccl::ledgerd::Server::Create(options, &server);
  if (s.ok()) s = server->Run();
  if (!s.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", s.message().c_str());
    return ccl::app::ExitCodeFor(s);
  }
  return ccl::app::kExitOk;
}

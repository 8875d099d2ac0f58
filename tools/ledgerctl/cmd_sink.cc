// `ledgerctl sink postgres`: the ledger's events and projection rows into
// PostgreSQL, exactly once (tools/sink/postgres_sink.h does the work; this
// file parses options, makes SIGINT/SIGTERM stop it and prints).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "events/base/display.h"
#include "events/base/limits.h"
#include "tools/ledgerctl/command.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/ledgerctl/remote.h"
#include "tools/sink/postgres_sink.h"
#include "tools/sink/server_source.h"

namespace ccl::tools {

namespace {

int SinkUsageError(const std::string& message) {
  std::fprintf(stderr, "ledgerctl sink: %s (see ledgerctl sink --help)\n", message.c_str());
  return kExitUsage;
}

void LogBatch(const sink::SinkBatchStats& b) {
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  spdlog::info(
      "batch seq {}..{}: transaction {:.1f} ms (events copied and projections advanced in "
      "{:.1f} ms, indexes built in {:.1f} ms, rows built in {:.1f} ms and replaced in {:.1f} "
      "ms), oldest event visible {:.1f} ms after its append",
      b.first_seq, b.last_seq, ms(b.transaction_ns), ms(b.events_ns), ms(b.indexes_ns),
      ms(b.rows_ns), ms(b.refresh_ns), ms(b.committed_at_ns - b.oldest_recorded_at_ns));
}

// The sink's options from `vm` into *o (its callbacks left unset). Returns
// kExitOk, or the usage error's code once it is printed.
int SinkOptionsFrom(const po::variables_map& vm, sink::PostgresSinkOptions* o) {
  if (vm["target"].as<std::string>() != "postgres") {
    return SinkUsageError("the only target is 'postgres'");
  }
  const bool remote = vm.count("server") > 0;
  for (const char* tls : {"cert", "key", "cacert"}) {
    if (vm.count(tls) != (remote ? 1u : 0u)) {
      return SinkUsageError(remote ? std::string("option '--server' needs '--") + tls + "'"
                                   : std::string("option '--") + tls + "' goes with '--server'");
    }
  }
  o->conninfo = vm["conninfo"].as<std::string>();
  o->schema = vm["schema"].as<std::string>();
  o->follow = vm["follow"].as<bool>();
  // Without --batch, the initial sync is one transaction of up to the limit
  // (each index built once after its COPY), the batches after it smaller.
  if (vm.count("batch")) {
    o->events_per_batch_max = vm["batch"].as<uint64_t>();
  } else {
    o->first_batch_events_max = limits::kSinkEventsPerBatchMax;
  }
  o->poll_interval_ms = vm["poll-ms"].as<uint32_t>();
  const Status s = sink::CheckSchemaName(o->schema);
  if (!s.ok()) return SinkUsageError("option '--schema': " + s.message());
  if (o->events_per_batch_max < 1 || o->events_per_batch_max > limits::kSinkEventsPerBatchMax) {
    return SinkUsageError("option '--batch': must be 1.." +
                          std::to_string(limits::kSinkEventsPerBatchMax));
  }
  if (o->poll_interval_ms < 1 || o->poll_interval_ms > limits::kSinkPollIntervalMsMax) {
    return SinkUsageError("option '--poll-ms': must be 1.." +
                          std::to_string(limits::kSinkPollIntervalMsMax));
  }
  return kExitOk;
}

// The events to sync: from the server of --server, or from the ledger at
// --db, opened read-only into *ledger, which must outlive *source.
Status OpenSinkSource(const po::variables_map& vm, const GlobalOptions& g, bool follow,
                      std::unique_ptr<ledger::Ledger>* ledger,
                      std::unique_ptr<sink::SinkSource>* source) {
  if (vm.count("server") > 0) {
    client::ClientOptions c;
    c.url = vm["server"].as<std::string>();
    c.cert_file = vm["cert"].as<std::string>();
    c.key_file = vm["key"].as<std::string>();
    c.ca_file = vm["cacert"].as<std::string>();
    return sink::NewServerSource(c, follow, source);
  }
  if (!g.server_url.empty()) {  // ledgerctl --server URL ... sink postgres
    client::ClientOptions c;
    c.url = g.server_url;
    c.cert_file = g.cert_file;
    c.key_file = g.key_file;
    c.ca_file = g.cacert_file;
    return sink::NewServerSource(c, follow, source);
  }
  CCL_RETURN_IF_ERROR(OpenLedger(g, OpenMode::kReadOnly, ledger));
  *source = sink::NewLedgerSource(ledger->get());
  return Status::OK();
}

}  // namespace

int RunSink(const po::variables_map& vm, const GlobalOptions& g) {
  sink::PostgresSinkOptions o;
  if (const int rc = SinkOptionsFrom(vm, &o); rc != kExitOk) return rc;
  if (!g.server_url.empty() && vm.count("server") > 0) {
    return SinkUsageError("option '--server': given before and after the command word");
  }
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<sink::SinkSource> source;
  Status s = OpenSinkSource(vm, g, o.follow, &ledger, &source);
  if (!s.ok()) return Fail(s);
  // SIGTERM / Ctrl-C: the batch in progress is committed, then exit 0.
  o.should_stop = StopOnInterruptOrTerm();
  o.today_day = [] { return TodayDay(); };
  o.on_batch = LogBatch;

  sink::PostgresSinkResult r;
  s = sink::RunPostgresSink(source.get(), o, &r);
  // After an error, what was committed before it; nothing when nothing was
  // (a server that cannot be reached has no checkpoint to report).
  if (!g.quiet && (s.ok() || r.batches > 0)) {
    std::string msg = std::string(s.ok() ? "synced " : "before the error, synced ") +
                      events::FormatThousands(r.events) + " events in " +
                      events::FormatThousands(r.batches) + " transactions into schema \"" +
                      o.schema + "\"";
    if (r.created_schema) msg += " (tables created)";
    msg += "; checkpoint at seq " + events::FormatThousands(r.end_seq);
    std::fprintf(stderr, "%s\n", msg.c_str());
  }
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

void RegisterSinkCommands(CommandTable* table) {
  table->push_back(
      {"sink",
       "sink postgres --conninfo STRING [--schema NAME] [--follow] [--batch N] [--poll-ms MS] "
       "[--server URL --cert PEM --key PEM --cacert PEM]",
       "copy events and projection rows into PostgreSQL, exactly once, resumable",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "target", "TARGET", "postgres");
         d->add_options()("conninfo", po::value<std::string>()->required()->value_name("STRING"),
                          "libpq connection string, e.g. 'host=/run/postgresql dbname=bi'")(
             "schema", po::value<std::string>()->default_value("ccl")->value_name("NAME"),
             "schema of the tables, created if missing")(
             "follow", po::bool_switch(),
             "keep syncing as the ledger grows, until SIGTERM or Ctrl-C")(
             "batch", po::value<uint64_t>()->value_name("N"),
             "at most N events per transaction (default: 1000000 for the initial sync into "
             "empty tables, 100000 after it)")(
             "poll-ms", po::value<uint32_t>()->default_value(50)->value_name("MS"),
             "with --follow: look for new events every MS milliseconds")(
             "server", po::value<std::string>()->value_name("URL"),
             "read a ledgerd server's feed (https://HOST:PORT) instead of the ledger; the "
             "certificate's principal needs the reader role")(
             "cert", po::value<std::string>()->value_name("PEM"),
             "with --server: this client's certificate")(
             "key", po::value<std::string>()->value_name("PEM"), "with --server: its private key")(
             "cacert", po::value<std::string>()->value_name("PEM"),
             "with --server: the CA the server's certificate must chain to");
       },
       RunSink});
}

}  // namespace ccl::tools

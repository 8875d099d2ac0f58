// ledgerd-bench: ledgerd under load, in one run with the figures it is judged
// against (README.md "Performance", "The service under load"): the
// in-process batch-1000 append rate and PostgreSQL with 64 connections, one
// autocommit INSERT each (synchronous_commit=on). Loads, each on a fresh
// ledgerd over loopback TLS with keep-alive:
//   post64x1    64 clients, one event per request
//   post8x1000  8 clients, 1,000 events per request
//   feed16      16 subscribers of /v1/feed from seq 0, on post8x1000's ledger
//   accesslog   the access log's cost: 64 clients x one event per request,
//               then 64 clients x one balance report of a contract of their
//               own, on servers with --access-log on and off in turn
// with the server's resident memory under each. --quick is the CTest smoke
// run (tiny counts, no figure judged); the full run is the default.
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "events/model/json.h"
#include "ledger/store/ledger.h"
#include "tools/bench/config.h"
#include "tools/bench/ledgerd_load.h"
#include "tools/bench/peer.h"
#include "tools/bench/workload.h"  // Stamper, PeerRow
#include "tools/client/client.h"   // AppendPercentEncoded
#include "tools/generator/generator.h"

namespace ccl::bench {
namespace {

namespace po = boost::program_options;

struct Settings {
  uint64_t single_events = 20'000;  // post64x1 and postgres64: the workload prefix
  uint64_t batch_events = 200'000;  // post8x1000, in-process batch 1000, feed16
  double seconds_max = 20;          // each load stops after this long
  double report_seconds = 8;        // accesslog: each balance report load
  int rounds = 2;                   // accesslog: servers with the log on and off, each
  uint64_t seed = 1;
  size_t workers = 16;  // ledgerd --workers
  std::string pg_conninfo;
  std::string ledgerd_path = CCL_LEDGERD_PATH;
  std::string source_dir = CCL_SOURCE_DIR;
  std::string dir;
  // Which loads run (for profiling one): any of inprocess, postgres,
  // post64x1, post8x1000 (with feed16 after it), accesslog.
  std::string loads = "inprocess,postgres,post64x1,post8x1000,accesslog";
  bool Runs(std::string_view load) const {
    return ("," + loads + ",").find("," + std::string(load) + ",") != std::string::npos;
  }
};

// One printed figure, with the load average when it was taken.
void Print(const std::string& name, double value, const std::string& unit) {
  double load[1] = {0};
  getloadavg(load, 1);
  std::printf("| %-34s | %14.1f | %-10s | %5.2f |\n", name.c_str(), value, unit.c_str(), load[0]);
  std::fflush(stdout);
}

// Prints why `name` has no figure; false (the load failed).
bool PrintMissing(const std::string& name, const Status& s) {
  std::printf("| %-34s | missing: %s |\n", name.c_str(), s.message().c_str());
  std::fflush(stdout);
  return false;
}

void PrintLatencies(const std::string& prefix, std::vector<double>* us) {
  if (us->empty()) return;
  Print(prefix + " p50", Percentile(us, 50), "us");
  Print(prefix + " p99", Percentile(us, 99), "us");
  Print(prefix + " p999", Percentile(us, 99.9), "us");
}

// The first `count` events of a generated workload with at least two
// contracts per part, dealt to `parts` by contract (so each part keeps every
// stream's order and rules, whatever the interleaving).
Status DealByContract(const Settings& s, uint64_t count, size_t parts,
                      std::vector<std::vector<events::Event>>* out) {
  tools::GeneratorOptions o;
  o.contracts = static_cast<uint32_t>(std::clamp<uint64_t>(
      std::max<uint64_t>(count / 900 + 1, 2 * parts), 1, tools::kGeneratorContractsMax));
  o.days = 730;
  o.seed = s.seed;
  o.close_periods = false;  // a ledger-wide close would refuse other parts' earlier events
  o.approvals = false;      // an approval needs a second principal; the bench has one
  out->assign(parts, {});
  std::unordered_map<std::string, size_t> owner;
  uint64_t n = 0;
  Status st = tools::GenerateEvents(
      o,
      [&](const events::Event& e) {
        // The generator has no stop of its own: a status only this sink makes.
        if (n == count) return Status::Busy("enough events");
        auto [it, added] = owner.try_emplace(e.contract, owner.size() % parts);
        (*out)[it->second].push_back(e);
        (*out)[it->second].back().actor = kBenchPrincipal;  // the server's only actor for us
        ++n;
        return Status::OK();
      },
      nullptr);
  if (n == count) return Status::OK();
  if (!st.ok()) return st;
  return Status::InvalidArgument("the workload has only " + std::to_string(n) + " events");
}

// Each part's events as JSON Lines bodies of `per_body` events.
std::vector<std::vector<std::string>> Bodies(const std::vector<std::vector<events::Event>>& parts,
                                             size_t per_body) {
  events::JsonOutputOptions o;
  o.assigned_fields = false;
  std::vector<std::vector<std::string>> out(parts.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    for (size_t i = 0; i + per_body <= parts[p].size(); i += per_body) {
      std::string body;
      for (size_t k = i; k < i + per_body; ++k) {
        events::AppendEventJson(parts[p][k], o, &body);
        body += '\n';
      }
      out[p].push_back(std::move(body));
    }
  }
  return out;
}

// The events of post8x1000 appended in-process, the same batches of 1000 in
// turn from each part: the rate the service is compared with.
bool InProcessBatch1000(const Settings& s) {
  std::vector<std::vector<events::Event>> parts;
  Status st = DealByContract(s, s.batch_events, 8, &parts);
  ledger::Options options;
  options.create_if_missing = true;
  std::unique_ptr<ledger::Ledger> l;
  if (st.ok()) st = ledger::Ledger::Open(options, s.dir + "/inprocess", &l);
  TimedSections timed;
  uint64_t done = 0;
  for (size_t at = 0; st.ok(); at += 1000) {
    bool any = false;
    for (const std::vector<events::Event>& part : parts) {
      if (at + 1000 > part.size() || !st.ok()) continue;
      any = true;
      ledger::AppendResult r;
      Stopwatch w;
      st = l->Append(std::span<const events::Event>(part.data() + at, 1000),
                     ledger::AppendOptions(), &r);
      timed.Add(w.ElapsedNs());
      done += 1000;
    }
    if (!any) break;
  }
  if (!st.ok()) return PrintMissing("in-process batch 1000", st);
  Print("in-process batch 1000", timed.Rate(done), "events/s");
  return true;
}

// 64 connections, each its own thread writing one row per autocommit INSERT.
bool Postgres64(const Settings& s) {
  constexpr size_t kConnections = 64;
  if (s.pg_conninfo.empty()) {
    // Optional: a machine without a server still measures ledgerd.
    PrintMissing("postgres 64 x INSERT", Status::NotFound("no --pg / $CCL_BENCH_PG"));
    return true;
  }
  std::vector<std::vector<events::Event>> parts;
  Status st = DealByContract(s, s.single_events, kConnections, &parts);
  std::vector<std::unique_ptr<Peer>> peers(kConnections);
  if (st.ok()) st = OpenPostgresPeer(s.pg_conninfo, PgBatchMode::kInsert, &peers[0]);
  for (size_t i = 1; st.ok() && i < kConnections; ++i) {
    st = ConnectPostgresPeer(s.pg_conninfo, PgBatchMode::kInsert, &peers[i]);
  }
  if (!st.ok()) return PrintMissing("postgres 64 x INSERT", st);
  // Seqs and stream versions as the ledger would assign them, in one order.
  std::vector<std::vector<PeerRow>> rows(kConnections);
  std::vector<Stamper> stampers(kConnections);
  for (size_t i = 0; i < kConnections; ++i) stampers[i].Stamp(parts[i], &rows[i]);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> written{0};
  std::vector<std::vector<double>> latency(kConnections);
  std::vector<Status> errors(kConnections);
  std::vector<std::thread> threads;
  Stopwatch w;
  for (size_t t = 0; t < kConnections; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < rows[t].size() && !stop.load(); ++i) {
        PeerRow row = rows[t][i];
        row.seq = row.seq * kConnections + t;  // unique across the connections
        Stopwatch one;
        errors[t] = peers[t]->Write(std::span<const PeerRow>(&row, 1));
        if (!errors[t].ok()) break;
        latency[t].push_back(static_cast<double>(one.ElapsedNs()) / 1e3);
        written.fetch_add(1);
        if (w.ElapsedSeconds() > s.seconds_max) break;
      }
      stop.store(true);  // the first connection done ends the load
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = w.ElapsedSeconds();
  for (const Status& e : errors) {
    if (!e.ok()) return PrintMissing("postgres 64 x INSERT", e);
  }
  std::vector<double> all;
  for (const auto& l : latency) all.insert(all.end(), l.begin(), l.end());
  Print("postgres 64 x INSERT", static_cast<double>(written.load()) / seconds, "events/s");
  PrintLatencies("postgres 64 x INSERT", &all);
  return true;
}

// A POST load on a fresh ledgerd in dir/`name`: the first `events` events
// dealt to `clients` by contract, `per_body` events per request; its figures
// printed under `label`. The server is left running for the caller.
bool PostLoad(const Settings& s, const std::string& name, const std::string& label, uint64_t events,
              size_t clients, size_t per_body, LedgerdProcess* server, LoadFigures* f) {
  std::vector<std::vector<events::Event>> parts;
  Status st = DealByContract(s, events, clients, &parts);
  if (st.ok()) st = server->Start(s.ledgerd_path, s.source_dir, s.dir + "/" + name, s.workers);
  if (st.ok()) st = RunPostLoad(*server, Bodies(parts, per_body), per_body, s.seconds_max, f);
  if (!st.ok()) return PrintMissing(label, st);
  Print(label, static_cast<double>(f->events) / f->seconds, "events/s");
  PrintLatencies(label, &f->latency_us);
  Print(label + " server RSS max", f->server_rss_mb_max, "MB");
  return true;
}

// The value of the sample `series` (name and labels as the text format
// writes them) in Prometheus text; -1 when absent.
double MetricValue(const std::string& text, const std::string& series) {
  const std::string line_start = "\n" + series + " ";
  const size_t at = text.find(line_start);
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + line_start.size(), nullptr);
}

// Where a request's time went in the server (its /metrics after the load):
// the mean of each stage of ledgerd_request_stage_seconds and of the
// append's group commit, and the CPU each side used.
void PrintProfile(const std::string& label, const LedgerdProcess& server, const LoadFigures& f) {
  Print(label + " server CPU", 100 * f.server_cpu_seconds / f.seconds, "% of a core");
  Print(label + " client CPU", 100 * f.client_cpu_seconds / f.seconds, "% of a core");
  std::string text;
  if (Status st = FetchMetrics(server, &text); !st.ok()) {
    PrintMissing(label + " stages", st);
    return;
  }
  const auto mean_us = [&](const std::string& name, const std::string& labels) {
    const double n = MetricValue(text, name + "_count" + labels);
    return n > 0 ? 1e6 * MetricValue(text, name + "_sum" + labels) / n : -1;
  };
  double in_server_us = 0;
  for (const char* stage : {"read", "worker_wait", "handler", "to_strand", "write"}) {
    const double us =
        mean_us("ledgerd_request_stage_seconds", "{stage=\"" + std::string(stage) + "\"}");
    Print(label + " " + stage + " mean", us, "us");
    in_server_us += std::max(us, 0.0);
  }
  Print(label + " append mean", mean_us("ledgerd_append_sync_seconds", ""), "us");
  // The rest of a request's mean latency: the client thread, the kernel's
  // loopback and the server's wait for its I/O threads to read.
  if (!f.latency_us.empty()) {
    double sum = 0;
    for (double us : f.latency_us) sum += us;
    Print(label + " outside these mean",
          sum / static_cast<double>(f.latency_us.size()) - in_server_us, "us");
  }
}

bool Post64x1(const Settings& s) {
  LedgerdProcess server;
  LoadFigures f;
  if (!PostLoad(s, "post64x1", "ledgerd 64 clients x 1 event", s.single_events, 64, 1, &server,
                &f)) {
    return false;
  }
  PrintProfile("ledgerd 64 x 1", server, f);
  Status st = server.Stop();
  return st.ok() || PrintMissing("ledgerd 64 x 1 stop", st);
}

// post8x1000, then feed16 on the same server.
bool Post8x1000AndFeed(const Settings& s) {
  LedgerdProcess server;
  LoadFigures f;
  if (!PostLoad(s, "post8x1000", "ledgerd 8 clients x 1000 events", s.batch_events, 8, 1000,
                &server, &f)) {
    return false;
  }
  LoadFigures feed;
  Status st = RunFeedLoad(server, 16, f.events, s.seconds_max * 3, &feed);
  if (st.ok()) st = server.Stop();
  if (!st.ok()) return PrintMissing("ledgerd feed 16", st);
  Print("ledgerd feed 16 subscribers (all)", static_cast<double>(feed.events) / feed.seconds,
        "events/s");
  Print("ledgerd feed 16 server RSS max", feed.server_rss_mb_max, "MB");
  return true;
}

// One server of the accesslog load: 64 x 1 event, then the balance reports.
Status AccessLogRound(const Settings& s, const std::string& name, const std::string& mode,
                      const std::vector<std::vector<std::string>>& bodies,
                      const std::vector<std::string>& reports, LoadFigures* post,
                      LoadFigures* get) {
  LedgerdProcess server;
  Status st = server.Start(s.ledgerd_path, s.source_dir, s.dir + "/" + name, s.workers,
                           {"--access-log", mode});
  if (st.ok()) st = RunPostLoad(server, bodies, 1, s.seconds_max, post);
  if (st.ok()) st = RunGetLoad(server, reports, s.report_seconds, get);
  if (st.ok()) st = server.Stop();
  return st;
}

// The access log's cost: `rounds` servers with it and as many without, in
// turn and alternating which goes first (a change of the shared machine's
// load then hits both), each figure the median of its rounds.
bool AccessLogCost(const Settings& s) {
  std::vector<std::vector<events::Event>> parts;
  Status st = DealByContract(s, s.single_events, 64, &parts);
  if (!st.ok()) return PrintMissing("access log cost", st);
  const std::vector<std::vector<std::string>> bodies = Bodies(parts, 1);
  std::vector<std::string> reports;  // a contract of each client's own
  for (const std::vector<events::Event>& part : parts) {
    if (part.empty()) continue;  // a tiny run: fewer clients
    reports.push_back("/v1/reports/balance?contract=");
    client::AppendPercentEncoded(part.front().contract, &reports.back());
  }
  std::map<std::string, std::vector<double>> eps, p99;  // by "<load> <mode>"
  for (int round = 0; round < s.rounds; ++round) {
    for (const char* mode : round % 2 == 0 ? std::array{"on", "off"} : std::array{"off", "on"}) {
      LoadFigures post, get;
      st = AccessLogRound(s, "accesslog-" + std::to_string(round) + "-" + mode, mode, bodies,
                          reports, &post, &get);
      if (!st.ok()) return PrintMissing(std::string("access log ") + mode, st);
      for (auto& [load, f, count] :
           {std::tuple{"events", &post, post.events}, std::tuple{"reports", &get, get.requests}}) {
        eps[std::string(load) + " " + mode].push_back(static_cast<double>(count) / f->seconds);
        p99[std::string(load) + " " + mode].push_back(Percentile(&f->latency_us, 99));
      }
    }
  }
  for (const char* load : {"events", "reports"}) {
    const std::string name = std::string(load) == "events" ? "64 x 1 event" : "64 x 1 balance";
    const std::string on = std::string(load) + " on", off = std::string(load) + " off";
    const double on_rate = Percentile(&eps[on], 50), off_rate = Percentile(&eps[off], 50);
    Print(name + ", access log on", on_rate, std::string(load) + "/s");
    Print(name + ", access log off", off_rate, std::string(load) + "/s");
    Print(name + ", on as % of off", off_rate > 0 ? 100 * on_rate / off_rate : 0, "%");
    Print(name + " p99, access log on", Percentile(&p99[on], 50), "us");
    Print(name + " p99, access log off", Percentile(&p99[off], 50), "us");
  }
  return true;
}

void AddOptions(po::options_description* desc, Settings* s, std::string* dir) {
  desc->add_options()("help,h", "show this help")(
      "quick", "tiny counts, a few seconds: the CTest run that keeps it building and working")(
      "single-events", po::value<uint64_t>(&s->single_events),
      "events of the one-event-per-request loads (default 20,000)")(
      "batch-events", po::value<uint64_t>(&s->batch_events),
      "events of the 1,000-per-request load and the in-process batch 1000 (default 200,000)")(
      "seconds", po::value<double>(&s->seconds_max), "each load stops after this long (20)")(
      "report-seconds", po::value<double>(&s->report_seconds),
      "accesslog: how long each balance report load runs (8)")(
      "rounds", po::value<int>(&s->rounds),
      "accesslog: servers with the access log on, and as many with it off (2)")(
      "workers", po::value<size_t>(&s->workers), "ledgerd --workers (16)")(
      "pg", po::value<std::string>(&s->pg_conninfo),
      "libpq conninfo (default $CCL_BENCH_PG; none: PostgreSQL reported missing)")(
      "ledgerd", po::value<std::string>(&s->ledgerd_path), "the ledgerd binary")(
      "dir", po::value<std::string>(dir), "folder to work in (default: the temp folder)")(
      "loads", po::value<std::string>(&s->loads),
      "comma-separated subset of inprocess,postgres,post64x1,post8x1000,accesslog (default: "
      "all; post8x1000 includes feed16)");
}

// The --quick defaults for the counts not given, the checks of the others and
// $CCL_BENCH_PG; false (said on stderr) when a value is out of range.
bool FinishSettings(const po::variables_map& vm, Settings* s) {
  if (vm.count("quick")) {
    s->single_events = vm.count("single-events") ? s->single_events : 640;
    s->batch_events = vm.count("batch-events") ? s->batch_events : 8'000;
    s->report_seconds = vm.count("report-seconds") ? s->report_seconds : 0.5;
    s->rounds = vm.count("rounds") ? s->rounds : 1;
  }
  if (s->rounds < 1 || s->rounds > 20 || !(s->report_seconds > 0 && s->report_seconds <= 600)) {
    std::cerr
        << "ledgerd-bench: --rounds must be 1..20, --report-seconds above 0 and at most 600\n";
    return false;
  }
  if (const char* env = getenv("CCL_BENCH_PG"); s->pg_conninfo.empty() && env != nullptr) {
    s->pg_conninfo = env;
  }
  return true;
}

int Main(int argc, char** argv) {
  Settings s;
  po::options_description desc("options");
  std::string dir;
  AddOptions(&desc, &s, &dir);
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "ledgerd-bench: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (!FinishSettings(vm, &s)) return 2;
  std::error_code ec;
  const std::filesystem::path base =
      dir.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(dir);
  s.dir = (base / "ccl-ledgerd-bench-XXXXXX").string();
  if (mkdtemp(s.dir.data()) == nullptr) {
    std::cerr << "ledgerd-bench: cannot create a work folder in " << base << "\n";
    return 4;
  }
  std::printf("ledgerd-bench: %u hardware threads; %llu single events, %llu batch events\n\n",
              std::thread::hardware_concurrency(), static_cast<unsigned long long>(s.single_events),
              static_cast<unsigned long long>(s.batch_events));
  std::printf("| %-34s | %14s | %-10s | %5s |\n|---|---:|---|---:|\n", "figure", "value", "unit",
              "load");
  bool ok = !s.Runs("inprocess") || InProcessBatch1000(s);
  ok = (!s.Runs("postgres") || Postgres64(s)) && ok;
  ok = (!s.Runs("post64x1") || Post64x1(s)) && ok;
  ok = (!s.Runs("post8x1000") || Post8x1000AndFeed(s)) && ok;
  ok = (!s.Runs("accesslog") || AccessLogCost(s)) && ok;
  std::filesystem::remove_all(s.dir, ec);
  // A load that could not run fails the run (the CTest run catches a
  // generator or server that stopped working); figures are never judged.
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace ccl::bench

int main(int argc, char** argv) { return ccl::bench::Main(argc, argv); }

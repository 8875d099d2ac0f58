// ledger-bench: our ledger side by side with the systems a user would pick
// instead (raw RocksDB, SQLite, PostgreSQL), on the same generated events, in
// one run, so the ratios hold on a noisy machine. Figures: README.md
// "Performance".
//
// Phases run one after another, each in a child process of its own
// (tools/bench/isolate.h), grouped by workload so that each comparison is
// measured close together in time: batch 1 (all systems), concurrent and
// batch 100 (ours), then the full-size load and scans (all systems).
#include <stdlib.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include "tools/bench/config.h"
#include "tools/bench/isolate.h"
#include "tools/bench/ours.h"
#include "tools/bench/peer.h"
#include "tools/bench/report.h"

namespace ccl::bench {
namespace {

namespace po = boost::program_options;

constexpr uint64_t kQuickEvents = 20'000;
constexpr uint64_t kEventsMax = 100'000'000;

int Usage(const po::options_description& desc, const std::string& error) {
  if (!error.empty()) std::cerr << "ledger-bench: " << error << "\n\n";
  std::cerr << "usage: ledger-bench [options]\n\n" << desc << "\n";
  return error.empty() ? 0 : 1;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Runs `fn` isolated when `system` is selected; else its metrics are missing.
void Phase(const BenchConfig& config, Report* total, const std::string& system,
           const std::string& phase, const std::string& label,
           std::initializer_list<std::string_view> metrics,
           const std::function<void(Report*)>& fn) {
  if (!config.Runs(system) || !config.RunsPhase(phase)) {
    for (std::string_view m : metrics) total->Missing(m, "not selected (--systems, --phases)");
    return;
  }
  total->Merge(RunIsolated(system + ": " + label,
                           std::span<const std::string_view>(metrics.begin(), metrics.size()), fn));
}

void RunAll(const BenchConfig& c, Report* r) {
  const std::string b1 =
      "batch 1, first " + std::to_string(std::min(c.events, c.b1_events)) + " events";
  const std::string full = std::to_string(c.events) + " events in batches of 1000, then read";
  Phase(c, r, "ours", "b1", b1, {"append_b1_eps", "append_b1_p50_us", "append_b1_p99_us"},
        [&](Report* x) { RunOursB1Phase(c, x); });
  Phase(c, r, "rocksdb", "b1", b1, {"rocksdb_raw_b1_eps"},
        [&](Report* x) { RunPeerB1Phase(PeerKind::kRocksDbRaw, c, x); });
  Phase(c, r, "sqlite", "b1", b1, {"sqlite_b1_eps"},
        [&](Report* x) { RunPeerB1Phase(PeerKind::kSqlite, c, x); });
  Phase(c, r, "postgres", "b1", b1, {"postgres_b1_eps"},
        [&](Report* x) { RunPeerB1Phase(PeerKind::kPostgres, c, x); });
  Phase(c, r, "ours", "concurrent8", "8 threads x batch 1", {"append_concurrent8_eps"},
        [&](Report* x) { RunOursConcurrentPhase(c, x); });
  Phase(c, r, "ours", "b100", "batch 100", {"append_b100_eps"},
        [&](Report* x) { RunOursB100Phase(c, x); });
  Phase(c, r, "ours", "full", full,
        {"append_b1000_eps", "replay_eps", "verify_eps", "rebuild_eps", "contract_balance_p50_us",
         "disk_bytes_per_event", "peak_rss_mb"},
        [&](Report* x) { RunOursFullPhase(c, x); });
  Phase(c, r, "rocksdb", "full", full, {"rocksdb_raw_b1000_eps", "rocksdb_raw_scan_eps"},
        [&](Report* x) { RunPeerFullPhase(PeerKind::kRocksDbRaw, c, x); });
  Phase(c, r, "rocksdb", "full", full + ", our key layout", {},
        [&](Report* x) { RunPeerFullPhase(PeerKind::kRocksDbLayout, c, x); });
  Phase(c, r, "sqlite", "full", full, {"sqlite_b1000_eps", "sqlite_scan_eps"},
        [&](Report* x) { RunPeerFullPhase(PeerKind::kSqlite, c, x); });
  Phase(c, r, "postgres", "full", full, {"postgres_b1000_eps", "postgres_scan_eps"},
        [&](Report* x) { RunPeerFullPhase(PeerKind::kPostgres, c, x); });
}

void DescribeRun(const BenchConfig& c, Report* r) {
  r->Context("events", static_cast<double>(c.events));
  r->Context("seed", static_cast<double>(c.seed));
  r->ContextText("mode", c.quick ? "quick" : "full");
  r->ContextText("postgres_batch_mode", c.pg_mode == PgBatchMode::kCopy ? "copy" : "insert");
  r->Note(
      "Every system stores the same generated events (same seed): the FlatBuffers bytes "
      "our ledger stores, under BE64(seq) keys (RocksDB) or next to the envelope columns "
      "seq, event_id, contract, stream_version, type, effective_at, recorded_at (SQL).");
  r->Note(
      "Durable everywhere: RocksDB WAL sync, SQLite synchronous=FULL, PostgreSQL "
      "synchronous_commit=on. Batch 1000 runs over all " +
      std::to_string(c.events) + " events; batch 1 over the first " +
      std::to_string(std::min(c.events, c.b1_events)) + " (one fsync each; stopped after " +
      std::to_string(static_cast<int>(c.b1_seconds_max)) + " s), batch 100 over the first " +
      std::to_string(std::min(c.events, c.b100_events)) + ", 8 threads over the first " +
      std::to_string(std::min(c.events, c.concurrent_events)) + ".");
  r->Note(
      "Only the store's own calls are timed. Ours includes encoding, validation, the "
      "domain rules, the hash chain and the indexes; the peers get pre-encoded bytes.");
  r->Note(
      "Reads: ours (replay_eps) decodes and verifies every event through the read-ahead "
      "iterator (reading on a second thread, decoding on both); "
      "the peers' scans bring every column to the client without decoding. Every full read "
      "runs " +
      std::to_string(kReadPasses) +
      " times after a full compaction; the median is "
      "reported.");
}

// The command line's values before they are checked into a BenchConfig.
struct CommandLine {
  std::string json_path;
  std::string dir;
  std::string pg_mode = "copy";
  std::string systems = "ours,rocksdb,sqlite,postgres";
  std::string phases = "b1,concurrent8,b100,full";
  uint64_t events = 0;
  uint64_t seed = 1;
  uint64_t b1_events = 0;
};

void AddOptions(po::options_description* desc, CommandLine* o) {
  desc->add_options()("help,h", "show this help")(
      "quick", "about 20,000 events, under a minute (the CTest smoke test)")(
      "events", po::value<uint64_t>(&o->events),
      "events of the full-size phases (default 1,000,000)")(
      "json", po::value<std::string>(&o->json_path), "write the metrics as a JSON object to FILE")(
      "dir", po::value<std::string>(&o->dir),
      "folder to work in (a fresh subfolder is made and removed; default: the temp folder)")(
      "keep", "keep the work folder (its path is printed)")(
      "pg", po::value<std::string>(),
      "libpq conninfo of a PostgreSQL server (default: $CCL_BENCH_PG; none: reported missing)")(
      "pg-mode", po::value<std::string>(&o->pg_mode),
      "PostgreSQL batch write: copy (default, the faster here) or insert")(
      "seed", po::value<uint64_t>(&o->seed), "workload seed (default 1)")(
      "b1-events", po::value<uint64_t>(&o->b1_events),
      "events of the batch-1 phases (default 2,000; quick 200)")(
      "systems", po::value<std::string>(&o->systems),
      "comma-separated subset of ours,rocksdb,sqlite,postgres (default: all)")(
      "phases", po::value<std::string>(&o->phases),
      "comma-separated subset of b1,concurrent8,b100,full (default: all; for profiling)");
}

// Checks the parsed options into `c`; returns the usage error, else "".
std::string ConfigFromOptions(const po::variables_map& vm, const CommandLine& o, BenchConfig* c) {
  c->quick = vm.count("quick") != 0;
  if (c->quick) {
    c->events = kQuickEvents;
    c->b1_events = 200;
    c->b1_seconds_max = 3;
    c->concurrent_events = 800;
    c->concurrent_seconds_max = 3;
  }
  if (vm.count("events")) c->events = o.events;
  if (c->events < 1000 || c->events > kEventsMax) {
    return "option '--events': must be 1000.." + std::to_string(kEventsMax);
  }
  if (vm.count("b1-events")) c->b1_events = std::max<uint64_t>(o.b1_events, 1);
  c->seed = o.seed;
  if (o.pg_mode == "copy") {
    c->pg_mode = PgBatchMode::kCopy;
  } else if (o.pg_mode == "insert") {
    c->pg_mode = PgBatchMode::kInsert;
  } else {
    return "option '--pg-mode': must be copy or insert, got '" + o.pg_mode + "'";
  }
  if (vm.count("pg")) {
    c->pg_conninfo = vm["pg"].as<std::string>();
  } else if (const char* env = getenv("CCL_BENCH_PG"); env != nullptr) {
    c->pg_conninfo = env;
  }
  c->phases = SplitList(o.phases);
  for (const std::string& p : c->phases) {
    if (p != "b1" && p != "concurrent8" && p != "b100" && p != "full") {
      return "option '--phases': unknown phase '" + p + "'";
    }
  }
  c->systems = SplitList(o.systems);
  for (const std::string& s : c->systems) {
    if (s != "ours" && s != "rocksdb" && s != "sqlite" && s != "postgres") {
      return "option '--systems': unknown system '" + s + "'";
    }
  }
  return "";
}

// Makes a fresh work folder under `dir` (default: the temp folder) into
// `work`; false (said on stderr) when it cannot.
bool MakeWorkFolder(const std::string& dir, std::string* work) {
  std::error_code ec;
  std::filesystem::path base =
      dir.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(dir);
  if (ec) base = "/tmp";
  std::filesystem::create_directories(base, ec);
  *work = (base / "ccl-bench-XXXXXX").string();
  if (mkdtemp(work->data()) == nullptr) {
    std::cerr << "ledger-bench: cannot create a work folder in " << base
              << (ec ? ": " + ec.message() : std::string()) << "\n";
    return false;
  }
  return true;
}

// Runs every phase into `report`, with the run's description and the
// machine's 1-minute load average before and after: a figure measured while
// other work ran says so in its own output.
void RunMeasured(const BenchConfig& c, Report* report) {
  DescribeRun(c, report);
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) report->Context("load_average_start", load[0]);
  Stopwatch total;
  RunAll(c, report);
  report->Context("wall_seconds", total.ElapsedSeconds());
  if (getloadavg(load, 1) == 1) report->Context("load_average_end", load[0]);
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "Machine: %u hardware threads; 1-minute load average %.1f at the start, %.1f "
                "at the end; %.0f s in all.",
                std::thread::hardware_concurrency(),
                report->context().count("load_average_start")
                    ? report->context().at("load_average_start")
                    : 0.0,
                load[0], total.ElapsedSeconds());
  report->Note(buf);
}

// Writes the report's JSON to `path`; false (said on stderr) when it cannot.
bool WriteJson(const std::string& path, const Report& report) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  const std::string json = ReportJson(report);
  bool ok = f != nullptr && std::fwrite(json.data(), 1, json.size(), f) == json.size();
  if (f != nullptr && std::fclose(f) != 0) ok = false;
  if (!ok) {
    std::cerr << "ledger-bench: cannot write " << path << "\n";
    return false;
  }
  return true;
}

// Our own metrics must always be there; a missing peer is reported, not a failure.
bool OurMetricsComplete(const BenchConfig& c, const Report& report) {
  if (!c.Runs("ours")) return true;
  for (std::string_view m : MetricNames()) {
    if (m.substr(0, 12) == "rocksdb_raw_" || m.substr(0, 7) == "sqlite_" ||
        m.substr(0, 9) == "postgres_") {
      continue;
    }
    if (!report.Has(m)) return false;
  }
  return true;
}

int Main(int argc, char** argv) {
  po::options_description desc("options");
  CommandLine o;
  AddOptions(&desc, &o);
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Usage(desc, e.what());
  }
  if (vm.count("help")) return Usage(desc, "");
  BenchConfig c;
  if (std::string error = ConfigFromOptions(vm, o, &c); !error.empty()) return Usage(desc, error);

  std::string work;
  if (!MakeWorkFolder(o.dir, &work)) return 4;
  c.dir = work;
  std::cerr << "[bench] " << c.events << " events, seed " << c.seed << ", work folder " << work
            << "\n";

  Report report;
  RunMeasured(c, &report);
  std::cout << ReportMarkdown(report) << std::flush;
  if (!o.json_path.empty() && !WriteJson(o.json_path, report)) return 4;
  if (vm.count("keep")) {
    std::cerr << "[bench] work folder kept: " << work << "\n";
  } else {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  return OurMetricsComplete(c, report) ? 0 : 2;
}

}  // namespace
}  // namespace ccl::bench

int main(int argc, char** argv) { return ccl::bench::Main(argc, argv); }

// The measuring loops for the peers. Only the peer's own work is timed: the
// generation, stamping and encoding of the events happen between the timed
// sections (our ledger's timed Append, by contrast, includes encoding,
// validation, rules, hashing and indexes: that is what it costs).
#include <algorithm>
#include <filesystem>
#include <vector>

#include "events/base/enum_names.h"
#include "tools/bench/peer.h"

namespace ccl::bench {

std::string_view PeerPrefix(PeerKind kind) {
  // Indexed by PeerKind.
  static constexpr std::string_view kPrefixes[] = {"rocksdb_raw", "sqlite", "postgres",
                                                   "rocksdb_layout"};
  return events::EnumName(kPrefixes, kind, "unknown");
}

namespace {

Status OpenPeer(PeerKind kind, const BenchConfig& config, std::string_view phase,
                std::unique_ptr<Peer>* out) {
  if (kind == PeerKind::kPostgres) {
    if (config.pg_conninfo.empty()) {
      return Status::InvalidArgument(
          "no PostgreSQL server given (--pg CONNINFO or CCL_BENCH_PG; tools/bench_postgres.sh "
          "starts a throwaway one)");
    }
    return OpenPostgresPeer(config.pg_conninfo, config.pg_mode, out);
  }
  const std::string dir =
      config.dir + "/" + std::string(PeerPrefix(kind)) + "-" + std::string(phase);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  switch (kind) {
    case PeerKind::kRocksDbRaw:
      return OpenRocksDbPeer(dir, out);
    case PeerKind::kRocksDbLayout:
      return OpenRocksDbLayoutPeer(dir, out);
    default:
      return OpenSqlitePeer(dir, out);
  }
}

std::string Metric(PeerKind kind, std::string_view suffix) {
  return std::string(PeerPrefix(kind)) + std::string(suffix);
}

}  // namespace

void RunPeerB1Phase(PeerKind kind, const BenchConfig& config, Report* report) {
  const std::string eps = Metric(kind, "_b1_eps");
  std::unique_ptr<Peer> peer;
  Status s = OpenPeer(kind, config, "b1", &peer);
  if (!s.ok()) {
    report->Missing(eps, s.ToString());
    return;
  }
  const uint64_t count = std::min(config.events, config.b1_events);
  Stamper stamper;
  std::vector<PeerRow> rows;
  SingleWriteTimes times;
  s = TimeSingleWrites(
      config, count,
      [&](std::span<const events::Event> chunk) {
        stamper.Stamp(chunk, &rows);
        return Status::OK();
      },
      [&](std::span<const events::Event>, size_t i) {
        return peer->Write(std::span<const PeerRow>(&rows[i], 1));
      },
      &times);
  if (!s.ok()) {
    report->Missing(eps, s.ToString());
    return;
  }
  std::vector<double>& latencies_us = times.latencies_us;
  report->Set(eps, times.timed.Rate(latencies_us.size()));
  report->Context(Metric(kind, "_b1_events"), static_cast<double>(latencies_us.size()));
  report->Context(Metric(kind, "_b1_p50_us"), Percentile(&latencies_us, 50));
  report->Context(Metric(kind, "_b1_p99_us"), Percentile(&latencies_us, 99));
}

namespace {

// Writes all `config.events` to `peer` in batches of 1000, timing each
// write into `timed` and adding this thread's CPU to `write_cpu_ns`.
Status WriteAll(const BenchConfig& config, Peer* peer, TimedSections* timed,
                int64_t* write_cpu_ns) {
  constexpr size_t kBatch = 1000;
  Stamper stamper;
  std::vector<PeerRow> rows;
  return ForEachChunk(config.events, config.seed, config.events, 10 * kBatch,
                      [&](std::span<const events::Event> chunk) -> Status {
                        stamper.Stamp(chunk, &rows);
                        for (size_t i = 0; i < rows.size(); i += kBatch) {
                          const size_t n = std::min(kBatch, rows.size() - i);
                          const int64_t cpu0 = ThreadCpuNs();
                          Stopwatch w;
                          CCL_RETURN_IF_ERROR(peer->Write(std::span<const PeerRow>(&rows[i], n)));
                          timed->Add(w.ElapsedNs());
                          *write_cpu_ns += ThreadCpuNs() - cpu0;
                        }
                        return Status::OK();
                      });
}

// Scans every row kReadPasses times, each pass's rate into `rates`; stops at
// the first failed pass, or one that did not read all `config.events`.
Status ScanPasses(const BenchConfig& config, Peer* peer, std::vector<double>* rates) {
  Status s;
  for (int pass = 0; pass < kReadPasses && s.ok(); ++pass) {
    uint64_t scanned = 0;
    Stopwatch w;
    s = peer->Scan(&scanned);
    const double seconds = w.ElapsedSeconds();
    if (s.ok() && scanned != config.events) {
      s = Status::Corruption("scan read " + std::to_string(scanned) + " rows, " +
                             std::to_string(config.events) + " written");
    }
    rates->push_back(static_cast<double>(scanned) / seconds);
  }
  return s;
}

}  // namespace

void RunPeerFullPhase(PeerKind kind, const BenchConfig& config, Report* report) {
  const std::string load = Metric(kind, "_b1000_eps");
  const std::string scan = Metric(kind, "_scan_eps");
  // The layout peer explains a gap; it is not one of the published metrics, so
  // its figures are context and its failures notes.
  const bool context_only = kind == PeerKind::kRocksDbLayout;
  auto put = [&](const std::string& name, double v) {
    context_only ? report->Context(name, v) : report->Set(name, v);
  };
  auto fail = [&](const std::string& name, const std::string& reason) {
    context_only ? report->Note(name + " not measured: " + reason) : report->Missing(name, reason);
  };
  std::unique_ptr<Peer> peer;
  Status s = OpenPeer(kind, config, "full", &peer);
  if (!s.ok()) {
    fail(load, s.ToString());
    fail(scan, s.ToString());
    return;
  }
  report->Note(std::string(PeerPrefix(kind)) + ": " + peer->Describe());
  TimedSections timed;
  int64_t write_cpu_ns = 0;
  s = WriteAll(config, peer.get(), &timed, &write_cpu_ns);
  if (!s.ok()) {
    fail(load, s.ToString());
    fail(scan, "the load failed: " + s.ToString());
    return;
  }
  put(load, timed.Rate(config.events));
  if (kind == PeerKind::kRocksDbRaw || kind == PeerKind::kRocksDbLayout) {
    // Embedded: the writing thread does the whole write path (a server's
    // CPU would not show here), comparable with ours_b1000_append_cpu_us_per_event.
    report->Context(Metric(kind, "_b1000_write_cpu_us_per_event"),
                    static_cast<double>(write_cpu_ns) / 1e3 / static_cast<double>(config.events));
  }

  // As for ours: reopen and compact before reading, so the scan reads
  // settled files with no background work competing.
  s = peer->Reopen();
  uint64_t bytes = 0;
  if (s.ok() && peer->DiskBytes(&bytes).ok()) {
    report->Context(Metric(kind, "_disk_bytes_per_event"),
                    static_cast<double>(bytes) / static_cast<double>(config.events));
  }
  std::vector<double> rates;
  if (s.ok()) s = ScanPasses(config, peer.get(), &rates);
  if (s.ok()) {
    put(scan, Percentile(&rates, 50));
  } else {
    fail(scan, s.ToString());
  }
}

}  // namespace ccl::bench

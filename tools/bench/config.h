// The benchmark's settings (from the command line, tools/bench/bench_main.cc)
// and the small measuring helpers every phase uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ccl::bench {

// Full reads (replay, verify, rebuild, the peers' scans) run this many times;
// the median is reported.
inline constexpr int kReadPasses = 3;

// How the PostgreSQL peer writes a batch: COPY FROM STDIN (binary) or one
// multi-row INSERT with bound parameters. Both run inside one transaction.
enum class PgBatchMode { kCopy, kInsert };

struct BenchConfig {
  uint64_t events = 1'000'000;  // full-size phases (b1000, scans, replay, ...)
  uint64_t seed = 1;
  bool quick = false;
  std::string dir;  // work folder (exists); each phase makes a subfolder
  // Durable single appends cost one fsync each (milliseconds here), so the
  // batch-1 phases run over a prefix of the workload, not all of it.
  uint64_t b1_events = 2'000;
  double b1_seconds_max = 10;  // stop a batch-1 phase early after this long
  uint64_t b100_events = 200'000;
  uint64_t concurrent_events = 40'000;  // total over the 8 threads (time-capped)
  double concurrent_seconds_max = 10;
  // libpq conninfo; empty: the PostgreSQL peer is reported missing.
  std::string pg_conninfo;
  PgBatchMode pg_mode = PgBatchMode::kCopy;
  // Which systems run: any of "ours", "rocksdb", "sqlite", "postgres".
  std::vector<std::string> systems = {"ours", "rocksdb", "sqlite", "postgres"};

  // Which phases run: any of "b1", "concurrent8", "b100", "full" (for
  // profiling one of them; the table needs all).
  std::vector<std::string> phases = {"b1", "concurrent8", "b100", "full"};

  bool Runs(const std::string& system) const { return Has(systems, system); }
  bool RunsPhase(const std::string& phase) const { return Has(phases, phase); }

 private:
  static bool Has(const std::vector<std::string>& list, const std::string& item) {
    for (const std::string& s : list) {
      if (s == item) return true;
    }
    return false;
  }
};

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  void Restart() { start_ = std::chrono::steady_clock::now(); }
  int64_t ElapsedNs() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start_)
        .count();
  }
  double ElapsedSeconds() const { return static_cast<double>(ElapsedNs()) / 1e9; }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Accumulates only the timed sections of a phase (e.g. the appends, not the
// generation of the events between them).
class TimedSections {
 public:
  void Add(int64_t ns) { total_ns_ += ns; }
  double Seconds() const { return static_cast<double>(total_ns_) / 1e9; }
  // count / seconds, or 0 when nothing was timed.
  double Rate(uint64_t count) const {
    return total_ns_ > 0 ? static_cast<double>(count) / Seconds() : 0;
  }

 private:
  int64_t total_ns_ = 0;
};

// CPU time used by the calling thread, in ns (CLOCK_THREAD_CPUTIME_ID). For
// an embedded store (ours, RocksDB) the writing thread does the WAL write and
// the memtable inserts itself, so its CPU per event is the write path's cost,
// far steadier than a rate on a shared machine.
int64_t ThreadCpuNs();

// The p-th percentile (0..100, nearest rank) of `samples` (reordered).
// REQUIRES: !samples.empty()
double Percentile(std::vector<double>* samples, double p);

// Peak resident set size of this process in MB (getrusage ru_maxrss).
double PeakRssMb();

// Wall-clock time in ns since 1970 (what a ledger stamps as recorded_at).
int64_t WallNowNs();

}  // namespace ccl::bench

#include "tools/bench/ours.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/options_util.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "events/model/uuid.h"
#include "ledger/store/ledger.h"
#include "projections/folds/registry.h"
#include "projections/folds/runner.h"
#include "tools/bench/workload.h"

namespace ccl::bench {

namespace {

// The metric names each phase owns: everything it does not measure is
// reported missing with the phase's error.
constexpr const char* kFullMetrics[] = {
    "append_b1000_eps",        "replay_eps",           "verify_eps", "rebuild_eps",
    "contract_balance_p50_us", "disk_bytes_per_event", "peak_rss_mb"};

Status OpenFresh(const BenchConfig& config, const char* name, std::string* path,
                 std::unique_ptr<ledger::Ledger>* out) {
  *path = config.dir + "/ours-" + name;
  std::error_code ec;
  std::filesystem::remove_all(*path, ec);
  ledger::Options o;
  o.create_if_missing = true;
  return ledger::Ledger::Open(o, *path, out);
}

// Appends `batch` and checks that every event was written (a duplicate or a
// rejection would mean the workload and the write model disagree).
Status AppendAll(ledger::Ledger* l, std::span<const events::Event> batch) {
  ledger::AppendResult result;
  Status s = l->Append(batch, ledger::AppendOptions{}, &result);
  if (!s.ok()) {
    if (result.failed_index < batch.size()) {
      return s.WithContext("append of workload event " +
                           events::FormatUuid(batch[result.failed_index].event_id));
    }
    return s.WithContext("append");
  }
  if (result.appended != batch.size()) {
    return Status::Conflict("append: " + std::to_string(batch.size() - result.appended) + " of " +
                            std::to_string(batch.size()) + " events were duplicates");
  }
  return Status::OK();
}

// Loads `count` events in batches of `batch_events`, timing only Append (wall
// in `timed`, this thread's CPU added to `*append_cpu_ns` if not null).
// `on_event` (may be empty) sees every event after its batch is stored.
Status Load(const BenchConfig& config, ledger::Ledger* l, uint64_t count, size_t batch_events,
            TimedSections* timed, const std::function<void(const events::Event&)>& on_event,
            int64_t* append_cpu_ns = nullptr) {
  const size_t chunk = std::max<size_t>(batch_events, 10'000 / batch_events * batch_events);
  return ForEachChunk(config.events, config.seed, count, chunk,
                      [&](std::span<const events::Event> events) -> Status {
                        for (size_t i = 0; i < events.size(); i += batch_events) {
                          const size_t n = std::min(batch_events, events.size() - i);
                          const int64_t cpu0 = append_cpu_ns ? ThreadCpuNs() : 0;
                          Stopwatch w;
                          CCL_RETURN_IF_ERROR(AppendAll(l, events.subspan(i, n)));
                          timed->Add(w.ElapsedNs());
                          if (append_cpu_ns) *append_cpu_ns += ThreadCpuNs() - cpu0;
                        }
                        if (on_event) {
                          for (const events::Event& e : events) on_event(e);
                        }
                        return Status::OK();
                      });
}

// Compacts every column family of the closed ledger at `path` to the bottom
// level, with the options the ledger itself persisted (RocksDB OPTIONS file),
// so the size is the ledger's settled size, not a snapshot of memtables and
// level-0 files.
Status CompactLedger(const std::string& path) {
  rocksdb::ConfigOptions config;
  config.ignore_unknown_options = false;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  std::shared_ptr<rocksdb::Cache> cache;
  rocksdb::Status s = rocksdb::LoadLatestOptions(config, path, &db_options, &cfs, &cache);
  if (!s.ok()) return Status::IOError("load the ledger's RocksDB options: " + s.ToString());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(db_options, path, cfs, &handles, &raw);
  if (!s.ok()) return Status::IOError("open the ledger's RocksDB for compaction: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::CompactRangeOptions c;
  c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    if (s.ok()) s = db->CompactRange(c, h, nullptr, nullptr);
  }
  for (rocksdb::ColumnFamilyHandle* h : handles)
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  rocksdb::Status closed = db->Close();
  if (!s.ok()) return Status::IOError("compact: " + s.ToString());
  if (!closed.ok()) return Status::IOError("close after compaction: " + closed.ToString());
  return Status::OK();
}

void MissingAll(Report* r, std::span<const char* const> names, const Status& s) {
  for (const char* n : names) r->Missing(n, s.ToString());
}

// The phase's fresh ledger (OpenFresh; its folder in *path when path is not
// null), or nullptr after reporting the phase's metrics `names` missing.
std::unique_ptr<ledger::Ledger> OpenPhaseLedger(const BenchConfig& config, const char* name,
                                                std::span<const char* const> names, Report* report,
                                                std::string* path = nullptr) {
  std::string folder;
  std::unique_ptr<ledger::Ledger> l;
  const Status s = OpenFresh(config, name, path != nullptr ? path : &folder, &l);
  if (!s.ok()) MissingAll(report, names, s);
  return l;
}

// Prints how long a step of the full phase took, with its CLOCK_MONOTONIC
// window, so a profile (`perf record -k CLOCK_MONOTONIC`) can be cut by step,
// and the CPU it used: this thread's (our code and RocksDB's foreground
// write path) and the whole process's (plus flushes and compactions). On a
// shared 2-core machine CPU seconds are far steadier than wall seconds.
class StepLog {
 public:
  explicit StepLog(const char* name)
      : name_(name),
        start_(Now(CLOCK_MONOTONIC)),
        thread_cpu_start_(Now(CLOCK_THREAD_CPUTIME_ID)),
        process_cpu_start_(Now(CLOCK_PROCESS_CPUTIME_ID)) {}
  ~StepLog() {
    const double end = Now(CLOCK_MONOTONIC);
    std::fprintf(stderr,
                 "[bench]   ours %s: %.3f s, cpu %.3f s thread, %.3f s process "
                 "(monotonic %.6f..%.6f), peak RSS so far %.0f MB\n",
                 name_, end - start_, Now(CLOCK_THREAD_CPUTIME_ID) - thread_cpu_start_,
                 Now(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_start_, start_, end, PeakRssMb());
  }

 private:
  static double Now(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }
  const char* name_;
  double start_;
  double thread_cpu_start_;
  double process_cpu_start_;
};

}  // namespace

void RunOursB1Phase(const BenchConfig& config, Report* report) {
  constexpr const char* kNames[] = {"append_b1_eps", "append_b1_p50_us", "append_b1_p99_us"};
  const std::unique_ptr<ledger::Ledger> l = OpenPhaseLedger(config, "b1", kNames, report);
  if (l == nullptr) return;
  const uint64_t count = std::min(config.events, config.b1_events);
  SingleWriteTimes times;
  Status s = TimeSingleWrites(
      config, count, nullptr,
      [&](std::span<const events::Event> chunk, size_t i) {
        return AppendAll(l.get(), chunk.subspan(i, 1));
      },
      &times);
  if (!s.ok()) return MissingAll(report, kNames, s);
  std::vector<double>& latencies_us = times.latencies_us;
  report->Set("append_b1_eps", times.timed.Rate(latencies_us.size()));
  report->Set("append_b1_p50_us", Percentile(&latencies_us, 50));
  report->Set("append_b1_p99_us", Percentile(&latencies_us, 99));
  report->Context("ours_b1_events", static_cast<double>(latencies_us.size()));
}

namespace {

// The first `config.concurrent_events` events, split among `parts->size()`
// threads by contract. Contracts never interact, so splitting the prefix by
// contract keeps every stream's order and every rule satisfied, whatever the
// interleaving. Contracts are dealt to the threads in order of first
// appearance, so each thread gets about as many as the others.
Status SplitByContract(const BenchConfig& config, std::vector<std::vector<events::Event>>* parts) {
  assert(!parts->empty());
  const size_t threads = parts->size();
  std::unordered_map<std::string, size_t> owner;
  const uint64_t count = std::min(config.events, config.concurrent_events);
  return ForEachChunk(config.events, config.seed, count, 1000,
                      [&](std::span<const events::Event> chunk) -> Status {
                        for (const events::Event& e : chunk) {
                          auto [it, added] = owner.try_emplace(e.contract, owner.size() % threads);
                          (*parts)[it->second].push_back(e);
                        }
                        return Status::OK();
                      });
}

}  // namespace

void RunOursConcurrentPhase(const BenchConfig& config, Report* report) {
  constexpr int kThreads = 8;
  constexpr const char* kNames[] = {"append_concurrent8_eps"};
  const std::unique_ptr<ledger::Ledger> l = OpenPhaseLedger(config, "concurrent8", kNames, report);
  if (l == nullptr) return;
  std::vector<std::vector<events::Event>> parts(kThreads);
  Status s = SplitByContract(config, &parts);
  if (!s.ok()) return MissingAll(report, kNames, s);

  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0};
  std::vector<Status> errors(kThreads);
  // Each thread's append latencies (us), merged for the percentiles after.
  std::vector<std::vector<double>> latencies_us(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (size_t i = 0; i < parts[t].size() && !stop.load(std::memory_order_relaxed); ++i) {
        Stopwatch one;
        Status st = AppendAll(l.get(), std::span<const events::Event>(&parts[t][i], 1));
        if (!st.ok()) {
          errors[t] = st;
          break;
        }
        latencies_us[t].push_back(static_cast<double>(one.ElapsedNs()) / 1e3);
        appended.fetch_add(1, std::memory_order_relaxed);
      }
      // The first thread to run out ends the measurement: after it, fewer
      // than 8 writers are left. (A thread that got no contracts at all, in
      // a tiny run, does not count.)
      if (!parts[t].empty()) stop.store(true, std::memory_order_relaxed);
    });
  }
  Stopwatch w;
  go.store(true, std::memory_order_release);
  while (!stop.load() && w.ElapsedSeconds() < config.concurrent_seconds_max) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const uint64_t done = appended.load();
  const double seconds = w.ElapsedSeconds();
  stop.store(true);
  for (std::thread& t : threads) t.join();
  for (const Status& e : errors) {
    if (!e.ok()) return MissingAll(report, kNames, e);
  }
  report->Set("append_concurrent8_eps", static_cast<double>(done) / seconds);
  report->Context("ours_concurrent8_events", static_cast<double>(done));
  std::vector<double> all_us;
  for (const std::vector<double>& v : latencies_us) all_us.insert(all_us.end(), v.begin(), v.end());
  if (!all_us.empty()) {
    report->Context("ours_concurrent8_p50_us", Percentile(&all_us, 50));
    report->Context("ours_concurrent8_p99_us", Percentile(&all_us, 99));
  }
}

void RunOursB100Phase(const BenchConfig& config, Report* report) {
  constexpr const char* kNames[] = {"append_b100_eps"};
  const std::unique_ptr<ledger::Ledger> l = OpenPhaseLedger(config, "b100", kNames, report);
  if (l == nullptr) return;
  const uint64_t count = std::min(config.events, config.b100_events);
  TimedSections timed;
  Status s = Load(config, l.get(), count, 100, &timed, nullptr);
  if (!s.ok()) return MissingAll(report, kNames, s);
  report->Set("append_b100_eps", timed.Rate(count));
  report->Context("ours_b100_events", static_cast<double>(count));
}

namespace {

// Loads all `config.events` in batches of 1000 into `l`, setting the append
// metrics; `sample` gets the contracts for the balance queries, spread over
// the whole run.
Status LoadFull(const BenchConfig& config, ledger::Ledger* l, Report* report,
                std::vector<std::string>* sample) {
  constexpr uint64_t kSampleContracts = 201;
  const uint64_t every = std::max<uint64_t>(1, config.events / kSampleContracts);
  uint64_t seen = 0;
  TimedSections timed;
  StepLog step("load");
  int64_t append_cpu_ns = 0;
  Status s = Load(
      config, l, config.events, 1000, &timed,
      [&](const events::Event& e) {
        if (seen++ % every == 0 &&
            std::find(sample->begin(), sample->end(), e.contract) == sample->end()) {
          sample->push_back(e.contract);
        }
      },
      &append_cpu_ns);
  if (!s.ok()) return s;
  report->Set("append_b1000_eps", timed.Rate(config.events));
  // CPU of the appending thread per event: steadier than the rate on a busy
  // machine, and what the write path costs before any fsync wait.
  report->Context("ours_b1000_append_cpu_us_per_event",
                  static_cast<double>(append_cpu_ns) / 1e3 / static_cast<double>(config.events));
  std::fprintf(stderr, "[bench]   ours append: %.3f us cpu per event (appending thread)\n",
               static_cast<double>(append_cpu_ns) / 1e3 / static_cast<double>(config.events));
  return Status::OK();
}

// Closes, compacts fully and reopens the ledger at `path`: the reads then
// come from settled table files (as after a restart), no background
// compaction competes with them, and the size on disk is the ledger's
// settled size.
Status CompactAndReopen(const std::string& path, std::unique_ptr<ledger::Ledger>* l) {
  StepLog step("close, compact, reopen");
  l->reset();
  ledger::Options o;
  Status s = CompactLedger(path);
  if (s.ok()) s = ledger::Ledger::Open(o, path, l);
  return s;
}

// A read measurement: `pass` runs kReadPasses times while `*s` is ok, each
// time returning its rate and setting `*s`; `metric` gets the median rate,
// else is reported missing with `*s`. Each read pass takes about a second at
// full size, short enough for a neighbour's burst to halve it: hence the
// median.
void MedianOfPasses(const char* step_name, const char* metric, Report* report, Status* s,
                    const std::function<double(Status*)>& pass) {
  StepLog step(step_name);
  std::vector<double> rates;
  for (int i = 0; i < kReadPasses && s->ok(); ++i) rates.push_back(pass(s));
  if (s->ok()) {
    report->Set(metric, Percentile(&rates, 50));
  } else {
    report->Missing(metric, s->ToString());
  }
}

// replay: the read-ahead iterator (what a long replay uses: reading and
// decoding on a second thread, the caller's thread sharing the decoding),
// every event read, verified and decoded
double ReplayPass(const BenchConfig& config, ledger::Ledger* l, Status* s) {
  Stopwatch w;
  uint64_t n = 0;
  uint64_t check = 0;
  std::unique_ptr<ledger::EventIterator> it = l->NewReadAheadIterator(1, UINT64_MAX);
  for (; it->Valid(); it->Next()) {
    check += it->event().stream_version;
    ++n;
  }
  const double seconds = w.ElapsedSeconds();
  *s = it->status();
  if (s->ok() && (n != config.events || check == 0)) {
    *s = Status::Corruption("replay read " + std::to_string(n) + " events of " +
                            std::to_string(config.events));
  }
  return static_cast<double>(n) / seconds;
}

// verify: the whole chain and both indexes
double VerifyPass(ledger::Ledger* l, Status* s) {
  Stopwatch w;
  ledger::VerifyReport vr;
  *s = l->Verify(ledger::VerifyProgress{}, &vr);
  return static_cast<double>(vr.events) / w.ElapsedSeconds();
}

// rebuild: all four projections from seq 1
double RebuildPass(projections::Runner* runner, Status* s) {
  projections::ProjectionSet set;
  std::vector<projections::Projection*> all = set.All();
  projections::RunStats stats;
  Stopwatch w;
  *s = runner->Rebuild(all, &stats);
  return static_cast<double>(stats.events_read) / w.ElapsedSeconds();
}

// One contract's balance, read from its stream, for each sampled contract;
// runs whatever the reads before it gave.
void MeasureBalances(projections::Runner* runner, const std::vector<std::string>& sample,
                     Report* report) {
  StepLog step("contract balances");
  std::vector<double> latencies_us;
  Status s = Status::OK();
  for (const std::string& contract : sample) {
    projections::BalancesProjection balances;
    projections::Projection* one[] = {&balances};
    projections::View view;
    view.contract = contract;
    projections::RunStats stats;
    Stopwatch w;
    s = runner->Query(view, one, &stats);
    const int64_t ns = w.ElapsedNs();
    if (s.ok() && balances.FindContract(contract) == projections::StringInterner::kNone) {
      s = Status::NotFound("balance of " + contract + " is empty");
    }
    if (!s.ok()) break;
    latencies_us.push_back(static_cast<double>(ns) / 1e3);
  }
  if (s.ok() && !latencies_us.empty()) {
    report->Set("contract_balance_p50_us", Percentile(&latencies_us, 50));
    report->Context("contract_balance_queries", static_cast<double>(latencies_us.size()));
  } else {
    report->Missing("contract_balance_p50_us",
                    s.ok() ? std::string("no contracts sampled") : s.ToString());
  }
}

}  // namespace

void RunOursFullPhase(const BenchConfig& config, Report* report) {
  std::string path;
  std::unique_ptr<ledger::Ledger> l = OpenPhaseLedger(config, "full", kFullMetrics, report, &path);
  if (l == nullptr) return;
  std::vector<std::string> sample;
  Status s = LoadFull(config, l.get(), report, &sample);
  if (!s.ok()) return MissingAll(report, kFullMetrics, s);
  s = CompactAndReopen(path, &l);
  if (!s.ok()) return MissingAll(report, kFullMetrics, s.WithContext("compact and reopen"));
  report->Set("disk_bytes_per_event",
              static_cast<double>(l->DiskBytes()) / static_cast<double>(config.events));

  MedianOfPasses("replay", "replay_eps", report, &s,
                 [&](Status* st) { return ReplayPass(config, l.get(), st); });
  MedianOfPasses("verify", "verify_eps", report, &s,
                 [&](Status* st) { return VerifyPass(l.get(), st); });
  projections::Runner runner(l.get(), projections::RunnerOptions{});
  MedianOfPasses("rebuild", "rebuild_eps", report, &s,
                 [&](Status* st) { return RebuildPass(&runner, st); });
  MeasureBalances(&runner, sample, report);

  l.reset();
  report->Set("peak_rss_mb", PeakRssMb());
}

}  // namespace ccl::bench

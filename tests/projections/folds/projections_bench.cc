// Projection speed (not a test; run by hand, one at a time on this shared
// machine):
//
//   projections_bench [--events N] [--contracts C] [--ledger DIR]
//
// 1. fold: all four projections over N generated events held in memory
//    (Apply cost only: no I/O, no decoding).
// 2. with --ledger DIR: fills DIR with the same
//    events when it is empty, then times Runner::Rebuild of all four from the
//    ledger (read, verify, decode, fold, save) and a single-contract balance
//    (Runner::Query on one stream), p50 and p99 over many contracts.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/store/ledger.h"
#include "projections/folds/registry.h"
#include "projections/folds/report_rows.h"
#include "projections/folds/runner.h"
#include "tools/generator/generator.h"

namespace ccl::projections {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct UuidHash {
  size_t operator()(const events::Uuid& u) const {
    uint64_t a, b;
    std::memcpy(&a, u.data(), 8);
    std::memcpy(&b, u.data() + 8, 8);
    return a * 0x9E3779B97F4A7C15ull ^ b;
  }
};

std::vector<events::Event> Generate(uint64_t n, uint32_t contracts) {
  std::vector<events::Event> out;
  out.reserve(n);
  tools::GeneratorOptions o;
  o.contracts = contracts;
  o.days = 3000;
  o.seed = 42;
  Status s = tools::GenerateEvents(
      o,
      [&](const events::Event& e) {
        if (out.size() >= n) return Status::Busy("enough");
        out.push_back(e);
        return Status::OK();
      },
      nullptr);
  if (!s.ok() && !s.IsBusy()) std::fprintf(stderr, "generate: %s\n", s.ToString().c_str());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].seq = i + 1;
    out[i].recorded_at_ns = static_cast<int64_t>(i + 1);
    if (out[i].IsConsumption()) out[i].applied_bill_rate_minor = 15'000;
  }
  return out;
}

void BenchFold(const std::vector<events::Event>& log) {
  std::unordered_map<events::Uuid, size_t, UuidHash> by_id;
  for (size_t i = 0; i < log.size(); ++i) by_id[log[i].event_id] = i;
  double best = 1e9;
  std::string digest;
  for (int round = 0; round < 3; ++round) {
    ProjectionSet set;
    const auto start = Clock::now();
    // As the runner does: the contract is numbered once, for all four.
    StringInterner keys;
    for (const events::Event& e : log) {
      const events::Event* t = nullptr;
      if (e.type == events::EventType::kEntryReversed) t = &log[by_id[e.target_event_id]];
      const ContractKey key{1, keys.Intern(0, e.contract)};
      set.balances.ApplyKeyed(e, t, key);
      set.margins.ApplyKeyed(e, t, key);
      set.escalations.ApplyKeyed(e, t, key);
      set.burn.ApplyKeyed(e, t, key);
    }
    best = std::min(best, Seconds(start));
    digest = HexOf(StateDigest(set.balances));
  }
  std::printf("fold (4 projections, in memory): %zu events in %.3f s = %.0f events/s\n", log.size(),
              best, static_cast<double>(log.size()) / best);
  std::vector<const events::Event*> targets(log.size(), nullptr);
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].type == events::EventType::kEntryReversed) {
      targets[i] = &log[by_id[log[i].target_event_id]];
    }
  }
  ProjectionSet single;
  for (Projection* p : single.All()) {
    const auto one = Clock::now();
    for (size_t i = 0; i < log.size(); ++i) p->Apply(log[i], targets[i]);
    const double sec = Seconds(one);
    std::printf("  %-12s %.3f s = %.0f events/s\n", std::string(p->name()).c_str(), sec,
                static_cast<double>(log.size()) / sec);
  }
  std::printf("  balances digest %s\n", digest.c_str());
}

// CPU seconds of this process: the machine is shared, so wall time alone
// says little about what the code costs.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Appends `log` to an empty ledger in batches of 10,000; false (said on
// stderr) on a failed append.
bool FillLedger(ledger::Ledger* l, const std::vector<events::Event>& log) {
  const auto start = Clock::now();
  const size_t batch = 10'000;
  for (size_t i = 0; i < log.size(); i += batch) {
    const size_t n = std::min(batch, log.size() - i);
    ledger::AppendResult r;
    Status s = l->Append(std::span<const events::Event>(log.data() + i, n), {}, &r);
    if (!s.ok()) {
      std::fprintf(stderr, "append at %zu: %s\n", i + r.failed_index, s.ToString().c_str());
      return false;
    }
  }
  std::printf("filled ledger: %zu events in %.1f s\n", log.size(), Seconds(start));
  return true;
}

// The floor: read and decode every event, fold nothing.
void BenchScan(ledger::Ledger* l) {
  const auto start = Clock::now();
  const double cpu0 = CpuSeconds();
  uint64_t n = 0, minutes = 0;
  auto it = l->NewIterator(1);
  for (; it->Valid(); it->Next()) {
    minutes += static_cast<uint64_t>(it->event().minutes);
    ++n;
  }
  const double sec = Seconds(start);
  const double cpu_sec = CpuSeconds() - cpu0;
  std::printf(
      "scan (read + decode only): %llu events in %.3f s = %.0f events/s "
      "(cpu %.3f s = %.0f events/cpu-s)\n",
      static_cast<unsigned long long>(n), sec, static_cast<double>(n) / sec, cpu_sec,
      static_cast<double>(n) / cpu_sec);
  if (minutes == 42) std::printf("\n");
}

// Four full rebuilds, alternating the sequential and the two-thread fold;
// false (said on stderr) on a failed rebuild.
bool BenchRebuilds(ledger::Ledger* l) {
  for (int round = 0; round < 4; ++round) {
    const bool pipeline = round % 2 == 1;
    Runner r(l, RunnerOptions{.save_checkpoints = true, .pipeline = pipeline});
    ProjectionSet set;
    RunStats stats;
    const auto start = Clock::now();
    const double cpu0 = CpuSeconds();
    Status s = r.Rebuild(set.All(), &stats);
    const double sec = Seconds(start);
    const double cpu_sec = CpuSeconds() - cpu0;
    if (!s.ok()) {
      std::fprintf(stderr, "rebuild: %s\n", s.ToString().c_str());
      return false;
    }
    std::printf(
        "rebuild (%s, 4 projections, snapshots saved): %llu events in "
        "%.3f s = %.0f events/s (cpu %.3f s = %.0f events/cpu-s)\n",
        pipeline ? "pipelined" : "sequential", static_cast<unsigned long long>(stats.events_read),
        sec, static_cast<double>(stats.events_read) / sec, cpu_sec,
        static_cast<double>(stats.events_read) / cpu_sec);
    if (round == 0) {
      std::printf("  (%llu reversals, %llu of their targets read by event id)\n",
                  static_cast<unsigned long long>(stats.reversals_resolved),
                  static_cast<unsigned long long>(stats.reversal_targets_read));
    }
  }
  return true;
}

// Single-contract balance: 400 contracts, then the same 40 again (their
// blocks now in RocksDB's cache); false (said on stderr) on a failed query.
bool BenchSingleContract(Runner* runner, const std::vector<events::Event>& log, uint32_t contracts,
                         uint64_t events) {
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<double> us;
    uint64_t stream_events = 0;
    const uint32_t n = pass == 0 ? std::min<uint32_t>(contracts, 400) : 40;
    for (uint32_t i = 0; i < n; ++i) {
      View v;
      // Generator contract ids; taken from the log when it was generated here.
      char id[32];
      std::snprintf(id, sizeof id, "SC-2025-%06u", 1 + (i * 7919) % contracts);
      v.contract = log.empty() ? std::string(id)
                               : log[(static_cast<size_t>(i) * 7919) % log.size()].contract;
      BalancesProjection p;
      RunStats stats;
      Projection* ps[] = {&p};
      const auto start = Clock::now();
      Status s = runner->Query(v, ps, &stats);
      auto rows = BalanceRows(p);
      us.push_back(Seconds(start) * 1e6);
      stream_events += stats.events_read;
      if (!s.ok() || rows.empty()) {
        std::fprintf(stderr, "balance %s: %s\n", v.contract.c_str(), s.ToString().c_str());
        return false;
      }
    }
    std::sort(us.begin(), us.end());
    std::printf(
        "single-contract balance over %llu events (%s): p50 %.0f us, p99 %.0f us "
        "(mean stream %.0f events)\n",
        static_cast<unsigned long long>(events), pass == 0 ? "cold" : "warm", us[us.size() / 2],
        us[us.size() * 99 / 100], static_cast<double>(stream_events) / us.size());
  }
  return true;
}

int BenchLedger(const std::string& dir, const std::vector<events::Event>& log, uint32_t contracts) {
  ledger::Options options;
  options.create_if_missing = true;
  options.sync = false;
  std::unique_ptr<ledger::Ledger> l;
  Status s = ledger::Ledger::Open(options, dir, &l);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), s.ToString().c_str());
    return 1;
  }
  if (l->head().seq == 0 && !FillLedger(l.get(), log)) return 1;
  const uint64_t events = l->head().seq;
  BenchScan(l.get());
  Runner runner(l.get(), RunnerOptions{});
  if (!BenchRebuilds(l.get())) return 1;
  {
    ProjectionSet set;
    RunStats stats;
    const auto start = Clock::now();
    s = runner.CatchUp(set.All(), &stats);
    std::printf("catch-up with nothing new (load and check 4 snapshots): %.3f ms\n",
                Seconds(start) * 1e3);
  }
  return BenchSingleContract(&runner, log, contracts, events) ? 0 : 1;
}

int Main(int argc, char** argv) {
  uint64_t n = 1'000'000;
  uint32_t contracts = 1000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) n = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--contracts")) contracts = std::strtoul(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--ledger")) dir = argv[i + 1];
  }
  // With an existing ledger and --events 0, only the ledger part runs (for
  // profiling the rebuild alone).
  const auto start = Clock::now();
  const std::vector<events::Event> log = Generate(n, contracts);
  if (n == 0) {
    return dir.empty() ? 2 : BenchLedger(dir, log, contracts);
  }
  std::printf("generated %zu events for %u contracts in %.1f s\n", log.size(), contracts,
              Seconds(start));
  BenchFold(log);
  if (!dir.empty()) {
    return BenchLedger(dir, log, contracts);
  }
  return 0;
}

}  // namespace
}  // namespace ccl::projections

int main(int argc, char** argv) { return ccl::projections::Main(argc, argv); }

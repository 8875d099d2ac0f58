// ledger_bench: append, replay and verify rates of the ledger on this machine.
// Not a test (no assertions on time); run by hand:
//   ledger_bench [--events N] [--contracts K] [--dir PATH] [--single N] [--threads T]
//                [--phases b1000,bulk,replay,verify,b1,concurrent] [--keep 1]
// Prints one line per measurement.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "events/base/time_format.h"
#include "ledger/store/ledger.h"

namespace {

using ccl::Status;
using ccl::events::Event;
using ccl::events::EventType;
using ccl::events::ServiceLine;
namespace ledger = ccl::ledger;

// CPU seconds of the whole process (all threads): on a shared, loaded
// machine a steadier figure than wall time.
double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// A workload that obeys the rules: K contracts opened, then bookings (90%),
// deliveries, escalations opened and resolved, the odd amendment with a rate
// change and reversals, spread round-robin over the contracts.
// The events of Workload, one kind each: ids drawn in call order after
// `id_base`, spread like random ones.
class WorkloadEvents {
 public:
  explicit WorkloadEvents(uint64_t id_base) : next_id_(id_base) {}

  Event Opened(size_t c) {
    Event e = Base(EventType::kContractOpened, c, 0);
    e.customer = "Customer " + std::to_string(c % 300);
    e.term_start_day = 20454;
    e.term_end_day = 20454 + 364;
    e.currency = "USD";
    e.lines = {{ServiceLine::kProactive, 1'000'000'000, 0, 25000, ccl::events::Overage::kReject},
               {ServiceLine::kReactive, 600'000, 0, 30000, ccl::events::Overage::kAllow}};
    return e;
  }
  Event Booking(size_t i, size_t c, int day, unsigned kind) {
    Event e = Base(EventType::kHoursBooked, c, day);
    e.engineer = "engineer" + std::to_string(i % 211);
    e.service_line = kind % 3 ? ServiceLine::kReactive : ServiceLine::kProactive;
    e.minutes = 15 + static_cast<int>(i % 480);
    e.cost_rate_minor = 9000;
    e.reference = "INC-" + std::to_string(i % 100000);
    return e;
  }
  Event Delivery(size_t i, size_t c, int day) {
    Event e = Base(EventType::kDeliveryCompleted, c, day);
    e.delivery = "D-" + std::to_string(i);
    e.offering = "Active Directory Security Assessment";
    e.service_line = ServiceLine::kProactive;
    e.minutes = 960;
    e.cost_minor = 150000;
    return e;
  }
  // Escalation number `escalations` / 2 of the contract: opened when even,
  // resolved when odd.
  Event Escalation(size_t c, int day, int escalations) {
    const bool open = escalations % 2 == 0;
    Event e = Base(open ? EventType::kEscalationOpened : EventType::kEscalationResolved, c, day);
    e.escalation = "ESC-" + std::to_string(escalations / 2);
    if (open) {
      e.severity = ccl::events::Severity::kB;
      e.summary = "service degraded";
    } else {
      e.resolution = "patched";
    }
    return e;
  }
  Event RateReview(size_t i, size_t c, int day) {
    Event e = Base(EventType::kContractAmended, c, day);
    e.reason = "rate review";
    e.lines = {{ServiceLine::kReactive, 0, 600, 30000 + static_cast<int64_t>(i % 1000),
                ccl::events::Overage::kUnset}};
    return e;
  }
  Event Reversal(size_t c, int day, const ccl::events::Uuid& target) {
    Event e = Base(EventType::kEntryReversed, c, day);
    e.target_event_id = target;
    e.reason = "booked twice";
    return e;
  }

 private:
  Event Base(EventType t, size_t c, int day) {
    Event e;
    e.type = t;
    const uint64_t id = ++next_id_ * 0x9e3779b97f4a7c15ull;  // spread like random ids
    for (int i = 0; i < 8; ++i) e.event_id[i] = static_cast<uint8_t>(id >> (8 * i));
    for (int i = 0; i < 8; ++i) e.event_id[8 + i] = static_cast<uint8_t>(next_id_ >> (8 * i));
    e.event_id[6] = static_cast<uint8_t>(0x40 | (e.event_id[6] & 0x0f));
    e.event_id[8] = static_cast<uint8_t>(0x80 | (e.event_id[8] & 0x3f));
    e.contract = "CTR-" + std::to_string(100000 + c);
    e.effective_at_ns =
        (20454 + day) * ccl::events::kNsPerDay + 9 * 3600 * ccl::events::kNsPerSecond;
    e.actor = "engineer" + std::to_string(c % 97) + "@example.com";
    e.source = "timesheets/2026.jsonl";
    return e;
  }

  uint64_t next_id_;
};

std::vector<Event> Workload(size_t n, size_t contracts, uint64_t id_base) {
  std::vector<Event> out;
  out.reserve(n);
  WorkloadEvents make(id_base);
  for (size_t c = 0; c < contracts && out.size() < n; ++c) out.push_back(make.Opened(c));
  std::vector<int> escalations(contracts, 0);
  std::vector<std::vector<ccl::events::Uuid>> reversible(contracts);
  for (size_t i = 0; out.size() < n; ++i) {
    const size_t c = i % contracts;
    const int day = static_cast<int>((i / contracts) % 360);
    const unsigned kind = static_cast<unsigned>(i * 2654435761u % 100);
    if (kind < 88) {
      out.push_back(make.Booking(i, c, day, kind));
      if (reversible[c].size() < 4) reversible[c].push_back(out.back().event_id);
    } else if (kind < 91) {
      out.push_back(make.Delivery(i, c, day));
    } else if (kind < 96) {
      out.push_back(make.Escalation(c, day, escalations[c]));
      escalations[c]++;
    } else if (kind < 98 || reversible[c].empty()) {
      out.push_back(make.RateReview(i, c, day));
    } else {
      out.push_back(make.Reversal(c, day, reversible[c].back()));
      reversible[c].pop_back();
    }
  }
  return out;
}

std::unique_ptr<ledger::Ledger> Fresh(const std::string& path, bool sync = true) {
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  ledger::Options o;
  o.create_if_missing = true;
  o.sync = sync;
  std::unique_ptr<ledger::Ledger> l;
  Check(ledger::Ledger::Open(o, path, &l), "open");
  return l;
}

// One result line: wall time, rate, and the process CPU seconds it took.
class Timer {
 public:
  Timer() : wall_(std::chrono::steady_clock::now()), cpu_(CpuSeconds()) {}
  void Report(const char* label, uint64_t events, const std::string& extra = "") const {
    const double s = Seconds(wall_);
    std::printf("%-36s %9lu events %8.3f s %10.0f events/s  cpu %6.2f s %s\n", label,
                static_cast<unsigned long>(events), s, events / s, CpuSeconds() - cpu_,
                extra.c_str());
  }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

void AppendBatches(ledger::Ledger* l, const std::vector<Event>& events, size_t batch,
                   const char* label) {
  Timer t;
  for (size_t i = 0; i < events.size(); i += batch) {
    const size_t n = std::min(batch, events.size() - i);
    ledger::AppendResult r;
    Check(l->Append({events.data() + i, n}, ledger::AppendOptions(), &r), label);
  }
  t.Report(label, events.size());
}

// The batch phases: b1000 (batches of 1000), bulk (one batch, then close).
void RunBatchPhases(const std::string& dir, const std::vector<Event>& events,
                    const std::function<bool(const char*)>& want) {
  if (want("b1000")) {
    auto l = Fresh(dir + "/b1000");
    AppendBatches(l.get(), events, 1000, "append, batches of 1000");
  }
  if (want("bulk")) {
    auto l = Fresh(dir + "/bulk");
    AppendBatches(l.get(), events, events.size(), "append, one batch");
    Timer t;
    l.reset();  // flushes the memtables (see FORMAT.md)
    t.Report("close after the bulk append", 0);
  }
}

// Reopen, as the next command (a report, verify) would, then replay and verify.
void RunReadPhases(const std::string& dir, const std::function<bool(const char*)>& want) {
  if (!want("replay") && !want("verify")) return;
  ledger::Options o;
  std::unique_ptr<ledger::Ledger> r;
  Timer open;
  Check(ledger::Ledger::Open(o, dir + "/bulk", &r), "reopen");
  open.Report("reopen", 0);
  std::printf("%-36s %9.1f bytes/event on disk\n", "size",
              static_cast<double>(r->DiskBytes()) / std::max<uint64_t>(1, r->head().seq));
  // The plain iterator and the read-ahead one (a second thread), alternated
  // three times: their ratio holds on a noisy machine better than either.
  for (int pass = 0; want("replay") && pass < 3; ++pass) {
    for (const bool ahead : {false, true}) {
      Timer t;
      uint64_t count = 0, minutes = 0;
      std::unique_ptr<ledger::EventIterator> it =
          ahead ? r->NewReadAheadIterator(1, UINT64_MAX) : r->NewIterator(1);
      for (; it->Valid(); it->Next()) {
        ++count;
        minutes += static_cast<uint64_t>(it->event().minutes);
      }
      Check(it->status(), "replay");
      t.Report(ahead ? "replay (decode all, read-ahead)" : "replay (decode all)", count,
               "(minutes " + std::to_string(minutes) + ")");
    }
  }
  if (want("verify")) {
    Timer t;
    ledger::VerifyReport report;
    Check(r->Verify(ledger::VerifyProgress(), &report), "verify");
    t.Report("verify", report.events);
  }
}

// Durable single-event appends: one thread (b1), then `threads` threads
// (concurrent).
void RunSinglePhases(const std::string& dir, size_t single, size_t threads,
                     const std::function<bool(const char*)>& want) {
  const std::vector<Event> small = Workload(64 + single * threads, 64, 1ull << 40);
  const std::vector<Event> opens(small.begin(), small.begin() + 64);
  if (want("b1")) {
    auto one = Fresh(dir + "/b1");
    AppendBatches(one.get(), opens, opens.size(), "(setup)");
    std::vector<Event> rest(small.begin() + 64, small.begin() + 64 + single);
    AppendBatches(one.get(), rest, 1, "append, batches of 1 (1 thread)");
  }
  if (want("concurrent")) {
    auto many = Fresh(dir + "/b1x");
    AppendBatches(many.get(), opens, opens.size(), "(setup)");
    Timer t;
    std::vector<std::thread> ts;
    for (size_t k = 0; k < threads; ++k) {
      ts.emplace_back([&, k] {
        // Thread k takes every threads-th event: with 64 contracts split the
        // same way, each contract's events stay in order in one thread.
        for (size_t i = 64 + k; i < small.size(); i += threads) {
          ledger::AppendResult res;
          Status st = many->Append({&small[i], 1}, ledger::AppendOptions(), &res);
          if (!st.ok() && !st.IsRuleViolation()) Check(st, "concurrent append");
        }
      });
    }
    for (auto& th : ts) th.join();
    t.Report("append, batches of 1 (concurrent)", many->head().seq - 64,
             "(" + std::to_string(threads) + " threads)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1'000'000, contracts = 1000, single = 2000, threads = 8, keep = 0;
  std::string dir = "/tmp/ccl-ledger-bench";
  std::string phases = "b1000,bulk,replay,verify,b1,concurrent";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) n = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--contracts")) contracts = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--single")) single = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--threads")) threads = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--phases")) phases = argv[i + 1];
    if (!std::strcmp(argv[i], "--keep")) keep = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("ledger_bench: %zu events over %zu contracts in %s\n", n, contracts, dir.c_str());
  const std::vector<Event> events = Workload(n, contracts, 0);
  auto want = [&](const char* p) {
    return ("," + phases + ",").find("," + std::string(p) + ",") != std::string::npos;
  };

  RunBatchPhases(dir, events, want);
  RunReadPhases(dir, want);
  RunSinglePhases(dir, single, threads, want);
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}

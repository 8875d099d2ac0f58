// Power-loss and I/O-fault tests through FaultFs (fault_fs.h).
//
// One scenario, an append-and-reopen cycle on a ledger created beforehand,
// is run again and again: once clean to count the file operations it does,
// then with the Nth write / write-ENOSPC / sync / read / rename failing, for
// every N, and with the power cut after the Nth operation, for every N. Each
// time:
//  - a failed call returns a clear error (not OK, a message, IOError or
//    Corruption for what failed underneath), never a wrong answer;
//  - after a failed write or sync, the ledger refuses further appends until
//    it is reopened, rather than trusting the page cache;
//  - then the power is cut (everything not synced is dropped, fault_fs.h)
//    and the ledger, reopened on a healthy disk, must hold every acknowledged
//    batch, each batch all or nothing, seq gap-free, Verify OK, and
//    projections after catch-up equal to a rebuild.
// The number of fault points exercised is printed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "events/model/uuid.h"
#include "ledger/store/ledger.h"
#include "tests/reliability/fault_fs.h"
#include "tests/reliability/reliability_util.h"
#include "tools/generator/generator.h"

namespace ccl::reliability {
namespace {

using events::Event;

// Batches of a small generated workload, in order (each valid after the ones before).
std::vector<std::vector<Event>> MakeBatches() {
  std::vector<Event> all;
  tools::GeneratorOptions g;
  g.contracts = 2;
  g.days = 90;
  g.seed = 7;
  Status s = tools::GenerateEvents(
      g,
      [&](const Event& e) {
        all.push_back(e);
        return Status::OK();
      },
      nullptr);
  if (!s.ok()) std::abort();
  static constexpr size_t kSizes[] = {3, 1, 4, 2, 5, 3, 2, 4};
  std::vector<std::vector<Event>> batches;
  size_t at = 0;
  for (size_t n : kSizes) {
    if (at + n > all.size()) std::abort();
    batches.emplace_back(all.begin() + static_cast<long>(at),
                         all.begin() + static_cast<long>(at + n));
    at += n;
  }
  return batches;
}

const std::vector<std::vector<Event>>& Batches() {
  static const auto* batches = new std::vector<std::vector<Event>>(MakeBatches());
  return *batches;
}

BatchIds IdsOf(const std::vector<Event>& batch) {
  BatchIds ids;
  for (const Event& e : batch) ids.push_back(e.event_id);
  return ids;
}

// A healthy disk without real fsyncs (FaultFs models them), for set-up and
// for reopening after a power cut.
rocksdb::Env* HealthyEnv() {
  static rocksdb::Env* env = NewFaultEnv(std::make_shared<FaultFs>()).release();
  return env;
}

// env nullptr: HealthyEnv().
ledger::Options LedgerOptions(rocksdb::Env* env) {
  ledger::Options o;
  o.env = env != nullptr ? env : HealthyEnv();
  o.sync = true;
  o.block_cache_bytes = 1 << 20;
  return o;
}

// What one scenario run did, and what went wrong with the ledger's behaviour
// (as opposed to the injected faults, which are expected to fail calls).
struct RunLog {
  std::vector<BatchIds> intents;
  std::vector<BatchIds> acked;
  std::vector<std::string> violations;
  uint64_t failed_calls = 0;
  // The armed fault is a write or sync: when it fails an append, the ledger
  // must refuse the next one (a failed read leaves nothing half-written).
  bool write_fault = false;
};

// A failed call must say so clearly: a message, and an I/O-ish code (a
// corrupt-looking read after an injected fault is acceptable; "not found" or
// a rule violation for a healthy event is not).
void CheckFailure(const Status& s, const std::string& what, RunLog* log) {
  ++log->failed_calls;
  if (s.message().empty()) log->violations.push_back(what + ": error without a message");
  if (!s.IsIOError() && !s.IsCorruption() && !s.IsBusy()) {
    log->violations.push_back(what + ": unexpected status " + s.ToString());
  }
}

// Appends batches [first, last) until one fails. Returns false after a failure.
bool AppendBatches(ledger::Ledger* l, FaultFs* fs, size_t first, size_t last, RunLog* log) {
  const auto& batches = Batches();
  for (size_t b = first; b < last; ++b) {
    const bool fired_before = fs->fault_fired();
    log->intents.push_back(IdsOf(batches[b]));
    ledger::AppendResult r;
    Status s = l->Append(batches[b], ledger::AppendOptions(), &r);
    if (s.ok()) {
      log->acked.push_back(IdsOf(batches[b]));
      continue;
    }
    CheckFailure(s, "append batch " + std::to_string(b), log);
    // A write or sync that failed under this append (or the power gone):
    // the ledger must refuse to go on until reopened.
    if ((log->write_fault && fs->fault_fired() && !fired_before) || fs->power_lost()) {
      log->intents.push_back(IdsOf(batches[b + 1]));
      ledger::AppendResult r2;
      Status again = l->Append(batches[b + 1], ledger::AppendOptions(), &r2);
      if (again.ok()) {
        log->acked.push_back(IdsOf(batches[b + 1]));
        if (!fs->power_lost()) {
          log->violations.push_back("append accepted after a failed write/sync without reopen (" +
                                    s.ToString() + ")");
        }
      }
    }
    return false;
  }
  return true;
}

// The scenario, on a ledger that exists at `path`: open, append 4 batches,
// close, reopen (WAL recovery and flush), read back and verify, append 2
// more, close. Faults armed on `fs` fire wherever they fall.
void RunScenario(FaultFs* fs, rocksdb::Env* env, const std::string& path, RunLog* log) {
  std::unique_ptr<ledger::Ledger> l;
  Status s = ledger::Ledger::Open(LedgerOptions(env), path, &l);
  if (!s.ok()) return CheckFailure(s, "open", log);
  if (!AppendBatches(l.get(), fs, 0, 4, log)) return;
  l.reset();
  s = ledger::Ledger::Open(LedgerOptions(env), path, &l);
  if (!s.ok()) return CheckFailure(s, "reopen", log);
  Event e;
  for (const BatchIds& batch : log->acked) {
    for (const events::Uuid& id : batch) {
      s = l->GetByEventId(id, &e);
      if (!s.ok()) {
        CheckFailure(s, "get " + events::FormatUuid(id), log);
      } else if (e.event_id != id) {
        log->violations.push_back("GetByEventId returned another event");
      }
    }
  }
  ledger::VerifyReport report;
  s = l->Verify(ledger::VerifyProgress(), &report);
  if (!s.ok()) CheckFailure(s, "verify", log);
  AppendBatches(l.get(), fs, 4, 6, log);
}

// Cuts the power now (the ledger must be closed), reopens on a healthy disk
// and checks everything. Returns "" or what is wrong.
std::string PowerLossThenCheck(FaultFs* fs, const std::string& path, const RunLog& log) {
  const std::string dropped = fs->DropUnsyncedData();
  if (!dropped.empty()) return "dropping unsynced data: " + dropped;
  std::unique_ptr<ledger::Ledger> l;
  Status s = ledger::Ledger::Open(LedgerOptions(nullptr), path, &l);
  if (!s.ok()) return "reopen after power loss: " + s.ToString();
  LedgerCheck check;
  s = CheckLedgerIntegrity(l.get(), &check);
  if (!s.ok()) return s.ToString();
  s = CheckBatches(l.get(), check, log.intents, log.acked);
  if (!s.ok()) return s.ToString();
  s = CheckProjections(l.get(), /*save=*/true);
  if (!s.ok()) return s.ToString();
  // The recovered ledger takes appends again: the next batch after the
  // prefix of batches it holds.
  size_t next = 0;
  while (next < Batches().size() && check.ids.count(IdKey(Batches()[next][0].event_id)) != 0) {
    ++next;
  }
  if (next < Batches().size()) {
    ledger::AppendResult r;
    s = l->Append(Batches()[next], ledger::AppendOptions(), &r);
    if (!s.ok()) return "append after recovery: " + s.ToString();
  }
  return "";
}

// Which N a sweep visits: every one by default; CCL_FAULT_STRIDE=k visits
// every kth from a random offset (printed), for slow builds (sanitizers).
struct Stride {
  uint64_t step = 1;
  uint64_t offset = 0;
  Stride() {
    const char* v = std::getenv("CCL_FAULT_STRIDE");
    if (v != nullptr && std::strtoull(v, nullptr, 10) > 1) {
      step = std::strtoull(v, nullptr, 10);
      offset = std::random_device{}() % step;
      std::printf("fault test: every %llu-th point from %llu (CCL_FAULT_STRIDE)\n",
                  static_cast<unsigned long long>(step), static_cast<unsigned long long>(offset));
    }
  }
  bool Visit(uint64_t n) const { return n % step == offset; }
};

class FaultTest : public ::testing::Test {
 protected:
  // A fresh ledger at `path`, as created on a healthy disk and closed, so the
  // faults fall on opening, appending and recovering an existing ledger.
  // Copied from one template: creating 9 column families costs more than the
  // whole scenario.
  void CreateLedger(const std::string& path) {
    static TempDir* templ = [] {
      auto* dir = new TempDir("ccl-fault-template");
      std::unique_ptr<ledger::Ledger> l;
      ledger::Options o = LedgerOptions(nullptr);
      o.create_if_missing = true;
      if (!ledger::Ledger::Open(o, dir->Sub("db"), &l).ok()) std::abort();
      return dir;
    }();
    std::filesystem::copy(templ->Sub("db"), path, std::filesystem::copy_options::recursive);
  }

  // A ledger created at `path` (CreateLedger) and opened over a file system
  // of its own, whose faults the test arms. Members are destroyed ledger
  // first, then its Env.
  struct OverFaults {
    std::shared_ptr<FaultFs> fs = std::make_shared<FaultFs>();
    std::unique_ptr<rocksdb::Env> env;
    std::unique_ptr<ledger::Ledger> l;
  };
  void OpenOverFaults(const std::string& path, OverFaults* o) {
    CreateLedger(path);
    o->env = NewFaultEnv(o->fs);
    ASSERT_TRUE(ledger::Ledger::Open(LedgerOptions(o->env.get()), path, &o->l).ok());
  }

  // Counts the operations of a clean scenario run.
  std::array<uint64_t, kFaultOpCount> CleanCounts(uint64_t* total) {
    const std::string path = dir_.Sub("clean");
    CreateLedger(path);
    auto fs = std::make_shared<FaultFs>();
    std::unique_ptr<rocksdb::Env> env = NewFaultEnv(fs);
    RunLog log;
    RunScenario(fs.get(), env.get(), path, &log);
    EXPECT_TRUE(log.violations.empty()) << log.violations.front();
    EXPECT_EQ(log.failed_calls, 0u);
    EXPECT_EQ(log.acked.size(), 6u);
    std::array<uint64_t, kFaultOpCount> counts{};
    for (int i = 0; i < kFaultOpCount; ++i) counts[i] = fs->count(static_cast<FaultOp>(i));
    *total = fs->total_count();
    return counts;
  }

  // Runs the scenario once with the Nth `op` failing, for every N; returns
  // how many of those faults fired.
  uint64_t SweepFaults(FaultOp op, FaultKind kind, const char* label) {
    uint64_t total = 0;
    const uint64_t n_max = CleanCounts(&total)[static_cast<int>(op)];
    uint64_t fired = 0;
    const Stride stride;
    for (uint64_t n = 1; n <= n_max + 1; ++n) {
      if (!stride.Visit(n)) continue;
      const std::string path = dir_.Sub(std::string(label) + "-" + std::to_string(n));
      CreateLedger(path);
      auto fs = std::make_shared<FaultFs>();
      std::unique_ptr<rocksdb::Env> env = NewFaultEnv(fs);
      fs->FailNth(op, n, kind);
      RunLog log;
      log.write_fault = op == FaultOp::kWrite || op == FaultOp::kSync;
      const auto start = std::chrono::steady_clock::now();
      RunScenario(fs.get(), env.get(), path, &log);
      if (std::getenv("CCL_FAULT_VERBOSE") != nullptr) {
        std::printf(
            "%s #%llu: %s, %llu failed calls, %zu acked, %.0f ms\n", label,
            static_cast<unsigned long long>(n), fs->fired_what().c_str(),
            static_cast<unsigned long long>(log.failed_calls), log.acked.size(),
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
      }
      fired += fs->fault_fired() ? 1 : 0;
      for (const std::string& v : log.violations) ADD_FAILURE() << label << " #" << n << ": " << v;
      const std::string error = PowerLossThenCheck(fs.get(), path, log);
      EXPECT_EQ(error, "") << label << " #" << n;
      std::filesystem::remove_all(path);
      if (HasFailure()) break;
    }
    std::printf("fault test: %s: %llu of %llu operations failed in turn\n", label,
                static_cast<unsigned long long>(fired), static_cast<unsigned long long>(n_max));
    EXPECT_GT(fired, 0u);
    return fired;
  }

  TempDir dir_{"ccl-fault-test"};
};

TEST_F(FaultTest, CleanRunCountsOperations) {
  uint64_t total = 0;
  const auto counts = CleanCounts(&total);
  std::printf(
      "fault test: clean scenario: %llu writes, %llu syncs, %llu reads, %llu renames\n",
      static_cast<unsigned long long>(counts[0]), static_cast<unsigned long long>(counts[1]),
      static_cast<unsigned long long>(counts[2]), static_cast<unsigned long long>(counts[3]));
  for (uint64_t c : counts) EXPECT_GT(c, 0u);
}

TEST_F(FaultTest, FailEachWrite) { SweepFaults(FaultOp::kWrite, FaultKind::kIOError, "write"); }

TEST_F(FaultTest, FailEachWriteWithNoSpace) {
  SweepFaults(FaultOp::kWrite, FaultKind::kNoSpace, "write-enospc");
}

TEST_F(FaultTest, FailEachSync) { SweepFaults(FaultOp::kSync, FaultKind::kIOError, "sync"); }

TEST_F(FaultTest, FailEachRead) { SweepFaults(FaultOp::kRead, FaultKind::kIOError, "read"); }

TEST_F(FaultTest, FailEachRename) { SweepFaults(FaultOp::kRename, FaultKind::kIOError, "rename"); }

// The power goes after the Nth file operation, for every N: acknowledged
// appends survive, an unacknowledged batch is all there or not at all.
TEST_F(FaultTest, PowerLossAtEachOperation) {
  uint64_t total = 0;
  CleanCounts(&total);
  uint64_t cuts = 0;
  const Stride stride;
  for (uint64_t n = 0; n <= total; ++n) {
    if (!stride.Visit(n)) continue;
    const std::string path = dir_.Sub("power-" + std::to_string(n));
    CreateLedger(path);
    auto fs = std::make_shared<FaultFs>();
    std::unique_ptr<rocksdb::Env> env = NewFaultEnv(fs);
    fs->CutPowerAfter(n);
    RunLog log;
    RunScenario(fs.get(), env.get(), path, &log);
    cuts += fs->power_lost() ? 1 : 0;
    for (const std::string& v : log.violations) ADD_FAILURE() << "power cut #" << n << ": " << v;
    EXPECT_EQ(PowerLossThenCheck(fs.get(), path, log), "") << "power cut after op " << n;
    std::filesystem::remove_all(path);
    if (HasFailure()) break;
  }
  std::printf("fault test: power cut after %llu of %llu operations in turn\n",
              static_cast<unsigned long long>(cuts), static_cast<unsigned long long>(total));
}

// Several threads append at once (group commit: many batches, one synced
// write) and the power goes at a random operation.
TEST_F(FaultTest, PowerLossDuringConcurrentAppends) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 12; ++round) {
    const std::string path = dir_.Sub("concurrent-" + std::to_string(round));
    CreateLedger(path);
    auto fs = std::make_shared<FaultFs>();
    std::unique_ptr<rocksdb::Env> env = NewFaultEnv(fs);
    std::unique_ptr<ledger::Ledger> l;
    ASSERT_TRUE(ledger::Ledger::Open(LedgerOptions(env.get()), path, &l).ok());
    fs->CutPowerAfter(rng() % 60);
    // Each thread appends its own contract's single-event batches.
    constexpr int kThreads = 4;
    std::vector<RunLog> logs(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        tools::GeneratorOptions g;
        g.contracts = 1;
        g.days = 60;
        g.seed = 100 + static_cast<uint64_t>(t);
        std::vector<Event> events;
        Status s = tools::GenerateEvents(
            g,
            [&](const Event& e) {
              if (events.size() < 40) events.push_back(e);
              return Status::OK();
            },
            nullptr);
        if (!s.ok()) return;
        for (Event& e : events) e.contract += "-t" + std::to_string(t);
        for (const Event& e : events) {
          logs[t].intents.push_back({e.event_id});
          ledger::AppendResult r;
          s = l->Append(std::span<const Event>(&e, 1), ledger::AppendOptions(), &r);
          if (!s.ok()) break;
          logs[t].acked.push_back({e.event_id});
        }
      });
    }
    for (std::thread& t : threads) t.join();
    l.reset();
    RunLog all;
    for (const RunLog& log : logs) {
      all.intents.insert(all.intents.end(), log.intents.begin(), log.intents.end());
      all.acked.insert(all.acked.end(), log.acked.begin(), log.acked.end());
    }
    const std::string dropped = fs->DropUnsyncedData();
    ASSERT_EQ(dropped, "");
    ASSERT_TRUE(ledger::Ledger::Open(LedgerOptions(nullptr), path, &l).ok());
    LedgerCheck check;
    Status s = CheckLedgerIntegrity(l.get(), &check);
    ASSERT_TRUE(s.ok()) << "seed " << seed << ", round " << round << ": " << s.ToString();
    s = CheckBatches(l.get(), check, all.intents, all.acked);
    ASSERT_TRUE(s.ok()) << "seed " << seed << ", round " << round << ": " << s.ToString();
  }
}

// The harness itself: with Options.sync off, acknowledged appends are only
// in the page cache and a power cut loses them. If this failed, the other
// power-loss tests would prove nothing.
TEST_F(FaultTest, PowerLossDropsUnsyncedAppends) {
  const std::string path = dir_.Sub("unsynced");
  CreateLedger(path);
  auto fs = std::make_shared<FaultFs>();
  std::unique_ptr<rocksdb::Env> env = NewFaultEnv(fs);
  {
    ledger::Options o = LedgerOptions(env.get());
    o.sync = false;
    std::unique_ptr<ledger::Ledger> l;
    ASSERT_TRUE(ledger::Ledger::Open(o, path, &l).ok());
    for (size_t b = 0; b < 3; ++b) {
      ledger::AppendResult r;
      ASSERT_TRUE(l->Append(Batches()[b], ledger::AppendOptions(), &r).ok());
    }
    fs->CutPowerAfter(0);
  }
  ASSERT_EQ(fs->DropUnsyncedData(), "");
  std::unique_ptr<ledger::Ledger> l;
  ASSERT_TRUE(ledger::Ledger::Open(LedgerOptions(nullptr), path, &l).ok());
  EXPECT_EQ(l->head().seq, 0u) << "unsynced appends survived a power cut: the model drops nothing";
  LedgerCheck check;
  EXPECT_TRUE(CheckLedgerIntegrity(l.get(), &check).ok());
}

// After a failed fsync the ledger must not acknowledge anything until it is
// reopened, even though the next fsync would succeed: the failed one may have
// dropped the dirty pages (fault_fs.h, "fsyncgate"). The failed append says
// what failed; the later ones that they are refused, and why.
TEST_F(FaultTest, FailedSyncRefusesWritesUntilReopen) {
  const std::string path = dir_.Sub("refuse");
  OverFaults o;
  ASSERT_NO_FATAL_FAILURE(OpenOverFaults(path, &o));
  FaultFs* fs = o.fs.get();
  std::unique_ptr<ledger::Ledger>& l = o.l;
  ledger::AppendResult r;
  ASSERT_TRUE(l->Append(Batches()[0], ledger::AppendOptions(), &r).ok());
  fs->FailNth(FaultOp::kSync, 1);
  Status s = l->Append(Batches()[1], ledger::AppendOptions(), &r);
  ASSERT_TRUE(fs->fault_fired());
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message().rfind("append to " + path + ": ", 0), 0u) << s.ToString();
  EXPECT_FALSE(r.writes_refused);
  EXPECT_TRUE(l->WritesRefused());
  for (size_t b = 1; b <= 2; ++b) {
    s = l->Append(Batches()[b], ledger::AppendOptions(), &r);
    EXPECT_TRUE(s.IsIOError()) << "batch " << b
                               << " accepted after a failed sync: " << s.ToString();
    EXPECT_EQ(s.message(), ledger::kWritesRefusedText);
    EXPECT_TRUE(r.writes_refused);
  }
  EXPECT_EQ(l->head().seq, Batches()[0].size());
  // Nor does anything else get written (RocksDB keeps its own background
  // error after a failed WAL sync).
  s = l->PutProjectionState("balances", "x");
  EXPECT_FALSE(s.ok()) << "projection state written after a failed sync";
  l.reset();
  ASSERT_TRUE(ledger::Ledger::Open(LedgerOptions(o.env.get()), path, &l).ok());
  EXPECT_FALSE(l->WritesRefused());
  // Batch 1 may or may not have reached the WAL; either way it is whole.
  const uint64_t head = l->head().seq;
  EXPECT_TRUE(head == Batches()[0].size() || head == Batches()[0].size() + Batches()[1].size())
      << head;
  const size_t next = head == Batches()[0].size() ? 1 : 2;
  EXPECT_TRUE(l->Append(Batches()[next], ledger::AppendOptions(), &r).ok());
  LedgerCheck check;
  EXPECT_TRUE(CheckLedgerIntegrity(l.get(), &check).ok());
}

// A full disk: the failed append says so and what to do, as a user running
// a command reads it; nothing of the ledger object's state, which the
// next command never sees.
TEST_F(FaultTest, AFullDiskSaysWhatToDo) {
  const std::string path = dir_.Sub("full");
  OverFaults o;
  ASSERT_NO_FATAL_FAILURE(OpenOverFaults(path, &o));
  ledger::AppendResult r;
  o.fs->FailNth(FaultOp::kWrite, 1, FaultKind::kNoSpace);
  const Status s = o.l->Append(Batches()[0], ledger::AppendOptions(), &r);
  ASSERT_TRUE(o.fs->fault_fired());
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message(), "no space left on device: append to " + path +
                             " (free space and run it again: nothing acknowledged was lost)");
  EXPECT_TRUE(o.l->WritesRefused());
}

// Creating a ledger is interrupted by a power cut after each of its file
// operations in turn; Open with create_if_missing must then give a working
// ledger (RocksDB creates the database, then each column family, then the
// ledger writes its meta batch: ledger/store/ledger_open.cc finishes an interrupted
// creation). The crash test reaches the same state by a kill during the
// writer's first open.
TEST_F(FaultTest, CrashDuringCreation) {
  uint64_t ops = 0;
  {
    const std::string path = dir_.Sub("create-count");
    auto fs = std::make_shared<FaultFs>();
    std::unique_ptr<rocksdb::Env> env = NewFaultEnv(fs);
    std::unique_ptr<ledger::Ledger> l;
    ledger::Options o = LedgerOptions(env.get());
    o.create_if_missing = true;
    ASSERT_TRUE(ledger::Ledger::Open(o, path, &l).ok());
    ops = fs->total_count();
  }
  const Stride stride;
  uint64_t cuts = 0;
  for (uint64_t n = 0; n < ops; ++n) {
    if (!stride.Visit(n)) continue;
    ++cuts;
    const std::string path = dir_.Sub("create-" + std::to_string(n));
    auto fs = std::make_shared<FaultFs>();
    std::unique_ptr<rocksdb::Env> env = NewFaultEnv(fs);
    ledger::Options o = LedgerOptions(env.get());
    o.create_if_missing = true;
    fs->CutPowerAfter(n);
    {
      std::unique_ptr<ledger::Ledger> l;
      ledger::Ledger::Open(o, path, &l).IgnoreError();
    }
    ASSERT_EQ(fs->DropUnsyncedData(), "");
    o = LedgerOptions(nullptr);
    o.create_if_missing = true;
    std::unique_ptr<ledger::Ledger> l;
    Status s = ledger::Ledger::Open(o, path, &l);
    ASSERT_TRUE(s.ok()) << "power cut after op " << n << " of " << ops
                        << " while creating, then Open(create_if_missing): " << s.ToString();
    LedgerCheck check;
    s = CheckLedgerIntegrity(l.get(), &check);
    ASSERT_TRUE(s.ok()) << "power cut after op " << n << ": " << s.ToString();
    ledger::AppendResult r;
    s = l->Append(Batches()[0], ledger::AppendOptions(), &r);
    ASSERT_TRUE(s.ok()) << "power cut after op " << n << ": append: " << s.ToString();
    l.reset();
    std::filesystem::remove_all(path);
  }
  std::printf("fault test: creation: power cut after %llu of %llu operations in turn\n",
              static_cast<unsigned long long>(cuts), static_cast<unsigned long long>(ops));
}

}  // namespace
}  // namespace ccl::reliability

// Crash test: runs the writer (crash_writer.cc) as a separate process, kills
// it with SIGKILL at a random moment, reopens the ledger and checks it against
// the writer's intent and ack logs:
//  - every acknowledged event is present (GetByEventId);
//  - every batch is all there or not at all; nothing appeared that was not written;
//  - seq is gap-free up to the head, and Verify (chain, indexes) passes;
//  - projections caught up from the snapshots the killed writer left equal a
//    rebuild from zero.
// Then it starts the writer again on the same ledger, and so on. When the
// workload runs out, a new ledger is started (a new round).
//
// Short mode (CI): CCL_CRASH_KILLS kills, 60 by default.
// Long mode:       CCL_CRASH_KILLS=5000 ctest -R CrashTest --output-on-failure
// The seed is printed; CCL_CRASH_SEED=<seed> replays the same kill schedule
// (the moments are wall-clock delays, so the exact state killed differs).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ledger/store/ledger.h"
#include "tests/reliability/reliability_util.h"
#include "tests/testing/files.h"
#include "tests/testing/subprocess.h"

namespace ccl::reliability {
namespace {

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

// Starts the writer with stdout and stderr appended to `out_path`. The
// writer dies with us (it asks for PR_SET_PDEATHSIG), so a failed test
// leaves no writer behind.
pid_t SpawnWriter(const std::vector<std::string>& args, const std::string& out_path) {
  subprocess::SpawnOptions o;
  o.stdout_path = out_path;
  o.append_output = true;
  o.stderr_to_stdout = true;
  return subprocess::Spawn(args, o).pid;
}

struct RoundState {
  int round = 0;
  std::string db;
  std::string logs;
};

// Reopens round r's ledger after a kill (or a run to the end) and checks it
// against the writer's logs: integrity, all-or-nothing batches, and
// projections caught up from the snapshots left equal to a rebuild.
void CheckReopened(const RoundState& r, const std::string& context, std::mt19937_64* rng,
                   uint64_t* max_events) {
  std::vector<BatchIds> intents, acked;
  ASSERT_TRUE(ReadBatchLog(r.logs + "/intent.log", 'I', &intents)) << context;
  ASSERT_TRUE(ReadBatchLog(r.logs + "/ack.log", 'A', &acked)) << context;
  // The writer creates the ledger, so a kill can land in the creation: with
  // nothing acknowledged yet, opening must then finish it (or create it).
  ledger::Options options;
  options.create_if_missing = acked.empty();
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = ledger::Ledger::Open(options, r.db, &ledger);
  ASSERT_TRUE(s.ok()) << context << ": reopen: " << s.ToString();
  LedgerCheck check;
  s = CheckLedgerIntegrity(ledger.get(), &check);
  ASSERT_TRUE(s.ok()) << context << ": " << s.ToString();
  s = CheckBatches(ledger.get(), check, intents, acked);
  ASSERT_TRUE(s.ok()) << context << ": " << s.ToString();
  // Saving here too means later runs sometimes start from the driver's snapshots.
  s = CheckProjections(ledger.get(), /*save=*/(*rng)() % 2 == 0);
  ASSERT_TRUE(s.ok()) << context << ": " << s.ToString();
  *max_events = std::max(*max_events, check.events);
}

class CrashTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) {
      dir_.Keep();
      std::printf("crash test: ledgers and logs kept in %s\n", dir_.path().c_str());
    }
  }
  TempDir dir_{"ccl-crash-test"};
};

TEST_F(CrashTest, KillLoop) {
  const uint64_t seed = EnvU64("CCL_CRASH_SEED", std::random_device{}());
  const uint64_t kills = EnvU64("CCL_CRASH_KILLS", 60);
  std::printf("crash test: seed %llu, %llu kills (CCL_CRASH_SEED, CCL_CRASH_KILLS)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(kills));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);

  RoundState r;
  auto new_round = [&] {
    ++r.round;
    r.db = dir_.Sub("db-" + std::to_string(r.round));
    r.logs = dir_.Sub("logs-" + std::to_string(r.round));
    std::filesystem::create_directories(r.logs);
  };
  new_round();

  uint64_t killed = 0, exited = 0, max_events = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t run = 1; killed < kills; ++run) {
    const std::string out = r.logs + "/writer.out";
    const pid_t pid =
        SpawnWriter({CRASH_WRITER_PATH, "--db", r.db, "--logs", r.logs, "--workload-seed",
                     std::to_string(seed + static_cast<uint64_t>(r.round)), "--batch-seed",
                     std::to_string(seed ^ (run * 0x9e3779b97f4a7c15ull)), "--contracts", "10",
                     "--days", "730", "--workers", std::to_string(1 + rng() % 3)},
                    out);
    ASSERT_GT(pid, 0) << "spawn failed";
    // A third of the kills land early (open, WAL recovery, the first
    // batches), the rest anywhere in the first ~half second of appending.
    const uint64_t delay_us = rng() % 3 == 0 ? rng() % 60'000 : 60'000 + rng() % 500'000;
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    subprocess::Signal(pid, SIGKILL);
    const int status = subprocess::ReapStatus(pid);
    ASSERT_NE(status, -1);
    const std::string context = "seed " + std::to_string(seed) + ", round " +
                                std::to_string(r.round) + ", run " + std::to_string(run) +
                                ", kill after " + std::to_string(delay_us) + " us";
    bool exhausted = false;
    if (WIFSIGNALED(status)) {
      ASSERT_EQ(WTERMSIG(status), SIGKILL) << context << "\n" << test_files::ReadFile(out);
      ++killed;
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << context << ": writer failed:\n"
                                                                 << test_files::ReadFile(out);
      ++exited;
      exhausted = true;
    }

    // Reopen and check everything against the logs.
    ASSERT_NO_FATAL_FAILURE(CheckReopened(r, context, &rng, &max_events));
    if (exhausted) new_round();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "crash test: %llu kills survived, %llu runs ran to the end, %d rounds, largest ledger "
      "%llu events, seed %llu, %.1f s\n",
      static_cast<unsigned long long>(killed), static_cast<unsigned long long>(exited), r.round,
      static_cast<unsigned long long>(max_events), static_cast<unsigned long long>(seed), seconds);
}

}  // namespace
}  // namespace ccl::reliability

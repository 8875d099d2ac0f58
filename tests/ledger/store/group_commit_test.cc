// The group commit under many concurrent writers (ledger/store/append.cc,
// ledger/store/append_pipeline.cc): a seeded random mix of good batches, batches
// a rule rejects, reversals (once allowed, then refused), retries of appended
// batches and a period close, from several threads at once. Each thread's
// outcomes are known in advance (its batches touch its own contract, or a
// shared one only in ways every interleaving accepts), so every outcome is
// checked, and then the ledger: every accepted event is there once, no event
// of a rejected batch is, seqs are gap-free and Verify (chain, Merkle tree,
// indexes, write-model replay) passes, before and after a reopen.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/model/rules.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

enum class Expect { kAppended, kRejected, kDuplicates };

struct PlannedBatch {
  std::vector<Event> events;
  Expect expect = Expect::kAppended;
};

class LedgerGroupCommitTest : public AppendFixture {
 protected:
  static constexpr int kThreads = 8;
  static constexpr int kStepsPerThread = 60;

  // Thread t's batches, in order, on its contract T<t> and the shared S.
  std::vector<PlannedBatch> Plan(int t, std::mt19937_64* rng) {
    const std::string own = "T" + std::to_string(t);
    std::vector<PlannedBatch> plan;
    plan.push_back({{f_.Open(own)}, Expect::kAppended});
    std::vector<Event> own_bookings;  // accepted bookings of `own`
    std::set<size_t> reversed;        // indexes into own_bookings
    std::vector<size_t> appended;     // indexes into plan of appended batches
    for (int step = 0; step < kStepsPerThread; ++step) {
      const uint64_t kind = (*rng)() % 10;
      PlannedBatch b;
      if (t == 0 && step == kStepsPerThread / 2) {
        b.events = {f_.ClosePeriod("2026-01", "2026-03-01")};
      } else if (kind == 7 && !own_bookings.empty()) {
        const size_t target = (*rng)() % own_bookings.size();
        b.events = {f_.Reverse(own, own_bookings[target].event_id)};
        if (!reversed.insert(target).second) b.expect = Expect::kRejected;
      } else if (kind == 8 && !appended.empty()) {
        b.events = plan[appended[(*rng)() % appended.size()]].events;
        b.expect = Expect::kDuplicates;
      } else {
        const size_t n = 1 + (*rng)() % 3;
        for (size_t i = 0; i < n; ++i) {
          const bool shared = (*rng)() % 2 == 0;
          b.events.push_back(f_.Book(
              shared ? "S" : own, (*rng)() % 2 ? ServiceLine::kReactive : ServiceLine::kProactive,
              1 + static_cast<int32_t>((*rng)() % 3)));
        }
        if (kind == 5 || kind == 6) {
          // A line the contracts lack (R-LINE): the whole batch is refused.
          Event bad = f_.Book(own, ServiceLine::kDesignatedEngineering, 1);
          b.events.insert(b.events.begin() + static_cast<long>((*rng)() % (n + 1)), bad);
          b.expect = Expect::kRejected;
        } else {
          for (const Event& e : b.events) {
            if (e.contract == own) own_bookings.push_back(e);
          }
        }
      }
      if (b.expect == Expect::kAppended) appended.push_back(plan.size());
      plan.push_back(std::move(b));
    }
    return plan;
  }
};

// What one thread saw, checked against its plan as it went.
struct ThreadLog {
  std::vector<events::Uuid> accepted;  // events appended (not duplicates)
  std::vector<events::Uuid> rejected;  // events of rejected batches
  std::vector<std::string> errors;
};

void RunPlan(Ledger* l, const std::vector<PlannedBatch>& plan, ThreadLog* log) {
  for (size_t i = 0; i < plan.size(); ++i) {
    const PlannedBatch& b = plan[i];
    AppendResult r;
    const Status s = l->Append(b.events, AppendOptions(), &r);
    const std::string at = "batch " + std::to_string(i) + ": ";
    switch (b.expect) {
      case Expect::kAppended:
        if (!s.ok() || r.appended != b.events.size()) {
          log->errors.push_back(at + "not appended: " + s.ToString());
        }
        for (const Event& e : b.events) log->accepted.push_back(e.event_id);
        break;
      case Expect::kRejected:
        if (!s.IsRuleViolation()) log->errors.push_back(at + "not rejected: " + s.ToString());
        for (const Event& e : b.events) log->rejected.push_back(e.event_id);
        break;
      case Expect::kDuplicates:
        if (!s.ok() || r.appended != 0 || r.duplicates != b.events.size()) {
          log->errors.push_back(at + "not all duplicates: " + s.ToString());
        }
        break;
    }
  }
}

TEST_F(LedgerGroupCommitTest, ConcurrentMixOfGoodAndRejectedBatches) {
  uint64_t seed = std::random_device{}();
  if (const char* env = std::getenv("CCL_TEST_SEED"); env != nullptr) {
    seed = std::strtoull(env, nullptr, 10);
  }
  std::printf("seed %llu (CCL_TEST_SEED reruns it)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  MustAppend({f_.Open("S")});
  std::vector<std::vector<PlannedBatch>> plans;
  for (int t = 0; t < kThreads; ++t) plans.push_back(Plan(t, &rng));

  std::vector<ThreadLog> logs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { RunPlan(ledger_.get(), plans[t], &logs[t]); });
  }
  for (std::thread& th : threads) th.join();

  std::set<uint64_t> seqs = {1};  // S's opening
  for (int t = 0; t < kThreads; ++t) {
    for (const std::string& e : logs[t].errors)
      ADD_FAILURE() << "seed " << seed << ", T" << t << " " << e;
    for (const events::Uuid& id : logs[t].accepted) {
      Event e;
      const Status s = ledger_->GetByEventId(id, &e);
      ASSERT_TRUE(s.ok()) << "seed " << seed << ": " << s.ToString();
      EXPECT_TRUE(seqs.insert(e.seq).second) << "seed " << seed << ": seq " << e.seq << " twice";
    }
    for (const events::Uuid& id : logs[t].rejected) {
      Event e;
      EXPECT_TRUE(ledger_->GetByEventId(id, &e).IsNotFound())
          << "seed " << seed << ": an event of a rejected batch was written, seq " << e.seq;
    }
  }
  // Gap-free and nothing else: the accepted events are the whole ledger.
  EXPECT_EQ(seqs.size(), ledger_->head().seq) << "seed " << seed;
  EXPECT_EQ(*seqs.rbegin(), ledger_->head().seq) << "seed " << seed;
  const Head head = ledger_->head();
  VerifyReport report;
  Status s = ledger_->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << "seed " << seed << ": " << s.ToString();
  Reopen();
  EXPECT_EQ(ledger_->head().seq, head.seq);
  EXPECT_EQ(ledger_->head().hash, head.hash);
  s = ledger_->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << "seed " << seed << ": " << s.ToString();
}

}  // namespace
}  // namespace ccl::ledger::testing

// Ledger::AppendAsync (ledger/store/append_async.cc): the group commit with no
// caller's thread waiting. Many appends queued at once share groups and each
// gets its own outcome once durable; rules, duplicates and conflicts answer
// as Append answers; a failed sync fails the group's every writer and every
// later one until the ledger is reopened; the destructor completes what is
// queued.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "events/model/rules.h"
#include "tests/ledger/store/ledger_test_util.h"
#include "tests/reliability/fault_fs.h"

namespace ccl::ledger::testing {
namespace {

// The outcomes of AppendAsync calls, by the order they were made in.
class Outcomes {
 public:
  struct One {
    Status status;
    AppendResult result;
    bool done = false;
  };
  explicit Outcomes(size_t n) : all_(n) {}

  Ledger::AppendDone For(size_t i) {
    return [this, i](const Status& s, AppendResult&& r) {
      std::lock_guard<std::mutex> l(mu_);
      ASSERT_FALSE(all_[i].done) << "append " << i << " completed twice";
      all_[i] = One{s, std::move(r), true};
      ++done_;
      cv_.notify_all();
    };
  }
  // Waits until every one completed.
  const std::vector<One>& Wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return done_ == all_.size(); });
    return all_;
  }
  size_t done() {
    std::lock_guard<std::mutex> l(mu_);
    return done_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<One> all_;
  size_t done_ = 0;
};

class LedgerAppendAsyncTest : public AppendFixture {
 protected:
  // Queues one booking of `minutes` on contract C per entry, without waiting.
  void QueueBookings(size_t n, Outcomes* out, size_t first = 0) {
    for (size_t i = 0; i < n; ++i) {
      ledger_->AppendAsync({f_.Book("C", ServiceLine::kReactive, 1)}, AppendOptions(),
                           out->For(first + i));
    }
  }
};

TEST_F(LedgerAppendAsyncTest, ConcurrentAppendsShareGroupsAndEachGetsItsOutcome) {
  MustAppend({f_.Open("C")});
  constexpr size_t kThreads = 4, kEach = 100;
  Outcomes out(kThreads * kEach + kThreads);
  // The events first: the factory is not thread-safe.
  std::vector<Event> bookings;
  for (size_t i = 0; i < kThreads * (kEach + 1); ++i) {
    bookings.push_back(f_.Book("C", ServiceLine::kReactive, 1));
  }
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t * kEach; i < (t + 1) * kEach; ++i) {
        ledger_->AppendAsync({bookings[i]}, AppendOptions(), out.For(i));
      }
      // Append's callers join the same queue and groups.
      AppendResult r;
      const size_t i = kThreads * kEach + t;
      Status s = ledger_->Append(std::span<const Event>(&bookings[i], 1), AppendOptions(), &r);
      out.For(i)(s, std::move(r));
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> seqs;
  size_t groups = 0, grouped_events = 0;
  for (const Outcomes::One& o : out.Wait()) {
    ASSERT_TRUE(o.status.ok()) << o.status.ToString();
    ASSERT_EQ(o.result.appended, 1u);
    ASSERT_EQ(o.result.outcomes.size(), 1u);
    EXPECT_TRUE(seqs.insert(o.result.outcomes[0].seq).second) << "seq given twice";
    EXPECT_GE(o.result.group_events, 1u);
    if (o.result.first_of_group) {
      ++groups;
      grouped_events += o.result.group_events;
    }
  }
  const size_t n = kThreads * kEach + kThreads;
  EXPECT_EQ(*seqs.begin(), 2u);
  EXPECT_EQ(*seqs.rbegin(), n + 1);
  EXPECT_EQ(ledger_->head().seq, n + 1);
  // Every event counted in exactly one group, and appends queued at once
  // share groups (one fsync for many).
  EXPECT_EQ(grouped_events, n);
  EXPECT_LT(groups, n);
  EXPECT_EQ(Version("C"), n + 1);
  VerifyReport report;
  Status s = ledger_->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(LedgerAppendAsyncTest, RejectionsDuplicatesAndConflictsAnswerAsAppend) {
  const Event open = f_.Open("C");
  MustAppend({open});
  const Event booked = f_.Book("C", ServiceLine::kReactive, 30);
  Event conflicting = booked;
  conflicting.minutes = 31;
  Outcomes out(5);
  ledger_->AppendAsync({booked}, AppendOptions(), out.For(0));
  // A rule: no contract D.
  ledger_->AppendAsync(
      {f_.Book("C", ServiceLine::kReactive, 5), f_.Book("D", ServiceLine::kReactive, 5)},
      AppendOptions(), out.For(1));
  ledger_->AppendAsync({booked}, AppendOptions(), out.For(2));  // a retry: a duplicate
  ledger_->AppendAsync({conflicting}, AppendOptions(), out.For(3));
  AppendOptions stale;
  stale.expected_versions = {{"C", 1}};
  ledger_->AppendAsync({f_.Book("C", ServiceLine::kReactive, 5)}, stale, out.For(4));
  const std::vector<Outcomes::One>& o = out.Wait();
  ASSERT_TRUE(o[0].status.ok()) << o[0].status.ToString();
  EXPECT_EQ(o[0].result.outcomes.at(0).seq, 2u);
  EXPECT_TRUE(o[1].status.IsRuleViolation()) << o[1].status.ToString();
  EXPECT_EQ(o[1].result.failed_index, 1u);
  EXPECT_TRUE(o[1].result.outcomes.empty());
  ASSERT_TRUE(o[2].status.ok()) << o[2].status.ToString();
  EXPECT_EQ(o[2].result.duplicates, 1u);
  EXPECT_EQ(o[2].result.outcomes.at(0).seq, 2u);
  EXPECT_TRUE(o[3].status.IsConflict()) << o[3].status.ToString();
  EXPECT_EQ(o[3].status.rule(), rules::kEventIdConflict);
  EXPECT_TRUE(o[4].status.IsConflict()) << o[4].status.ToString();
  EXPECT_EQ(o[4].status.rule(), rules::kExpectedVersion);
  // Only the one accepted booking was written.
  EXPECT_EQ(ledger_->head().seq, 2u);
  EXPECT_EQ(Version("C"), 2u);
}

TEST_F(LedgerAppendAsyncTest, RefusedBeforeQueuingAnswersOnTheCallersThread) {
  MustAppend({f_.Open("C")});
  Options o;
  o.read_only = true;
  std::unique_ptr<Ledger> reader;
  ASSERT_TRUE(Ledger::Open(o, path(), &reader).ok());
  bool answered = false;
  const std::thread::id caller = std::this_thread::get_id();
  reader->AppendAsync({f_.Book("C", ServiceLine::kReactive, 5)}, AppendOptions(),
                      [&](const Status& s, AppendResult&&) {
                        EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
                        EXPECT_EQ(std::this_thread::get_id(), caller);
                        answered = true;
                      });
  EXPECT_TRUE(answered);
  // Nothing to append: answered at once, OK.
  answered = false;
  ledger_->AppendAsync({}, AppendOptions(), [&](const Status& s, AppendResult&& r) {
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(r.appended, 0u);
    answered = true;
  });
  EXPECT_TRUE(answered);
}

TEST_F(LedgerAppendAsyncTest, DestructionCompletesEveryQueuedAppend) {
  MustAppend({f_.Open("C")});
  constexpr size_t kN = 200;
  Outcomes out(kN);
  QueueBookings(kN, &out);
  ledger_.reset();
  EXPECT_EQ(out.done(), kN);
  for (const Outcomes::One& o : out.Wait()) EXPECT_TRUE(o.status.ok()) << o.status.ToString();
  Reopen();
  EXPECT_EQ(ledger_->head().seq, kN + 1);
}

// A `done` that throws (against its contract) must not end the process
// from a commit thread, nor leave the other appends of its group
// unanswered or the destructor waiting for it.
TEST_F(LedgerAppendAsyncTest, ThrowingDoneNeitherKillsTheProcessNorStopsTheOthers) {
  MustAppend({f_.Open("C")});
  constexpr size_t kN = 100;
  Outcomes out(kN);
  for (size_t i = 0; i < kN; ++i) {
    Ledger::AppendDone record = out.For(i);
    ledger_->AppendAsync({f_.Book("C", ServiceLine::kReactive, 1)}, AppendOptions(),
                         [record, i](const Status& s, AppendResult&& r) {
                           record(s, std::move(r));
                           if (i % 3 == 0) throw std::runtime_error("a caller's bug");
                         });
  }
  for (const Outcomes::One& o : out.Wait()) EXPECT_TRUE(o.status.ok()) << o.status.ToString();
  ledger_.reset();  // returns: no completion is left counted as queued
  Reopen();
  EXPECT_EQ(ledger_->head().seq, kN + 1);
}

// `done` may call AppendAsync (ledger.h), also while the destructor
// completes what is queued: that append is completed too, before the
// destructor returns.
TEST_F(LedgerAppendAsyncTest, ADoneMayAppendAgainWhileTheLedgerIsDestroyed) {
  MustAppend({f_.Open("C")});
  constexpr size_t kN = 200;
  Outcomes out(2 * kN);
  std::vector<Event> again;
  for (size_t i = 0; i < kN; ++i) again.push_back(f_.Book("C", ServiceLine::kReactive, 1));
  Ledger* ledger = ledger_.get();
  for (size_t i = 0; i < kN; ++i) {
    ledger_->AppendAsync(
        {f_.Book("C", ServiceLine::kReactive, 1)}, AppendOptions(),
        [&out, &again, ledger, i, first = out.For(i)](const Status& s, AppendResult&& r) {
          first(s, std::move(r));
          ledger->AppendAsync({again[i]}, AppendOptions(), out.For(kN + i));
        });
  }
  ledger_.reset();
  EXPECT_EQ(out.done(), 2 * kN);
  for (const Outcomes::One& o : out.Wait()) EXPECT_TRUE(o.status.ok()) << o.status.ToString();
  Reopen();
  EXPECT_EQ(ledger_->head().seq, 2 * kN + 1);
}

TEST_F(LedgerAppendAsyncTest, FailedSyncFailsTheGroupAndEveryLaterAppendUntilReopen) {
  auto fs = std::make_shared<reliability::FaultFs>();
  std::unique_ptr<rocksdb::Env> env = reliability::NewFaultEnv(fs);
  ledger_.reset();
  Options o;
  o.create_if_missing = true;
  o.clock = &clock_;
  o.env = env.get();
  ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
  MustAppend({f_.Open("C")});
  fs->FailNth(reliability::FaultOp::kSync, 1);
  constexpr size_t kN = 50;
  Outcomes out(kN);
  QueueBookings(kN, &out);
  for (const Outcomes::One& one : out.Wait()) {
    EXPECT_TRUE(one.status.IsIOError()) << one.status.ToString();
    EXPECT_TRUE(one.result.outcomes.empty());
  }
  ASSERT_TRUE(fs->fault_fired());
  Outcomes later(1);
  QueueBookings(1, &later);
  EXPECT_TRUE(later.Wait()[0].status.IsIOError()) << later.Wait()[0].status.ToString();
  EXPECT_EQ(ledger_->head().seq, 1u);
  ledger_.reset();
  ASSERT_TRUE(Ledger::Open(o, path(), &ledger_).ok());
  // The failed group may or may not have reached the WAL (none after it
  // was written); either way it is whole (Verify), and the reopened ledger
  // appends again.
  EXPECT_LE(ledger_->head().seq, kN + 1);
  Outcomes after(1);
  QueueBookings(1, &after);
  EXPECT_TRUE(after.Wait()[0].status.ok()) << after.Wait()[0].status.ToString();
  VerifyReport report;
  Status s = ledger_->Verify(VerifyProgress(), &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  ledger_.reset();  // before its Env
}

TEST_F(LedgerAppendAsyncTest, AppendReportsItsGroup) {
  AppendResult r;
  ASSERT_TRUE(Append({f_.Open("C"), f_.Book("C", ServiceLine::kReactive, 5)}, &r).ok());
  EXPECT_EQ(r.group_events, 2u);
  EXPECT_TRUE(r.first_of_group);
  ASSERT_FALSE(Append({f_.Book("D", ServiceLine::kReactive, 5)}, &r).ok());
  EXPECT_EQ(r.group_events, 0u);
  EXPECT_FALSE(r.first_of_group);
}

}  // namespace
}  // namespace ccl::ledger::testing

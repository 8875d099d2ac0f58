// A failed write in the pipelined group commit (ledger/store/append_pipeline.cc):
// while group N's WAL sync is held (and then fails, through FaultFs), the
// next group is prepared over N's staged events. It must fail with N's very
// error and write nothing, whether its events needed N's (a contract N
// opens) or merely repeated them (a retry, all duplicates: acknowledging it
// would acknowledge N's events, which never became durable).
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "ledger/store/ledger.h"
#include "tests/ledger/store/ledger_test_util.h"
#include "tests/reliability/fault_fs.h"
#include "tests/reliability/reliability_util.h"

namespace ccl::reliability {
namespace {

using events::Event;
using ledger::testing::EventFactory;

// Passes everything to its target; the next sync of a WAL file first runs a
// hook (which may block it, holding the group being written).
class HeldSyncFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit HeldSyncFs(std::shared_ptr<rocksdb::FileSystem> target)
      : FileSystemWrapper(std::move(target)) {}
  static const char* kClassName() { return "CclHeldSyncFs"; }
  const char* Name() const override { return kClassName(); }

  void HoldNextWalSync(std::function<void()> hook) {
    std::lock_guard<std::mutex> l(mu_);
    hook_ = std::move(hook);
  }
  void BeforeSync() {
    std::function<void()> hook;
    {
      std::lock_guard<std::mutex> l(mu_);
      hook.swap(hook_);
    }
    if (hook) hook();
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->NewWritableFile(f, o, r, dbg), r);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(f, target()->ReuseWritableFile(f, old, o, r, dbg), r);
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, HeldSyncFs* fs)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      fs_->BeforeSync();
      return target()->Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      fs_->BeforeSync();
      return target()->Fsync(o, dbg);
    }

   private:
    HeldSyncFs* fs_;
  };

  rocksdb::IOStatus Wrap(const std::string& f, rocksdb::IOStatus s,
                         std::unique_ptr<rocksdb::FSWritableFile>* r) {
    if (s.ok() && f.size() > 4 && f.compare(f.size() - 4, 4, ".log") == 0) {
      *r = std::make_unique<File>(std::move(*r), this);
    }
    return s;
  }

  std::mutex mu_;
  std::function<void()> hook_;
};

ledger::Options LedgerOptions(rocksdb::Env* env) {
  ledger::Options o;
  o.env = env;
  o.sync = true;
  o.create_if_missing = true;
  o.block_cache_bytes = 1 << 20;
  return o;
}

enum class Follower { kNeedsTheFailedGroup, kRetriesTheFailedGroup };

void RunFollowerOfFailedWrite(const std::string& path, Follower kind) {
  auto fault = std::make_shared<FaultFs>();
  auto held = std::make_shared<HeldSyncFs>(fault);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(held);
  std::unique_ptr<ledger::Ledger> l;
  ASSERT_TRUE(ledger::Ledger::Open(LedgerOptions(env.get()), path, &l).ok());
  EventFactory f;
  const std::vector<Event> first = {f.Open("C1")};
  const std::vector<Event> failing = {f.Open("C2"),
                                      f.Book("C2", events::ServiceLine::kReactive, 5)};
  const std::vector<Event> follower =
      kind == Follower::kNeedsTheFailedGroup
          ? std::vector<Event>{f.Book("C2", events::ServiceLine::kReactive, 7)}
          : failing;
  ledger::AppendResult r;
  ASSERT_TRUE(l->Append(first, ledger::AppendOptions(), &r).ok());

  // The failing group's sync waits until the follower has called Append,
  // then long enough for its group to be prepared, and then fails.
  std::atomic<bool> in_sync{false};
  std::atomic<bool> follower_called{false};
  held->HoldNextWalSync([&] {
    in_sync = true;
    while (!follower_called) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  fault->FailNth(FaultOp::kSync, 1);
  Status failed;
  std::thread writer([&] {
    ledger::AppendResult rf;
    failed = l->Append(failing, ledger::AppendOptions(), &rf);
  });
  while (!in_sync) std::this_thread::yield();
  follower_called = true;
  ledger::AppendResult rb;
  const Status s = l->Append(follower, ledger::AppendOptions(), &rb);
  writer.join();

  ASSERT_TRUE(fault->fault_fired());
  ASSERT_TRUE(failed.IsIOError()) << failed.ToString();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message(), failed.message())
      << "the group behind a failed write fails with its error";
  EXPECT_EQ(rb.appended, 0u);
  EXPECT_EQ(rb.duplicates, 0u);
  EXPECT_TRUE(rb.outcomes.empty());
  EXPECT_EQ(l->head().seq, first.size());
  const std::vector<Event> later = {f.Book("C1", events::ServiceLine::kReactive, 1)};
  EXPECT_TRUE(l->Append(later, ledger::AppendOptions(), &r).IsIOError());
  l.reset();

  // Reopened: the failed group may or may not have reached the WAL, whole;
  // the follower's events are not there.
  std::unique_ptr<rocksdb::Env> healthy = NewFaultEnv(std::make_shared<FaultFs>());
  ASSERT_TRUE(ledger::Ledger::Open(LedgerOptions(healthy.get()), path, &l).ok());
  const uint64_t head = l->head().seq;
  EXPECT_TRUE(head == first.size() || head == first.size() + failing.size()) << head;
  if (kind == Follower::kNeedsTheFailedGroup) {
    Event got;
    const Status g = l->GetByEventId(follower[0].event_id, &got);
    EXPECT_TRUE(g.IsNotFound()) << g.ToString();
  }
  LedgerCheck check;
  const Status c = CheckLedgerIntegrity(l.get(), &check);
  EXPECT_TRUE(c.ok()) << c.ToString();
  l.reset();  // before its Env
}

TEST(PipelineFaultTest, GroupPreparedBehindAFailedWriteFailsWithItsError) {
  TempDir dir;
  RunFollowerOfFailedWrite(dir.Sub("needs"), Follower::kNeedsTheFailedGroup);
}

TEST(PipelineFaultTest, RetryOfAGroupWhoseWriteFailsIsNotAcknowledged) {
  TempDir dir;
  RunFollowerOfFailedWrite(dir.Sub("retry"), Follower::kRetriesTheFailedGroup);
}

}  // namespace
}  // namespace ccl::reliability

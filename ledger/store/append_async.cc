// AppendAsync (ledger/store/ledger.h): the same group commit as Append
// (append_pipeline.cc), with no caller's thread waiting. Its writers queue
// like Append's; when one reaches the front of the queue a commit thread
// leads its group, and the group's leader, whichever thread it is, calls
// each AppendAsync writer's `done` once the group's write ended. Two commit
// threads keep the pipeline full: one prepares a group while the other
// writes the group before it.
#include <cassert>
#include <memory>
#include <string>
#include <utility>

#include "events/base/limits.h"
#include "events/model/rules.h"
#include "ledger/store/ledger_impl.h"

namespace ccl::ledger {

namespace {

constexpr size_t kCommitThreads = 2;

}  // namespace

Status LedgerImpl::CheckBatchSize(size_t events) {
  if (events <= limits::kEventsPerBatchMax) return Status::OK();
  return Status::InvalidArgument("batch of " + std::to_string(events) + " events: at most " +
                                 std::to_string(limits::kEventsPerBatchMax))
      .WithRule(rules::kBatchEventsMax);
}

void LedgerImpl::AppendAsync(std::vector<events::Event> batch, AppendOptions options,
                             AppendDone done) {
  assert(done);
  auto a = std::make_unique<AsyncAppend>();
  a->events = std::move(batch);
  a->options = std::move(options);
  Status s = BeginAppend(a->options, &a->result);
  if (s.ok()) s = CheckBatchSize(a->events.size());
  if (!s.ok() || NothingToAppend(a->events, a->options)) return done(s, std::move(a->result));
  a->done = std::move(done);
  Writer* w = &a->writer;
  w->batch = a->events;
  w->options = &a->options;
  w->result = &a->result;
  w->async = a.release();  // owned by the queue until CompleteAsync
  std::lock_guard<std::mutex> lock(writers_mu_);
  // Stopping (the destructor), the commit threads being joined lead this
  // one: they end only once no AppendAsync is queued, and a `done` calling
  // AppendAsync runs while its own still counts.
  assert(!commit_stop_ || async_queued_ > 0);
  if (commit_threads_.empty() && !commit_stop_) {
    for (size_t i = 0; i < kCommitThreads; ++i)
      commit_threads_.emplace_back([this] { CommitLoop(); });
  }
  ++async_queued_;
  writers_.push_back(w);
  if (leader_gathering_ && writers_.size() >= last_group_writers_) leader_cv_.notify_all();
  if (writers_.front() == w) WakeFront();
}

bool LedgerImpl::AsyncFrontReady() const {
  if (writers_.empty() || lead_held_) return false;
  const Writer* front = writers_.front();
  return front->async != nullptr && !front->leading;
}

void LedgerImpl::CommitLoop() {
  std::unique_lock<std::mutex> lock(writers_mu_);
  for (;;) {
    commit_cv_.wait(lock,
                    [&] { return AsyncFrontReady() || (commit_stop_ && async_queued_ == 0); });
    if (!AsyncFrontReady()) return;  // stopping, every AppendAsync completed
    Writer* leader = writers_.front();
    leader->leading = true;
    lock.unlock();
    LeadGroup(leader);  // completes its group's AppendAsync writers, this one included
    lock.lock();
  }
}

void LedgerImpl::CompleteAsync(const std::vector<Writer*>& writers) {
  for (Writer* w : writers) {
    assert(w->done && w->async != nullptr);
    std::unique_ptr<AsyncAppend> a(w->async);
    // A `done` that throws, against its contract, must neither end the
    // process from a commit thread nor leave the writers after it
    // unanswered and counted as queued: its exception ends here (its
    // append's outcome stands).
    try {
      a->done(w->status, std::move(a->result));
    } catch (...) {  // NOLINT(bugprone-empty-catch): nobody above may take it
    }
  }
  std::lock_guard<std::mutex> lock(writers_mu_);
  assert(async_queued_ >= writers.size());
  async_queued_ -= writers.size();
  // Stopping, the commit threads wait for the last one (StopCommitThreads).
  // Otherwise nobody waits for a completion: the front is woken when it
  // changes (WakeFront), so no wake-up per group here.
  if (commit_stop_ && async_queued_ == 0) commit_cv_.notify_all();
}

void LedgerImpl::StopCommitThreads() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(writers_mu_);
    commit_stop_ = true;
    threads.swap(commit_threads_);
  }
  commit_cv_.notify_all();
  for (std::thread& t : threads) t.join();
}

}  // namespace ccl::ledger

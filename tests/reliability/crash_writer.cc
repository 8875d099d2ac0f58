// The writer of the crash test (crash_test.cc): appends a generated workload
// to a ledger until it is killed, keeping two logs beside it.
//
//   ccl_crash_writer --db PATH --logs DIR [--workload-seed N] [--batch-seed N]
//                    [--contracts N] [--days N] [--workers N] [--snapshot-every N]
//
// Before each Append it writes the batch's event ids to DIR/intent.log; after
// each acknowledged Append it writes them to DIR/ack.log and fsyncs that. The
// driver kills it with SIGKILL at random moments and checks the reopened
// ledger against the logs: every acknowledged batch present, every intent
// batch all there or not at all.
//
// Restart: the workload is deterministic (tools/generator.h, --workload-seed),
// and contracts are split among the worker threads, each appending its
// contracts' events in order, one batch after another. So what a killed run
// left is, per contract, a prefix of that contract's events: a restarted
// writer skips the first StreamVersion(contract) events of each contract and
// goes on from there. It first re-appends a few already stored events, which
// must all come back as duplicates (idempotent retries across a crash).
// Worker 0 also runs the projections runner now and then, so snapshots are
// saved (and sometimes killed half way) between appends.
//
// Exit codes: 0 when the workload is exhausted ("exhausted" on stdout; the
// driver starts a new ledger), 2 on any failure (printed on stderr).
#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/event.h"
#include "ledger/ledger.h"
#include "projections/registry.h"
#include "projections/runner.h"
#include "tests/reliability/reliability_util.h"
#include "tools/generator.h"

namespace ccl::reliability {
namespace {

constexpr size_t kBatchEventsMax = 24;
constexpr size_t kQueuedBatchesMax = 4;  // per worker: bounds memory, keeps the generator close
constexpr size_t kWorkersMax = 8;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "crash_writer: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

struct Args {
  std::string db;
  std::string logs;
  uint64_t workload_seed = 1;
  uint64_t batch_seed = 1;
  uint32_t contracts = 12;
  uint32_t days = 730;
  size_t workers = 2;
  uint64_t snapshot_every = 40;  // batches of worker 0 between runner catch-ups
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--db") {
      a.db = v;
    } else if (k == "--logs") {
      a.logs = v;
    } else if (k == "--workload-seed") {
      a.workload_seed = std::stoull(v);
    } else if (k == "--batch-seed") {
      a.batch_seed = std::stoull(v);
    } else if (k == "--contracts") {
      a.contracts = static_cast<uint32_t>(std::stoul(v));
    } else if (k == "--days") {
      a.days = static_cast<uint32_t>(std::stoul(v));
    } else if (k == "--workers") {
      a.workers = std::stoul(v);
    } else if (k == "--snapshot-every") {
      a.snapshot_every = std::stoull(v);
    } else {
      Die("unknown option " + k);
    }
  }
  if (a.db.empty() || a.logs.empty()) Die("usage: --db PATH --logs DIR [options]");
  if (a.workers == 0 || a.workers > kWorkersMax) Die("--workers must be 1..8");
  return a;
}

// Appends `text` to the file with one write() (O_APPEND), fsyncing when asked.
class LogFile {
 public:
  explicit LogFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) Die("cannot open " + path + ": " + std::strerror(errno));
  }
  ~LogFile() { ::close(fd_); }
  void Write(const std::string& text, bool sync) {
    std::lock_guard<std::mutex> l(mu_);
    if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      Die(std::string("log write failed: ") + std::strerror(errno));
    }
    if (sync && ::fsync(fd_) != 0) Die(std::string("log fsync failed: ") + std::strerror(errno));
  }

 private:
  int fd_ = -1;
  std::mutex mu_;
};

// A bounded queue of batches for one worker; an empty batch ends it.
class BatchQueue {
 public:
  void Push(std::vector<events::Event> batch) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return q_.size() < kQueuedBatchesMax; });
    q_.push_back(std::move(batch));
    cv_.notify_all();
  }
  std::vector<events::Event> Pop() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !q_.empty(); });
    std::vector<events::Event> b = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return b;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<events::Event>> q_;
};

BatchIds IdsOf(const std::vector<events::Event>& batch) {
  BatchIds ids;
  for (const events::Event& e : batch) ids.push_back(e.event_id);
  return ids;
}

void Worker(size_t index, const Args& args, ledger::Ledger* ledger, BatchQueue* queue,
            LogFile* intent, LogFile* ack) {
  projections::ProjectionSet set;
  std::vector<projections::Projection*> all = set.All();
  projections::Runner runner(ledger, projections::RunnerOptions());
  uint64_t batches = 0;
  for (;;) {
    std::vector<events::Event> batch = queue->Pop();
    if (batch.empty()) return;
    const BatchIds ids = IdsOf(batch);
    intent->Write(FormatBatchLine('I', ids), /*sync=*/false);
    ledger::AppendResult result;
    Status s = ledger->Append(batch, ledger::AppendOptions(), &result);
    if (!s.ok()) Die("worker " + std::to_string(index) + ": append: " + s.ToString());
    if (result.appended != batch.size()) {
      Die("worker " + std::to_string(index) + ": appended " + std::to_string(result.appended) +
          " of " + std::to_string(batch.size()) + " new events");
    }
    ack->Write(FormatBatchLine('A', ids), /*sync=*/true);
    ++batches;
    if (index == 0 && args.snapshot_every > 0 && batches % args.snapshot_every == 0) {
      projections::RunStats stats;
      s = runner.CatchUp(all, &stats);
      if (!s.ok()) Die("projections catch-up: " + s.ToString());
    }
  }
}

int Run(const Args& args) {
  ledger::Options options;
  options.create_if_missing = true;  // a kill may land in the creation too
  options.sync = true;
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = ledger::Ledger::Open(options, args.db, &ledger);
  if (!s.ok()) Die("open: " + s.ToString());

  LogFile intent(args.logs + "/intent.log");
  LogFile ack(args.logs + "/ack.log");

  // Per contract: events of it seen in the workload, and how many are stored.
  struct ContractProgress {
    uint64_t seen = 0;
    uint64_t stored = 0;
    size_t worker = 0;
  };
  std::map<std::string, ContractProgress> progress;
  std::vector<events::Event> stored_tail;  // the last few already stored events
  tools::Xoshiro256 rng(args.batch_seed);

  std::vector<BatchQueue> queues(args.workers);
  std::vector<std::vector<events::Event>> pending(args.workers);
  std::vector<size_t> target(args.workers);
  for (size_t& t : target) t = 1 + rng.Below(kBatchEventsMax);
  std::vector<std::thread> threads;
  bool started = false;
  auto start_workers = [&] {
    // Idempotent retry across the crash: already stored events again are
    // acknowledged as duplicates and write nothing.
    if (!stored_tail.empty()) {
      ledger::AppendResult r;
      Status d = ledger->Append(stored_tail, ledger::AppendOptions(), &r);
      if (!d.ok() || r.duplicates != stored_tail.size() || r.appended != 0) {
        Die("re-append of " + std::to_string(stored_tail.size()) +
            " stored events: " + d.ToString() + ", " + std::to_string(r.duplicates) +
            " duplicates, " + std::to_string(r.appended) + " appended");
      }
    }
    for (size_t w = 0; w < args.workers; ++w) {
      threads.emplace_back(Worker, w, std::cref(args), ledger.get(), &queues[w], &intent, &ack);
    }
    started = true;
  };

  tools::GeneratorOptions g;
  g.contracts = args.contracts;
  g.days = args.days;
  g.seed = args.workload_seed;
  g.close_periods = false;  // workers interleave contracts out of date order
  g.approvals = false;      // the policy is ledger-wide as well
  uint64_t skipped = 0;
  s = tools::GenerateEvents(
      g,
      [&](const events::Event& e) -> Status {
        auto [it, inserted] = progress.try_emplace(e.contract);
        ContractProgress& p = it->second;
        if (inserted) {
          CCL_RETURN_IF_ERROR(ledger->StreamVersion(e.contract, &p.stored));
          p.worker = std::hash<std::string>()(e.contract) % args.workers;
        }
        if (++p.seen <= p.stored) {
          ++skipped;
          stored_tail.push_back(e);
          if (stored_tail.size() > 3) stored_tail.erase(stored_tail.begin());
          return Status::OK();
        }
        if (!started) start_workers();
        std::vector<events::Event>& b = pending[p.worker];
        b.push_back(e);
        if (b.size() >= target[p.worker]) {
          queues[p.worker].Push(std::move(b));
          b.clear();
          target[p.worker] = 1 + rng.Below(kBatchEventsMax);
        }
        return Status::OK();
      },
      nullptr);
  if (!s.ok()) Die("generate: " + s.ToString());
  if (!started) start_workers();
  for (size_t w = 0; w < args.workers; ++w) {
    if (!pending[w].empty()) queues[w].Push(std::move(pending[w]));
    queues[w].Push({});
  }
  for (std::thread& t : threads) t.join();
  std::printf("exhausted: %llu events were already stored\n",
              static_cast<unsigned long long>(skipped));
  return 0;
}

}  // namespace
}  // namespace ccl::reliability

int main(int argc, char** argv) {
  return ccl::reliability::Run(ccl::reliability::ParseArgs(argc, argv));
}

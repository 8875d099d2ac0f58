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
// Restart: the workload is deterministic (tools/generator/generator.h, --workload-seed),
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
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

#include "events/model/event.h"
#include "ledger/store/ledger.h"
#include "projections/folds/registry.h"
#include "projections/folds/runner.h"
#include "tests/reliability/reliability_util.h"
#include "tools/generator/generator.h"

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
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) Die("cannot open " + path + ": " + std::strerror(errno));
    TrimTornLine(path);
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
  // A kill inside the write() of a line longer than a page can leave part of
  // it (the kernel stops copying between pages for a fatal signal): cut the
  // file back to its last full line, or this run's first line would run into
  // the fragment and the checker could not read the log (seed 1553639307).
  // A cut intent was never followed by its Append; a cut ack only checks less.
  void TrimTornLine(const std::string& path) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) Die("cannot stat " + path + ": " + std::strerror(errno));
    off_t end = st.st_size;
    for (char c = 0; end > 0; --end) {
      if (::pread(fd_, &c, 1, end - 1) != 1)
        Die("cannot read " + path + ": " + std::strerror(errno));
      if (c == '\n') break;
    }
    if (end == st.st_size) return;
    if (::ftruncate(fd_, end) != 0 || ::fsync(fd_) != 0) {
      Die("cannot cut the torn line of " + path + ": " + std::strerror(errno));
    }
  }

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

std::unique_ptr<ledger::Ledger> OpenLedger(const std::string& path) {
  ledger::Options options;
  options.create_if_missing = true;  // a kill may land in the creation too
  options.sync = true;
  std::unique_ptr<ledger::Ledger> ledger;
  Status s = ledger::Ledger::Open(options, path, &ledger);
  if (!s.ok()) Die("open: " + s.ToString());
  return ledger;
}

// One run of the writer: feeds the generated workload, minus what a killed
// run already stored, to the workers in random-sized batches.
class Writer {
 public:
  explicit Writer(const Args& args)
      : args_(args),
        ledger_(OpenLedger(args.db)),
        intent_(args.logs + "/intent.log"),
        ack_(args.logs + "/ack.log"),
        rng_(args.batch_seed),
        queues_(args.workers),
        pending_(args.workers),
        target_(args.workers) {
    for (size_t& t : target_) t = 1 + rng_.Below(kBatchEventsMax);
  }

  int Run() {
    tools::GeneratorOptions g;
    g.contracts = args_.contracts;
    g.days = args_.days;
    g.seed = args_.workload_seed;
    g.close_periods = false;  // workers interleave contracts out of date order
    g.approvals = false;      // the policy is ledger-wide as well
    Status s = tools::GenerateEvents(
        g, [this](const events::Event& e) { return Take(e); }, nullptr);
    if (!s.ok()) Die("generate: " + s.ToString());
    if (!started_) StartWorkers();
    for (size_t w = 0; w < args_.workers; ++w) {
      if (!pending_[w].empty()) queues_[w].Push(std::move(pending_[w]));
      queues_[w].Push({});
    }
    for (std::thread& t : threads_) t.join();
    std::printf("exhausted: %llu events were already stored\n",
                static_cast<unsigned long long>(skipped_));
    return 0;
  }

 private:
  // Per contract: events of it seen in the workload, and how many are stored.
  struct ContractProgress {
    uint64_t seen = 0;
    uint64_t stored = 0;
    size_t worker = 0;
  };

  // Skips `e` when a killed run stored it, else adds it to its worker's
  // batch (starting the workers at the first event not stored yet).
  Status Take(const events::Event& e) {
    auto [it, inserted] = progress_.try_emplace(e.contract);
    ContractProgress& p = it->second;
    if (inserted) {
      CCL_RETURN_IF_ERROR(ledger_->StreamVersion(e.contract, &p.stored));
      p.worker = std::hash<std::string>()(e.contract) % args_.workers;
    }
    if (++p.seen <= p.stored) {
      ++skipped_;
      stored_tail_.push_back(e);
      if (stored_tail_.size() > 3) stored_tail_.erase(stored_tail_.begin());
      return Status::OK();
    }
    if (!started_) StartWorkers();
    std::vector<events::Event>& b = pending_[p.worker];
    b.push_back(e);
    if (b.size() >= target_[p.worker]) {
      queues_[p.worker].Push(std::move(b));
      b.clear();
      target_[p.worker] = 1 + rng_.Below(kBatchEventsMax);
    }
    return Status::OK();
  }

  void StartWorkers() {
    // Idempotent retry across the crash: already stored events again are
    // acknowledged as duplicates and write nothing.
    if (!stored_tail_.empty()) {
      ledger::AppendResult r;
      Status d = ledger_->Append(stored_tail_, ledger::AppendOptions(), &r);
      if (!d.ok() || r.duplicates != stored_tail_.size() || r.appended != 0) {
        Die("re-append of " + std::to_string(stored_tail_.size()) +
            " stored events: " + d.ToString() + ", " + std::to_string(r.duplicates) +
            " duplicates, " + std::to_string(r.appended) + " appended");
      }
    }
    for (size_t w = 0; w < args_.workers; ++w) {
      threads_.emplace_back(Worker, w, std::cref(args_), ledger_.get(), &queues_[w], &intent_,
                            &ack_);
    }
    started_ = true;
  }

  const Args& args_;
  std::unique_ptr<ledger::Ledger> ledger_;
  LogFile intent_;
  LogFile ack_;
  std::map<std::string, ContractProgress> progress_;
  std::vector<events::Event> stored_tail_;  // the last few already stored events
  tools::Xoshiro256 rng_;
  std::vector<BatchQueue> queues_;
  std::vector<std::vector<events::Event>> pending_;
  std::vector<size_t> target_;
  std::vector<std::thread> threads_;
  bool started_ = false;
  uint64_t skipped_ = 0;
};

}  // namespace
}  // namespace ccl::reliability

int main(int argc, char** argv) {
  // Dies with the test that started it, so a failed test leaves no writer
  // appending behind it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const ccl::reliability::Args args = ccl::reliability::ParseArgs(argc, argv);
  return ccl::reliability::Writer(args).Run();
}

// The sink's events read from the ledger itself (tools/sink/sink_source.h).
#include <cassert>
#include <thread>

#include "events/model/uuid.h"
#include "ledger/store/range_iterator.h"
#include "projections/folds/runner.h"
#include "tools/feed/contract_currency.h"
#include "tools/sink/sink_source.h"

namespace ccl::sink {

namespace {

// Runs fn() on a thread of its own from construction; Join returns its
// Status. The destructor joins too, so no path leaves the thread running.
class FoldThread {
 public:
  explicit FoldThread(std::function<Status()> fn)
      : thread_([this, fn = std::move(fn)] { status_ = fn(); }) {}
  ~FoldThread() {
    if (thread_.joinable()) thread_.join();
  }
  FoldThread(const FoldThread&) = delete;
  FoldThread& operator=(const FoldThread&) = delete;
  Status Join() {
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  Status status_;
  std::thread thread_;  // last: starts after the field it writes exists
};

class LedgerSource : public SinkSource {
 public:
  explicit LedgerSource(ledger::Ledger* ledger)
      : ledger_(ledger),
        name_("ledger at " + ledger->path()),
        id_(events::FormatUuid(ledger->ledger_id())),
        runner_(ledger, RunnerOptions()),
        currencies_(ledger) {}

  const std::string& name() const override { return name_; }
  const std::string& ledger_id() const override { return id_; }
  uint64_t head() const override { return ledger_->head().seq; }

  Status Start(uint64_t seq, projections::ProjectionSet* set, ledger::Hash* hash) override {
    CCL_RETURN_IF_ERROR(Fold(1, seq, set));
    if (seq == 0) {
      *hash = ledger::GenesisHash(ledger_->ledger_id());
      return Status::OK();
    }
    return ledger_->GetChainHash(seq, hash);
  }

  Status Batch(uint64_t first, uint64_t last, projections::ProjectionSet* set,
               const SourceRowFn& row) override {
    assert(first >= 1 && first <= last);
    // The projections advance on a thread of their own while the rows are
    // handed out: the fold is most of the sink's own CPU, and the rows'
    // consumer mostly waits for PostgreSQL.
    FoldThread fold([this, first, last, set] { return Fold(first, last, set); });
    CCL_RETURN_IF_ERROR(Rows(first, last, row));
    return fold.Join();
  }

  Status Wait(uint32_t ms) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ledger_->Refresh();
  }

 private:
  static projections::RunnerOptions RunnerOptions() {
    projections::RunnerOptions o;
    o.save_checkpoints = false;  // the sink keeps its state in memory
    return o;
  }

  Status Fold(uint64_t first, uint64_t last, projections::ProjectionSet* set) {
    projections::RunStats run;
    const std::vector<projections::Projection*> all = set->All();
    CCL_RETURN_IF_ERROR(runner_.Advance(first, last, all, &run));
    if (run.to_seq != last) {
      return Status::Corruption("ledger: projections reached seq " + std::to_string(run.to_seq) +
                                ", expected " + std::to_string(last));
    }
    return Status::OK();
  }

  Status Rows(uint64_t first, uint64_t last, const SourceRowFn& row) {
    std::unique_ptr<ledger::EventIterator> it = ledger::NewRangeIterator(ledger_, first, last);
    uint64_t expect = first;
    ledger::Hash hash{};
    for (; it->Valid() && it->seq() <= last; it->Next(), ++expect) {
      if (it->seq() != expect) {
        return Status::Corruption("ledger: seq " + std::to_string(expect) + " missing");
      }
      CCL_RETURN_IF_ERROR(it->chain_hash(&hash));
      std::string_view currency;
      CCL_RETURN_IF_ERROR(currencies_.CurrencyFor(it->event(), &currency));
      CCL_RETURN_IF_ERROR(row({&it->event(), currency, it->bytes(), &hash}));
    }
    CCL_RETURN_IF_ERROR(it->status());
    if (expect != last + 1) {
      return Status::Corruption("ledger: seq " + std::to_string(expect) + " missing");
    }
    return Status::OK();
  }

  ledger::Ledger* ledger_;
  const std::string name_;
  const std::string id_;
  projections::Runner runner_;
  feed::ContractCurrencies currencies_;  // the currency each payload's amounts carry
};

}  // namespace

std::unique_ptr<SinkSource> NewLedgerSource(ledger::Ledger* ledger) {
  assert(ledger != nullptr);
  return std::make_unique<LedgerSource>(ledger);
}

}  // namespace ccl::sink

// backdated_ledger DB [CONTRACTS DAYS SEED]: a generated ledger whose
// recorded_at follows each event's effective_at, as if every event had been
// recorded on the day it happened. `ledgerctl import` records a whole file at
// one instant, so only such a ledger has months to package: this program
// exists to measure `ledgerctl audit-package --period` (README "Audit
// package"). Not a test; run by hand.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "events/base/time_format.h"
#include "ledger/store/ledger.h"
#include "tools/generator/generator.h"

namespace {

// The ledger's clock, set before each append to its batch's last event.
class BatchClock final : public ccl::ledger::Clock {
 public:
  int64_t NowNs() override { return now_ns; }
  int64_t now_ns = 0;
};

constexpr size_t kBatchEvents = 10'000;

int Fail(const ccl::Status& s) {
  std::fprintf(stderr, "backdated_ledger: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 5) {
    std::fprintf(stderr, "usage: backdated_ledger DB [CONTRACTS DAYS SEED]\n");
    return 2;
  }
  ccl::tools::GeneratorOptions g;
  if (argc == 5) {
    g.contracts = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
    g.days = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
    g.seed = std::strtoull(argv[4], nullptr, 10);
  }
  BatchClock clock;
  ccl::ledger::Options options;
  options.create_if_missing = true;
  options.clock = &clock;
  std::unique_ptr<ccl::ledger::Ledger> ledger;
  ccl::Status s = ccl::ledger::Ledger::Open(options, argv[1], &ledger);
  if (!s.ok()) return Fail(s);
  std::vector<ccl::events::Event> batch;
  auto flush = [&]() -> ccl::Status {
    if (batch.empty()) return ccl::Status::OK();
    clock.now_ns = batch.back().effective_at_ns;
    ccl::ledger::AppendResult result;
    ccl::Status a = ledger->Append(batch, ccl::ledger::AppendOptions(), &result);
    batch.clear();
    return a;
  };
  ccl::tools::GeneratorStats stats;
  s = ccl::tools::GenerateEvents(
      g,
      [&](const ccl::events::Event& e) {
        // One batch per effective day (at most kBatchEvents), recorded then.
        ccl::Status f;
        if (!batch.empty() && (batch.size() >= kBatchEvents ||
                               ccl::events::DayOf(e.effective_at_ns) !=
                                   ccl::events::DayOf(batch.back().effective_at_ns))) {
          f = flush();
        }
        batch.push_back(e);
        return f;
      },
      &stats);
  if (s.ok()) s = flush();
  if (!s.ok()) return Fail(s);
  std::printf("%llu events, head seq %llu\n", static_cast<unsigned long long>(stats.events),
              static_cast<unsigned long long>(ledger->head().seq));
  return 0;
}

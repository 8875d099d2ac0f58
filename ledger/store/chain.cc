// The hash chains (ChainHash, GenesisHash, AccessGenesisHash) and the system clock.
#include <chrono>
#include <cstdlib>

#include "ledger/merkle/merkle.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"

namespace ccl::ledger {

namespace {

class SystemClockImpl final : public Clock {
 public:
  int64_t NowNs() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Hash ChainHash(const Hash& previous, uint64_t seq, std::string_view event_bytes) {
  SeqKey be(seq);
  Sha256Stream c;
  c.Update(previous.data(), previous.size());
  c.Update(be.bytes, sizeof(be.bytes));
  c.Update(event_bytes);
  return c.Finish();
}

namespace {

// SHA-256(tag || ledger_id): the genesis of a chain (the tag without a terminator).
Hash TaggedIdHash(std::string_view tag, const events::Uuid& ledger_id) {
  Sha256Stream c;
  c.Update(tag);
  c.Update(ledger_id.data(), ledger_id.size());
  return c.Finish();
}

}  // namespace

Hash GenesisHash(const events::Uuid& ledger_id) { return TaggedIdHash("ccl-genesis", ledger_id); }

Hash AccessGenesisHash(const events::Uuid& ledger_id) {
  return TaggedIdHash("ccl-access-genesis", ledger_id);
}

Clock* SystemClock() {
  static SystemClockImpl clock;
  return &clock;
}

}  // namespace ccl::ledger

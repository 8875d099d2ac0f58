// The hash chains (ChainHash, GenesisHash, AccessGenesisHash) and the system clock.
#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>

#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"

namespace ccl::ledger {

namespace {

// One fetched SHA-256 implementation for the process and one digest context
// per thread: fetching and allocating per hash would double its cost, and a
// verify or a bulk append hashes millions of events.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* ThreadContext() {
  thread_local DigestContext c;
  return c.ctx;
}

// libcrypto fails here only when it cannot allocate or has no SHA-256 at all;
// a ledger that cannot hash must not go on appending or verifying.
void CheckCrypto(int ok) {
  if (ok != 1) std::abort();
}

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
  EVP_MD_CTX* ctx = ThreadContext();
  const EVP_MD* md = Sha256Md();
  if (ctx == nullptr || md == nullptr) std::abort();
  SeqKey be(seq);
  Hash out;
  unsigned int len = 0;
  CheckCrypto(EVP_DigestInit_ex(ctx, md, nullptr));
  CheckCrypto(EVP_DigestUpdate(ctx, previous.data(), previous.size()));
  CheckCrypto(EVP_DigestUpdate(ctx, be.bytes, sizeof(be.bytes)));
  CheckCrypto(EVP_DigestUpdate(ctx, event_bytes.data(), event_bytes.size()));
  CheckCrypto(EVP_DigestFinal_ex(ctx, out.data(), &len));
  return out;
}

namespace {

// SHA-256(tag || ledger_id): the genesis of a chain (the tag without a terminator).
Hash TaggedIdHash(std::string_view tag, const events::Uuid& ledger_id) {
  EVP_MD_CTX* ctx = ThreadContext();
  const EVP_MD* md = Sha256Md();
  if (ctx == nullptr || md == nullptr) std::abort();
  Hash out;
  unsigned int len = 0;
  CheckCrypto(EVP_DigestInit_ex(ctx, md, nullptr));
  CheckCrypto(EVP_DigestUpdate(ctx, tag.data(), tag.size()));
  CheckCrypto(EVP_DigestUpdate(ctx, ledger_id.data(), ledger_id.size()));
  CheckCrypto(EVP_DigestFinal_ex(ctx, out.data(), &len));
  return out;
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

// FeedEventReader against a real ledger: every event of a generated workload
// (every type, month closes with their sealed figures and reversals
// included), written as ledgerd's feed writes it, reads back into the very
// bytes and hashes the ledger stores; a changed field, a gap or a missing
// hash is refused.
#include "tools/sink/feed_event.h"

#include <gtest/gtest.h>

#include <set>

#include "events/model/json.h"
#include "tests/tools/feed/feed_test_util.h"
#include "tools/feed/contract_currency.h"
#include "tools/generator/generator.h"

namespace ccl::sink {
namespace {

using feed::testing::OpenLedgerAt;

// The line ledgerd's feed sends for the event at the iterator.
std::string FeedLine(ledger::EventIterator* it, feed::ContractCurrencies* currencies) {
  ledger::Hash hash{};
  EXPECT_TRUE(it->chain_hash(&hash).ok());
  events::JsonOutputOptions options;
  options.hash = hash.data();
  EXPECT_TRUE(currencies->CurrencyFor(it->event(), &options.contract_currency).ok());
  std::string line;
  events::AppendEventJson(it->event(), options, &line);
  return line;
}

class FeedEventTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = OpenLedgerAt(dir_.Sub("db"), false);
    ASSERT_NE(ledger_, nullptr);
    tools::GeneratorOptions o;
    o.contracts = 6;
    o.days = 100;
    o.seed = 3;
    std::vector<events::Event> batch;
    auto flush = [&] {
      ledger::AppendResult r;
      Status s = ledger_->Append(batch, ledger::AppendOptions(), &r);
      batch.clear();
      return s;
    };
    Status s = tools::GenerateEvents(
        o,
        [&](const events::Event& e) {
          batch.push_back(e);
          return batch.size() < 200 ? Status::OK() : flush();
        },
        nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(flush().ok());
  }

  feed::testing::TempDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
};

TEST_F(FeedEventTest, EveryEventReadsBackIntoTheStoredBytesAndHash) {
  feed::ContractCurrencies currencies(ledger_.get());
  FeedEventReader reader;
  FeedEvent out;
  ledger::Hash previous = ledger::GenesisHash(ledger_->ledger_id());
  std::set<events::EventType> types;
  uint64_t seq = 0;
  for (auto it = ledger_->NewIterator(1); it->Valid(); it->Next()) {
    const std::string line = FeedLine(it.get(), &currencies);
    Status s = reader.Read(line, seq, previous, &out);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << line;
    ASSERT_EQ(out.bytes, it->bytes()) << line;
    ASSERT_TRUE(it->chain_hash(&previous).ok());
    ASSERT_EQ(out.hash, previous);
    types.insert(out.event.type);
    seq = out.event.seq;
  }
  EXPECT_EQ(seq, ledger_->head().seq);
  EXPECT_TRUE(types.count(events::EventType::kPeriodClosed)) << "no sealed figures read";
  EXPECT_TRUE(types.count(events::EventType::kEntryReversed));
  EXPECT_TRUE(types.count(events::EventType::kHoursBooked));
  EXPECT_TRUE(types.count(events::EventType::kApproved)) << "no pending event approved";
}

TEST_F(FeedEventTest, AChangedFieldAGapOrAMissingHashIsRefused) {
  feed::ContractCurrencies currencies(ledger_.get());
  FeedEventReader reader;
  FeedEvent out;
  ledger::Hash h0 = ledger::GenesisHash(ledger_->ledger_id());
  auto it = ledger_->NewIterator(1);
  ASSERT_TRUE(it->Valid());
  const std::string line = FeedLine(it.get(), &currencies);
  ASSERT_TRUE(reader.Read(line, 0, h0, &out).ok());

  // The actor's name changed by one letter: the hash no longer follows.
  std::string changed = line;
  ASSERT_NE(changed.find("\"actor\":\""), std::string::npos) << line;
  const size_t at = changed.find("\"actor\":\"") + 9;
  changed[at] = changed[at] == 'X' ? 'Y' : 'X';
  Status s = reader.Read(changed, 0, h0, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("seq 1"), std::string::npos) << s.ToString();

  // Another history before it, or a seq out of turn.
  ledger::Hash other = h0;
  other[0] ^= 1;
  EXPECT_TRUE(reader.Read(line, 0, other, &out).IsCorruption());
  EXPECT_TRUE(reader.Read(line, 1, h0, &out).IsCorruption());

  // Without its hash the line cannot be checked.
  events::JsonOutputOptions no_hash;
  std::string bare;
  events::AppendEventJson(it->event(), no_hash, &bare);
  s = reader.Read(bare, 0, h0, &out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("hash"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace ccl::sink

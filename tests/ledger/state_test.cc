// The persisted write model state and key encodings: round trips, and every
// truncation or bad byte rejected rather than misread.
#include <gtest/gtest.h>

#include <cstdio>

#include "ledger/contract_state.h"
#include "ledger/keys.h"

namespace ccl::ledger {
namespace {

ContractState Sample() {
  ContractState c;
  c.closed = true;
  c.customer = "Department of Examples";
  c.currency = "EUR";
  c.term_start_day = 20454;
  c.term_end_day = 20818;
  c.stream_version = 42;
  c.last_seq = 1234567;
  LineState a;
  a.service_line = events::ServiceLine::kProactive;
  a.overage = events::Overage::kReject;
  a.funded_minutes = 6000;
  a.consumed_minutes = 5990;
  a.base_rate_minor = 25000;
  LineState b;
  b.service_line = events::ServiceLine::kServiceDelivery;
  b.overage = events::Overage::kAllow;
  b.funded_minutes = 0;
  b.consumed_minutes = -0;
  b.base_rate_minor = 1;
  b.rate_changes = {{-5, 7}, {1'800'000'000'000'000'000, 1'000'000'000}};
  c.lines = {a, b};
  return c;
}

TEST(LedgerStateTest, ContractStateRoundTrip) {
  std::string bytes;
  EncodeContractState(Sample(), &bytes);
  ContractState back;
  ASSERT_TRUE(DecodeContractState(bytes, &back).ok());
  EXPECT_EQ(back, Sample());
}

TEST(LedgerStateTest, ContractStateTruncationsAndTrailingBytesRejected) {
  std::string bytes;
  EncodeContractState(Sample(), &bytes);
  ContractState back;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(DecodeContractState(bytes.substr(0, n), &back).IsCorruption()) << n;
  }
  EXPECT_TRUE(DecodeContractState(bytes + "x", &back).IsCorruption());
  std::string bad = bytes;
  bad[0] = 2;  // unknown format
  EXPECT_TRUE(DecodeContractState(bad, &back).IsCorruption());
  bad = bytes;
  bad[1] = 3;  // neither open nor closed
  EXPECT_TRUE(DecodeContractState(bad, &back).IsCorruption());
}

TEST(LedgerStateTest, RateAtPicksLatestEffectiveThenLatestAppended) {
  LineState l;
  l.base_rate_minor = 100;
  l.rate_changes = {{50, 200}, {30, 300}, {50, 400}};
  EXPECT_EQ(l.RateAt(29), 100);
  EXPECT_EQ(l.RateAt(30), 300);
  EXPECT_EQ(l.RateAt(49), 300);
  EXPECT_EQ(l.RateAt(50), 400);
  EXPECT_EQ(l.RateAt(1000), 400);
}

TEST(LedgerStateTest, EscalationState) {
  EscalationState s{false, events::Severity::kC};
  EscalationState back;
  ASSERT_TRUE(DecodeEscalationState(EncodeEscalationState(s), &back).ok());
  EXPECT_EQ(back, s);
  EXPECT_TRUE(DecodeEscalationState("", &back).IsCorruption());
  EXPECT_TRUE(DecodeEscalationState(std::string("\x01\x04", 2), &back).IsCorruption());
  EXPECT_TRUE(DecodeEscalationState(std::string("\x03\x01", 2), &back).IsCorruption());
}

TEST(LedgerStateTest, KeysSortNumericallyAndParse) {
  EXPECT_LT(std::string(SeqKey(255).view()), std::string(SeqKey(256).view()));
  EXPECT_LT(StreamKey("C1", 9), StreamKey("C1", 10));
  EXPECT_LT(StreamKey("C1", UINT64_MAX), StreamKey("C10", 1));  // streams stay contiguous
  std::string_view contract;
  uint64_t version = 0;
  ASSERT_TRUE(ParseStreamKey(StreamKey("C-1.x", 77), &contract, &version));
  EXPECT_EQ(contract, "C-1.x");
  EXPECT_EQ(version, 77u);
  EXPECT_FALSE(ParseStreamKey("short", &contract, &version));
  std::string_view c, e;
  ASSERT_TRUE(ParseEscalationKey(EscalationKey("C1", std::string("E\0x", 3)), &c, &e));
  EXPECT_EQ(c, "C1");
  EXPECT_EQ(e, std::string_view("E\0x", 3));
  Head h;
  h.seq = 5;
  h.hash[31] = 9;
  h.recorded_at_ns = -3;
  Head back;
  ASSERT_TRUE(DecodeHead(EncodeHead(h), &back));
  EXPECT_EQ(back.seq, 5u);
  EXPECT_EQ(back.hash, h.hash);
  EXPECT_EQ(back.recorded_at_ns, -3);
  EXPECT_FALSE(DecodeHead("x", &back));
}

TEST(LedgerStateTest, GenesisAndChainHashVectors) {
  // Independent of our code: SHA-256("ccl-genesis" || 16 zero bytes) and
  // SHA-256(h0 || BE64(1) || "abc") as computed by sha256sum.
  events::Uuid zero{};
  const Hash h0 = GenesisHash(zero);
  const Hash h1 = ChainHash(h0, 1, "abc");
  auto hex = [](const Hash& h) {
    std::string s;
    char b[3];
    for (uint8_t x : h) {
      std::snprintf(b, sizeof(b), "%02x", x);
      s += b;
    }
    return s;
  };
  EXPECT_EQ(hex(h0), "c541a4f1859f10b462fe9ba92acdc60268cfb77219b2ab01ccebd5cbeb9355ea");
  EXPECT_EQ(hex(h1), "3833e7dd3a6821196b326b2ebcd5922eddf044211c62b3286989b72aa6defe0d");
}

}  // namespace
}  // namespace ccl::ledger

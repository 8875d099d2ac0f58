// The persisted write model state and key encodings: round trips, and every
// truncation or bad byte rejected rather than misread.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "events/base/time_format.h"
#include "events/model/codec.h"
#include "events/model/uuid.h"
#include "ledger/store/contract_state.h"
#include "ledger/store/keys.h"
#include "ledger/store/ledger.h"
#include "tests/testing/codec.h"

namespace ccl::ledger {
namespace {

using test_codec::ExpectTruncationsAndTrailingBytesRefused;
using test_codec::RoundTrip;

ContractState Sample() {
  ContractState c;
  c.closed = true;
  c.customer = "Department of Examples";
  c.currency = "EUR";
  c.term_start_day = 20454;
  c.term_end_day = 20818;
  c.stream_version = 42;
  c.last_seq = 1234567;
  c.opened_at_ns = -86'400'000'000'000;  // before 1970: signed
  c.last_effective_at_ns = 1'790'000'000'000'000'000;
  c.last_consumption_at_ns = 1'780'000'000'000'000'000;
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
  EXPECT_EQ(RoundTrip(Sample(), EncodeContractState, DecodeContractState), Sample());
}

TEST(LedgerStateTest, ContractStateTruncationsAndTrailingBytesRejected) {
  std::string bytes;
  EncodeContractState(Sample(), &bytes);
  ExpectTruncationsAndTrailingBytesRefused<ContractState>(bytes, DecodeContractState);
  ContractState back;
  std::string bad = bytes;
  bad[0] = 1;  // format 1 had no effective_at fields
  EXPECT_TRUE(DecodeContractState(bad, &back).IsCorruption());
  bad[0] = 3;  // unknown format
  EXPECT_TRUE(DecodeContractState(bad, &back).IsCorruption());
  bad = bytes;
  bad[1] = 3;  // neither open nor closed
  EXPECT_TRUE(DecodeContractState(bad, &back).IsCorruption());
}

// The ledger stream's approval section is written only with a policy or
// pending events; one present but empty is not canonical and is refused (the
// fuzzer found it decoding to a state that re-encodes without it).
TEST(LedgerStateTest, LedgerStreamApprovalSectionIsCanonical) {
  ContractState c;
  c.ledger_stream = true;
  c.stream_version = 3;
  c.last_seq = 9;
  std::string without;
  EncodeContractState(c, &without);
  ContractState back;
  ASSERT_TRUE(DecodeContractState(without, &back).ok());
  c.approval_types = 0;
  c.approval_threshold_minutes = 60;
  c.pending_seqs = {4, 7};
  std::string with;
  EncodeContractState(c, &with);
  ASSERT_TRUE(DecodeContractState(with, &back).ok());
  EXPECT_EQ(back.pending_seqs, (std::vector<uint64_t>{4, 7}));
  std::string again;
  EncodeContractState(back, &again);
  EXPECT_EQ(again, with);
  // The section with nothing in it: types 0, threshold 0, no pending event.
  const std::string empty = without + std::string(4 + 8 + 4, '\0');
  EXPECT_TRUE(DecodeContractState(empty, &back).IsCorruption());
}

TEST(LedgerStateTest, ContractStateWithoutConsumptionRoundTrips) {
  ContractState c = Sample();
  c.last_consumption_at_ns = ContractState::kNoConsumption;
  EXPECT_EQ(RoundTrip(c, EncodeContractState, DecodeContractState), c);
}

TEST(LedgerStateTest, ContractStateEffectiveAtValuesOutOfOrderRejected) {
  // Every event is at or after the opening: a state saying otherwise is not
  // one the rules can produce.
  ContractState back;
  std::string bytes;
  ContractState c = Sample();
  c.last_effective_at_ns = c.opened_at_ns - 1;
  c.last_consumption_at_ns = ContractState::kNoConsumption;
  EncodeContractState(c, &bytes);
  EXPECT_TRUE(DecodeContractState(bytes, &back).IsCorruption());
  c = Sample();
  c.last_consumption_at_ns = c.last_effective_at_ns + 1;
  EncodeContractState(c, &bytes);
  EXPECT_TRUE(DecodeContractState(bytes, &back).IsCorruption());
  c = Sample();
  c.last_consumption_at_ns = c.opened_at_ns - 1;
  EncodeContractState(c, &bytes);
  EXPECT_TRUE(DecodeContractState(bytes, &back).IsCorruption());
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
  EscalationState s{false, events::Severity::kC, -5};
  EscalationState back;
  const std::string bytes = EncodeEscalationState(s);
  ASSERT_EQ(bytes.size(), 10u);
  EXPECT_EQ(RoundTrip(s, EncodeEscalationState, DecodeEscalationState), s);
  ExpectTruncationsAndTrailingBytesRefused<EscalationState>(bytes, DecodeEscalationState);
  std::string bad = bytes;
  bad[1] = 4;  // no severity D
  EXPECT_TRUE(DecodeEscalationState(bad, &back).IsCorruption());
  bad = bytes;
  bad[0] = 3;  // neither open nor resolved
  EXPECT_TRUE(DecodeEscalationState(bad, &back).IsCorruption());
}

TEST(LedgerStateTest, KeysSortNumericallyAndParse) {
  EXPECT_LT(std::string(SeqKey(255).view()), std::string(SeqKey(256).view()));
  EXPECT_LT(StreamKey("C1", 9), StreamKey("C1", 10));
  EXPECT_LT(StreamKey("C1", UINT64_MAX), StreamKey("C10", 1));  // streams stay contiguous
  std::string_view contract;
  uint64_t version = 0;
  // The parsed views point into the key: keep it alive while they are used.
  const std::string stream_key = StreamKey("C-1.x", 77);
  ASSERT_TRUE(ParseStreamKey(stream_key, &contract, &version));
  EXPECT_EQ(contract, "C-1.x");
  EXPECT_EQ(version, 77u);
  EXPECT_FALSE(ParseStreamKey("short", &contract, &version));

  // A `streams` value: BE64 seq, then the event's stored bytes.
  std::string value;
  StreamValueInto(0x0102030405060708ull, "event bytes", &value);
  EXPECT_EQ(value, std::string("\x01\x02\x03\x04\x05\x06\x07\x08"
                               "event bytes"));
  uint64_t seq = 0;
  std::string_view stored;
  ASSERT_TRUE(ParseStreamValue(value, &seq, &stored));
  EXPECT_EQ(seq, 0x0102030405060708ull);
  EXPECT_EQ(stored, "event bytes");
  EXPECT_FALSE(ParseStreamValue("1234567", &seq, &stored));
  std::string_view c, e;
  const std::string escalation_key = EscalationKey("C1", std::string("E\0x", 3));
  ASSERT_TRUE(ParseEscalationKey(escalation_key, &c, &e));
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

std::string Hex(std::string_view bytes) {
  std::string s;
  char b[3];
  for (unsigned char x : bytes) {
    std::snprintf(b, sizeof(b), "%02x", x);
    s += b;
  }
  return s;
}

// The worked example of schemas/FORMAT.md "Hash chain": if this fails, the
// stored format changed (or the document is wrong) and one must be fixed.
TEST(LedgerFormatTest, WorkedExample) {
  events::Event e;
  e.type = events::EventType::kHoursBooked;
  ASSERT_TRUE(events::ParseUuid("1b4e28ba-2fa1-41d2-883f-0016d3cca427", &e.event_id));
  e.contract = "C-2026-001";
  ASSERT_TRUE(events::ParseInstant("2026-03-02T09:00:00Z", &e.effective_at_ns).ok());
  e.actor = "alice";
  e.source = "timesheets.jsonl";
  e.engineer = "bob";
  e.service_line = events::ServiceLine::kReactive;
  e.minutes = 90;
  e.cost_rate_minor = 12000;
  e.seq = 1;
  e.stream_version = 1;
  ASSERT_TRUE(events::ParseInstant("2026-03-02T17:30:00.000000001Z", &e.recorded_at_ns).ok());
  e.applied_bill_rate_minor = 30000;
  std::string bytes;
  events::EncodeEvent(e, &bytes);
  EXPECT_EQ(Hex(bytes),
            "2800000043434c310000000000001a0048002800080018003000380040001c0020000000070024001a"
            "000000000000031b4e28ba2fa141d2883f0016d3cca42790000000800000006400000034000000010000"
            "0000000000010000000000000000a0fbb29bfa981801f01c517016991810002400080007000c001000"
            "0000180010000000000000021c0000005a000000e02e00000000000030750000000000000000000003"
            "000000626f62001000000074696d657368656574732e6a736f6e6c0000000005000000616c69636500"
            "00000a000000432d323032362d3030310000");
  events::Uuid ledger_id;
  ASSERT_TRUE(events::ParseUuid("00112233-4455-4677-8899-aabbccddeeff", &ledger_id));
  const Hash h0 = GenesisHash(ledger_id);
  const Hash h1 = ChainHash(h0, 1, bytes);
  EXPECT_EQ(Hex(std::string_view(reinterpret_cast<const char*>(h0.data()), 32)),
            "f1441fdebfd954ca78ade225edc3f8133ce71d9f7d78a8915c589bc631228894");
  EXPECT_EQ(Hex(std::string_view(reinterpret_cast<const char*>(h1.data()), 32)),
            "b2d65a1fc2f1dca0a2180b9adc8bc33e6fe2ed08eb6b01f0bbe6464e0f45316b");
  // Its `streams` entry: the stream key, and the seq followed by the very
  // same bytes.
  EXPECT_EQ(Hex(StreamKey(e.contract, e.stream_version)), "432d323032362d303031000000000000000001");
  std::string value;
  StreamValueInto(1, bytes, &value);
  EXPECT_EQ(Hex(value), "0000000000000001" + Hex(bytes));
}

TEST(LedgerStateTest, Key16LessIsTheIdsTablesByteOrder) {
  const unsigned seed = 20261207;
  std::printf("seed %u\n", seed);
  std::srand(seed);
  std::vector<events::Uuid> ids(2000);
  for (size_t i = 0; i < ids.size(); ++i) {
    for (auto& b : ids[i]) b = static_cast<uint8_t>(std::rand());
    // Equal first halves and bytes with the top bit set, where a signed
    // compare or one half alone would go wrong.
    if (i % 3 == 1) std::copy_n(ids[i - 1].begin(), 8, ids[i].begin());
    if (i % 7 == 0) ids[i][0] = 0x80 | ids[i][0];
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = 0; j < ids.size(); j += 13) {
      const bool memcmp_less = std::memcmp(ids[i].data(), ids[j].data(), 16) < 0;
      ASSERT_EQ(Key16Less(ids[i].data(), ids[j].data()), memcmp_less) << i << " " << j;
    }
  }
}

}  // namespace
}  // namespace ccl::ledger

// FlatBuffers codec: round trips, determinism, and corrupt bytes.
#include "events/model/codec.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "events/base/limits.h"
#include "events/model/validate.h"
#include "schemas/events_generated.h"
#include "tests/events/model/sample_events.h"
#include "tests/testing/codec.h"

// Counts heap allocations so a test can check that steady-state decoding
// allocates nothing.
static std::atomic<long> g_allocations{0};
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace ccl::events {
namespace {

using test_codec::RoundTrip;
using testing::AllEventTypes;
using testing::SampleStoredEvent;

class CodecTest : public ::testing::Test {};

TEST_F(CodecTest, RoundTripEveryType) {
  for (EventType t : AllEventTypes()) {
    SCOPED_TRACE(std::string(EventTypeName(t)));
    const Event in = SampleStoredEvent(t);
    ASSERT_TRUE(ValidateEvent(in).ok()) << ValidateEvent(in).ToString();
    EXPECT_EQ(RoundTrip(in, EncodeEvent, DecodeEvent), in);
  }
}

TEST_F(CodecTest, RoundTripMinimalEvents) {
  // Optional fields absent, zero values that FlatBuffers elides as defaults.
  Event in = SampleStoredEvent(EventType::kHoursBooked);
  in.note.clear();
  in.reference.clear();
  in.cost_rate_minor = 0;
  in.applied_bill_rate_minor = 0;
  in.seq = 0;
  const Event out = RoundTrip(in, EncodeEvent, DecodeEvent);
  EXPECT_EQ(in, out);
  ASSERT_TRUE(out.applied_bill_rate_minor.has_value());  // 0 is not absent

  Event amended = SampleStoredEvent(EventType::kContractAmended);
  amended.lines.clear();  // term_end only
  EXPECT_EQ(RoundTrip(amended, EncodeEvent, DecodeEvent), amended);
}

TEST_F(CodecTest, EncodingIsDeterministic) {
  for (EventType t : AllEventTypes()) {
    std::string a, b, c;
    EncodeEvent(SampleStoredEvent(t), &a);
    EncodeEvent(SampleStoredEvent(EventType::kContractOpened), &c);  // builder reuse between
    EncodeEvent(SampleStoredEvent(t), &b);
    EXPECT_EQ(a, b) << EventTypeName(t);
  }
}

TEST_F(CodecTest, DecodeReusesTheEvent) {
  // Decoding a different type into a used Event leaves nothing behind.
  std::string opened, booked;
  EncodeEvent(SampleStoredEvent(EventType::kContractOpened), &opened);
  EncodeEvent(SampleStoredEvent(EventType::kHoursBooked), &booked);
  Event e;
  ASSERT_TRUE(DecodeEvent(opened, &e).ok());
  ASSERT_TRUE(DecodeEvent(booked, &e).ok());
  EXPECT_EQ(e, SampleStoredEvent(EventType::kHoursBooked));
}

TEST_F(CodecTest, SteadyStateDecodeDoesNotAllocate) {
  std::string bytes;
  EncodeEvent(SampleStoredEvent(EventType::kHoursBooked), &bytes);
  Event e;
  ASSERT_TRUE(DecodeEvent(bytes, &e).ok());
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(DecodeEvent(bytes, &e).ok());
  EXPECT_EQ(g_allocations.load(), before);
}

TEST_F(CodecTest, UnalignedInputDecodes) {
  std::string bytes;
  EncodeEvent(SampleStoredEvent(EventType::kContractOpened), &bytes);
  std::string shifted = "x" + bytes;
  Event e;
  const Status s = DecodeEvent(std::string_view(shifted).substr(1), &e);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(e, SampleStoredEvent(EventType::kContractOpened));
}

TEST_F(CodecTest, EveryFlippedByteIsCorruptionOrValid) {
  for (EventType t : AllEventTypes()) {
    std::string bytes;
    EncodeEvent(SampleStoredEvent(t), &bytes);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (const uint8_t mask : {0x01, 0x80, 0xff}) {
        std::string bad = bytes;
        bad[i] = static_cast<char>(bad[i] ^ mask);
        Event e;
        const Status s = DecodeEvent(bad, &e);
        if (s.ok()) {
          EXPECT_TRUE(ValidateEvent(e).ok()) << EventTypeName(t) << " byte " << i;
        } else {
          EXPECT_TRUE(s.IsCorruption()) << s.ToString();
        }
      }
    }
  }
}

TEST_F(CodecTest, EveryTruncationIsCorruptionOrIntact) {
  for (EventType t : AllEventTypes()) {
    std::string bytes;
    EncodeEvent(SampleStoredEvent(t), &bytes);
    for (size_t n = 0; n < bytes.size(); ++n) {
      Event e;
      const Status s = DecodeEvent(std::string_view(bytes).substr(0, n), &e);
      // Cutting only trailing alignment padding still leaves a complete event.
      if (s.ok()) {
        EXPECT_EQ(e, SampleStoredEvent(t)) << EventTypeName(t) << " length " << n;
      } else {
        EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      }
    }
  }
}

TEST_F(CodecTest, WrongIdentifierIsCorruption) {
  std::string bytes;
  EncodeEvent(SampleStoredEvent(EventType::kHoursBooked), &bytes);
  bytes[4] = 'X';
  Event e;
  const Status s = DecodeEvent(bytes, &e);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("identifier"), std::string::npos) << s.message();
}

TEST_F(CodecTest, OversizedInputIsCorruption) {
  std::string bytes;
  EncodeEvent(SampleStoredEvent(EventType::kHoursBooked), &bytes);
  bytes.resize(limits::kEventBytesMax + 1);
  Event e;
  EXPECT_TRUE(DecodeEvent(bytes, &e).IsCorruption());
}

// Builds an Event buffer by hand with an arbitrary union type number.
std::string BufferWithPayloadType(uint8_t type) {
  flatbuffers::FlatBufferBuilder b;
  const auto reason = b.CreateString("x");
  const auto payload = fb::CreateContractClosed(b, reason).Union();
  const auto contract = b.CreateString("C1");
  const auto actor = b.CreateString("a");
  const auto source = b.CreateString("s");
  const fb::Uuid id(flatbuffers::make_span(testing::TestUuid(1)));
  const auto root = fb::CreateEvent(b, 1, &id, contract, 1, 0, 0, actor, source, 0,
                                    static_cast<fb::Payload>(type), payload);
  fb::FinishEventBuffer(b, root);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

TEST_F(CodecTest, UnknownPayloadTypeIsCorruption) {
  Event e;
  ASSERT_TRUE(DecodeEvent(BufferWithPayloadType(9), &e).ok());
  const Status s = DecodeEvent(BufferWithPayloadType(17), &e);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("unknown payload type 17"), std::string::npos) << s.message();
  EXPECT_TRUE(DecodeEvent(BufferWithPayloadType(0), &e).IsCorruption());
}

TEST_F(CodecTest, StoredInvalidEventIsCorruptionNamingTheField) {
  Event in = SampleStoredEvent(EventType::kHoursBooked);
  in.minutes = 1441;  // EncodeEvent's REQUIRES broken on purpose
  std::string bytes;
  EncodeEvent(in, &bytes);
  Event e;
  const Status s = DecodeEvent(bytes, &e);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "stored event: field 'minutes': must be 1..1440, got 1441 (rule F-HOURS)");
  EXPECT_EQ(s.rule(), "F-HOURS");
}

}  // namespace
}  // namespace ccl::events

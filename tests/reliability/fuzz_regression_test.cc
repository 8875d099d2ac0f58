// Regression tests for what the fuzz targets (tests/reliability/fuzz/) found.
// Each failing input also sits in tests/reliability/corpus/<target>/ as
// regression-<name>, so the corpus replay tests run it too.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "events/model/codec.h"
#include "events/model/json.h"
#include "events/model/uuid.h"

namespace ccl::events {
namespace {

Event Reversal() {
  Event e;
  e.type = EventType::kEntryReversed;
  EXPECT_TRUE(ParseUuid("39140481-17fa-4aa2-93ea-890e3ffb1d91", &e.event_id));
  EXPECT_TRUE(ParseUuid("43cbf16d-17bf-4866-8227-85f60fcd3bf5", &e.target_event_id));
  e.contract = "SC-2025-000003";
  e.effective_at_ns = 1'741'155'828'000'000'000;
  e.recorded_at_ns = 1'795'000'000'000'000'000;
  e.actor = "tam";
  e.source = "psa";
  e.reason = "booked to the wrong service line";
  e.seq = 302;
  e.stream_version = 16;
  return e;
}

// Found by fuzz_event_decode (corpus/event_decode/regression-huge-stream-version):
// DecodeEvent accepted any uint64 seq / stream_version and AppendEventJson
// printed it, but the JSON reader reads those assigned fields as int64, so
// such an event's `log --json` line did not import back. No ledger assigns
// such a value: stored bytes carrying one are now Corruption.
TEST(FuzzRegressionTest, HugeStreamVersionOrSeqIsCorruption) {
  for (int which = 0; which < 2; ++which) {
    Event e = Reversal();
    (which == 0 ? e.stream_version : e.seq) = 16'429'131'440'647'569'484ull;  // > INT64_MAX
    std::string bytes;
    EncodeEvent(e, &bytes);
    Event decoded;
    const Status d = DecodeEvent(bytes, &decoded);
    EXPECT_EQ(d.code(), Status::Code::kCorruption) << d.ToString();
    EXPECT_NE(d.message().find(which == 0 ? "stream_version" : "seq"), std::string::npos)
        << d.ToString();
  }
}

// The same round trip at the largest value both sides accept passes today.
TEST(FuzzRegressionTest, LogJsonWithLargestSignedStreamVersionImportsBack) {
  Event e = Reversal();
  e.stream_version = INT64_MAX;
  e.seq = INT64_MAX;
  std::string bytes;
  EncodeEvent(e, &bytes);
  Event decoded;
  ASSERT_TRUE(DecodeEvent(bytes, &decoded).ok());
  std::string json;
  AppendEventJson(decoded, JsonOutputOptions{}, &json);
  JsonEventParser parser;
  Event parsed;
  const Status s = parser.Parse(json, &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << json;
  EXPECT_TRUE(SameContent(parsed, decoded));
}

}  // namespace
}  // namespace ccl::events
